"""Comments: threads, replies, edits, votes and the for/against summary, through the proposal page."""

import re
from contextlib import contextmanager

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, func, select, text

from stengage.db import utc_now
from stengage.extensions import db
from stengage.proposals.models import Comment, Proposal
from tests import factories
from tests.conftest import login_as, make_test_app, submit
from tests.participation import comment as _comment


def test_threads_stop_at_depth_three(client):
    proposal = factories.proposal(factories.process())
    login_as(client, factories.resident())
    top = factories.comment(proposal)
    second = factories.comment(proposal, parent=top)
    third = factories.comment(proposal, parent=second)
    page = _comment(client, proposal, "Too deep", parent=third)
    assert "You can&#39;t reply to this comment." in page.get_data(as_text=True) or page.status_code == 302
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.body == "Too deep")) == 0


def _thread_outline(html: str) -> list[tuple[int, ...]]:
    """Each comment of the page as the path of comment ids from its top-level comment down."""
    from html.parser import HTMLParser

    class Outline(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.open: list[int | None] = []  # one entry per open <li>: a comment id, or None
            self.paths: list[tuple[int, ...]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "li":
                found = re.fullmatch(r"comment-(\d+)", dict(attrs).get("id") or "")
                self.open.append(int(found.group(1)) if found else None)
                if found:
                    self.paths.append(tuple(i for i in self.open if i is not None))

        def handle_endtag(self, tag: str) -> None:
            if tag == "li":
                self.open.pop()

    parser = Outline()
    parser.feed(html)
    assert parser.open == []  # every <li> is closed
    return parser.paths


def test_replies_nest_under_the_comment_they_answer(client):
    proposal = factories.proposal(factories.process())
    first = factories.comment(proposal)
    answer = factories.comment(proposal, parent=first)
    deepest = factories.comment(proposal, parent=answer)
    second_answer = factories.comment(proposal, parent=first)
    second = factories.comment(proposal)
    reply_to_second = factories.comment(proposal, parent=second)
    db.session.commit()
    for viewer in (None, factories.resident()):
        if viewer is not None:
            login_as(client, viewer)
        page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
        assert _thread_outline(page) == [
            (first.id,), (first.id, answer.id), (first.id, answer.id, deepest.id), (first.id, second_answer.id),
            (second.id,), (second.id, reply_to_second.id),
        ]


def test_a_second_comment_posted_in_place_is_accepted_like_the_first(client):
    """The form that comes back after a comment posted with htmx carries a fresh anti-spam clock."""
    proposal = factories.proposal(factories.process())
    login_as(client, factories.resident())
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    for body in ("First thought.", "Second thought."):
        fields = dict(re.findall(r'name="(csrf_token|form_started)"[^>]*value="([^"]*)"', page))
        assert fields.get("form_started"), "the form has no anti-spam start time"
        answer = client.post(f"/proposals/{proposal.id}/comments", headers={"HX-Request": "true"},
                             data={**fields, "body": body, "alignment": "neutral"})
        page = answer.get_data(as_text=True)
        assert answer.status_code == 200 and body in page
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.proposal_id == proposal.id)) == 2


def test_pages_answering_a_comment_post_lead_back_to_the_proposal_not_the_post_url(client):
    """Report links and "next" fields of a thread rendered in answer to a POST: a GET of the POST's
    URL would be a 405."""
    from urllib.parse import unquote

    proposal = factories.proposal(factories.process())
    factories.comment(proposal, body="Someone else's comment.")
    login_as(client, factories.moderator())
    db.session.commit()
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    fields = dict(re.findall(r'name="(csrf_token|form_started)"[^>]*value="([^"]*)"', page))
    in_place = client.post(f"/proposals/{proposal.id}/comments", headers={"HX-Request": "true"},
                           data={**fields, "body": "Mine.", "alignment": "neutral"}).get_data(as_text=True)
    refused = client.post(f"/proposals/{proposal.id}/comments",
                          data={**fields, "body": "", "alignment": "neutral"}).get_data(as_text=True)
    for html in (in_place, refused):
        targets = [unquote(t) for t in re.findall(r'next=([^&"]+)', html)]
        targets += re.findall(r'name="next" value="([^"]+)"', html)
        assert targets, "no way back on the page"
        assert all(t.startswith(f"/proposals/{proposal.id}") and "/comments" not in t for t in targets), targets


def test_the_author_edits_within_15_minutes_and_a_deleted_comment_keeps_its_place(client):
    proposal = factories.proposal(factories.process())
    author = factories.resident()
    login_as(client, author)
    _comment(client, proposal, "First thought")
    comment = db.session.scalar(select(Comment).where(Comment.proposal_id == proposal.id))
    factories.comment(proposal, parent=comment, body="A reply that stays")
    submit(client, f"/comments/{comment.id}/edit", {"body": "Second thought", "alignment": "against"},
           page=f"/comments/{comment.id}/edit")
    db.session.refresh(comment)
    assert comment.body == "Second thought" and comment.edited_at is not None

    comment.created_at = comment.created_at.replace(year=comment.created_at.year - 1)
    db.session.flush()
    page = client.get(f"/comments/{comment.id}/edit", follow_redirects=True).get_data(as_text=True)
    assert "Comments can be edited for 15 minutes after posting." in page

    submit(client, f"/comments/{comment.id}/delete", page=f"/proposals/{proposal.id}")
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Comment deleted" in page and "Second thought" not in page and "A reply that stays" in page
    assert db.session.get(Proposal, proposal.id).comment_count == 1


def test_comment_votes_are_one_per_user_and_toggle(client):
    proposal = factories.proposal(factories.process())
    comment = factories.comment(proposal)
    login_as(client, factories.resident())
    for value in ("up", "up", "down", "up"):
        submit(client, f"/comments/{comment.id}/vote", {"value": value}, page=f"/proposals/{proposal.id}")
    db.session.refresh(comment)
    assert (comment.upvotes, comment.downvotes) == (1, 0)
    login_as(client, comment.author)
    page = submit(client, f"/comments/{comment.id}/vote", {"value": "up"}, page=f"/proposals/{proposal.id}",
                  follow_redirects=True).get_data(as_text=True)
    assert "You can&#39;t vote on your own comment." in page


def test_the_for_against_summary_counts_positions(client):
    proposal = factories.proposal(factories.process())
    for alignment in ("in_favour", "in_favour", "against", "neutral"):
        factories.comment(proposal, alignment=factories.Alignment(alignment))
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "2 comments (50 %)" in page and "1 comment (25 %)" in page


def _vote_buttons(html: str, comment_id: int) -> dict[str, tuple[str, bool]]:
    """The vote form of one comment: for "up" and "down", its aria-pressed value and whether it is disabled."""
    form = re.search(rf'<form id="votes-{comment_id}"[^>]*action="/comments/{comment_id}/vote".*?</form>', html, re.S)
    assert form, f"no vote form for comment {comment_id}"
    buttons = re.findall(r'<button[^>]*value="(up|down)"([^>]*)>', form.group(0))
    return {value: (re.search(r'aria-pressed="(\w+)"', rest).group(1), " disabled" in rest) for value, rest in buttons}


def test_vote_forms_show_the_readers_votes_and_answer_htmx_in_place(client):
    proposal = factories.proposal(factories.process())
    reader = factories.resident()
    liked, mine = factories.comment(proposal), factories.comment(proposal, author=reader)
    login_as(client, reader)
    page = f"/proposals/{proposal.id}"
    answer = submit(client, f"/comments/{liked.id}/vote", {"value": "up"}, page=page, headers={"HX-Request": "true"})
    fragment = answer.get_data(as_text=True)
    assert answer.status_code == 200 and fragment.lstrip().startswith(f'<form id="votes-{liked.id}"')
    assert _vote_buttons(fragment, liked.id) == {"up": ("true", False), "down": ("false", False)}
    assert 'aria-label="Helpful: 1"' in fragment and "&#9650; 1" in fragment

    html = client.get(page).get_data(as_text=True)
    assert _vote_buttons(html, liked.id) == {"up": ("true", False), "down": ("false", False)}
    assert _vote_buttons(html, mine.id) == {"up": ("false", True), "down": ("false", True)}  # one's own comment

    refused = submit(client, f"/comments/{mine.id}/vote", {"value": "down"}, page=page,
                     headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'role="alert">You can&#39;t vote on your own comment.</span>' in refused
    assert _vote_buttons(refused, mine.id) == {"up": ("false", True), "down": ("false", True)}


def test_long_discussions_come_in_pages_of_whole_conversations(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "COMMENTS_PER_PAGE", 3)
    proposal = factories.proposal(factories.process())
    first = factories.comment(proposal, body="First talk", alignment=factories.Alignment.IN_FAVOUR)
    reply = factories.comment(proposal, parent=first, body="Reply in the first talk")
    factories.comment(proposal, body="Second talk")
    third = factories.comment(proposal, body="Third talk", alignment=factories.Alignment.AGAINST)
    url = f"/proposals/{proposal.id}"

    page = client.get(url).get_data(as_text=True)
    assert all(text in page for text in ("First talk", "Reply in the first talk", "Second talk"))
    assert "Third talk" not in page and "Comments page 1 of 2" in page
    assert f'href="{url}?comments=2#comments"' in page
    later = client.get(f"{url}?comments=2").get_data(as_text=True)
    assert "Third talk" in later and "First talk" not in later and "Comments page 2 of 2" in later
    assert f'href="{url}#comments"' in later  # back to the first page
    assert "4 comments" in later and "1 comment (25 %)" in later  # count and summary cover every page

    # A page beyond the last shows the last; what is no page number is refused with a reason.
    answer = client.get(f"{url}?comments=7")
    assert answer.status_code == 200 and "Third talk" in answer.get_data(as_text=True)
    for wanted in ("0", "abc", "-1", "²", "٣", "9" * 20):
        answer = client.get(f"{url}?comments={wanted}")
        assert answer.status_code == 400 and "“comments” must be a whole number" in answer.get_data(as_text=True)

    # A comment's own address leads to the page that shows it.
    assert client.get(f"/comments/{third.id}").headers["Location"].endswith(f"{url}?comments=2#comment-{third.id}")
    assert client.get(f"/comments/{reply.id}").headers["Location"].endswith(f"{url}#comment-{reply.id}")
    assert client.get("/comments/99999999").status_code == 404

    # Replying to a comment of the second page shows that page, with the form.
    login_as(client, factories.resident())
    replying = client.get(f"{url}?reply={third.id}").get_data(as_text=True)
    assert "Third talk" in replying and "Reply to" in replying and "Comments page 2 of 2" in replying
    answer = submit(client, f"{url}/comments", {"body": "Answering the third", "alignment": "neutral",
                                                 "parent_id": str(third.id)}, page=f"{url}?reply={third.id}")
    assert answer.headers["Location"].endswith("/comments/" + str(db.session.scalar(
        select(Comment.id).where(Comment.body == "Answering the third"))))
    landed = client.get(answer.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Answering the third" in landed and "Comments page 2 of 2" in landed


def test_a_comment_posted_in_place_turns_the_follow_box_to_following(client):
    proposal = factories.proposal(factories.process())
    login_as(client, factories.resident())
    url = f"/proposals/{proposal.id}"
    assert ">Follow</button>" in client.get(url).get_data(as_text=True)
    fragment = submit(client, f"{url}/comments", {"body": "Count me in", "alignment": "in_favour"}, page=url,
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    box = re.search(rf'<form id="follow-{proposal.id}"[^>]*>.*?</form>', fragment, re.S)
    assert box and 'data-hx-swap-oob="true"' in box.group(0) and "Stop following" in box.group(0)


def test_a_reply_posted_in_place_leaves_the_reply_address_for_its_own(client):
    proposal = factories.proposal(factories.process())
    first = factories.comment(proposal)
    login_as(client, factories.resident())
    page = f"/proposals/{proposal.id}?reply={first.id}"
    answer = submit(client, f"/proposals/{proposal.id}/comments",
                    {"body": "Agreed", "alignment": "neutral", "parent_id": str(first.id)}, page=page,
                    headers={"HX-Request": "true"})
    posted = db.session.scalar(select(Comment.id).where(Comment.body == "Agreed"))
    assert answer.status_code == 200 and answer.headers["HX-Replace-Url"] == f"/comments/{posted}"


def test_what_is_no_comment_id_is_refused_with_a_reason(client):
    """?reply= and a reply's parent are read as ids: unicode digits, huge or negative numbers are a
    400 that says why, never a 500 and never another comment (٣ is no 3)."""
    proposal = factories.proposal(factories.process())
    third = None
    for _ in range(3):
        third = factories.comment(proposal, body=f"Comment {third.id + 1 if third else 1}")
    login_as(client, factories.resident())
    url = f"/proposals/{proposal.id}"
    for wanted in ("²", "٣", "-1", "0", "9" * 20, "3x"):
        answer = client.get(f"{url}?reply={wanted}")
        assert answer.status_code == 400 and "“reply” must be a whole number" in answer.get_data(as_text=True)
        posted = submit(client, f"{url}/comments", {"body": "An answer", "alignment": "neutral", "parent_id": wanted},
                        page=url)
        assert posted.status_code == 400, wanted
    assert client.get(f"{url}?reply={third.id}").status_code == 200
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.body == "An answer")) == 0


def test_a_reply_to_a_comment_of_another_proposal_is_not_found(client):
    process = factories.process()
    elsewhere = factories.comment(factories.proposal(process))
    proposal = factories.proposal(process)
    login_as(client, factories.resident())
    url = f"/proposals/{proposal.id}"
    answer = submit(client, f"{url}/comments", {"body": "Wrong place", "alignment": "neutral",
                                                 "parent_id": str(elsewhere.id)}, page=url)
    assert answer.status_code == 404


def test_a_vote_is_up_or_down(client):
    proposal = factories.proposal(factories.process())
    comment = factories.comment(proposal)
    login_as(client, factories.resident())
    answer = submit(client, f"/comments/{comment.id}/vote", {"value": "sideways"}, page=f"/proposals/{proposal.id}")
    assert answer.status_code == 400 and "A vote is up or down." in answer.get_data(as_text=True)
    db.session.refresh(comment)
    assert (comment.upvotes, comment.downvotes) == (0, 0)


def test_a_conversation_longer_than_a_page_leaves_no_empty_page(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "COMMENTS_PER_PAGE", 2)
    proposal = factories.proposal(factories.process())
    opening = factories.comment(proposal, body="Long talk")
    for n in range(4):
        factories.comment(proposal, parent=opening, body=f"Answer {n}")
    factories.comment(proposal, body="Short talk")
    url = f"/proposals/{proposal.id}"
    first = client.get(url).get_data(as_text=True)
    assert "Answer 3" in first and "Short talk" not in first and "Comments page 1 of 2" in first
    second = client.get(f"{url}?comments=2").get_data(as_text=True)
    assert "Short talk" in second and "Long talk" not in second and "Comments page 2 of 2" in second


def test_pages_are_made_of_what_the_reader_may_see(app, client, monkeypatch):
    """Conversations hidden by moderators take no room on the public's pages; the team sees them."""
    monkeypatch.setitem(app.config, "COMMENTS_PER_PAGE", 2)
    proposal = factories.proposal(factories.process())
    factories.comment(proposal, body="Open talk", alignment=factories.Alignment.IN_FAVOUR)
    for n in range(3):
        factories.comment(proposal, body=f"Insult {n}", hidden_at=utc_now(), hidden_reason="Insult")
    factories.comment(proposal, body="Later talk", alignment=factories.Alignment.AGAINST)
    url = f"/proposals/{proposal.id}"

    public = client.get(url).get_data(as_text=True)
    assert "Open talk" in public and "Later talk" in public and "Insult" not in public
    assert "Comments page" not in public and "2 comments" in public and "1 comment (50 %)" in public

    login_as(client, factories.moderator())
    team = client.get(url).get_data(as_text=True)
    assert "Open talk" in team and "Insult 0" in team and "Later talk" not in team
    assert "Comments page 1 of 3" in team and "5 comments" in team
    assert "Later talk" in client.get(f"{url}?comments=3").get_data(as_text=True)


def test_a_replys_page_is_the_page_of_its_conversation(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "COMMENTS_PER_PAGE", 1)
    proposal = factories.proposal(factories.process())
    first = factories.comment(proposal, body="First talk")
    second = factories.comment(proposal, body="Second talk")
    late_reply = factories.comment(proposal, parent=first, body="A late reply to the first")
    url = f"/proposals/{proposal.id}"
    assert client.get(f"/comments/{late_reply.id}").headers["Location"].endswith(f"{url}#comment-{late_reply.id}")
    assert client.get(f"/comments/{second.id}").headers["Location"].endswith(f"{url}?comments=2#comment-{second.id}")
    login_as(client, factories.resident())
    replying = client.get(f"{url}?comments=2&reply={late_reply.id}").get_data(as_text=True)
    assert "A late reply to the first" in replying and "Second talk" not in replying


@contextmanager
def _statements():
    """The SQL statements run meanwhile."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@pytest.mark.parametrize("reader", ["visitor", "resident", "moderator"])
def test_a_discussion_page_costs_the_same_whatever_the_discussions_length(app, client, monkeypatch, reader):
    monkeypatch.setitem(app.config, "COMMENTS_PER_PAGE", 4)
    short, long = factories.proposal(factories.process()), factories.proposal(factories.process())
    factories.comment(short)
    for n in range(30):
        parent = factories.comment(long, body=f"Talk {n}")
        factories.comment(long, parent=parent, body=f"Answer {n}")
    if reader != "visitor":
        login_as(client, getattr(factories, reader)())
    client.get("/")  # the reader's session is loaded once
    counts = []
    for url in (f"/proposals/{short.id}", f"/proposals/{long.id}", f"/proposals/{long.id}?comments=3"):
        with _statements() as seen:
            page = client.get(url)  # each address once: none comes from the page cache
        counts.append(len(seen))
    assert counts[0] == counts[1] == counts[2], counts
    assert "Talk 4" in page.get_data(as_text=True) and "Talk 3" not in page.get_data(as_text=True)


@pytest.mark.real_commits
def test_the_migration_gives_existing_comments_their_conversation(tmp_path, private_database):
    app = make_test_app(tmp_path, private_database)
    with app.app_context():
        proposal = factories.proposal(factories.process())
        top = factories.comment(proposal)
        reply = factories.comment(proposal, parent=top)
        deepest = factories.comment(proposal, parent=reply)
        other = factories.comment(proposal)
        expected = {top.id: top.id, reply.id: top.id, deepest.id: top.id, other.id: other.id}
        db.session.commit()
        db.session.close()
        downgrade(revision="b81c2e5d7a90")
        upgrade()
        assert dict(db.session.execute(text("SELECT id, root_id FROM comment")).all()) == expected
        db.session.close()
        db.engine.dispose()


@pytest.mark.parametrize(("mine", "may_vote"), [(0, True), (1, True), (-1, True), (0, False)])
def test_the_threads_fast_vote_form_is_the_macros_form(app, mine, may_vote):
    """The thread writes its vote forms by hand for speed (proposals.thread_html); the htmx answer of a
    vote renders the macro. Both give the same form, labels escaped alike."""
    from flask import render_template_string

    from stengage.proposals.thread_html import ThreadHtml

    comment = factories.comment(factories.proposal(factories.process()))
    comment.upvotes, comment.downvotes = 12, 3
    labels = {"up": "Helpful <b>&</b> \"kind\"", "down": "Not helpful"}
    with app.test_request_context("/"):
        reference = render_template_string(
            '{% from "proposals/_comment_macros.html" import vote_form with context %}'
            "{{ vote_form(comment, mine, may_vote, csrf) }}",
            comment=comment, mine=mine, may_vote=may_vote, csrf="to<ken", vote_labels=labels)
        fast = ThreadHtml(comment.proposal_id, "/proposals/1", "to<ken", labels).vote_form(comment, mine, may_vote)
    assert str(fast) == reference

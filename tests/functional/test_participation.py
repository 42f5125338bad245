"""Proposals, supports, comments and notifications through the pages residents use."""

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from stengage.core.i18n import LANGUAGE_COOKIE
from stengage.extensions import db
from stengage.proposals.models import Comment, Notification, Proposal, ProposalStatus, Support
from tests import factories
from tests.conftest import login_as
from tests.images import jpeg_with_gps
from tests.participation import comment as _comment
from tests.participation import process_url as _process_url
from tests.participation import propose as _propose
from tests.participation import support as _support
from tests.participation import withdraw_support as _withdraw_support


def test_a_resident_publishes_with_a_place_and_a_photo_supports_and_discusses(app, client, outbox):
    process = factories.process()
    author = factories.resident(name="Anna Author")
    login_as(client, author)
    response = _propose(client, process, latitude="48.1705", longitude="16.4220", address="Enkplatz 1",
                        images=(io.BytesIO(jpeg_with_gps()), "balcony.jpg"), image_alt="The bare street")
    assert response.status_code == 302, response.get_data(as_text=True)
    proposal = db.session.scalar(select(Proposal).where(Proposal.process_id == process.id))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Shade trees on Simmeringer Hauptstraße" in page and "<strong>plane trees</strong>" in page
    assert "Enkplatz 1" in page and proposal.has_location

    # The photo is re-encoded: no EXIF or GPS survives, and it is served as what it is.
    [image] = proposal.images
    served = client.get(f"/uploads/{image.file_name}")
    assert served.status_code == 200 and served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.mimetype == "image/jpeg"
    assert not Image.open(io.BytesIO(served.data)).getexif()
    assert 'alt="The bare street"' in page
    # The list shows the photo's thumbnail on the proposal's card.
    listing = client.get(_process_url(process)).get_data(as_text=True)
    assert f'src="/uploads/{image.thumbnail_name}"' in listing

    # Another resident supports it and a second proposal, then comments; the author replies.
    other_proposal = factories.proposal(process, title="Bike racks at the school")
    neighbour = factories.resident(name="Nils Neighbour", locale="en")  # mails speak the person's language
    login_as(client, neighbour)
    assert _support(client, proposal).status_code == 302
    assert _support(client, other_proposal).status_code == 302
    db.session.refresh(proposal)
    assert proposal.support_count == 1
    assert _comment(client, proposal, "Yes, and benches too!", "in_favour").status_code == 302
    question = db.session.scalar(select(Comment).where(Comment.proposal_id == proposal.id))

    outbox.clear()
    login_as(client, author)
    assert _comment(client, proposal, "Good point, added to the idea.", parent=question).status_code == 302
    # The neighbour follows (as a supporter) and hears about the reply, in the app and by mail.
    notes = db.session.scalars(select(Notification).where(Notification.user_id == neighbour.id)).all()
    assert [n.kind.value for n in notes] == ["reply"]
    mail = outbox.last(to=neighbour.email)
    assert "New reply to your comment" in mail["Subject"] and "Good point" in outbox.text(mail)

    login_as(client, neighbour)
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'Notifications <span class="badge badge-count">1', home)
    listing = client.get("/notifications/").get_data(as_text=True)
    assert "Anna Author replied to your comment" in listing
    opened = client.get(f"/notifications/{notes[0].id}")
    assert opened.headers["Location"].endswith(f"/comments/{notes[0].comment_id}")
    landing = client.get(opened.headers["Location"])
    assert landing.headers["Location"].endswith(f"/proposals/{proposal.id}#comment-{notes[0].comment_id}")
    assert 'badge-count' not in client.get("/").get_data(as_text=True)

    # Everyone sees it in the list, on the map and in the area feed.
    visitor = app.test_client()
    visitor.set_cookie(LANGUAGE_COOKIE, "en")
    listing = visitor.get(_process_url(process)).get_data(as_text=True)
    assert "Shade trees on Simmeringer Hauptstraße" in listing and "Bike racks at the school" in listing
    points = visitor.get(f"{_process_url(process)}/map.json").get_json()["proposals"]
    assert [p["title"] for p in points] == ["Shade trees on Simmeringer Hauptstraße"]
    feed = visitor.get("/areas/vienna-simmering/activity").get_data(as_text=True)
    assert "Shade trees on Simmeringer Hauptstraße" in feed and "commented on" in feed


@pytest.mark.parametrize("path", ["/proposals/12abc", "/proposals/-1", "/proposals/99999999",
                                  "/comments/99999999/edit", "/proposals/99999999999", "/comments/99999999999/edit",
                                  "/uploads/../../etc/passwd", "/uploads/nothing.jpg",
                                  "/areas/vienna-simmering/processes/no-such-process"])
def test_unknown_ids_are_404(client, path):
    login_as(client, factories.resident())
    assert client.get(path).status_code == 404


def test_supporting_a_withdrawn_proposal_or_outside_the_phase_is_refused(client):
    resident = factories.resident()
    login_as(client, resident)
    withdrawn = factories.proposal(factories.process(), status=ProposalStatus.WITHDRAWN)
    closed = factories.proposal(factories.process(phase="after"))
    for proposal in (withdrawn, closed):
        page = _support(client, proposal, follow_redirects=True).get_data(as_text=True)
        assert "You can&#39;t support this proposal now." in page
        db.session.refresh(proposal)
        assert proposal.support_count == 0
    assert db.session.scalar(select(func.count(Support.id)).where(Support.user_id == resident.id)) == 0


def test_the_support_limit_holds_and_a_support_can_be_withdrawn(client):
    process = factories.process(supports_per_resident=2)
    first, second, third = (factories.proposal(process) for _ in range(3))
    login_as(client, factories.resident())
    _support(client, first)
    _support(client, second)
    page = _support(client, third, follow_redirects=True).get_data(as_text=True)
    assert "You have used all 2 supports of this process." in page
    _withdraw_support(client, first)
    _support(client, third)
    counts = [db.session.get(Proposal, p.id).support_count for p in (first, second, third)]
    assert counts == [0, 1, 1]


def test_supporting_twice_counts_once_and_qualifies_at_the_threshold(client):
    process = factories.process(threshold=2)
    proposal = factories.proposal(process)
    residents = [factories.resident() for _ in range(2)]
    for resident in residents:
        login_as(client, resident)
        _support(client, proposal)
        _support(client, proposal)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert db.session.get(Proposal, proposal.id).support_count == 2
    assert "Qualified" in page


def test_a_second_support_or_withdrawal_without_javascript_says_nothing_changed(client):
    proposal = factories.proposal(factories.process())
    login_as(client, factories.resident())
    said_twice = {_support: "You support this proposal already.",
                  _withdraw_support: "You do not support this proposal."}
    for change, said in said_twice.items():
        change(client, proposal)
        again = change(client, proposal, follow_redirects=True).get_data(as_text=True)
        assert said in again
    assert db.session.get(Proposal, proposal.id).support_count == 0


def test_support_updates_in_place_with_htmx(client):
    proposal = factories.proposal(factories.process())
    login_as(client, factories.resident())
    response = _support(client, proposal, headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in fragment
    assert f'id="support-{proposal.id}"' in fragment and "Withdraw my support" in fragment
    # The supporter now follows it: the follow box beside is replaced too (out of band).
    follow_box = re.search(rf'<form id="follow-{proposal.id}"[^>]*>.*?</form>', fragment, re.S)
    assert follow_box and 'data-hx-swap-oob="true"' in follow_box.group(0) and "Stop following" in follow_box.group(0)
    withdrawn = _withdraw_support(client, proposal, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Support this proposal" in withdrawn and "follow-" not in withdrawn


def test_search_filters_and_sorts(client):
    process = factories.process()
    solar = factories.proposal(process, title="Solar roof on the school", body="Panels for the gym.",
                               category=factories.Category.RENEWABLE_ENERGY)
    bike = factories.proposal(process, title="Bike lane", body="A safe lane past the solar park.",
                              category=factories.Category.MOBILITY)
    factories.proposal(process, title="Benches", body="Somewhere to sit.", category=factories.Category.PUBLIC_SPACE)
    bike.support_count = 5
    db.session.flush()
    url = _process_url(process)

    def titles(query):
        page = client.get(f"{url}?{query}").get_data(as_text=True)
        return re.findall(r'<h3[^>]*><a href="/proposals/\d+">([^<]+)</a></h3>', page)

    assert titles("q=solar") == ["Bike lane", "Solar roof on the school"]
    assert titles("q=SOLAR+school") == ["Solar roof on the school"]
    assert titles("q=zeppelin") == []
    assert titles("category=mobility") == ["Bike lane"]
    assert titles("sort=newest")[0] == "Benches"
    assert titles("category=not-a-category&sort=nonsense")[0] == "Bike lane"
    # A page number that is no number is refused with a reason, never read as another page.
    for bad in ("abc", "²", "٣", "-1", "0", "", "99999999999"):
        answer = client.get(f"{url}?page={bad}")
        assert answer.status_code == 400, bad
        assert "“page” must be a whole number" in answer.get_data(as_text=True)
    assert "No proposal matches" in client.get(f"{url}?q=zeppelin").get_data(as_text=True)
    assert solar.id


def test_the_filter_and_sort_menus_offer_their_choices_and_keep_the_chosen_one(client):
    url = _process_url(factories.process())
    page = client.get(f"{url}?category=mobility&sort=newest").get_data(as_text=True)

    def options(name: str) -> list[tuple[bool, str, str]]:
        menu = re.search(rf'<select id="{name}" name="{name}">(.*?)</select>', page, re.S)
        assert menu, name
        return [(bool(selected), value, label) for selected, value, label in
                re.findall(r'<option (selected )?value="([^"]*)">([^<]*)</option>', menu.group(1))]

    categories = options("category")
    assert categories[0][1:] == ("", "All")
    assert (True, "mobility", "Mobility") in categories and len(categories) > 5
    assert [label for _, _, label in options("sort")][:3] == ["Most supported", "Most discussed", "Newest"]
    assert [value for selected, value, _ in options("sort") if selected] == ["newest"]
    for name in ("status", "origin", "located", "language"):
        assert all(label for _, _, label in options(name)) and len(options(name)) >= 2, name


def test_random_order_is_stable_for_a_visitor_and_differs_between_visitors(app):
    process = factories.process()
    for i in range(30):
        factories.proposal(process, title=f"Idea {i:02d}")
    url = f"{_process_url(process)}?sort=random"

    def order(client):
        return re.findall(r'<h3[^>]*><a href="/proposals/\d+">([^<]+)</a></h3>', client.get(url).get_data(as_text=True))

    visitors = [app.test_client() for _ in range(4)]
    orders = [order(v) for v in visitors]
    assert all(order(v) == o for v, o in zip(visitors, orders, strict=True))
    assert len({tuple(o) for o in orders}) > 1
    assert len({o[-1] for o in orders}) > 1  # no proposal is always last


def test_pages_run_a_constant_number_of_queries(app, client):
    from sqlalchemy import event

    def queries_for(path):
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    small, large = factories.process(), factories.process()
    for process, n in ((small, 2), (large, 25)):
        for i in range(n):
            factories.proposal(process, title=f"Idea {i}", author=factories.resident())
    login_as(client, factories.resident())
    assert queries_for(_process_url(small)) == queries_for(_process_url(large))

    few, many = factories.proposal(small), factories.proposal(large)
    for proposal, n in ((few, 1), (many, 30)):
        parent = None
        for i in range(n):
            parent = factories.comment(proposal, parent=parent if i % 3 else None, author=factories.resident())
    assert queries_for(f"/proposals/{few.id}") == queries_for(f"/proposals/{many.id}")


def test_recount_repairs_drifted_counters_and_reports_them(app):
    proposal = factories.proposal(factories.process())
    factories.comment(proposal)
    proposal.support_count, proposal.comment_count = 7, 0
    db.session.flush()
    result = app.test_cli_runner().invoke(args=["recount"])
    assert "proposal.support_count" in result.output and "stored 7, actual 0" in result.output
    assert "2 counters repaired." in result.output
    db.session.refresh(proposal)
    assert (proposal.support_count, proposal.comment_count) == (0, 1)
    assert "All counters are right." in app.test_cli_runner().invoke(args=["recount"]).output


def test_notification_mail_choice_immediately_daily_or_never(app, client, outbox):
    from stengage.accounts.models import EmailNotifications
    from stengage.proposals import operations

    proposal = factories.proposal(factories.process())
    readers = {choice: factories.resident(notify_by_email=choice) for choice in EmailNotifications}
    for reader in readers.values():
        operations.follow(reader, proposal)
    login_as(client, factories.resident())
    _comment(client, proposal, "News for all followers")
    mailed = {m["To"] for m in outbox.messages()}
    assert readers[EmailNotifications.IMMEDIATELY].email in mailed
    assert readers[EmailNotifications.DAILY].email not in mailed
    assert readers[EmailNotifications.NEVER].email not in mailed

    outbox.clear()
    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert "1 digests sent." in result.output
    [digest] = outbox.messages()
    assert digest["To"] == readers[EmailNotifications.DAILY].email
    assert "News for all followers" not in outbox.text(digest) and proposal.title in outbox.text(digest)
    comment_id = db.session.scalar(select(Comment.id).where(Comment.body == "News for all followers"))
    assert f"/comments/{comment_id}" in outbox.text(digest)  # straight to the comment
    assert "0 digests sent." in app.test_cli_runner().invoke(args=["send-digests"]).output


def test_contributions_record_their_language_and_lists_filter_by_it(client):
    process = factories.process()
    author = factories.resident(locale="de")
    login_as(client, author)
    _propose(client, process, title="Mehr Bäume am Enkplatz")
    _propose(client, process, title="Des arbres place Enkplatz", language="fr")
    stored = db.session.scalars(select(Proposal).where(Proposal.process_id == process.id))
    proposals = {p.title: p.language for p in stored}
    assert proposals == {"Mehr Bäume am Enkplatz": "de", "Des arbres place Enkplatz": "fr"}
    page = client.get(f"{_process_url(process)}?language=fr").get_data(as_text=True)
    assert "Des arbres place Enkplatz" in page and "Mehr Bäume" not in page
    proposal = db.session.scalar(select(Proposal).where(Proposal.language == "de"))
    _comment(client, proposal, "Gute Idee")
    assert db.session.scalar(select(Comment.language).where(Comment.body == "Gute Idee")) == "de"
    from stengage.reports import operations as report_ops
    from stengage.reports.figures import figures

    report = report_ops.create_report(factories.moderator(), process.area, "Languages", process=process)
    exact = figures(report_ops.snapshot(report), exact=True)
    assert {r.key[0]: r.values["proposals"] for r in exact.table("proposal_language")} == {"de": 1, "fr": 1}
    assert {r.key[0]: r.values["comments"] for r in exact.table("comment_language")} == {"de": 1}


def test_editing_someone_elses_proposal_is_not_allowed_and_ones_own_says_why_it_is_closed(client):
    proposal = factories.proposal(factories.process())
    login_as(client, factories.resident())
    assert client.get(f"/proposals/{proposal.id}/edit").status_code == 403
    login_as(client, proposal.author)
    proposal.support_count = 1
    db.session.flush()
    page = client.get(f"/proposals/{proposal.id}/edit", follow_redirects=True).get_data(as_text=True)
    assert "it has supports already" in page

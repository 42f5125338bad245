"""Flags, the queue, hiding everywhere, blocking, triage, merging and the audit log through the pages."""

import csv
import io

import pytest
from sqlalchemy import func, select

from stengage.core.audit import AuditEntry
from stengage.extensions import db
from stengage.moderation import merging, operations
from stengage.moderation.models import Flag
from stengage.proposals import operations as proposal_ops
from stengage.proposals import supports
from stengage.proposals.models import Comment, Notification, Proposal, ProposalStatus, Support
from tests import factories
from tests.conftest import login_as, submit

QUEUE = "/areas/vienna-simmering/moderation"


def _flag(client, kind, target_id, reason="offensive", text="", area=None):
    data = {"target_type": kind, "target_id": str(target_id), "reason": reason, "text": text}
    if area:
        data["area"] = area
    return submit(client, "/flags", data)


def _act(client, kind, target_id, action, **data):
    return submit(client, f"{QUEUE}/{kind}/{target_id}/{action}", data, page=QUEUE)


def _entries(verb):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.verb == verb)))


def test_three_residents_flag_a_comment_it_vanishes_and_the_moderator_acts(app, client, outbox):
    process = factories.process()
    proposal = factories.proposal(process, title="Night buses to Simmering")
    troll = factories.resident(name="Troll")
    comment = factories.comment(proposal, author=troll, body="You are all idiots")
    for _ in range(3):
        login_as(client, factories.resident())
        assert _flag(client, "comment", comment.id).status_code == 302
    db.session.refresh(comment)
    assert comment.hidden_at is not None
    visitor = app.test_client()
    assert "You are all idiots" not in visitor.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "You are all idiots" not in visitor.get("/areas/vienna-simmering/activity").get_data(as_text=True)
    assert db.session.get(Proposal, proposal.id).comment_count == 0
    [auto] = _entries("comment.auto_hide")
    assert auto.actor_id is None

    moderator = factories.moderator(name="Mira Moderator")
    login_as(client, moderator)
    queue = client.get(QUEUE).get_data(as_text=True)
    assert "You are all idiots" in queue and "3 reports" in queue and "Offensive or hateful" in queue
    _act(client, "comment", comment.id, "hide", reason="Insults are not allowed")
    _act(client, "comment", comment.id, "block", reason="Repeated insults")
    db.session.refresh(comment)
    assert comment.hidden_reason == "Insults are not allowed"
    assert troll.is_blocked_in(factories.area())
    assert db.session.scalar(select(func.count(Flag.id)).where(Flag.state == "open")) == 0
    # The author sees why; they cannot post here any more.
    login_as(client, troll)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "You are all idiots" in page and "Insults are not allowed" in page
    assert 'id="comment-form"' not in page
    submit(client, f"/proposals/{proposal.id}/comments", {"body": "again", "alignment": "neutral"},
           page=f"/proposals/{proposal.id}")
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.body == "again")) == 0
    assert {"comment.hide", "user.block_in_area"} <= {e.verb for e in db.session.scalars(select(AuditEntry))}


def test_auto_hide_counts_only_distinct_verified_flaggers(client):
    proposal = factories.proposal(factories.process())
    # Unverified people and residents of other areas count as reports, not towards hiding.
    for reporter in (factories.resident(), factories.user(), factories.resident("lyon-confluence")):
        login_as(client, reporter)
        _flag(client, "proposal", proposal.id, reason="spam")
    login_as(client, factories.resident())
    _flag(client, "proposal", proposal.id, reason="spam")
    _flag(client, "proposal", proposal.id, reason="spam")  # the same person again changes nothing
    db.session.refresh(proposal)
    assert proposal.hidden_at is None
    assert db.session.scalar(select(func.count(Flag.id)).where(Flag.proposal_id == proposal.id)) == 4
    login_as(client, factories.resident())
    _flag(client, "proposal", proposal.id, reason="spam")
    db.session.refresh(proposal)
    assert proposal.hidden_at is not None


def test_flag_reasons_and_refusals(client):
    proposal = factories.proposal(factories.process())
    login_as(client, factories.resident())
    page = _flag(client, "proposal", proposal.id, reason="other", text="").get_data(as_text=True)
    assert "Please say in a few words what is wrong." in page
    page = _flag(client, "proposal", proposal.id, reason="rude").get_data(as_text=True)
    assert "Not a valid choice" in page
    login_as(client, proposal.author)
    page = _flag(client, "proposal", proposal.id).get_data(as_text=True)
    assert "You can&#39;t report yourself or your own contributions." in page
    assert db.session.scalar(select(func.count(Flag.id))) == 0
    assert _flag(client, "proposal", 99999999).status_code == 404
    assert _flag(client, "teapot", proposal.id).status_code == 404


@pytest.mark.parametrize("raw", ["²", "٣", "-1", "99999999999999999999", "1x"])
def test_a_report_link_whose_id_is_no_number_is_a_clear_400(client, raw):
    factories.proposal(factories.process())
    login_as(client, factories.resident())
    response = client.get(f"/flags?type=proposal&id={raw}")
    assert response.status_code == 400
    assert "whole number" in response.get_data(as_text=True)
    assert _flag(client, "proposal", raw).status_code == 400
    assert db.session.scalar(select(func.count(Flag.id))) == 0


@pytest.mark.parametrize("field", ["area", "next", "text"])
def test_a_report_with_a_nul_byte_is_refused_and_stores_nothing(client, field):
    person = factories.resident()
    login_as(client, factories.resident())
    data = {"target_type": "user", "target_id": str(person.id), "reason": "other", "text": "Spam",
            "area": "vienna-simmering", "next": "/"}
    data[field] += "\x00"
    response = submit(client, "/flags", data)
    if field == "text":  # typed by the reporter: said on the form, to be corrected
        assert "control characters" in response.get_data(as_text=True)
    else:  # sent by the page: a 400 that says so
        assert response.status_code == 400
        assert "not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Flag.id))) == 0


def test_people_are_reported_from_an_area(client):
    troll = factories.resident()
    login_as(client, factories.resident())
    assert _flag(client, "user", troll.id, reason="spam", area="vienna-simmering").status_code == 302
    login_as(client, factories.moderator())
    assert troll.display_name in client.get(QUEUE).get_data(as_text=True)


def test_the_moderator_dismisses_or_blocks_a_reported_person_from_the_queue(client):
    troll, pest = factories.resident(name="Troll"), factories.resident(name="Pest")
    login_as(client, factories.resident())
    for person in (troll, pest):
        _flag(client, "user", person.id, reason="spam", area="vienna-simmering")
    login_as(client, factories.moderator())
    assert _act(client, "user", pest.id, "dismiss").status_code == 302
    assert _act(client, "user", troll.id, "block", reason="Spams everyone").status_code == 302
    assert troll.is_blocked_in(factories.area()) and not pest.is_blocked_in(factories.area())
    assert db.session.scalar(select(func.count(Flag.id)).where(Flag.state == "open")) == 0
    assert [e.target_id for e in _entries("flags.dismiss")] == [pest.id]
    assert _act(client, "user", troll.id, "hide", reason="x").status_code == 404
    assert _act(client, "user", troll.id, "unblock").status_code == 302
    assert not troll.is_blocked_in(factories.area())
    assert [e.verb for e in db.session.scalars(select(AuditEntry).where(AuditEntry.target_id == troll.id)
                                               .order_by(AuditEntry.id))] == ["user.block_in_area",
                                                                               "user.unblock_in_area"]


def test_dismissing_the_reports_on_a_person_in_one_area_leaves_another_areas_open(client):
    person = factories.resident()
    login_as(client, factories.resident())
    _flag(client, "user", person.id, reason="spam", area="vienna-simmering")
    login_as(client, factories.resident("lyon-confluence"))
    _flag(client, "user", person.id, reason="spam", area="lyon-confluence")
    login_as(client, factories.moderator("lyon-confluence"))
    url = f"/areas/lyon-confluence/moderation/user/{person.id}/dismiss"
    assert submit(client, url, page="/areas/lyon-confluence/moderation").status_code == 302
    open_in = db.session.scalars(select(Flag.area_id).where(Flag.state == "open")).all()
    assert open_in == [factories.area("vienna-simmering").id]
    login_as(client, factories.moderator())
    assert person.display_name in client.get(QUEUE).get_data(as_text=True)


def test_only_an_admin_blocks_a_reported_author_on_the_whole_platform(client):
    proposal = factories.proposal(factories.process())
    login_as(client, factories.resident())
    _flag(client, "proposal", proposal.id, reason="spam")
    login_as(client, factories.moderator())
    assert "Block everywhere" not in client.get(QUEUE).get_data(as_text=True)
    assert _act(client, "proposal", proposal.id, "block-everywhere", reason="Spam").status_code == 403
    db.session.refresh(proposal.author)
    assert proposal.author.blocked_at is None
    login_as(client, factories.user(admin=True))
    assert f'action="{QUEUE}/proposal/{proposal.id}/block-everywhere"' in client.get(QUEUE).get_data(as_text=True)
    assert _act(client, "proposal", proposal.id, "block-everywhere", reason="Spam").status_code == 302
    db.session.refresh(proposal.author)
    assert proposal.author.blocked_at is not None and [e.reason for e in _entries("user.block")] == ["Spam"]


def test_flags_update_in_place_with_htmx(client):
    proposal = factories.proposal(factories.process())
    login_as(client, factories.resident())
    response = submit(client, "/flags", {"target_type": "proposal", "target_id": str(proposal.id),
                                         "reason": "spam"}, headers={"HX-Request": "true"})
    assert "<html" not in response.get_data(as_text=True)
    assert "The moderators of Simmering will look at it." in response.get_data(as_text=True)


@pytest.fixture
def hidden_world(app):
    """A hidden proposal and a hidden comment, beside visible ones, in one process."""
    process = factories.process()
    follower = factories.resident()
    visible = factories.proposal(process, title="Visible bike lane", latitude=48.17, longitude=16.42)
    hidden = factories.proposal(process, title="Hidden solar spam", body="solar solar buy now",
                                latitude=48.171, longitude=16.421)
    proposal_ops.follow(follower, hidden)
    proposal_ops.follow(follower, visible)
    spam = factories.comment(visible, body="Buy cheap watches")
    moderator = factories.moderator()
    from stengage.proposals import notifications

    notifications.comment_posted(spam, visible, None)
    notifications.status_changed(hidden, moderator)
    operations.hide(moderator, hidden, factories.area(), "spam")
    operations.hide(moderator, spam, factories.area(), "spam")
    return {"process": process, "hidden": hidden, "visible": visible, "follower": follower}


def _page(client, url):
    return client.get(url).get_data(as_text=True)


def test_hidden_content_is_absent_from_the_list(client, hidden_world):
    url = f"/areas/vienna-simmering/processes/{hidden_world['process'].slug}"
    page = _page(client, url)
    assert "Visible bike lane" in page and "Hidden solar spam" not in page


def test_hidden_content_is_absent_from_search(client, hidden_world):
    url = f"/areas/vienna-simmering/processes/{hidden_world['process'].slug}?q=solar"
    assert "Hidden solar spam" not in _page(client, url)


def test_hidden_content_is_absent_from_the_map(client, hidden_world):
    base = f"/areas/vienna-simmering/processes/{hidden_world['process'].slug}/map"
    titles = [p["title"] for p in client.get(base + ".json").get_json()["proposals"]]
    assert titles == ["Visible bike lane"]
    assert "Hidden solar spam" not in _page(client, base)


def test_hidden_content_is_absent_from_the_feed(client, hidden_world):
    feed = _page(client, "/areas/vienna-simmering/activity")
    assert "Hidden solar spam" not in feed and "Visible bike lane" in feed
    assert "commented on" not in feed  # the only comment is hidden


def test_hidden_content_is_absent_from_notifications(client, hidden_world):
    follower = hidden_world["follower"]
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == follower.id)) == 2
    login_as(client, follower)
    page = _page(client, "/notifications/")
    assert "Hidden solar spam" not in page and "commented on" not in page
    assert 'badge-count' not in _page(client, "/")


def test_hidden_proposals_and_their_images_are_404_for_others(client, hidden_world):
    hidden = hidden_world["hidden"]
    assert client.get(f"/proposals/{hidden.id}").status_code == 404
    login_as(client, hidden.author)
    assert "Hidden by moderators" in _page(client, f"/proposals/{hidden.id}")


def test_a_moderator_hides_and_shows_a_comment_from_the_discussion_and_returns_to_it(client):
    import re

    proposal = factories.proposal(factories.process())
    comment = factories.comment(proposal, body="Call 0660 1234567 for cheap watches")
    login_as(client, factories.moderator())
    page_url = f"/proposals/{proposal.id}"
    [hide_url] = re.findall(r'action="([^"]+/hide)"', _page(client, page_url))
    assert hide_url == f"{QUEUE}/comment/{comment.id}/hide"
    back = f"{page_url}#comment-{comment.id}"
    response = submit(client, hide_url, {"reason": "Advertising", "next": back}, page=page_url)
    assert response.status_code == 302 and response.headers["Location"] == back
    db.session.refresh(comment)
    assert comment.hidden_reason == "Advertising"
    [unhide_url] = re.findall(r'action="([^"]+/unhide)"', _page(client, page_url))
    response = submit(client, unhide_url, {"next": "//evil.example/"}, page=page_url)
    assert response.headers["Location"] == QUEUE  # only same-site addresses are followed
    db.session.refresh(comment)
    assert comment.hidden_at is None
    assert [e.verb for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))] == [
        "comment.hide", "comment.unhide"]


def test_a_queue_action_without_its_reason_changes_nothing_and_says_why(client):
    proposal = factories.proposal(factories.process())
    login_as(client, factories.moderator())
    url = f"{QUEUE}/proposal/{proposal.id}/hide"
    page = submit(client, url, {"reason": ""}, page=QUEUE, follow_redirects=True).get_data(as_text=True)
    assert "Please give the reason" in page
    page = submit(client, url, {"reason": "spam\x00"}, page=QUEUE, follow_redirects=True).get_data(as_text=True)
    assert "control characters" in page
    db.session.refresh(proposal)
    assert proposal.hidden_at is None and _entries("proposal.hide") == []
    assert client.get(f"{QUEUE}/proposal/{proposal.id}/hide").status_code == 405


def test_redacting_keeps_the_original_only_in_the_audit_log(client):
    proposal = factories.proposal(factories.process(), body="Call me on +43 660 1234567 any time")
    login_as(client, factories.moderator())
    url = f"{QUEUE}/proposal/{proposal.id}/redact"
    submit(client, url, {"title": proposal.title, "body": "Call me any time", "reason": "phone number"}, page=url)
    db.session.refresh(proposal)
    assert "1234567" not in proposal.body and "1234567" not in proposal.body_html
    [entry] = _entries("proposal.redact")
    assert "1234567" in entry.before["body"]
    assert "1234567" not in _page(client, f"/proposals/{proposal.id}")


def test_moderation_urls_refuse_other_areas(client):
    proposal = factories.proposal(factories.process())
    login_as(client, factories.moderator("lyon-confluence"))
    assert client.get(QUEUE).status_code == 403
    assert _act(client, "proposal", proposal.id, "hide", reason="no").status_code == 403
    response = submit(client, f"/areas/lyon-confluence/moderation/proposal/{proposal.id}/hide", {"reason": "x"})
    assert response.status_code == 404
    assert client.get(f"/proposals/{proposal.id}/triage").status_code == 403
    assert client.get(f"/proposals/{proposal.id}/merge").status_code == 403
    db.session.refresh(proposal)
    assert proposal.hidden_at is None


def test_answering_a_proposal_notifies_its_supporters(client, outbox):
    process = factories.process()
    proposal = factories.proposal(process)
    supporter = factories.resident(locale="en")  # mails speak the person's language
    supports.support(supporter, proposal)
    login_as(client, factories.staff())
    url = f"/proposals/{proposal.id}/triage"
    for status, answer in (("under_review", "We are looking at it."), ("accepted", "The city will **build** it.")):
        assert submit(client, f"{url}/status", {"status": status, "answer": answer}, page=url).status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.ACCEPTED
    page = _page(client, f"/proposals/{proposal.id}")
    assert "The city will <strong>build</strong> it." in page
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == supporter.id)).all()
    assert [k.value for k in kinds] == ["status_change", "status_change"]
    assert any(m["To"] == supporter.email and "News on" in m["Subject"] for m in outbox.messages())
    assert [e.after["status"] for e in _entries("proposal.status")] == ["under_review", "accepted"]


@pytest.mark.parametrize(("status", "answer", "message"), [
    ("accepted", "Yes", "Not a valid choice"),
    ("under_review", "", "This field is required."),
    ("merged", "x", "Not a valid choice"),
])
def test_bad_status_changes_are_refused_and_change_nothing(client, status, answer, message):
    proposal = factories.proposal(factories.process())
    login_as(client, factories.staff())
    url = f"/proposals/{proposal.id}/triage"
    page = submit(client, f"{url}/status", {"status": status, "answer": answer}, page=url).get_data(as_text=True)
    assert message in page
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.PUBLISHED and proposal.official_answer is None


def test_internal_notes_and_assignment(client):
    proposal = factories.proposal(factories.process())
    clerk = factories.staff(name="Stefanie")
    login_as(client, factories.moderator())
    url = f"/proposals/{proposal.id}/triage"
    assert submit(client, f"{url}/note", {"body": "Check with the energy department"}, page=url).status_code == 302
    assert submit(client, f"{url}/assign", {"assignee": str(clerk.id)}, page=url).status_code == 302
    assert "Check with the energy department" in _page(client, url)
    assert "Check with the energy department" not in _page(client, f"/proposals/{proposal.id}")
    login_as(client, clerk)
    assert proposal.title in _page(client, "/moderation/assigned")
    login_as(client, factories.resident())
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("who", ["resident", "unverified", "moderator_lyon", "staff", "admin"])
def test_only_a_team_member_sees_the_proposals_assigned_to_them(client, who):
    person = {"resident": factories.resident, "unverified": factories.user,
              "moderator_lyon": lambda: factories.moderator("lyon-confluence"), "staff": factories.staff,
              "admin": lambda: factories.user(admin=True)}[who]()
    login_as(client, person)
    assert client.get("/moderation/assigned").status_code == (403 if who in ("resident", "unverified") else 200)


def test_merging_duplicates_unites_supporters_and_undo_restores_everything(client):
    process = factories.process()
    keep, dupe, other_dupe = (factories.proposal(process, title=f"Bike lane on Main Street {n}") for n in "ABC")
    both, only_dupe, only_keep = factories.resident(), factories.resident(), factories.resident()
    for user, proposals in ((both, (keep, dupe, other_dupe)), (only_dupe, (dupe,)), (only_keep, (keep,))):
        for proposal in proposals:
            supports.support(user, proposal)
    before = {p.id: (p.status, p.support_count) for p in (keep, dupe, other_dupe)}
    login_as(client, factories.moderator())
    url = f"/proposals/{keep.id}/merge"
    response = submit(client, url, {"duplicates": [str(dupe.id), str(other_dupe.id)], "into": "this", "q": "Bike"},
                      page=url)
    assert response.status_code == 302
    db.session.refresh(keep)
    supporters = set(db.session.scalars(select(Support.user_id).where(Support.proposal_id == keep.id)))
    assert supporters == {both.id, only_dupe.id, only_keep.id} and keep.support_count == 3
    page = _page(client, f"/proposals/{dupe.id}")
    assert "This proposal was merged" in page and f"/proposals/{keep.id}" in page

    [entry] = _entries("proposal.merge")
    assert submit(client, f"/audit/{entry.id}/undo-merge", page="/audit").status_code == 302
    after = {p.id: (db.session.get(Proposal, p.id).status, db.session.get(Proposal, p.id).support_count)
             for p in (keep, dupe, other_dupe)}
    assert after == before
    assert set(db.session.scalars(select(Support.user_id).where(Support.proposal_id == keep.id))) == {
        both.id, only_keep.id}
    assert "undone" in _page(client, "/audit")
    page = submit(client, f"/audit/{entry.id}/undo-merge", page="/audit", follow_redirects=True)
    assert "This merge was undone already." in page.get_data(as_text=True)


def test_merging_into_a_new_proposal(client):
    process = factories.process()
    first, second = (factories.proposal(process, title=f"Trees for the school {n}") for n in "12")
    supports.support(factories.resident(), first)
    login_as(client, factories.moderator())
    url = f"/proposals/{first.id}/merge"
    response = submit(client, url, {"duplicates": [str(second.id)], "into": "new", "title": "Trees for the school",
                                    "body": "Both ideas together.", "q": "Trees"}, page=url)
    new = db.session.get(Proposal, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert new.title == "Trees for the school" and new.support_count == 1
    assert {db.session.get(Proposal, p.id).status for p in (first, second)} == {ProposalStatus.MERGED}


def test_transitions_outside_the_lifecycle_are_refused_with_a_clear_message():
    from stengage.core.operations import Refused

    proposal = factories.proposal(factories.process())
    with pytest.raises(Refused, match=r"A proposal that is “Published” can.t become “Implemented”"):
        operations.change_status(factories.staff(), proposal, ProposalStatus.IMPLEMENTED, "Done")
    assert proposal.status == ProposalStatus.PUBLISHED


def test_a_moderator_cannot_act_on_another_areas_content_by_naming_their_own_area():
    from stengage.core.operations import Refused

    proposal = factories.proposal(factories.process())
    comment = factories.comment(proposal)
    lyon = factories.area("lyon-confluence")
    for target in (proposal, comment):
        with pytest.raises(Refused, match="Only the moderators of this area"):
            operations.hide(factories.moderator("lyon-confluence"), target, lyon, "not yours")
    assert proposal.hidden_at is None and comment.hidden_at is None


def test_merging_across_processes_is_refused():
    a, b = factories.process(), factories.process()
    from stengage.core.operations import Refused

    with pytest.raises(Refused, match="same process"):
        merging.merge(factories.moderator(), [factories.proposal(a)], factories.proposal(b))


def test_a_blocked_resident_cannot_act_in_that_area(client):
    process = factories.process()
    proposal = factories.proposal(process)
    resident = factories.resident()
    operations.block_in_area(factories.moderator(), resident, factories.area(), "spam")
    login_as(client, resident)
    page = submit(client, f"/proposals/{proposal.id}/support", page=f"/proposals/{proposal.id}",
                  follow_redirects=True).get_data(as_text=True)
    assert "You can&#39;t support this proposal now." in page
    assert db.session.get(Proposal, proposal.id).support_count == 0
    url = f"/areas/vienna-simmering/processes/{process.slug}/propose"
    assert client.get(url).status_code == 302


def test_the_audit_log_filters_and_exports_safe_csv(client):
    moderator = factories.moderator(name="=HYPERLINK(evil)")
    proposal = factories.proposal(factories.process(), title="Plain title")
    operations.hide(moderator, proposal, factories.area(), "=cmd|' /C calc'!A0\nFAKE,LINE")
    lyon = factories.moderator("lyon-confluence")
    login_as(client, moderator)
    page = _page(client, "/audit?verb=proposal.hide")
    assert "proposal.hide" in page and "Plain title" in page
    assert "proposal.hide" not in _page(client, "/audit?verb=role.")
    rows = list(csv.reader(io.StringIO(client.get("/audit.csv?verb=proposal.hide").get_data(as_text=True)
                                       .lstrip("\ufeff"))))
    assert rows[0][:3] == ["time_utc", "actor", "action"]
    [row] = rows[1:]
    assert row[1] == "'=HYPERLINK(evil)" and row[9].startswith("'=cmd") and "\n" not in row[9]
    login_as(client, lyon)
    assert "Plain title" not in _page(client, "/audit")
    login_as(client, factories.resident())
    assert client.get("/audit").status_code == 403


@pytest.mark.parametrize("raw", ["²", "٣", "-1", "0", "99999999999999999999", ""])
def test_an_audit_page_number_that_is_no_number_is_a_400_not_another_page(client, raw):
    login_as(client, factories.moderator())
    assert client.get(f"/audit?page={raw}").status_code == 400
    assert client.get("/audit?page=1").status_code == 200


def test_a_duplicate_that_is_no_proposal_id_is_refused_on_the_form(client):
    process = factories.process()
    keep, dupe = (factories.proposal(process, title=f"Bike lane on Main Street {n}") for n in "AB")
    login_as(client, factories.moderator())
    url = f"/proposals/{keep.id}/merge"
    for raw in ("²", "٣", str(dupe.id + 1000)):
        response = submit(client, url, {"duplicates": [raw, str(dupe.id)], "into": "this", "q": "Bike"}, page=url)
        assert response.status_code == 200
        assert "not a valid choice" in response.get_data(as_text=True)
    assert {db.session.get(Proposal, p.id).status for p in (keep, dupe)} == {ProposalStatus.PUBLISHED}


def test_antispam_refuses_honeypots_and_instant_posts(app, client):
    process = factories.process()
    login_as(client, factories.resident())
    url = f"/areas/vienna-simmering/processes/{process.slug}/propose"
    form = {"title": "Buy watches", "body": "cheap", "category": "other", "check_similar": "0"}
    page = submit(client, url, {**form, "website": "http://spam.example"}, page=url).get_data(as_text=True)
    assert "We could not accept this form." in page
    app.config["ANTISPAM_MIN_SECONDS"] = 3
    try:
        page = submit(client, url, form, page=url).get_data(as_text=True)
        assert "We could not accept this form." in page
    finally:
        app.config["ANTISPAM_MIN_SECONDS"] = 0
    page = client.post(url, data={**form, "csrf_token": "x"}).status_code
    assert db.session.scalar(select(func.count(Proposal.id)).where(Proposal.process_id == process.id)) == 0


def test_registration_honeypot(client, outbox):
    page = submit(client, "/account/register", {"email": "bot@example.org", "display_name": "Bot",
                                                "password": "correct horse battery staple", "website": "x"},
                  page="/account/register").get_data(as_text=True)
    assert "We could not accept this form." in page and outbox.messages() == []


def test_posting_limits_per_person(app, client):
    proposal = factories.proposal(factories.process())
    login_as(client, factories.resident())
    app.config["RATELIMIT_POSTING_USER"] = "2 per hour"
    try:
        codes = [submit(client, f"/proposals/{proposal.id}/comments", {"body": f"c{i}", "alignment": "neutral"},
                        page=f"/proposals/{proposal.id}").status_code for i in range(3)]
    finally:
        app.config["RATELIMIT_POSTING_USER"] = "30 per hour"
    assert codes == [302, 302, 429]
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.proposal_id == proposal.id)) == 2

"""A process goes draft → published → closed → archived; drafts are for their area's staff (and a
secret preview link), never for the public lists or the API."""

import pytest
from sqlalchemy import select

from stengage.areas.models import Process, ProcessState
from stengage.core.audit import AuditEntry
from stengage.extensions import db
from stengage.proposals.models import Proposal
from tests import factories
from tests.conftest import login_as, submit
from tests.participation import process_url

AREA = "/areas/vienna-simmering"

ROLES = {
    "visitor": lambda: None,
    "resident": factories.resident,
    "moderator": factories.moderator,
    "staff-lyon": lambda: factories.staff("lyon-confluence"),
    "staff": factories.staff,
    "admin": lambda: factories.user(admin=True),
}
MANAGERS = {"staff", "admin"}


def _in(state: str, **kwargs) -> Process:
    process = factories.process(**kwargs)
    process.state = ProcessState(state)
    db.session.flush()
    return process


def _as(client, who: str):
    user = ROLES[who]()
    if user is not None:
        login_as(client, user)
    return user


def _step(client, process, step, page=None):
    url = f"{process_url(process)}/state/{step}"
    return submit(client, url, {}, page=page or process_url(process))


def _verbs(process) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.verb).where(AuditEntry.target_type == "process",
                                                                 AuditEntry.target_id == process.id)
                                   .order_by(AuditEntry.id)))


@pytest.mark.parametrize("state", ["draft", "published", "closed", "archived"])
@pytest.mark.parametrize("who", list(ROLES))
def test_who_sees_a_process_in_each_state(client, who, state):
    process = _in(state, title="Heat from the sewers")
    _as(client, who)
    visible = state != "draft" or who in MANAGERS
    assert client.get(process_url(process)).status_code == (200 if visible else 404)
    assert ("Heat from the sewers" in client.get(AREA).get_data(as_text=True)) == visible
    api = client.get("/api/v1/areas/vienna-simmering/processes").get_json()["items"]
    assert [p["slug"] for p in api] == ([] if state == "draft" else [process.slug])  # never a draft
    api_status = client.get(f"/api/v1/areas/vienna-simmering/processes/{process.slug}/proposals").status_code
    assert api_status == (404 if state == "draft" else 200)


@pytest.mark.parametrize("who", ["visitor", "resident", "moderator", "staff-lyon"])
def test_only_the_areas_staff_and_admins_move_a_process(client, who):
    process = _in("published")
    _as(client, who)
    response = client.post(f"{process_url(process)}/state/close")
    assert response.status_code in (302, 400, 403)  # login page, missing CSRF token, or forbidden
    if who != "visitor":
        assert _step(client, process, "close", page=AREA).status_code == 403
    db.session.refresh(process)
    assert process.state is ProcessState.PUBLISHED and _verbs(process) == []


def test_staff_walk_a_process_through_its_lifecycle_and_every_step_is_audited(client):
    process = _in("draft", title="Solar roofs")
    login_as(client, factories.staff())
    page = client.get(process_url(process)).get_data(as_text=True)
    assert "Draft" in page and "Publish" in page and "Delete draft" in page

    assert _step(client, process, "publish").status_code == 302
    assert "The process is published" in client.get(process_url(process)).get_data(as_text=True)
    # Closing takes residents' part away: it is confirmed on a page of its own first.
    confirm = client.get(f"{process_url(process)}/state/close")
    assert confirm.status_code == 200 and "no longer be able to propose" in confirm.get_data(as_text=True)
    assert _step(client, process, "close", page=f"{process_url(process)}/state/close").status_code == 302
    db.session.refresh(process)
    assert process.state is ProcessState.CLOSED and not process.opens("propose")
    assert _step(client, process, "reopen").status_code == 302
    _step(client, process, "close")
    _step(client, process, "archive")
    db.session.refresh(process)
    assert process.state is ProcessState.ARCHIVED
    area_page = client.get(AREA).get_data(as_text=True)
    assert area_page.index("Past processes") < area_page.index("Solar roofs")
    assert _verbs(process) == ["process.publish", "process.close", "process.reopen", "process.close",
                               "process.archive"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.verb == "process.archive"))
    assert entry.before == {"state": "closed"} and entry.after == {"state": "archived"}


def test_a_step_that_cannot_be_taken_changes_nothing_and_says_why(client):
    process = _in("published")
    login_as(client, factories.staff())
    response = _step(client, process, "archive")  # archiving needs the process closed first
    assert response.status_code == 302
    page = client.get(process_url(process)).get_data(as_text=True)
    assert "is not possible while the process is in the state" in page
    assert client.get(f"{process_url(process)}/state/fly").status_code == 404
    assert client.get(f"{process_url(process)}/state/publish").status_code == 405
    db.session.refresh(process)
    assert process.state is ProcessState.PUBLISHED and _verbs(process) == []


def test_residents_take_part_only_while_a_process_is_published(client):
    process = _in("closed")
    login_as(client, factories.resident())
    assert "Make a proposal" not in client.get(process_url(process)).get_data(as_text=True)
    assert client.get(f"{process_url(process)}/propose").status_code == 302  # back, with why
    client.post(f"{process_url(process)}/propose", data={"title": "A late idea", "body": "Too late."})
    assert db.session.scalar(select(Proposal).where(Proposal.process_id == process.id)) is None


def test_a_draft_is_deleted_after_confirmation_and_a_public_process_cannot_be(client):
    draft = _in("draft", title="Never mind")
    public = _in("published")
    draft_id = draft.id
    login_as(client, factories.staff())
    delete_url = f"{process_url(draft)}/delete"
    assert "cannot be undone" in client.get(delete_url).get_data(as_text=True)
    assert submit(client, delete_url, {}, page=delete_url).headers["Location"].endswith(AREA)
    assert db.session.scalar(select(Process.id).where(Process.id == draft_id)) is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.verb == "process.delete"))
    assert entry.before["title"] == "Never mind"

    public_delete = f"{process_url(public)}/delete"
    assert "Only a draft can be deleted" in client.get(public_delete).get_data(as_text=True)
    submit(client, public_delete, {}, page=public_delete)
    assert db.session.scalar(select(Process.id).where(Process.id == public.id)) == public.id


def test_a_draft_with_proposals_does_not_go_back_to_draft(client):
    process = _in("published")
    factories.proposal(process)
    login_as(client, factories.staff())
    page = client.get(process_url(process)).get_data(as_text=True)
    assert "Back to draft" not in page  # not offered where it cannot succeed
    _step(client, process, "unpublish")
    db.session.refresh(process)
    assert process.state is ProcessState.PUBLISHED


def _anonymous_get(client, staff, url):
    """``url`` as a visitor sees it; the staff member is logged in again afterwards."""
    with client.session_transaction() as session:
        session.clear()
    response = client.get(url)
    login_as(client, staff)
    return response


def test_the_preview_link_shows_a_draft_to_whoever_holds_it_until_renewed_revoked_or_published(client):
    process = _in("draft", title="District heating preview")
    staff = factories.staff()
    login_as(client, staff)
    submit(client, f"{process_url(process)}/preview-link", {}, page=process_url(process))
    db.session.refresh(process)
    first = process.preview_token
    assert first and f"/process-preview/{first}" in client.get(process_url(process)).get_data(as_text=True)

    assert _anonymous_get(client, staff, process_url(process)).status_code == 404
    preview = _anonymous_get(client, staff, f"/process-preview/{first}")
    assert preview.status_code == 200 and "District heating preview" in preview.get_data(as_text=True)
    assert "not public yet" in preview.get_data(as_text=True)
    assert preview.headers["Referrer-Policy"] == "no-referrer"

    submit(client, f"{process_url(process)}/preview-link", {}, page=process_url(process))
    db.session.refresh(process)
    assert process.preview_token != first
    assert _anonymous_get(client, staff, f"/process-preview/{first}").status_code == 404
    assert _anonymous_get(client, staff, f"/process-preview/{process.preview_token}").status_code == 200

    submit(client, f"{process_url(process)}/preview-link/revoke", {}, page=process_url(process))
    db.session.refresh(process)
    assert process.preview_token is None
    submit(client, f"{process_url(process)}/preview-link", {}, page=process_url(process))
    db.session.refresh(process)
    token = process.preview_token
    _step(client, process, "publish")
    assert _anonymous_get(client, staff, f"/process-preview/{token}").status_code == 404  # the public page replaced it
    assert _anonymous_get(client, staff, process_url(process)).status_code == 200
    for bad in ("short", "x" * 65, "%00" * 30, "../../etc/passwd"):
        assert _anonymous_get(client, staff, f"/process-preview/{bad}").status_code in (400, 404)
    assert _verbs(process) == ["process.preview_create", "process.preview_renew", "process.preview_revoke",
                               "process.preview_create", "process.publish"]

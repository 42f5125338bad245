"""Admins grant and revoke roles; every change lands in the append-only audit log."""

import pytest
from sqlalchemy import select, text

from stengage.accounts.models import MembershipRole, VerificationMethod
from stengage.core.audit import AuditEntry, AuditLogIsAppendOnly, record
from stengage.extensions import db
from tests import factories
from tests.conftest import login_as, submit


def _entries(verb):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.verb == verb)))


def test_admin_grants_a_moderator_role_with_an_audit_entry(client):
    admin = factories.user(admin=True, name="Ada Admin")
    person = factories.user(name="Moritz")
    vienna = factories.area()
    login_as(client, admin)
    page = submit(client, f"/admin/users/{person.id}/roles",
                  {"area": str(vienna.id), "role": "moderator", "reason": "elected by the Grätzl forum"},
                  page=f"/admin/users/{person.id}", follow_redirects=True).get_data(as_text=True)
    assert "Moritz is now moderator in Simmering." in page
    assert person.has_role(vienna, MembershipRole.MODERATOR)

    [entry] = _entries("role.grant")
    assert (entry.actor_id, entry.target_id, entry.area_id) == (admin.id, person.id, vienna.id)
    assert entry.before is None and entry.after == {"role": "moderator"}
    assert entry.reason == "elected by the Grätzl forum"
    log = client.get("/audit").get_data(as_text=True)
    assert "role.grant" in log and "elected by the Grätzl forum" in log and "Ada Admin" in log

    # The new moderator now sees the residency requests of Vienna, and only of Vienna.
    login_as(client, person)
    assert client.get("/areas/vienna-simmering/residents").status_code == 200
    assert client.get("/areas/lyon-confluence/residents").status_code == 403


def test_revoking_a_role_keeps_the_residency_and_is_audited(client):
    admin = factories.user(admin=True)
    person = factories.user()
    membership = factories.membership(person, role=MembershipRole.STAFF,
                                      verified_by=VerificationMethod.POSTCODE)
    login_as(client, admin)
    submit(client, f"/admin/users/{person.id}/roles/{membership.id}/revoke",
           {"reason": "left the city office"}, page=f"/admin/users/{person.id}")
    membership = person.membership_in(factories.area())
    assert membership.role == MembershipRole.RESIDENT and membership.is_verified
    [entry] = _entries("role.revoke")
    assert entry.before == {"role": "staff"} and entry.after == {"role": "resident"}


def test_a_grant_without_reason_is_refused_and_changes_nothing(client):
    admin, person = factories.user(admin=True), factories.user()
    login_as(client, admin)
    page = submit(client, f"/admin/users/{person.id}/roles",
                  {"area": str(factories.area().id), "role": "staff", "reason": ""},
                  page=f"/admin/users/{person.id}", follow_redirects=True).get_data(as_text=True)
    assert "Please give a reason" in page
    assert person.membership_in(factories.area()) is None and _entries("role.grant") == []


def test_an_unknown_area_or_role_is_refused(client):
    admin, person = factories.user(admin=True), factories.user()
    login_as(client, admin)
    for area_id, role in (("999999", "staff"), ("abc", "staff"), (str(factories.area().id), "mayor")):
        submit(client, f"/admin/users/{person.id}/roles", {"area": area_id, "role": role, "reason": "x"},
               page=f"/admin/users/{person.id}")
    assert person.memberships == [] and _entries("role.grant") == []


@pytest.mark.parametrize("who", ["resident", "moderator", "staff"])
def test_only_admins_grant_roles(client, who):
    actor = {"resident": factories.resident, "moderator": factories.moderator, "staff": factories.staff}[who]()
    person = factories.user()
    login_as(client, actor)
    response = submit(client, f"/admin/users/{person.id}/roles",
                      {"area": str(factories.area().id), "role": "moderator", "reason": "let me"})
    assert response.status_code == 403
    assert person.memberships == []


def test_admin_blocks_and_unblocks_with_reasons(client):
    admin, person = factories.user(admin=True), factories.user(name="Troll")
    login_as(client, admin)
    submit(client, f"/admin/users/{person.id}/block", {"reason": "spam\nFAKE LOG LINE"},
           page=f"/admin/users/{person.id}")
    assert person.blocked_at is not None
    [entry] = _entries("user.block")
    assert "\n" not in entry.reason and entry.reason == "spam FAKE LOG LINE"
    submit(client, f"/admin/users/{person.id}/unblock", {"reason": "apologised"},
           page=f"/admin/users/{person.id}")
    assert person.blocked_at is None


def test_admins_cannot_block_themselves(client):
    admin = factories.user(admin=True)
    login_as(client, admin)
    page = submit(client, f"/admin/users/{admin.id}/block", {"reason": "oops"},
                  page=f"/admin/users/{admin.id}", follow_redirects=True).get_data(as_text=True)
    assert "You cannot block yourself." in page and admin.blocked_at is None


def test_the_audit_log_refuses_changes_in_the_application_and_in_the_database():
    entry = record(db.session, actor_id=None, verb="test.entry", target_type="user", target_id=1)
    db.session.flush()
    entry.reason = "rewritten history"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()

    entry = record(db.session, actor_id=None, verb="test.entry", target_type="user", target_id=1)
    db.session.flush()
    with pytest.raises(Exception, match="append-only"), db.session.begin_nested():
        db.session.execute(text("UPDATE audit_entry SET reason = 'x' WHERE id = :id"), {"id": entry.id})
    with pytest.raises(Exception, match="append-only"), db.session.begin_nested():
        db.session.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": entry.id})


def test_admins_set_how_many_reports_hide_content_per_area(client):
    login_as(client, factories.user(admin=True))
    submit(client, "/admin/areas", {"area": "vienna-simmering", "auto_hide_flags": "5"}, page="/admin/areas")
    assert factories.area().auto_hide_flags == 5
    assert _entries("area.settings")[0].after == {"auto_hide_flags": 5}
    page = submit(client, "/admin/areas", {"area": "vienna-simmering", "auto_hide_flags": "0"}, page="/admin/areas",
                  follow_redirects=True).get_data(as_text=True)
    assert "between 1 and 100" in page and factories.area().auto_hide_flags == 5



@pytest.mark.parametrize("value", ["\u0663", "\u00b2", "1_0", "+5", "5.0", "-5"])
def test_area_settings_take_only_numbers_written_in_digits(client, value):
    login_as(client, factories.user(admin=True))
    before = factories.area().auto_hide_flags
    page = submit(client, "/admin/areas", {"area": "vienna-simmering", "auto_hide_flags": value}, page="/admin/areas",
                  follow_redirects=True).get_data(as_text=True)
    assert "between 1 and 100" in page
    assert factories.area().auto_hide_flags == before and _entries("area.settings") == []


@pytest.mark.parametrize("page", ["\u00b2", "\u0663", "0", "-1", "99999999999999999999", ""])
def test_the_user_list_answers_a_page_that_is_no_page_number_with_a_400_saying_why(client, page):
    login_as(client, factories.user(admin=True))
    response = client.get("/admin/", query_string={"page": page})
    assert response.status_code == 400
    assert "whole number" in response.get_data(as_text=True)


def test_admins_make_and_unmake_instance_admins_with_audit_entries_but_not_themselves(client):
    admin, person = factories.user(admin=True), factories.user(name="Nora")
    login_as(client, admin)
    page = submit(client, f"/admin/users/{person.id}/admin/grant", {"reason": "second pair of hands"},
                  page=f"/admin/users/{person.id}", follow_redirects=True).get_data(as_text=True)
    assert "Nora is now an instance admin." in page and person.is_admin
    page = submit(client, f"/admin/users/{person.id}/admin/revoke", {"reason": "moved away"},
                  page=f"/admin/users/{person.id}", follow_redirects=True).get_data(as_text=True)
    assert "Nora is no longer an instance admin." in page and not person.is_admin
    assert [e.reason for e in _entries("admin.grant")] == ["second pair of hands"]
    assert [e.reason for e in _entries("admin.revoke")] == ["moved away"]

    page = submit(client, f"/admin/users/{admin.id}/admin/revoke", {"reason": "tired"},
                  page=f"/admin/users/{admin.id}", follow_redirects=True).get_data(as_text=True)
    assert "You cannot remove your own admin role." in page
    db.session.refresh(admin)
    assert admin.is_admin and len(_entries("admin.revoke")) == 1

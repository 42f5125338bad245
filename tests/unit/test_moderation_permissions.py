"""Every moderation action x role x own or other area: a Lyon moderator can do nothing in Vienna."""

import pytest

from stengage.moderation import permissions as can
from tests import factories

ROLES = ["resident", "moderator_here", "moderator_lyon", "staff_here", "staff_lyon", "admin"]


def make(role):
    return {
        "resident": lambda: factories.resident(),
        "moderator_here": lambda: factories.moderator("vienna-simmering"),
        "moderator_lyon": lambda: factories.moderator("lyon-confluence"),
        "staff_here": lambda: factories.staff("vienna-simmering"),
        "staff_lyon": lambda: factories.staff("lyon-confluence"),
        "admin": lambda: factories.user(admin=True),
    }[role]()


MODERATORS = {"moderator_here", "admin"}
TEAM = {"moderator_here", "staff_here", "admin"}
EXPECTED = {
    # action: roles allowed in Vienna
    "dismiss, hide, unhide, redact, block in area, merge": MODERATORS,
    "change status, answer, note, assign": TEAM,
    "read the audit log": TEAM,
    "block on the whole platform": {"admin"},
    "flag": set(ROLES),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(EXPECTED))
def test_vienna_moderation_rights(role, action):
    user, vienna = make(role), factories.area("vienna-simmering")
    check = {
        "dismiss, hide, unhide, redact, block in area, merge": lambda: can.can_moderate(user, vienna),
        "change status, answer, note, assign": lambda: can.can_triage(user, vienna),
        "read the audit log": lambda: can.can_read_audit(user, vienna),
        "block on the whole platform": lambda: can.can_block_everywhere(user),
        "flag": lambda: can.can_flag(user),
    }[action]
    assert check() is (role in EXPECTED[action])


def test_audit_areas_are_the_team_memberships():
    assert can.audit_areas(factories.user(admin=True)) is None
    moderator = factories.moderator("lyon-confluence")
    assert can.audit_areas(moderator) == [factories.area("lyon-confluence").id]
    assert can.audit_areas(factories.resident()) == []

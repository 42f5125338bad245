"""Who may moderate what: always the area's own team (a Lyon moderator can do nothing in Vienna)."""

from __future__ import annotations

from typing import Any

from stengage.accounts.models import MembershipRole
from stengage.accounts.permissions import active_user, is_area_moderator, is_area_team
from stengage.areas.models import Area


def can_flag(user: Any) -> bool:
    """Any logged-in person may report content or people."""
    return active_user(user) is not None


# Handle flags, hide and unhide, redact, block in the area, merge duplicates: its moderators.
can_moderate = is_area_moderator
# Change a proposal's status with an official answer, keep internal notes, assign: its whole team.
can_triage = is_area_team


def can_block_everywhere(user: Any) -> bool:
    u = active_user(user)
    return u is not None and u.is_admin


def can_read_audit(user: Any, area: Area | int | None) -> bool:
    """Admins read everything; moderators and staff the entries of their own areas."""
    u = active_user(user)
    if u is None:
        return False
    return u.is_admin or (area is not None and is_area_team(u, area))


def is_on_a_team(user: Any) -> bool:
    """Admins, and moderators or staff of any area: they get the moderation menu."""
    return audit_areas(user) != []


def audit_areas(user: Any) -> list[int] | None:
    """The areas whose audit entries the user may read; None means all of them."""
    u = active_user(user)
    if u is None:
        return []
    if u.is_admin:
        return None
    return [m.area_id for m in u.memberships if m.role in (MembershipRole.MODERATOR, MembershipRole.STAFF)]

"""Who may moderate what: always the area's own team (a Lyon moderator can do nothing in Vienna)."""

from __future__ import annotations

from typing import Any

from stengage.accounts.models import MembershipRole, User
from stengage.areas.models import Area


def _active(user: Any) -> User | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user


def can_flag(user: Any) -> bool:
    """Any logged-in person may report content or people."""
    return _active(user) is not None


def can_moderate(user: Any, area: Area | int) -> bool:
    """Handle flags, hide and unhide, redact, block in the area, merge duplicates."""
    u = _active(user)
    return u is not None and (u.is_admin or u.has_role(area, MembershipRole.MODERATOR))


def can_triage(user: Any, area: Area | int) -> bool:
    """Change a proposal's status with an official answer, keep internal notes, assign."""
    u = _active(user)
    return u is not None and (u.is_admin or u.has_role(area, MembershipRole.MODERATOR)
                              or u.has_role(area, MembershipRole.STAFF))


def can_block_everywhere(user: Any) -> bool:
    u = _active(user)
    return u is not None and u.is_admin


def can_read_audit(user: Any, area: Area | int | None) -> bool:
    """Admins read everything; moderators and staff the entries of their own areas."""
    u = _active(user)
    if u is None:
        return False
    if u.is_admin:
        return True
    return area is not None and (u.has_role(area, MembershipRole.MODERATOR) or u.has_role(area, MembershipRole.STAFF))


def is_on_a_team(user: Any) -> bool:
    """Admins, and moderators or staff of any area: they get the moderation menu."""
    return audit_areas(user) != []


def audit_areas(user: Any) -> list[int] | None:
    """The areas whose audit entries the user may read; None means all of them."""
    u = _active(user)
    if u is None:
        return []
    if u.is_admin:
        return None
    return [m.area_id for m in u.memberships if m.role in (MembershipRole.MODERATOR, MembershipRole.STAFF)]

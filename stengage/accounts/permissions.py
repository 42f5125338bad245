"""Who may do what with accounts and verification: pure functions, cheap to test as a matrix."""

from __future__ import annotations

from typing import Any

from stengage.accounts.models import MembershipRole, User
from stengage.areas.models import Area


def active_user(user: Any) -> User | None:
    """The logged-in, active user, or None for anonymous and blocked visitors."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user


def _holds(user: Any, area: Area | int, *roles: MembershipRole) -> bool:
    """Admins, and active users holding one of ``roles`` in the area."""
    u = active_user(user)
    return u is not None and (u.is_admin or any(u.has_role(area, role) for role in roles))


def is_area_staff(user: Any, area: Area | int) -> bool:
    return _holds(user, area, MembershipRole.STAFF)


def is_area_moderator(user: Any, area: Area | int) -> bool:
    return _holds(user, area, MembershipRole.MODERATOR)


def is_area_team(user: Any, area: Area | int) -> bool:
    """Admins, and the area's moderators and staff."""
    return _holds(user, area, MembershipRole.MODERATOR, MembershipRole.STAFF)


def can_administer(user: Any) -> bool:
    u = active_user(user)
    return u is not None and u.is_admin


# Staff post the letters; moderators meet residents who ask for approval.
can_manage_letter_codes = is_area_staff
can_review_residency = is_area_moderator


def can_verify_residency(user: Any, area: Area) -> bool:
    """Any confirmed account may prove it lives in the area."""
    u = active_user(user)
    return u is not None and u.is_confirmed

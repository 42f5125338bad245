"""Who may do what with accounts and verification: pure functions, cheap to test as a matrix."""

from __future__ import annotations

from typing import Any

from stengage.accounts.models import MembershipRole, User
from stengage.areas.models import Area


def _user(user: Any) -> User | None:
    """The logged-in, active user, or None for anonymous and blocked visitors."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user


def can_administer(user: Any) -> bool:
    u = _user(user)
    return u is not None and u.is_admin


def can_manage_letter_codes(user: Any, area: Area) -> bool:
    u = _user(user)
    return u is not None and (u.is_admin or u.has_role(area, MembershipRole.STAFF))


def can_review_residency(user: Any, area: Area) -> bool:
    u = _user(user)
    return u is not None and (u.is_admin or u.has_role(area, MembershipRole.MODERATOR))


def can_verify_residency(user: Any, area: Area) -> bool:
    """Any confirmed account may prove it lives in the area."""
    u = _user(user)
    return u is not None and u.is_confirmed

"""Who may set up an area's processes: a pure function, cheap to test as a matrix.

Roles are memberships, which live in ``accounts``, a room above this one: the rule asks the
user object what it holds (``Actor``) instead of importing it.
"""

from __future__ import annotations

from typing import Any, Protocol

from stengage.areas.models import Area

STAFF = "staff"  # accounts' MembershipRole.STAFF (a string enum)


class Actor(Protocol):
    is_authenticated: bool
    is_active: bool
    is_admin: bool

    def has_role(self, area: Area | int, role: Any) -> bool: ...


def can_manage_processes(user: Actor | Any, area: Area | int) -> bool:
    """Admins, and the area's city staff (the same people as ``accounts.permissions.is_area_staff``)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_admin or user.has_role(area, STAFF))

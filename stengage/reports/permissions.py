"""Reports are built by an area's moderators and staff (and admins); published versions are public."""

from __future__ import annotations

from typing import Any

from stengage.accounts.models import MembershipRole
from stengage.areas.models import Area


def can_build_reports(user: Any, area: Area | int) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_admin or user.has_role(area, MembershipRole.MODERATOR) or user.has_role(area, MembershipRole.STAFF)


def can_export_summaries(user: Any) -> bool:
    """Admins, and city staff of any area."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_admin or any(m.role == MembershipRole.STAFF for m in user.memberships)

"""Reports are built by an area's moderators and staff (and admins); published versions are public."""

from __future__ import annotations

from typing import Any

from stengage.accounts.models import MembershipRole
from stengage.accounts.permissions import active_user, is_area_team

# An area's moderators and staff (and admins) build its reports.
can_build_reports = is_area_team


def can_export_summaries(user: Any) -> bool:
    """Admins, and city staff of any area."""
    u = active_user(user)
    return u is not None and (u.is_admin or any(m.role == MembershipRole.STAFF for m in u.memberships))


def can_read_report(user: Any, report: Any) -> bool:
    """A published report is public; a draft (no version yet) is its area team's alone."""
    return bool(report.versions) or can_build_reports(user, report.area_id)

"""Who may write content pages: the instance's admins."""

from __future__ import annotations

from typing import Any


def can_manage_pages(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active
                and user.is_admin)

"""The append-only audit log every moderator, staff and admin action writes to.

It lives in ``core`` so that every feature package (accounts, moderation, reports, ...)
can record its actions without depending on a higher one.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from stengage.db import Base, utc_now

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def neutralise(text: str | None, limit: int = 2000) -> str | None:
    """One line of printable text: user input can't forge extra log lines."""
    if text is None:
        return None
    return _CONTROL.sub(" ", text).strip()[:limit]


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    verb: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None]
    target_label: Mapped[str | None] = mapped_column(String(200))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)

    actor = relationship("User", foreign_keys=[actor_id], lazy="raise")
    area = relationship("Area", lazy="raise")


def record(
    session: Session,
    *,
    actor_id: int | None,
    verb: str,
    target_type: str,
    target_id: int | None,
    target_label: str | None = None,
    area_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor_id,
        verb=verb,
        target_type=target_type,
        target_id=target_id,
        target_label=neutralise(target_label, 200),
        area_id=area_id,
        before=before,
        after=after,
        reason=neutralise(reason),
    )
    session.add(entry)
    return entry


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("audit entries are never changed or deleted")

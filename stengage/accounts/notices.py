"""Account notices: a residency request for the area's moderators, the answer for the resident.

The notification centre (a higher room) lists them beside the news of followed proposals.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, TypeVar

from flask import url_for
from sqlalchemy import ScalarSelect, func, select, update

from stengage.accounts import emails
from stengage.accounts.models import AccountNotice, NoticeKind, User
from stengage.areas.models import Area
from stengage.core.urls import external_url
from stengage.db import utc_now
from stengage.extensions import db


def tell(users: Iterable[User], kind: NoticeKind, area: Area, subject: object, about: User | None = None,
         **details: object) -> None:
    """Mail each user at once (template named after the kind) and leave the notice in their centre."""
    users = list(users)
    link = external_url(_DESTINATIONS[kind], area_slug=area.slug)
    for user in users:
        emails.queue_notice(user, kind.value, subject, area=area, link=link, **details)
    _notify(users, kind, area, about)


def _notify(users: list[User], kind: NoticeKind, area: Area, about: User | None) -> None:
    now = utc_now()
    rows = [{"user_id": user.id, "kind": kind, "area_id": area.id, "about_id": about.id if about else None,
             "created_at": now} for user in users]
    if rows:
        db.session.execute(AccountNotice.__table__.insert(), rows)


def unread_count_of(user_id: int) -> ScalarSelect[int]:
    """To add to the unread news of proposals, in the same query."""
    return (select(func.count(AccountNotice.id))
            .where(AccountNotice.user_id == user_id, AccountNotice.read_at.is_(None)).scalar_subquery())


def recent(user: User, limit: int = 50) -> list[AccountNotice]:
    return list(db.session.scalars(select(AccountNotice).where(AccountNotice.user_id == user.id)
                                   .order_by(AccountNotice.id.desc()).limit(limit)))


def mark_all_read(user: User) -> int:
    return db.session.execute(update(AccountNotice).where(
        AccountNotice.user_id == user.id, AccountNotice.read_at.is_(None)).values(read_at=utc_now())).rowcount


R = TypeVar("R", bound="Readable")


class Readable(Protocol):
    user_id: int
    read_at: datetime | None


def mark_own_read(model: type[R], user: User, item_id: int) -> R | None:
    """The user's own notice or notification of that id, now read; None for anyone else's."""
    item = db.session.get(model, item_id)
    if item is None or item.user_id != user.id:
        return None
    if item.read_at is None:
        item.read_at = utc_now()
    return item


def mark_read(user: User, notice_id: int) -> AccountNotice | None:
    return mark_own_read(AccountNotice, user, notice_id)


# Where each notice leads: the requests to review, the area now open to the resident, or the other
# ways to verify after a refusal. The mail and the notification centre link to the same page.
_DESTINATIONS = {
    NoticeKind.RESIDENCY_REQUEST: "verification.residency_requests",
    NoticeKind.RESIDENCY_APPROVED: "areas.area",
    NoticeKind.RESIDENCY_DECLINED: "verification.verify",
}


def destination(notice: AccountNotice) -> str:
    return url_for(_DESTINATIONS[notice.kind], area_slug=notice.area.slug)

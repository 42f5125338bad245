"""In-app notifications for followers, and their mail: at once, in a daily digest, or never."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.orm import selectinload

from stengage.accounts import notices
from stengage.accounts.models import AccountNotice, EmailNotifications, User
from stengage.core import mail
from stengage.core.urls import external_url
from stengage.db import utc_now
from stengage.extensions import db
from stengage.proposals.models import Comment, Follow, Notification, NotificationKind, Proposal

SUBJECTS = {
    NotificationKind.NEW_COMMENT: _l("New comment on “%(title)s”"),
    NotificationKind.REPLY: _l("New reply to your comment on “%(title)s”"),
    NotificationKind.STATUS_CHANGE: _l("News on “%(title)s”"),
}


def _visible() -> list[ColumnElement[bool]]:
    """Notifications about hidden or deleted content are never shown."""
    return [Proposal.hidden_at.is_(None), Comment.hidden_at.is_(None), Comment.deleted_at.is_(None)]


def _deliver(kind: NotificationKind, proposal: Proposal, recipients: dict[int, NotificationKind],
             actor: User | None, comment: Comment | None = None) -> None:
    if not recipients:
        return
    users = db.session.scalars(select(User).where(User.id.in_(recipients), User.blocked_at.is_(None))).all()
    now = utc_now()
    rows = []
    for user in users:
        immediate = user.notify_by_email == EmailNotifications.IMMEDIATELY
        rows.append({
            "user_id": user.id, "kind": recipients[user.id], "proposal_id": proposal.id,
            "comment_id": comment.id if comment else None, "actor_id": actor.id if actor else None,
            "created_at": now,
            # Daily readers wait for the digest; the others are settled now.
            "emailed_at": None if user.notify_by_email == EmailNotifications.DAILY else now,
        })
        if immediate:
            _queue_mail(user, recipients[user.id], proposal, comment, actor)
    if rows:
        db.session.execute(Notification.__table__.insert(), rows)


def _queue_mail(user: User, kind: NotificationKind, proposal: Proposal, comment: Comment | None,
                actor: User | None) -> None:
    link = (external_url("comments.link", comment_id=comment.id) if comment is not None
            else external_url("proposals.proposal", proposal_id=proposal.id))
    subject = _SubjectFor(kind, proposal.title)
    mail.queue(db.session, mail.compose_for(
        user, "notification", subject, area=proposal.process.area, kind=kind.value, proposal=proposal,
        comment=comment, actor=actor, link=link, settings_link=external_url("accounts.profile"),
    ))


class _SubjectFor:
    """A subject rendered lazily, inside the recipient's locale."""

    def __init__(self, kind: NotificationKind, title: str) -> None:
        self.kind, self.title = kind, title

    def __str__(self) -> str:
        return SUBJECTS[self.kind] % {"title": self.title[:80]}


def comment_posted(comment: Comment, proposal: Proposal, parent: Comment | None) -> None:
    followers = set(db.session.scalars(select(Follow.user_id).where(Follow.proposal_id == proposal.id)))
    recipients = {uid: NotificationKind.NEW_COMMENT for uid in followers}
    if parent is not None and not parent.is_deleted:
        recipients[parent.author_id] = NotificationKind.REPLY
    recipients.pop(comment.author_id, None)
    _deliver(NotificationKind.NEW_COMMENT, proposal, recipients, comment.author, comment)


def status_changed(proposal: Proposal, actor: User | None) -> None:
    followers = set(db.session.scalars(select(Follow.user_id).where(Follow.proposal_id == proposal.id)))
    followers.discard(actor.id if actor else None)
    _deliver(NotificationKind.STATUS_CHANGE, proposal,
             dict.fromkeys(followers, NotificationKind.STATUS_CHANGE), actor)


# --- Reading -------------------------------------------------------------------------------------


def _visible_for(user_id: int) -> Select[tuple[Notification]]:
    return (select(Notification).join(Notification.proposal).outerjoin(Notification.comment)
            .where(Notification.user_id == user_id, *_visible()))


def unread_count(user: User) -> int:
    """Unread news of followed proposals and account notices: one query (every page header shows it)."""
    stmt = _visible_for(user.id).where(Notification.read_at.is_(None))
    news = select(func.count()).select_from(stmt.subquery()).scalar_subquery()
    return db.session.scalar(select(news + notices.unread_count_of(user.id))) or 0


def recent(user: User, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(_visible_for(user.id).order_by(Notification.id.desc()).limit(limit)))


def centre(user: User, limit: int = 50) -> list[Notification | AccountNotice]:
    """The notification centre: news of followed proposals and account notices, newest first."""
    both: list[Notification | AccountNotice] = [*recent(user, limit), *notices.recent(user, limit)]
    return sorted(both, key=lambda item: item.created_at, reverse=True)[:limit]


def mark_all_read(user: User) -> int:
    marked = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utc_now())).rowcount
    return marked + notices.mark_all_read(user)


def mark_read(user: User, notification_id: int) -> Notification | None:
    return notices.mark_own_read(Notification, user, notification_id)


# --- Daily digest --------------------------------------------------------------------------------


def send_daily_digests(now: datetime | None = None) -> int:
    """Mail each daily reader one digest of what they have not been mailed yet. Returns mails sent."""
    now = now or utc_now()
    pending = db.session.scalars(
        _visible_for_all().where(Notification.emailed_at.is_(None))
        .options(selectinload(Notification.proposal)).order_by(Notification.id)
    ).all()
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_user[notification.user_id].append(notification)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(by_user)))}
    sent = 0
    for user_id, items in by_user.items():
        user = users[user_id]
        if user.notify_by_email == EmailNotifications.DAILY and user.blocked_at is None:
            mail.queue(db.session, mail.compose_for(
                user, "digest", _l("Your daily stengage digest"), items=items,
                base_url=current_app.config["SERVER_BASE_URL"],
            ))
            sent += 1
    db.session.execute(update(Notification).where(Notification.id.in_([n.id for n in pending]))
                       .values(emailed_at=now))
    # Notifications about content hidden meanwhile are settled too, never mailed.
    db.session.execute(update(Notification).where(Notification.emailed_at.is_(None),
                                                  Notification.created_at <= now).values(emailed_at=now))
    return sent


def _visible_for_all() -> Select[tuple[Notification]]:
    return (select(Notification).join(Notification.proposal).outerjoin(Notification.comment)
            .where(*_visible()))

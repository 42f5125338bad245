"""The moderators' queue and the audit log, each in a constant number of queries; triage's lists."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from stengage.accounts.models import Membership, MembershipRole, User
from stengage.areas.models import Area
from stengage.core.audit import AuditEntry
from stengage.core.exports import safe_cell
from stengage.db import on_days
from stengage.extensions import db
from stengage.moderation.models import Flag, FlagState, FlagTarget, ProposalNote
from stengage.proposals.models import Comment, Proposal


@dataclass
class QueueItem:
    target_type: FlagTarget
    target: Proposal | Comment | User
    flags: list[Flag] = field(default_factory=list)
    author: User | None = None
    history: dict[str, int] = field(default_factory=dict)

    @property
    def newest(self) -> datetime:
        return max(f.created_at for f in self.flags)


def queue(area: Area) -> list[QueueItem]:
    """Open flags grouped by what they report: most reported first, then the newest."""
    flags = db.session.scalars(select(Flag).where(Flag.area_id == area.id, Flag.state == FlagState.OPEN)
                               .order_by(Flag.created_at)).all()
    groups: dict[tuple[FlagTarget, int], list[Flag]] = defaultdict(list)
    for flag in flags:
        target_id = {FlagTarget.PROPOSAL: flag.proposal_id, FlagTarget.COMMENT: flag.comment_id,
                     FlagTarget.USER: flag.flagged_user_id}[flag.target_type]
        groups[flag.target_type, target_id].append(flag)

    def load(model: Any, kind: FlagTarget) -> dict[int, Any]:
        ids = [target_id for (k, target_id) in groups if k == kind]
        return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))} if ids else {}

    targets = {FlagTarget.PROPOSAL: load(Proposal, FlagTarget.PROPOSAL),
               FlagTarget.COMMENT: load(Comment, FlagTarget.COMMENT),
               FlagTarget.USER: load(User, FlagTarget.USER)}
    items = []
    for (kind, target_id), grouped in groups.items():
        target = targets[kind].get(target_id)
        if target is None:
            continue
        author = target if isinstance(target, User) else target.author
        items.append(QueueItem(kind, target, grouped, author))
    histories = moderation_history(area, {i.author.id for i in items if i.author is not None})
    for item in items:
        item.history = histories.get(item.author.id, {}) if item.author else {}
    return sorted(items, key=lambda i: (-len(i.flags), -i.newest.timestamp()))


def moderation_history(area: Area, user_ids: set[int]) -> dict[int, dict[str, int]]:
    """For each author: contributions hidden in this area, reports against them, whether blocked here."""
    if not user_ids:
        return {}
    history: dict[int, dict[str, int]] = {uid: {"hidden": 0, "reports": 0, "blocked": 0} for uid in user_ids}
    hidden_proposals = db.session.execute(
        select(Proposal.author_id, func.count()).where(Proposal.author_id.in_(user_ids), Proposal.area_id == area.id,
                                                       Proposal.hidden_at.is_not(None)).group_by(Proposal.author_id))
    hidden_comments = db.session.execute(
        select(Comment.author_id, func.count()).join(Proposal, Proposal.id == Comment.proposal_id)
        .where(Comment.author_id.in_(user_ids), Proposal.area_id == area.id, Comment.hidden_at.is_not(None))
        .group_by(Comment.author_id))
    for author_id, count in [*hidden_proposals, *hidden_comments]:
        history[author_id]["hidden"] += count
    authored = or_(Flag.flagged_user_id.in_(user_ids),
                   Flag.proposal_id.in_(select(Proposal.id).where(Proposal.author_id.in_(user_ids))))
    reports = db.session.execute(
        select(func.coalesce(Flag.flagged_user_id, Proposal.author_id), func.count())
        .outerjoin(Proposal, Proposal.id == Flag.proposal_id)
        .where(Flag.area_id == area.id, Flag.comment_id.is_(None), authored)
        .group_by(func.coalesce(Flag.flagged_user_id, Proposal.author_id)))
    comment_reports = db.session.execute(
        select(Comment.author_id, func.count()).join(Flag, Flag.comment_id == Comment.id)
        .where(Flag.area_id == area.id, Comment.author_id.in_(user_ids)).group_by(Comment.author_id))
    for author_id, count in [*reports, *comment_reports]:
        if author_id in history:
            history[author_id]["reports"] += count
    for (user_id,) in db.session.execute(select(Membership.user_id).where(
            Membership.area_id == area.id, Membership.user_id.in_(user_ids), Membership.blocked_at.is_not(None))):
        history[user_id]["blocked"] = 1
    return history


def open_flag_counts(area_ids: list[int] | None) -> dict[int, int]:
    stmt = select(Flag.area_id, func.count()).where(Flag.state == FlagState.OPEN).group_by(Flag.area_id)
    if area_ids is not None:
        stmt = stmt.where(Flag.area_id.in_(area_ids))
    return dict(db.session.execute(stmt).all())


@dataclass(frozen=True)
class AuditFilter:
    area_ids: list[int] | None  # None: every area (admins), [] : none
    area_id: int | None = None
    verb: str = ""
    actor: str = ""
    since: date | None = None
    until: date | None = None


def audit_entries(filters: AuditFilter) -> Select[tuple[AuditEntry]]:
    stmt = select(AuditEntry).options(selectinload(AuditEntry.actor), selectinload(AuditEntry.area))
    if filters.area_ids is not None:
        stmt = stmt.where(AuditEntry.area_id.in_(filters.area_ids))
    if filters.area_id is not None:
        stmt = stmt.where(AuditEntry.area_id == filters.area_id)
    if filters.verb:
        stmt = stmt.where(AuditEntry.verb.startswith(filters.verb.strip(), autoescape=True))
    if filters.actor:
        pattern = f"%{filters.actor.strip().lower()}%"
        stmt = stmt.where(AuditEntry.actor_id.in_(select(User.id).where(
            or_(func.lower(User.display_name).like(pattern), User.email.like(pattern)))))
    stmt = stmt.where(*on_days(AuditEntry.created_at, filters.since, filters.until))
    return stmt.order_by(AuditEntry.id.desc())



def audit_csv(filters: AuditFilter, limit: int = 100_000) -> str:
    """The filtered audit log as CSV text, safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["time_utc", "actor", "action", "target_type", "target_id", "target", "area", "before",
                     "after", "reason"])
    for entry in db.session.scalars(audit_entries(filters).limit(limit)):
        writer.writerow([safe_cell(v) for v in (
            entry.created_at.isoformat(), entry.actor.display_name if entry.actor else "system", entry.verb,
            entry.target_type, entry.target_id, entry.target_label or "", entry.area.slug if entry.area else "",
            _json(entry.before), _json(entry.after), entry.reason or "")])
    return out.getvalue()


def _json(value: object) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

def notes_for(proposal: Proposal) -> list[ProposalNote]:
    return list(db.session.scalars(select(ProposalNote).where(ProposalNote.proposal_id == proposal.id)
                                   .order_by(ProposalNote.created_at)))


def staff_of(area_id: int) -> list[User]:
    """Who a proposal of this area can be assigned to: its city staff, not blocked."""
    return list(db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.area_id == area_id, Membership.role == MembershipRole.STAFF, User.blocked_at.is_(None))
        .order_by(User.display_name)))


def assigned_to(user: User) -> list[Proposal]:
    return list(db.session.scalars(select(Proposal).where(Proposal.assignee_id == user.id)
                                   .order_by(Proposal.created_at.desc()).limit(200)))

"""Flags on content and people, the team's internal notes on proposals, and where triage may take
a proposal next."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stengage.accounts.models import User
from stengage.db import Base, enum_type, utc_now
from stengage.proposals.models import Comment, Proposal, ProposalStatus

S = ProposalStatus
# Where a proposal may go next by triage. Withdrawing is the author's; merging has its own verb.
TRANSITIONS: dict[ProposalStatus, frozenset[ProposalStatus]] = {
    S.PUBLISHED: frozenset({S.UNDER_REVIEW}),
    S.UNDER_REVIEW: frozenset({S.ACCEPTED, S.REJECTED}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS}),
    S.IN_PROGRESS: frozenset({S.IMPLEMENTED}),
    S.REJECTED: frozenset(),
    S.IMPLEMENTED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.MERGED: frozenset(),
}


def next_statuses(proposal: Proposal) -> list[ProposalStatus]:
    """The statuses triage may give this proposal now, in lifecycle order."""
    return sorted(TRANSITIONS[proposal.status], key=list(ProposalStatus).index)


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"


class FlagTarget(enum.StrEnum):
    PROPOSAL = "proposal"
    COMMENT = "comment"
    USER = "user"


class FlagState(enum.StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    ACTIONED = "actioned"


class Flag(Base):
    """One user's report of a proposal, comment or person; one per user and target."""

    __tablename__ = "flag"
    __table_args__ = (
        UniqueConstraint("reporter_id", "proposal_id"),
        UniqueConstraint("reporter_id", "comment_id"),
        UniqueConstraint("reporter_id", "flagged_user_id"),
        CheckConstraint(
            "(target_type = 'proposal' AND proposal_id IS NOT NULL AND comment_id IS NULL AND flagged_user_id IS NULL)"
            " OR (target_type = 'comment' AND comment_id IS NOT NULL AND flagged_user_id IS NULL)"
            " OR (target_type = 'user' AND flagged_user_id IS NOT NULL AND proposal_id IS NULL"
            " AND comment_id IS NULL)",
            name="one_target",
        ),
        CheckConstraint("reason <> 'other' OR length(coalesce(text, '')) > 0", name="other_needs_text"),
        Index("ix_flag_area_state", "area_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    target_type: Mapped[FlagTarget] = mapped_column(enum_type(FlagTarget, "flag_target"))
    # A comment flag also names its proposal, so the queue can link to the discussion.
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    flagged_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    reason: Mapped[FlagReason] = mapped_column(enum_type(FlagReason, "flag_reason"))
    text: Mapped[str | None] = mapped_column(Text)
    state: Mapped[FlagState] = mapped_column(enum_type(FlagState, "flag_state"), default=FlagState.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id], lazy="joined", innerjoin=True)
    proposal: Mapped[Proposal | None] = relationship(lazy="select")
    comment: Mapped[Comment | None] = relationship(lazy="select")
    flagged_user: Mapped[User | None] = relationship(foreign_keys=[flagged_user_id], lazy="select")


class ProposalNote(Base):
    """An internal note on a proposal: moderators and staff only, never shown to residents."""

    __tablename__ = "proposal_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    author: Mapped[User | None] = relationship(lazy="joined")

"""Proposals, their supports, images and threaded comments."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stengage.accounts.models import User
from stengage.areas.models import Area, Process
from stengage.db import Base, enum_type, utc_now


class Category(enum.StrEnum):
    """The taxonomy shared by every area, so that cities can be compared."""

    REFURBISHMENT = "refurbishment"
    MOBILITY = "mobility"
    RENEWABLE_ENERGY = "renewable_energy"
    ENERGY_EFFICIENCY = "energy_efficiency"
    STREET_LIGHTING = "street_lighting"
    HOUSING = "housing"
    PUBLIC_SPACE = "public_space"
    DATA_ICT = "data_ict"
    OTHER = "other"


class Origin(enum.StrEnum):
    RESIDENT = "resident"  # a resident's idea
    CITY = "city"  # a measure the city puts forward


class ProposalStatus(enum.StrEnum):
    PUBLISHED = "published"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"


# Statuses in which a proposal still gathers supports.
SUPPORTABLE = frozenset({ProposalStatus.PUBLISHED, ProposalStatus.UNDER_REVIEW})


class Alignment(enum.StrEnum):
    IN_FAVOUR = "in_favour"
    AGAINST = "against"
    NEUTRAL = "neutral"


# What the default list shows: neither hidden by moderators nor withdrawn or merged.
LISTED = "hidden_at IS NULL AND status NOT IN ('withdrawn', 'merged')"


class Proposal(Base):
    __tablename__ = "proposal"
    __table_args__ = (
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="location_complete"),
        CheckConstraint("support_count >= 0", name="support_count_not_negative"),
        CheckConstraint("comment_count >= 0", name="comment_count_not_negative"),
        # Only a merged proposal points to the one it was merged into (the pointer goes, the status
        # stays, when that proposal is deleted), and never to itself.
        CheckConstraint("merged_into_id IS NULL OR (status = 'merged' AND merged_into_id <> id)",
                        name="merged_into_only_when_merged"),
        # The copied area is the process's area; supports refer to (id, process_id).
        ForeignKeyConstraint(["process_id", "area_id"], ["process.id", "process.area_id"], ondelete="CASCADE",
                             name="fk_proposal_process_area_process"),
        UniqueConstraint("id", "process_id"),
        # The list's sort orders, each served by an index within the process that also covers the
        # default filters, so a deep page skips its offset inside the index.
        Index("ix_proposal_process_supports", "process_id", "support_count", "id", "status", "hidden_at"),
        Index("ix_proposal_process_comments", "process_id", "comment_count", "id", "status", "hidden_at"),
        Index("ix_proposal_process_created", "process_id", "created_at", "id", "status", "hidden_at"),
        # Counting the default list ("10,000 proposals") reads this small partial index alone.
        Index("ix_proposal_listed", "process_id", postgresql_where=text(LISTED), sqlite_where=text(LISTED)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    category: Mapped[Category] = mapped_column(enum_type(Category, "category"))
    origin: Mapped[Origin] = mapped_column(enum_type(Origin, "origin"), default=Origin.RESIDENT)
    status: Mapped[ProposalStatus] = mapped_column(
        enum_type(ProposalStatus, "proposal_status"), default=ProposalStatus.PUBLISHED
    )
    language: Mapped[str] = mapped_column(String(8), default="en")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    address: Mapped[str | None] = mapped_column(String(200))
    support_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    edited_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    # Set by moderation; hidden content is shown only to its author and moderators.
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    # Triage: the city's official answer, the staff member evaluating it, and merges.
    official_answer: Mapped[str | None] = mapped_column(Text)
    official_answer_html: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id", ondelete="SET NULL"), index=True)

    # Many-to-one by primary key: a page's proposals share one process, found in the identity map.
    process: Mapped[Process] = relationship(foreign_keys=[process_id])
    area: Mapped[Area] = relationship(lazy="raise")
    author: Mapped[User] = relationship(lazy="joined", innerjoin=True, foreign_keys=[author_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="select")
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id], lazy="select")
    merged_into: Mapped[Proposal | None] = relationship(remote_side=[id], lazy="select")
    images: Mapped[list[ProposalImage]] = relationship(
        back_populates="proposal", order_by="ProposalImage.position", cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def is_qualified(self) -> bool:
        return self.support_count >= self.process.support_threshold

    @property
    def has_location(self) -> bool:
        return self.latitude is not None

    def __repr__(self) -> str:
        return f"<Proposal {self.id}>"


class ProposalImage(Base):
    __tablename__ = "proposal_image"
    __table_args__ = (UniqueConstraint("proposal_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    file_name: Mapped[str] = mapped_column(String(64), unique=True)
    thumbnail_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int]
    height: Mapped[int]
    alt_text: Mapped[str] = mapped_column(String(200), default="")

    proposal: Mapped[Proposal] = relationship(back_populates="images")


class Support(Base):
    """One resident's support for a proposal; the unique constraint makes it one at most."""

    __tablename__ = "support"
    __table_args__ = (
        UniqueConstraint("proposal_id", "user_id"),
        Index("ix_support_user_process", "user_id", "process_id"),
        # The copied process is the proposal's process.
        ForeignKeyConstraint(["proposal_id", "process_id"], ["proposal.id", "proposal.process_id"],
                             ondelete="CASCADE", name="fk_support_proposal_process_proposal"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    # Kept on the row so the per-process limit is one indexed count.
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Comment(Base):
    """A contribution to a proposal's discussion.

    ``root_id`` is the top-level comment of its conversation (itself for a top-level comment), so a
    page of the discussion reads only its own conversations (``proposals.comments``).
    """

    __tablename__ = "comment"
    __table_args__ = (
        CheckConstraint("depth BETWEEN 1 AND 3", name="depth_range"),
        CheckConstraint("upvotes >= 0 AND downvotes >= 0", name="votes_not_negative"),
        # A reply is inserted with its conversation; a top-level comment names itself right after
        # its insert, in the same flush, once it has an id.
        CheckConstraint("parent_id IS NULL OR root_id IS NOT NULL", name="reply_has_root"),
        Index("ix_comment_proposal_created", "proposal_id", "created_at"),
        # A reply belongs to the discussion of its parent.
        UniqueConstraint("id", "proposal_id"),
        ForeignKeyConstraint(["parent_id", "proposal_id"], ["comment.id", "comment.proposal_id"],
                             ondelete="CASCADE", name="fk_comment_parent_proposal_comment"),
        # A discussion's conversations, their sizes and positions, counted from the index alone
        # (proposals.comments; benchmarks/server_time.py, "proposal with 4,703 comments").
        Index("ix_comment_proposal_root", "proposal_id", "root_id", "created_at", "id", "alignment", "deleted_at",
              "hidden_at", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    root_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    depth: Mapped[int] = mapped_column(SmallInteger, default=1)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    alignment: Mapped[Alignment] = mapped_column(enum_type(Alignment, "alignment"), default=Alignment.NEUTRAL)
    language: Mapped[str] = mapped_column(String(8), default="en")
    upvotes: Mapped[int] = mapped_column(default=0)
    downvotes: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(Text)

    proposal: Mapped[Proposal] = relationship(lazy="raise")
    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def author_name(self) -> str:
        return self.author.display_name


class CommentVote(Base):
    __tablename__ = "comment_vote"
    __table_args__ = (
        UniqueConstraint("comment_id", "user_id"),
        CheckConstraint("value IN (-1, 1)", name="value_is_up_or_down"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    value: Mapped[int] = mapped_column(SmallInteger)


class Follow(Base):
    """A user following a proposal: they hear about its comments and status changes."""

    __tablename__ = "follow"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class NotificationKind(enum.StrEnum):
    NEW_COMMENT = "new_comment"
    REPLY = "reply"
    STATUS_CHANGE = "status_change"


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_unread", "user_id", "read_at", "id"),
        Index("ix_notification_unmailed", "emailed_at", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(enum_type(NotificationKind, "notification_kind"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    read_at: Mapped[datetime | None]
    # Set once the notification went out by mail (at once or in a digest), or was not to be mailed.
    emailed_at: Mapped[datetime | None]

    proposal: Mapped[Proposal] = relationship(lazy="joined", innerjoin=True)
    comment: Mapped[Comment | None] = relationship(lazy="joined")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")

"""Reports, their themes and the contributions assigned to them, and published versions."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stengage.accounts.models import User
from stengage.areas.models import Area, Process
from stengage.db import Base, enum_type, utc_now
from stengage.proposals.models import Comment, Proposal


class Report(Base):
    """A governance report for a process, or for a whole area over a date range."""

    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("area_id", "slug"),
        CheckConstraint("process_id IS NOT NULL OR (period_start IS NOT NULL AND period_end IS NOT NULL)",
                        name="process_or_period"),
        CheckConstraint("period_start IS NULL OR period_end IS NULL OR period_start <= period_end",
                        name="period_in_order"),
        # A process report is about a process of its own area.
        ForeignKeyConstraint(["process_id", "area_id"], ["process.id", "process.area_id"], ondelete="CASCADE",
                             name="fk_report_process_area_process"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    process_id: Mapped[int | None] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(150))
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    area: Mapped[Area] = relationship(lazy="joined", innerjoin=True)
    process: Mapped[Process | None] = relationship(lazy="joined", foreign_keys=[process_id])
    themes: Mapped[list[Theme]] = relationship(back_populates="report", order_by="Theme.position",
                                               cascade="all, delete-orphan")
    versions: Mapped[list[ReportVersion]] = relationship(back_populates="report", order_by="ReportVersion.number",
                                                         cascade="all, delete-orphan")

    @property
    def latest(self) -> ReportVersion | None:
        return self.versions[-1] if self.versions else None


class Theme(Base):
    """A moderator's group of contributions, with their synthesis."""

    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("id", "report_id"),)  # what its items' copied report refers to

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    synthesis: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    report: Mapped[Report] = relationship(back_populates="themes")
    items: Mapped[list[ThemeItem]] = relationship(back_populates="theme", cascade="all, delete-orphan",
                                                  foreign_keys="ThemeItem.theme_id")


class ThemeItem(Base):
    """A proposal or a single comment assigned to a theme; comments may be marked as quotes."""

    __tablename__ = "theme_item"
    __table_args__ = (
        CheckConstraint("(proposal_id IS NULL) <> (comment_id IS NULL)", name="one_contribution"),
        CheckConstraint("NOT is_quote OR comment_id IS NOT NULL", name="quotes_are_comments"),
        # A contribution belongs to at most one theme of a report.
        UniqueConstraint("report_id", "proposal_id"),
        UniqueConstraint("report_id", "comment_id"),
        Index("ix_theme_item_theme", "theme_id"),
        # The copied report is the theme's report.
        ForeignKeyConstraint(["theme_id", "report_id"], ["theme.id", "theme.report_id"], ondelete="CASCADE",
                             name="fk_theme_item_theme_report_theme"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    is_quote: Mapped[bool] = mapped_column(default=False)

    theme: Mapped[Theme] = relationship(back_populates="items", foreign_keys=[theme_id])
    proposal: Mapped[Proposal | None] = relationship(lazy="select")
    comment: Mapped[Comment | None] = relationship(lazy="select")


class ReportVersion(Base):
    """A published version: a frozen snapshot that later edits and moderation never change."""

    __tablename__ = "report_version"
    __table_args__ = (UniqueConstraint("report_id", "number"), CheckConstraint("number > 0", name="number_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    number: Mapped[int]
    changelog: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(default=utc_now)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)

    report: Mapped[Report] = relationship(back_populates="versions")
    published_by: Mapped[User | None] = relationship(lazy="select")


class ReportFollow(Base):
    __tablename__ = "report_follow"
    __table_args__ = (UniqueConstraint("report_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportJob(Base):
    """A staff export made in the background; its file is for its owner only, for a limited time."""

    __tablename__ = "export_job"
    __table_args__ = (CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    format: Mapped[str] = mapped_column(String(8))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[JobState] = mapped_column(enum_type(JobState, "job_state"), default=JobState.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)
    file_name: Mapped[str | None] = mapped_column(String(120))
    checksum: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]

"""Areas: the Smarter Together neighbourhoods residents belong to."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stengage.core.localized import Localized
from stengage.db import Base, enum_type, utc_now


class ProjectRole(enum.StrEnum):
    LIGHTHOUSE = "lighthouse"
    FOLLOWER = "follower"
    OBSERVER = "observer"


class Area(Base):
    __tablename__ = "area"
    __table_args__ = (
        CheckConstraint("bounds_south < bounds_north", name="bounds_lat_order"),
        CheckConstraint("bounds_west < bounds_east", name="bounds_lon_order"),
        CheckConstraint(
            "centre_lat BETWEEN bounds_south AND bounds_north "
            "AND centre_lon BETWEEN bounds_west AND bounds_east",
            name="centre_inside_bounds",
        ),
        CheckConstraint("residents IS NULL OR residents > 0", name="residents_positive"),
        CheckConstraint("auto_hide_flags > 0", name="auto_hide_flags_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(120))
    country_code: Mapped[str] = mapped_column(String(2))
    project_role: Mapped[ProjectRole] = mapped_column(enum_type(ProjectRole, "project_role"))
    default_locale: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))
    residents: Mapped[int | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    centre_lat: Mapped[float]
    centre_lon: Mapped[float]
    bounds_south: Mapped[float]
    bounds_west: Mapped[float]
    bounds_north: Mapped[float]
    bounds_east: Mapped[float]
    position: Mapped[int] = mapped_column(default=0)
    # Content flagged by this many distinct verified residents is hidden until a moderator looks.
    auto_hide_flags: Mapped[int] = mapped_column(default=3, server_default="3")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    # Loaded on first use (the area page, verification), not with every area.
    aims: Mapped[list[AreaAim]] = relationship(
        back_populates="area", order_by="AreaAim.position", cascade="all, delete-orphan",
    )
    postcodes: Mapped[list[AreaPostcode]] = relationship(
        back_populates="area", order_by="AreaPostcode.postcode", cascade="all, delete-orphan",
    )

    def has_postcode(self, postcode: str) -> bool:
        wanted = normalise_postcode(postcode)
        return any(p.postcode == wanted for p in self.postcodes)

    def contains(self, lat: float, lon: float) -> bool:
        return self.bounds_south <= lat <= self.bounds_north and self.bounds_west <= lon <= self.bounds_east

    def __repr__(self) -> str:
        return f"<Area {self.slug}>"


class AreaAim(Base):
    __tablename__ = "area_aim"
    __table_args__ = (UniqueConstraint("area_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(300))

    area: Mapped[Area] = relationship(back_populates="aims")


class AreaPostcode(Base):
    __tablename__ = "area_postcode"
    __table_args__ = (UniqueConstraint("area_id", "postcode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    postcode: Mapped[str] = mapped_column(String(16))

    area: Mapped[Area] = relationship(back_populates="postcodes")


def normalise_postcode(value: str) -> str:
    """Postcodes compare without spaces, dashes or case ("1110", "15 701" -> "15701")."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


class Feature(enum.StrEnum):
    """What a phase opens to residents."""

    PROPOSE = "propose"
    SUPPORT = "support"
    COMMENT = "comment"


class ProcessState(enum.StrEnum):
    """A process's lifecycle: staff prepare a draft, publish it, close it when it is over, archive it."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    ARCHIVED = "archived"


# Visitors, lists, the API, feeds and reports see these; a draft only its area's staff and admins.
PUBLIC_STATES = (ProcessState.PUBLISHED, ProcessState.CLOSED, ProcessState.ARCHIVED)


class Process(Localized, Base):
    """A participatory process inside an area, run through phases that open features.

    Title and description have a value per language (``Localized``); the plain columns hold the
    area's own language."""

    localized_fields = ("title", "description")

    __tablename__ = "process"
    __table_args__ = (
        UniqueConstraint("area_id", "slug"),
        # What rows that copy the process's area refer to, so the copy cannot differ from the process.
        UniqueConstraint("id", "area_id"),
        CheckConstraint("starts_on <= ends_on", name="dates_in_order"),
        CheckConstraint("supports_per_resident IS NULL OR supports_per_resident > 0",
                        name="support_limit_positive"),
        CheckConstraint("support_threshold > 0", name="threshold_positive"),
        CheckConstraint("edit_window_hours >= 0", name="edit_window_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    supports_per_resident: Mapped[int | None]  # None: unlimited
    support_threshold: Mapped[int] = mapped_column(default=100)
    edit_window_hours: Mapped[int] = mapped_column(default=24)
    comments_need_verification: Mapped[bool] = mapped_column(default=True)
    # Rows made before the lifecycle existed were live; new processes start as drafts (operations).
    state: Mapped[ProcessState] = mapped_column(enum_type(ProcessState, "process_state"),
                                                default=ProcessState.PUBLISHED, server_default="published")
    # A secret that lets whoever holds the link read the draft; staff renew or revoke it.
    preview_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)

    area: Mapped[Area] = relationship(lazy="joined", innerjoin=True)
    phases: Mapped[list[Phase]] = relationship(
        back_populates="process", order_by="Phase.starts_at", cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def content_language(self) -> str:
        return self.area.default_locale

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES

    @property
    def is_live(self) -> bool:
        """Only a published process opens features to residents; closed and archived ones are read-only."""
        return self.state is ProcessState.PUBLISHED

    def phase_at(self, moment: datetime) -> Phase | None:
        return next((p for p in self.phases if p.starts_at <= moment < p.ends_at), None)

    @property
    def current_phase(self) -> Phase | None:
        return self.phase_at(utc_now())

    def opens(self, feature: Feature | str, moment: datetime | None = None) -> bool:
        if not self.is_live:
            return False
        phase = self.phase_at(moment or utc_now())
        return phase is not None and phase.opens(feature)

    def next_change_after(self, moment: datetime) -> datetime | None:
        """When a phase next begins or ends: what the process offers changes then."""
        return min((t for p in self.phases for t in (p.starts_at, p.ends_at) if t > moment), default=None)

    def next_phase_opening(self, feature: Feature) -> Phase | None:
        now = utc_now()
        return next((p for p in self.phases if p.starts_at > now and p.opens(feature)), None)

    def __repr__(self) -> str:
        return f"<Process {self.id} {self.slug}>"


class Phase(Localized, Base):
    localized_fields = ("title", "description")

    __tablename__ = "phase"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="times_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    opens_propose: Mapped[bool] = mapped_column(default=False)
    opens_support: Mapped[bool] = mapped_column(default=False)
    opens_comment: Mapped[bool] = mapped_column(default=False)

    process: Mapped[Process] = relationship(back_populates="phases")

    @property
    def content_language(self) -> str:
        return self.process.area.default_locale

    def opens(self, feature: Feature | str) -> bool:
        return bool(getattr(self, f"opens_{Feature(feature).value}"))

    @property
    def features(self) -> list[Feature]:
        return [f for f in Feature if self.opens(f)]

    def state(self, moment: datetime | None = None) -> str:
        moment = moment or utc_now()
        if moment < self.starts_at:
            return "upcoming"
        return "current" if moment < self.ends_at else "past"

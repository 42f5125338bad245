"""Areas: the Smarter Together neighbourhoods residents belong to."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stengage.db import Base, enum_values, utc_now


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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(120))
    country_code: Mapped[str] = mapped_column(String(2))
    project_role: Mapped[ProjectRole] = mapped_column(
        Enum(ProjectRole, name="project_role", values_callable=enum_values, create_constraint=True,
             validate_strings=True)
    )
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
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    aims: Mapped[list[AreaAim]] = relationship(
        back_populates="area", order_by="AreaAim.position", cascade="all, delete-orphan",
        lazy="selectin",
    )
    postcodes: Mapped[list[AreaPostcode]] = relationship(
        back_populates="area", order_by="AreaPostcode.postcode", cascade="all, delete-orphan",
        lazy="selectin",
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

"""Area look-ups shared by every area-scoped page."""

from __future__ import annotations

from flask import abort, g
from sqlalchemy import select

from stengage.areas.models import Area, Process, ProjectRole
from stengage.extensions import db


def find_area(slug: str) -> Area | None:
    return db.session.scalar(select(Area).where(Area.slug == slug))


def get_area_or_404(slug: str) -> Area:
    loaded = g.get("area")  # the URL preprocessor found it already
    if loaded is not None and loaded.slug == slug:
        return loaded
    area = find_area(slug)
    if area is None:
        abort(404)
    return area


def get_process_or_404(area_slug: str, process_slug: str) -> Process:
    area = get_area_or_404(area_slug)
    process = db.session.scalar(select(Process).where(Process.area_id == area.id, Process.slug == process_slug))
    if process is None:
        abort(404)
    return process


def areas_by_role() -> dict[ProjectRole, list[Area]]:
    grouped: dict[ProjectRole, list[Area]] = {role: [] for role in ProjectRole}
    for area in db.session.scalars(select(Area).order_by(Area.position, Area.name)):
        grouped[area.project_role].append(area)
    return grouped


def all_areas() -> list[Area]:
    return list(db.session.scalars(select(Area).order_by(Area.position, Area.name)))

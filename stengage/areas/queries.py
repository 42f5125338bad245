"""Area look-ups shared by every area-scoped page."""

from __future__ import annotations

from flask import abort, g
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from stengage.areas.models import Area, Process, ProjectRole
from stengage.extensions import db

# Every area-scoped page runs these: built once, with parameters (SQLAlchemy then skips building
# and hashing them per request).
_AREA_BY_SLUG = select(Area).where(Area.slug == bindparam("slug"))
# The process with its phases in one query (its area comes along, joined); pages read both.
_PROCESS_BY_SLUG = (select(Process).options(joinedload(Process.phases))
                    .where(Process.area_id == bindparam("area_id"), Process.slug == bindparam("slug")))


def find_area(slug: str) -> Area | None:
    return db.session.execute(_AREA_BY_SLUG, {"slug": slug}).scalar_one_or_none()


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
    process = db.session.execute(_PROCESS_BY_SLUG, {"area_id": area.id, "slug": process_slug}
                                 ).unique().scalar_one_or_none()
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

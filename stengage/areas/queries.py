"""Area look-ups shared by every area-scoped page."""

from __future__ import annotations

from flask import abort, g
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager, joinedload

from stengage.areas.models import Area, Process, ProjectRole
from stengage.extensions import db

# Every area-scoped page runs these: built once, with parameters (SQLAlchemy then skips building
# and hashing them per request).
_AREA_BY_SLUG = select(Area).where(Area.slug == bindparam("slug"))
# A process page needs the process, its phases and its area: one query by the two slugs.
_PROCESS_BY_SLUGS = (select(Process).join(Process.area)
                     .options(contains_eager(Process.area), joinedload(Process.phases))
                     .where(Area.slug == bindparam("area_slug"), Process.slug == bindparam("slug")))


def find_area(slug: str) -> Area | None:
    return db.session.execute(_AREA_BY_SLUG, {"slug": slug}).scalar_one_or_none()


def find_process(area_slug: str, process_slug: str) -> Process | None:
    return db.session.execute(_PROCESS_BY_SLUGS, {"area_slug": area_slug, "slug": process_slug}
                              ).unique().scalar_one_or_none()


def get_area_or_404(slug: str) -> Area:
    loaded = g.get("area")  # the URL preprocessor found it already
    if loaded is not None and loaded.slug == slug:
        return loaded
    area = find_area(slug)
    if area is None:
        abort(404)
    return area


def get_process_or_404(area_slug: str, process_slug: str) -> Process:
    process = find_process(area_slug, process_slug)
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

"""Area look-ups shared by every area-scoped page."""

from __future__ import annotations

from typing import Any

from flask import abort, g
from flask_login import current_user
from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.orm import contains_eager, joinedload

from stengage.areas.models import PUBLIC_STATES, Area, Process, ProcessState, ProjectRole
from stengage.areas.permissions import can_manage_processes
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


def public_process_filter() -> ColumnElement[bool]:
    """The processes anyone may see (published, closed, archived): lists, the API, feeds, reports and
    search use this; drafts are their area's staff's and admins' alone."""
    return Process.state.in_(PUBLIC_STATES)


def may_see_process(user: Any, process: Process) -> bool:
    return process.is_public or can_manage_processes(user, process.area)


def get_process_or_404(area_slug: str, process_slug: str, *, public_only: bool = False) -> Process:
    """The process, or a 404 where it does not exist or is a draft the viewer may not see
    (``public_only``: nobody may, as for the API)."""
    process = find_process(area_slug, process_slug)
    if process is None or not (process.is_public if public_only else may_see_process(current_user, process)):
        abort(404)
    return process


def area_processes(area: Area, viewer: Any) -> list[Process]:
    """An area's processes for its page, newest first: drafts only for those who manage them."""
    query = select(Process).where(Process.area_id == area.id)
    if not can_manage_processes(viewer, area):
        query = query.where(public_process_filter())
    return list(db.session.scalars(query.order_by(Process.starts_on.desc(), Process.id.desc())))


def process_by_preview_token(token: str) -> Process | None:
    """The draft a preview link names (a token of the right shape, else nothing is looked up)."""
    if not (20 <= len(token) <= 64) or not all(c.isalnum() or c in "-_" for c in token):
        return None
    return db.session.scalar(select(Process).where(Process.preview_token == token,
                                                   Process.state == ProcessState.DRAFT))


def areas_by_role() -> dict[ProjectRole, list[Area]]:
    grouped: dict[ProjectRole, list[Area]] = {role: [] for role in ProjectRole}
    for area in db.session.scalars(select(Area).order_by(Area.position, Area.name)):
        grouped[area.project_role].append(area)
    return grouped


def all_areas() -> list[Area]:
    return list(db.session.scalars(select(Area).order_by(Area.position, Area.name)))

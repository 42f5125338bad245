"""A process's page with its proposal list, and its map: the lists of a process's proposals.

Setting a process up (create, edit) is ``areas.process_views``.
"""

from __future__ import annotations

import enum
import secrets
from typing import TypeVar

from flask import Blueprint, jsonify, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from stengage.areas.queries import get_process_or_404
from stengage.core.i18n import LANGUAGE_NAMES
from stengage.core.inputs import page_number
from stengage.core.page_cache import cached_page, expire_at, list_arguments
from stengage.db import utc_now
from stengage.proposals import queries
from stengage.proposals.forms import FilterForm
from stengage.proposals.models import Category, Origin, ProposalStatus
from stengage.proposals.supports import supported_ids, supports_left

bp = Blueprint("processes", __name__, url_prefix="/areas/<area_slug>/processes")

E = TypeVar("E", bound=enum.Enum)


def _pick(enum_cls: type[E], value: str | None) -> E | None:
    try:
        return enum_cls(value) if value else None
    except ValueError:
        return None


def list_query(form: FilterForm) -> queries.ListQuery:
    """Read the filters; unknown values are ignored rather than refused (links get shared)."""
    sort = form.sort.data if form.sort.data in queries.SORTS else "supports"
    if sort == "random" and "shuffle_seed" not in session:  # only then does a visitor need a cookie
        session["shuffle_seed"] = secrets.randbelow(2**31)
    return queries.ListQuery(
        category=_pick(Category, form.category.data), status=_pick(ProposalStatus, form.status.data),
        origin=_pick(Origin, form.origin.data), with_location=form.located.data == "yes",
        search=(form.q.data or "")[:200], sort=sort, seed=session.get("shuffle_seed", 0),
        language=form.language.data if form.language.data in LANGUAGE_NAMES else None)


@bp.route("/<process_slug>")
@cached_page(shared_when=list_arguments)
def process(area_slug: str, process_slug: str) -> str:
    process = get_process_or_404(area_slug, process_slug)
    expire_at(process.next_change_after(utc_now()))
    form = FilterForm(request.args)
    query = list_query(form)
    page = queries.proposal_page(process, query, page_number())
    viewer = current_user if current_user.is_authenticated else None
    return render_template(
        "processes/process.html", area=process.area, process=process, form=form, page=page, query=query,
        supported=supported_ids(viewer, [p.id for p in page.items]),
        supports_left=supports_left(viewer, process) if viewer else None, now=utc_now(),
        args={k: v for k, v in request.args.items() if k != "page"})


@bp.route("/<process_slug>/map")
@cached_page
def map_page(area_slug: str, process_slug: str) -> str:
    process = get_process_or_404(area_slug, process_slug)
    expire_at(process.next_change_after(utc_now()))
    form = FilterForm(request.args)
    points = queries.map_points(process, list_query(form))
    return render_template("processes/map.html", area=process.area, process=process, form=form, points=points)


@bp.route("/<process_slug>/map.json")
def map_data(area_slug: str, process_slug: str) -> Response:
    process = get_process_or_404(area_slug, process_slug)
    points = queries.map_points(process, list_query(FilterForm(request.args)))
    for point in points:
        point["url"] = url_for("proposals.proposal", proposal_id=point["id"])
    area = process.area
    return jsonify({"bounds": [[area.bounds_south, area.bounds_west], [area.bounds_north, area.bounds_east]],
                    "proposals": points})

"""A process's page with its proposal list, and its map: the lists of a process's proposals.

Setting a process up (create, edit) is ``areas.process_views``.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import asdict
from typing import Any, TypeVar

from flask import Blueprint, current_app, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from stengage.areas.queries import get_process_or_404
from stengage.core.i18n import LANGUAGE_NAMES
from stengage.core.inputs import LARGEST_ID, BadInput, arg_number, page_number, parse_decimal
from stengage.core.page_cache import cached_page, expire_at, list_arguments
from stengage.db import utc_now
from stengage.proposals import queries
from stengage.proposals.forms import FilterForm
from stengage.proposals.models import Category, Origin, ProposalStatus
from stengage.proposals.supports import supported_ids, supports_left

bp = Blueprint("processes", __name__, url_prefix="/areas/<area_slug>/processes")
# A map answer stays well under 100 KB: past this, even few places in view come back as clusters.
MAP_BYTES = 90_000
# What the map page does not pass on to the list and to map.json: the map asks for these itself.
MAP_OWN_ARGUMENTS = ("page", "bbox", "proposal")


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
    """The map's frame: the places themselves come from ``map.json``, for the part in view."""
    process = get_process_or_404(area_slug, process_slug)
    expire_at(process.next_change_after(utc_now()))
    form = FilterForm(request.args)
    return render_template("processes/map.html", area=process.area, process=process,
                           located=queries.located_count(process, list_query(form)),
                           filters={k: v for k, v in request.args.items() if k not in MAP_OWN_ARGUMENTS})


def _bounding_box() -> queries.BoundingBox:
    """``?bbox=south,west,north,east`` in degrees (the whole world when absent); a 400 on anything else."""
    raw = request.args.get("bbox")
    if raw is None:
        return queries.WORLD
    parts = raw.split(",")
    if len(parts) == 4:
        south, north = (parse_decimal(parts[i], low=-90, high=90) for i in (0, 2))
        west, east = (parse_decimal(parts[i], low=-180, high=180) for i in (1, 3))
        if south is not None and west is not None and north is not None and east is not None \
                and south < north and west < east:
            return queries.BoundingBox(south, west, north, east)
    raise BadInput(gettext("“bbox” must be four numbers: south,west,north,east in degrees, "
                           "the south below the north and the west left of the east."))


def _point(point: queries.MapPoint) -> dict[str, Any]:
    return {**asdict(point), "url": url_for("proposals.proposal", proposal_id=point.id)}


def _cluster(cluster: queries.MapCluster) -> dict[str, Any]:
    return {"lat": round(cluster.lat, 6), "lng": round(cluster.lng, 6), "count": cluster.count}


@bp.route("/<process_slug>/map.json")
def map_data(area_slug: str, process_slug: str) -> Response:
    """The places inside ``bbox``: each proposal while there are few, else clusters of them
    (``lat``, ``lng``, ``count``), so an answer stays small however many places the process has.
    ``?proposal=<id>`` answers that one proposal's place (the map opened at a proposal)."""
    process = get_process_or_404(area_slug, process_slug)
    query = list_query(FilterForm(request.args))
    box = _bounding_box()
    wanted = arg_number("proposal", None, high=LARGEST_ID)
    if wanted is not None:
        points = queries.map_points(process, query, box, proposal_id=wanted)
        return _json({"proposals": [_point(p) for p in points], "clusters": []})
    # Counted first: a view of many places (the usual first one) costs one grouped query.
    clusters = queries.map_clusters(process, query, box)
    if sum(c.count for c in clusters) <= queries.MAP_MARKERS:
        points = queries.map_points(process, query, box)
        answer = _json({"proposals": [_point(p) for p in points], "clusters": []})
        if answer.content_length is not None and answer.content_length <= MAP_BYTES:
            return answer
    return _json({"proposals": [], "clusters": [_cluster(c) for c in clusters]})


def _json(body: dict[str, Any]) -> Response:
    """``jsonify``'s answer, built here so its size can be read before it is sent."""
    return current_app.response_class(current_app.json.dumps(body), mimetype="application/json")

"""Process pages: create and edit (city staff), the timeline with the proposal list, map and feed."""

from __future__ import annotations

import enum
import secrets
from typing import TypeVar

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from stengage.areas import operations as process_ops
from stengage.areas.forms import ProcessForm
from stengage.areas.models import Area, Phase, Process
from stengage.areas.queries import get_area_or_404, get_process_or_404
from stengage.core.forms import show_refusal
from stengage.core.i18n import LANGUAGE_NAMES
from stengage.core.inputs import page_number
from stengage.core.operations import Refused
from stengage.core.page_cache import cached_page, expire_at, list_arguments
from stengage.db import utc_now
from stengage.extensions import db
from stengage.proposals import permissions as can
from stengage.proposals import queries
from stengage.proposals.forms import FilterForm
from stengage.proposals.models import Category, Origin, ProposalStatus
from stengage.proposals.supports import supported_ids, supports_left

bp = Blueprint("processes", __name__, url_prefix="/areas/<area_slug>/processes")


def _draft(form: ProcessForm, area: Area) -> process_ops.ProcessDraft:
    phases = tuple(
        process_ops.PhaseDraft(
            title=entry.form.title.data, starts_at=process_ops.local_to_utc(area, entry.form.starts_at.data),
            ends_at=process_ops.local_to_utc(area, entry.form.ends_at.data),
            opens_propose=entry.form.opens_propose.data, opens_support=entry.form.opens_support.data,
            opens_comment=entry.form.opens_comment.data)
        for entry in form.phases.entries if entry.form.title.data
    )
    return process_ops.ProcessDraft(
        title=form.title.data, description=form.description.data or "", starts_on=form.starts_on.data,
        ends_on=form.ends_on.data, supports_per_resident=form.supports_per_resident.data,
        support_threshold=form.support_threshold.data, edit_window_hours=form.edit_window_hours.data,
        comments_need_verification=form.comments_need_verification.data, phases=phases)


def _fill_phases(form: ProcessForm, area: Area, phases: list[process_ops.PhaseDraft] | list[Phase]) -> None:
    for entry, phase in zip(form.phases.entries, phases, strict=False):
        entry.form.title.data = phase.title
        entry.form.starts_at.data = process_ops.utc_to_local(area, phase.starts_at)
        entry.form.ends_at.data = process_ops.utc_to_local(area, phase.ends_at)
        entry.form.opens_propose.data = phase.opens_propose
        entry.form.opens_support.data = phase.opens_support
        entry.form.opens_comment.data = phase.opens_comment


def _save(form: ProcessForm, area: Area, process: Process | None) -> Response | None:
    if not form.validate_on_submit():
        return None
    try:
        if process is None:
            process = process_ops.create_process(current_user, area, _draft(form, area))
        else:
            process_ops.update_process(current_user, process, _draft(form, area))
    except Refused as refused:
        db.session.rollback()
        show_refusal(form, refused)
        return None
    db.session.commit()
    flash(gettext("The process “%(title)s” is saved.", title=process.title), "success")
    return redirect(url_for(".process", area_slug=area.slug, process_slug=process.slug))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create(area_slug: str) -> Response | str:
    area = get_area_or_404(area_slug)
    if not can.can_manage_processes(current_user, area):
        abort(403)
    form = ProcessForm()
    if request.method == "GET":
        today = utc_now().date()
        phases = process_ops.default_phases(area, today)
        form.starts_on.data = today
        form.ends_on.data = process_ops.utc_to_local(area, phases[-1].ends_at).date()
        _fill_phases(form, area, list(phases))
    return _save(form, area, None) or render_template("processes/form.html", area=area, form=form, process=None)


@bp.route("/<process_slug>/edit", methods=["GET", "POST"])
@login_required
def edit(area_slug: str, process_slug: str) -> Response | str:
    process = get_process_or_404(area_slug, process_slug)
    if not can.can_manage_processes(current_user, process.area):
        abort(403)
    form = ProcessForm(obj=process)
    if request.method == "GET":
        _fill_phases(form, process.area, process.phases)
    return _save(form, process.area, process) or render_template(
        "processes/form.html", area=process.area, form=form, process=process)


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

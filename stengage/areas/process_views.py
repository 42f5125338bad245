"""Setting up an area's processes: city staff create one and edit it (phases, supports, rules).

The process page itself, with its proposal list and map, is ``proposals.list_views``.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from stengage.areas import operations as process_ops
from stengage.areas.forms import ProcessForm
from stengage.areas.models import Area, Process
from stengage.areas.permissions import can_manage_processes
from stengage.areas.queries import get_area_or_404, get_process_or_404
from stengage.core.boundary import perform
from stengage.db import utc_now

bp = Blueprint("process_editor", __name__, url_prefix="/areas/<area_slug>/processes")


def _save(form: ProcessForm, area: Area, process: Process | None) -> Response | None:
    """The form's one operation; None when there is nothing to save or it was refused (shown on the form)."""
    if request.method == "POST" and form.change_phases():
        return None  # a phase added or removed: the form again, nothing saved
    if not form.validate_on_submit():
        return None
    draft = form.draft(area)
    saved = perform(
        (lambda: process_ops.create_process(current_user, area, draft)) if process is None
        else (lambda: process_ops.update_process(current_user, process, draft)),
        form=form, success=gettext("The process “%(title)s” is saved.", title=draft.title.strip())
        if process is not None else gettext("The draft “%(title)s” is saved. Only staff can see it until you "
                                            "publish it.", title=draft.title.strip()))
    if not saved or saved.value is None:
        return None
    # The process page lists its proposals, a room above this one: named, never imported.
    return redirect(url_for("processes.process", area_slug=area.slug, process_slug=saved.value.slug))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create(area_slug: str) -> Response | str:
    area = get_area_or_404(area_slug)
    if not can_manage_processes(current_user, area):
        abort(403)
    form = ProcessForm(area=area)
    if request.method == "GET":
        today = utc_now().date()
        phases = process_ops.default_phases(area, today)
        form.starts_on.data = today
        form.ends_on.data = process_ops.utc_to_local(area, phases[-1].ends_at).date()
        form.show_phases(area, list(phases))
    return _save(form, area, None) or render_template("processes/form.html", area=area, form=form, process=None,
                                                   max_phases=process_ops.MAX_PHASES)


@bp.route("/<process_slug>/edit", methods=["GET", "POST"])
@login_required
def edit(area_slug: str, process_slug: str) -> Response | str:
    process = get_process_or_404(area_slug, process_slug)
    if not can_manage_processes(current_user, process.area):
        abort(403)
    form = ProcessForm(obj=process, area=process.area)
    if request.method == "GET":
        form.show_phases(process.area, process.phases)
    return _save(form, process.area, process) or render_template(
        "processes/form.html", area=process.area, form=form, process=process, max_phases=process_ops.MAX_PHASES)

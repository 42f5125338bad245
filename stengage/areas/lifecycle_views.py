"""Moving a process through its lifecycle, deleting a draft, and the draft's preview link.

Each step is a POST of its own; the steps that take something away from residents (close, archive,
back to draft) and deleting a draft are confirmed on a page of their own first.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from stengage.areas import lifecycle
from stengage.areas.models import Process
from stengage.areas.permissions import can_manage_processes
from stengage.areas.queries import get_process_or_404, process_by_preview_token
from stengage.core.boundary import perform
from stengage.db import utc_now

bp = Blueprint("process_lifecycle", __name__)

PREFIX = "/areas/<area_slug>/processes/<process_slug>"


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the step itself is in the URL."""


def _managed(area_slug: str, process_slug: str) -> Process:
    process = get_process_or_404(area_slug, process_slug)
    if not can_manage_processes(current_user, process.area):
        abort(403)
    return process


def _process_page(process: Process) -> Response:
    # The process page lists proposals, a room above this one: named, never imported.
    return redirect(url_for("processes.process", area_slug=process.area.slug, process_slug=process.slug))


SUCCESS = {
    "publish": lambda: gettext("The process is published: residents can see it now."),
    "unpublish": lambda: gettext("The process is a draft again: only staff can see it."),
    "close": lambda: gettext("The process is closed: residents can read it but no longer take part."),
    "reopen": lambda: gettext("The process is open again."),
    "archive": lambda: gettext("The process is archived: it is listed under past processes."),
    "unarchive": lambda: gettext("The process is out of the archive and closed."),
}


@bp.route(f"{PREFIX}/state/<step>", methods=["GET", "POST"])
@login_required
def change_state(area_slug: str, process_slug: str, step: str) -> Response | str:
    process = _managed(area_slug, process_slug)
    chosen = lifecycle.STEPS.get(step)
    if chosen is None:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        perform(lambda: lifecycle.change_state(current_user, process, step), success=SUCCESS[step]())
        return _process_page(process)
    if not chosen.destructive:
        # Offered as a button on the process page; an expired form goes back there with a message.
        if request.method == "GET":
            abort(405)
        flash(gettext("The form had expired. Please send it again."), "error")
        return _process_page(process)
    return render_template("processes/confirm_step.html", process=process, area=process.area, step=chosen,
                           form=form)


@bp.route(f"{PREFIX}/delete", methods=["GET", "POST"])
@login_required
def delete(area_slug: str, process_slug: str) -> Response | str:
    process = _managed(area_slug, process_slug)
    area = process.area
    form = ConfirmForm()
    if form.validate_on_submit():
        title = process.title
        if perform(lambda: lifecycle.delete_draft(current_user, process),
                   success=gettext("The draft “%(title)s” is deleted.", title=title)):
            return redirect(url_for("areas.area", area_slug=area.slug))
    return render_template("processes/confirm_delete.html", process=process, area=area, form=form)


@bp.route(f"{PREFIX}/preview-link", methods=["POST"])
@login_required
def renew_preview(area_slug: str, process_slug: str) -> Response:
    process = _managed(area_slug, process_slug)
    if ConfirmForm().validate_on_submit():
        perform(lambda: lifecycle.renew_preview(current_user, process),
                success=gettext("A new preview link is ready; any earlier link no longer works."))
    return _process_page(process)


@bp.route(f"{PREFIX}/preview-link/revoke", methods=["POST"])
@login_required
def revoke_preview(area_slug: str, process_slug: str) -> Response:
    process = _managed(area_slug, process_slug)
    if ConfirmForm().validate_on_submit():
        perform(lambda: lifecycle.revoke_preview(current_user, process),
                success=gettext("The preview link no longer works."))
    return _process_page(process)


@bp.route("/process-preview/<token>")
def preview(token: str) -> Response | str:
    """A draft, read-only, for whoever holds the secret link (no login)."""
    process = process_by_preview_token(token)
    if process is None:
        abort(404)
    response = render_template("processes/preview.html", process=process, area=process.area, now=utc_now())
    return Response(response, headers={"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex",
                                       "Cache-Control": "no-store"}, mimetype="text/html")

"""City staff: engagement summaries as files (in the background). The comparison of areas is public
(``comparison_views``)."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, abort, g, redirect, render_template, send_file, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from stengage.accounts.models import MembershipRole
from stengage.areas.models import Area, Process, ProjectRole
from stengage.areas.queries import all_areas
from stengage.core.boundary import perform
from stengage.extensions import db
from stengage.reports import export_files, jobs
from stengage.reports.forms import RerunForm, SummaryForm
from stengage.reports.metrics import min_residents
from stengage.reports.models import ExportJob
from stengage.reports.summaries import SummaryQuery

bp = Blueprint("staff", __name__, url_prefix="/staff")


def export_areas() -> list[Area]:
    """Admins export every area; city staff the areas they work for (worked out once per request)."""
    if "export_areas" not in g:
        if not current_user.is_authenticated or not current_user.is_active:
            g.export_areas = []
        elif current_user.is_admin:
            g.export_areas = all_areas()
        else:
            g.export_areas = [a for a in all_areas() if current_user.has_role(a, MembershipRole.STAFF)]
    return cast(list[Area], g.export_areas)


@bp.before_request
@login_required
def _staff_only() -> None:
    if not export_areas():
        abort(403)


@bp.route("/summaries", methods=["GET", "POST"])
def summaries() -> Response | str:
    areas = export_areas()
    processes = db.session.scalars(select(Process).where(Process.area_id.in_([a.id for a in areas]))
                                   .order_by(Process.area_id, Process.title)).all()
    form = SummaryForm([(a.slug, a.name) for a in areas], [(str(p.id), p.title) for p in processes],
                       data={"areas": [a.slug for a in areas if a.project_role == ProjectRole.LIGHTHOUSE],
                             "format": "csv"})
    if form.validate_on_submit():
        wanted = set(form.chosen(form.areas))
        query = SummaryQuery(area_ids=tuple(sorted(a.id for a in areas if a.slug in wanted)),
                             process_ids=tuple(sorted(int(p) for p in form.chosen(form.processes))),
                             start=form.start.data, end=form.end.data)
        job = jobs.export_summary(current_user, form.format.data, query, locale=str(get_locale() or "en"))
        return redirect(url_for(".job", job_id=job.id))
    recent = jobs.recent_exports(current_user)
    return render_template("staff/summaries.html", form=form, recent=[(j, jobs.shown_state(j)) for j in recent],
                           rule=export_files.disclosure_rule(min_residents()))


def _own_job(job_id: int) -> ExportJob:
    job = db.session.get(ExportJob, job_id)
    # A version's PDF job is no one's personal export: its page is the report's "preparing" page.
    if job is None or job.owner_id != current_user.id or job.format not in export_files.SUMMARY_FORMATS:
        abort(404)
    return job


@bp.route("/jobs/<int:job_id>")
def job(job_id: int) -> str:
    job = _own_job(job_id)
    return render_template("staff/job.html", job=job, state=jobs.shown_state(job),
                           can_rerun=jobs.can_rerun(job), downloadable=jobs.downloadable_path(job, current_user),
                           rule=export_files.disclosure_rule(min_residents()))


@bp.route("/jobs/<int:job_id>/rerun", methods=["POST"])
def rerun(job_id: int) -> Response:
    job = _own_job(job_id)
    if RerunForm().validate_on_submit():
        perform(lambda: jobs.rerun(current_user, job))
    return redirect(url_for(".job", job_id=job.id))


@bp.route("/jobs/<int:job_id>/download")
def download(job_id: int) -> Response:
    job = _own_job(job_id)
    path = jobs.downloadable_path(job, current_user)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=export_files.FORMATS[job.format], as_attachment=True,
                         download_name=f"stengage-summary-{job.id}.{job.format}")
    response.headers["X-Content-SHA256"] = job.checksum or ""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/dictionary.csv")
def dictionary() -> Response:
    return Response(export_files.dictionary_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="stengage-data-dictionary.csv"'})

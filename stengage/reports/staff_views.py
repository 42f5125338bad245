"""City staff: engagement summaries as files (in the background) and the comparison of areas."""

from __future__ import annotations

from datetime import date
from typing import cast

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from stengage.accounts.models import MembershipRole
from stengage.areas.models import Area, Process, ProjectRole
from stengage.areas.queries import all_areas
from stengage.extensions import db
from stengage.proposals.models import Category
from stengage.reports import export_files, jobs
from stengage.reports.charts import bar_chart
from stengage.reports.models import ExportJob, JobState
from stengage.reports.summaries import SummaryQuery, rows

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
    if request.method == "POST":
        wanted = {a.slug for a in areas} & set(request.form.getlist("areas"))
        chosen_processes = {str(p.id) for p in processes} & set(request.form.getlist("processes"))
        fmt = request.form.get("format", "")
        start, end = request.form.get("start") or None, request.form.get("end") or None
        errors = []
        if not wanted:
            errors.append(gettext("Choose at least one area."))
        if fmt not in export_files.SUMMARY_FORMATS:
            errors.append(gettext("Choose CSV, XLSX or JSON."))
        try:
            start_date = date.fromisoformat(start) if start else None
            end_date = date.fromisoformat(end) if end else None
        except ValueError:
            errors.append(gettext("Enter dates as YYYY-MM-DD."))
            start_date = end_date = None
        if start_date and end_date and start_date > end_date:
            errors.append(gettext("The period must not end before it starts."))
        if errors:
            for error in errors:
                flash(error, "error")
        else:
            query = SummaryQuery(area_ids=tuple(sorted(a.id for a in areas if a.slug in wanted)),
                                 process_ids=tuple(sorted(int(p) for p in chosen_processes)),
                                 start=start_date, end=end_date)
            job = jobs.create(current_user, fmt, query, locale=str(get_locale() or "en"))
            db.session.commit()
            jobs.dispatch(job.id)
            return redirect(url_for(".job", job_id=job.id))
    recent = db.session.scalars(select(ExportJob).where(ExportJob.owner_id == current_user.id)
                                .order_by(ExportJob.id.desc()).limit(10)).all()
    return render_template("staff/summaries.html", areas=areas, processes=processes, recent=recent,
                           lighthouse=[a.slug for a in areas if a.project_role == ProjectRole.LIGHTHOUSE])


def _own_job(job_id: int) -> ExportJob:
    job = db.session.get(ExportJob, job_id)
    if job is None or job.owner_id != current_user.id:
        abort(404)
    return job


@bp.route("/jobs/<int:job_id>")
def job(job_id: int) -> str:
    job = _own_job(job_id)
    return render_template("staff/job.html", job=job, interrupted=jobs.is_interrupted(job),
                           can_rerun=jobs.can_rerun(job), downloadable=jobs.downloadable_path(job, current_user))


@bp.route("/jobs/<int:job_id>/rerun", methods=["POST"])
def rerun(job_id: int) -> Response:
    job = _own_job(job_id)
    if not jobs.can_rerun(job):
        flash(gettext("This export is still running or finished."), "error")
    else:
        job.state, job.progress, job.error = JobState.QUEUED, 0, None
        db.session.commit()
        jobs.dispatch(job.id)
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


@bp.route("/compare")
def compare() -> str:
    """All areas side by side on the shared categories (suppressed cells stay empty)."""
    areas = all_areas()
    table: dict[str, dict[str, dict[str, object]]] = {a.slug: {} for a in areas}
    for row in rows(SummaryQuery(area_ids=tuple(a.id for a in areas))):
        if row["table"] == "category":
            table[row["area"]][row["category"]] = row
    categories = [c.value for c in Category]
    totals = {a.slug: sum((table[a.slug].get(c, {}).get("proposals") or 0) for c in categories) for a in areas}
    chart = bar_chart(gettext("Proposals per area"), [a.name for a in areas],
                      {gettext("proposals"): [totals[a.slug] for a in areas]})
    return render_template("staff/compare.html", areas=areas, categories=categories, table=table, chart=chart)

"""Report workspace for an area's team; published versions for everyone."""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from stengage.areas.models import Process
from stengage.areas.queries import get_area_or_404
from stengage.core.exports import safe_cell
from stengage.core.forms import run_and_report
from stengage.db import writes_on_get
from stengage.extensions import db
from stengage.proposals.models import Proposal
from stengage.reports import content, jobs, operations, suggestions
from stengage.reports.charts import charts_for
from stengage.reports.forms import PublishForm, ReportForm, SuggestionForm, ThemeForm
from stengage.reports.models import Report, ReportFollow, ReportVersion, Theme, ThemeItem
from stengage.reports.permissions import can_build_reports
from stengage.reports.printing import render_html, render_pdf

bp = Blueprint("reports", __name__, url_prefix="/areas/<area_slug>/reports")


def _report(area_slug: str, report_slug: str) -> Report:
    area = get_area_or_404(area_slug)
    report = db.session.scalar(select(Report).where(Report.area_id == area.id, Report.slug == report_slug))
    if report is None:
        abort(404)
    return report


def _team_report(area_slug: str, report_slug: str) -> Report:
    report = _report(area_slug, report_slug)
    if not can_build_reports(current_user, report.area_id):
        abort(403)
    return report


@bp.route("/")
def index(area_slug: str) -> str:
    area = get_area_or_404(area_slug)
    reports = operations.area_reports(area)
    team = can_build_reports(current_user, area)
    return render_template("reports/index.html", area=area, team=team,
                           reports=[r for r in reports if team or r.versions])


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create(area_slug: str) -> Response | str:
    area = get_area_or_404(area_slug)
    if not can_build_reports(current_user, area):
        abort(403)
    processes = db.session.scalars(select(Process).where(Process.area_id == area.id).order_by(Process.title)).all()
    form = ReportForm([(p.slug, p.title) for p in processes])
    if form.validate_on_submit():
        process = next((p for p in processes if p.slug == form.process_slug.data), None)
        period = (form.period_start.data, form.period_end.data) \
            if form.period_start.data and form.period_end.data else None
        created: list[Report] = []
        if run_and_report(lambda: created.append(operations.create_report(current_user, area, form.title.data, process,
                                                                  period)),
                gettext("The report is created. Add themes to it."), form):
            return redirect(url_for(".workspace", area_slug=area.slug, report_slug=created[0].slug))
    return render_template("reports/new.html", area=area, form=form)


@bp.route("/<report_slug>/workspace", methods=["GET", "POST"])
@login_required
def workspace(area_slug: str, report_slug: str) -> Response | str:
    report = _team_report(area_slug, report_slug)
    theme_form, publish_form = ThemeForm(prefix="theme"), PublishForm(prefix="publish")
    action = request.form.get("action")
    if request.method == "POST":
        done = False
        if action == "add-theme" and theme_form.validate_on_submit():
            done = run_and_report(lambda: operations.add_theme(current_user, report, theme_form.title.data,
                                                     theme_form.synthesis.data or ""),
                        gettext("Theme added."), theme_form)
        elif action == "assign":
            theme = db.session.get(Theme, int(request.form.get("theme", "0") or 0)) \
                if (request.form.get("theme") or "").isdigit() else None
            if theme is None or theme.report_id != report.id:
                flash(gettext("Choose the theme to put the contributions in."), "error")
            else:
                ids = {k: [int(v) for v in request.form.getlist(k) if v.isdigit()] for k in ("proposals", "comments")}
                done = run_and_report(lambda: operations.assign(current_user, theme, ids["proposals"], ids["comments"]),
                            gettext("Added to the theme “%(title)s”.", title=theme.title))
        elif action == "publish" and publish_form.validate_on_submit():
            done = run_and_report(lambda: operations.publish(current_user, report, publish_form.changelog.data or ""),
                        gettext("Published. The version is frozen and public."), publish_form)
            if done:
                return redirect(url_for(".report", area_slug=area_slug, report_slug=report.slug))
        elif action not in ("add-theme", "assign", "publish"):
            abort(400)
        if done:
            return redirect(url_for(".workspace", area_slug=area_slug, report_slug=report.slug))
    data = content.compute(report)
    query = (request.args.get("q") or "")[:100]
    proposals, comments = content.unassigned(report, query)
    return render_template("reports/workspace.html", report=report, area=report.area, data=data,
                           coverage=content.coverage(report, data), proposals=proposals[:300],
                           comments=comments[:300], more=(len(proposals) > 300 or len(comments) > 300), query=query,
                           theme_form=theme_form, publish_form=publish_form)


@bp.route("/<report_slug>/themes/<int:theme_id>", methods=["GET", "POST"])
@login_required
def theme(area_slug: str, report_slug: str, theme_id: int) -> Response | str:
    report = _team_report(area_slug, report_slug)
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.report_id != report.id:
        abort(404)
    form = ThemeForm(obj=theme)
    if request.method == "POST":
        back = url_for(".theme", area_slug=area_slug, report_slug=report_slug, theme_id=theme.id)
        action = request.form.get("action")
        if action == "delete":
            run_and_report(lambda: operations.delete_theme(current_user, theme), gettext("Theme deleted."))
            return redirect(url_for(".workspace", area_slug=area_slug, report_slug=report_slug))
        if action in ("quote", "unquote", "remove"):
            item_id = request.form.get("item", "")
            item = db.session.get(ThemeItem, int(item_id)) if item_id.isdigit() else None
            if item is None or item.theme_id != theme.id:
                abort(404)
            if action == "remove":
                run_and_report(lambda: operations.unassign(current_user, item), gettext("Removed from the theme."))
            else:
                run_and_report(lambda: operations.set_quote(current_user, item, action == "quote"), gettext("Saved."))
            return redirect(back)
        if form.validate_on_submit() and run_and_report(
                lambda: operations.edit_theme(current_user, theme, form.title.data, form.synthesis.data or "",
                                              form.position.data), gettext("Theme saved."), form):
            return redirect(back)
    items = db.session.scalars(select(ThemeItem).where(ThemeItem.theme_id == theme.id).order_by(ThemeItem.id)).all()
    return render_template("reports/theme.html", report=report, area=report.area, theme=theme, form=form, items=items)


@bp.route("/<report_slug>/suggestions", methods=["GET", "POST"])
@login_required
def suggestion_page(area_slug: str, report_slug: str) -> Response | str:
    report = _team_report(area_slug, report_slug)
    offered = suggestions.suggest(report)
    if request.method == "POST":
        form = SuggestionForm()
        chosen = next((s for s in offered if s.key == form.key.data), None)
        if not form.validate_on_submit() or chosen is None:
            flash(gettext("This suggestion is no longer offered; the contributions may have changed."), "error")
        elif request.form.get("decision") == "reject":
            run_and_report(lambda: operations.reject_suggestion(current_user, report, chosen),
                           gettext("Suggestion rejected."))
        else:
            run_and_report(lambda: operations.accept_suggestion(
                current_user, report, chosen, form.title.data or "", form.synthesis.data or ""),
                gettext("The suggestion is now a theme."))
        return redirect(url_for(".suggestion_page", area_slug=area_slug, report_slug=report_slug))
    titles = dict(db.session.execute(select(Proposal.id, Proposal.title).where(
        Proposal.id.in_([pid for s in offered for pid in s.proposal_ids[:5]]))).all()) if offered else {}
    return render_template("reports/suggestions.html", report=report, area=report.area, suggestions=offered,
                           titles=titles)


# --- Published versions --------------------------------------------------------------------------


def _version(report: Report, number: str | None) -> ReportVersion:
    if not report.versions:
        abort(404)
    if number is None:
        return report.versions[-1]
    if not number.isdigit():
        abort(404)
    version = next((v for v in report.versions if v.number == int(number)), None)
    if version is None:
        abort(404)
    return version


@bp.route("/<report_slug>")
def report(area_slug: str, report_slug: str) -> str:
    report = _report(area_slug, report_slug)
    preview = request.args.get("preview") == "1" and can_build_reports(current_user, report.area_id)
    if preview:
        version, snapshot = None, operations.snapshot(report)
    else:
        version = _version(report, request.args.get("v"))
        snapshot = version.snapshot
    following = current_user.is_authenticated and db.session.scalar(select(ReportFollow.id).where(
        ReportFollow.report_id == report.id, ReportFollow.user_id == current_user.id)) is not None
    return render_template("reports/report.html", report=report, area=report.area, version=version, data=snapshot,
                           charts=charts_for(snapshot), following=following, preview=preview)


@bp.route("/<report_slug>/diff")
def diff(area_slug: str, report_slug: str) -> str:
    report = _report(area_slug, report_slug)
    old, new = _version(report, request.args.get("from")), _version(report, request.args.get("to"))
    return render_template("reports/diff.html", report=report, area=report.area, old=old, new=new,
                           changes=operations.diff(old, new))


@bp.route("/<report_slug>/v<number>.<any(html, pdf, csv, json):fmt>")
@writes_on_get  # a first PDF download starts its export job
def download(area_slug: str, report_slug: str, number: str, fmt: str) -> Response:
    report = _report(area_slug, report_slug)
    version = _version(report, number)
    name = f"{report.area.slug}-{report.slug}-v{version.number}"
    if fmt == "json":
        body = json.dumps(version.snapshot, ensure_ascii=False, sort_keys=True, indent=2).encode()
        return _file(body, "application/json", f"{name}.json")
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["figure", "value"])
        for key, value in sorted(operations.figures(version.snapshot).items()):
            writer.writerow([safe_cell(key), value])
        return _file(out.getvalue().encode("utf-8"), "text/csv", f"{name}.csv")
    if fmt == "html":
        return _file(render_html(version).encode(), "text/html", f"{name}.html")
    path, job = jobs.report_pdf(version)
    if path is not None:
        return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=f"{name}.pdf")
    owner_id = version.published_by_id or report.created_by_id
    if owner_id is None:  # nobody left to own a job: render it now
        return _file(render_pdf(version), "application/pdf", f"{name}.pdf")
    if job is None or jobs.can_rerun(job):
        job = jobs.start_report_pdf(owner_id, version)
        db.session.commit()
        jobs.dispatch(job.id)
        path, job = jobs.report_pdf(version)
        if path is not None:  # made at once (no Redis: jobs run inline)
            return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=f"{name}.pdf")
    return Response(render_template("reports/preparing.html", report=report, area=report.area, version=version,
                                    job=job), status=202)


def _file(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/<report_slug>/follow", methods=["POST"])
@login_required
def follow(area_slug: str, report_slug: str) -> Response:
    report = _report(area_slug, report_slug)
    if request.form.get("action") == "unfollow":
        operations.unfollow(current_user, report)
        flash(gettext("You no longer follow this report."), "success")
    else:
        operations.follow(current_user, report)
        flash(gettext("You will be told when a new version is published."), "success")
    db.session.commit()
    return redirect(url_for(".report", area_slug=area_slug, report_slug=report.slug))

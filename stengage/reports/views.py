"""Report workspace for an area's team (one route per verb); published versions for everyone."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from stengage.areas.models import Process
from stengage.areas.queries import get_area_or_404
from stengage.core.boundary import perform
from stengage.core.inputs import BadInput, arg_number, parse_number
from stengage.db import writes_on_get
from stengage.extensions import db
from stengage.reports import content, figures, files, operations, suggestions
from stengage.reports.figures import earlier_than
from stengage.reports.forms import (
    AcceptSuggestionForm,
    AssignForm,
    DeleteThemeForm,
    FollowForm,
    PublishForm,
    QuoteForm,
    RejectSuggestionForm,
    RemoveItemForm,
    ReportForm,
    ThemeForm,
    UnfollowForm,
    UnquoteForm,
)
from stengage.reports.metrics import min_residents
from stengage.reports.models import Report, ReportFollow, ReportVersion, Theme, ThemeItem
from stengage.reports.permissions import can_build_reports, can_read_report
from stengage.reports.presentation import version_context

bp = Blueprint("reports", __name__, url_prefix="/areas/<area_slug>/reports")


def _report(area_slug: str, report_slug: str) -> Report:
    """A report the visitor may see (a draft is its team's alone: for anyone else it does not exist)."""
    area = get_area_or_404(area_slug)
    report = db.session.scalar(select(Report).where(Report.area_id == area.id, Report.slug == report_slug))
    if report is None or not can_read_report(current_user, report):
        abort(404)
    return report


def _team_report(area_slug: str, report_slug: str) -> Report:
    area = get_area_or_404(area_slug)
    if not can_build_reports(current_user, area):
        abort(403)
    report = db.session.scalar(select(Report).where(Report.area_id == area.id, Report.slug == report_slug))
    if report is None:
        abort(404)
    return report


def _to_workspace(report: Report) -> Response:
    return redirect(url_for(".workspace", area_slug=report.area.slug, report_slug=report.slug))


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
        created = perform(lambda: operations.create_report(current_user, area, form.title.data, process, period),
                          form=form, success=gettext("The report is created. Add themes to it."))
        if created.value is not None:
            return _to_workspace(created.value)
    return render_template("reports/new.html", area=area, form=form)


# --- The workspace: one route per verb --------------------------------------------------------


def _workspace_page(report: Report, theme_form: ThemeForm | None = None, assign_form: AssignForm | None = None,
                    publish_form: PublishForm | None = None) -> str:
    data = content.compute(report)
    query = (request.args.get("q") or "")[:100]
    proposals, comments = content.unassigned(report, query)
    return render_template("reports/workspace.html", report=report, area=report.area, data=data,
                           figs=figures.figures(data, exact=True, earlier=earlier_than(report)),
                           coverage=content.coverage(report, data), proposals=proposals[:300],
                           comments=comments[:300], more=(len(proposals) > 300 or len(comments) > 300), query=query,
                           proposal_total=len(proposals), comment_total=len(comments),
                           theme_form=theme_form or ThemeForm(prefix="theme", formdata=None),
                           assign_form=assign_form or AssignForm(prefix="assign", formdata=None),
                           publish_form=publish_form or PublishForm(prefix="publish", formdata=None))


@bp.route("/<report_slug>/workspace")
@login_required
def workspace(area_slug: str, report_slug: str) -> str:
    return _workspace_page(_team_report(area_slug, report_slug))


@bp.route("/<report_slug>/themes", methods=["POST"])
@login_required
def add_theme(area_slug: str, report_slug: str) -> Response | str:
    report = _team_report(area_slug, report_slug)
    form = ThemeForm(prefix="theme")
    if form.validate_on_submit() and perform(
            lambda: operations.add_theme(current_user, report, form.title.data, form.synthesis.data or ""),
            form=form, success=gettext("Theme added.")):
        return _to_workspace(report)
    return _workspace_page(report, theme_form=form)


@bp.route("/<report_slug>/assign", methods=["POST"])
@login_required
def assign(area_slug: str, report_slug: str) -> Response | str:
    report = _team_report(area_slug, report_slug)
    form = AssignForm(prefix="assign")
    if form.validate_on_submit():
        theme = db.session.get(Theme, form.theme.data)
        if theme is None or theme.report_id != report.id:
            form.theme.errors = [gettext("Choose the theme to put the contributions in.")]
        elif perform(lambda: operations.assign(current_user, theme, form.proposals.data, form.comments.data),
                     form=form, success=gettext("Added to the theme “%(title)s”.", title=theme.title)):
            return _to_workspace(report)
    return _workspace_page(report, assign_form=form)


@bp.route("/<report_slug>/publish", methods=["POST"])
@login_required
def publish(area_slug: str, report_slug: str) -> Response | str:
    report = _team_report(area_slug, report_slug)
    form = PublishForm(prefix="publish")
    if form.validate_on_submit() and perform(
            lambda: operations.publish(current_user, report, form.changelog.data or ""),
            form=form, success=gettext("Published. The version is frozen and public.")):
        return redirect(url_for(".report", area_slug=area_slug, report_slug=report.slug))
    return _workspace_page(report, publish_form=form)


def _theme(area_slug: str, report_slug: str, theme_id: int) -> Theme:
    report = _team_report(area_slug, report_slug)
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.report_id != report.id:
        abort(404)
    return theme


def _to_theme(theme: Theme) -> Response:
    report = theme.report
    return redirect(url_for(".theme", area_slug=report.area.slug, report_slug=report.slug, theme_id=theme.id))


@bp.route("/<report_slug>/themes/<int:theme_id>", methods=["GET", "POST"])
@login_required
def theme(area_slug: str, report_slug: str, theme_id: int) -> Response | str:
    theme = _theme(area_slug, report_slug, theme_id)
    form = ThemeForm(obj=theme)
    if form.validate_on_submit() and perform(
            lambda: operations.edit_theme(current_user, theme, form.title.data, form.synthesis.data or "",
                                          form.position.data), form=form, success=gettext("Theme saved.")):
        return _to_theme(theme)
    items = db.session.scalars(select(ThemeItem).where(ThemeItem.theme_id == theme.id).order_by(ThemeItem.id)).all()
    return render_template("reports/theme.html", report=theme.report, area=theme.report.area, theme=theme,
                           form=form, items=items)


@bp.route("/<report_slug>/themes/<int:theme_id>/delete", methods=["POST"])
@login_required
def delete_theme(area_slug: str, report_slug: str, theme_id: int) -> Response:
    theme = _theme(area_slug, report_slug, theme_id)
    report = theme.report
    if DeleteThemeForm().validate_on_submit() and perform(
            lambda: operations.delete_theme(current_user, theme), success=gettext("Theme deleted.")):
        return _to_workspace(report)
    return _to_theme(theme)


def _item(area_slug: str, report_slug: str, theme_id: int, item_id: int) -> ThemeItem:
    theme = _theme(area_slug, report_slug, theme_id)
    item = db.session.get(ThemeItem, item_id)
    if item is None or item.theme_id != theme.id:
        abort(404)
    return item


@bp.route("/<report_slug>/themes/<int:theme_id>/items/<int:item_id>/quote", methods=["POST"])
@login_required
def quote(area_slug: str, report_slug: str, theme_id: int, item_id: int) -> Response:
    item = _item(area_slug, report_slug, theme_id, item_id)
    if QuoteForm().validate_on_submit():
        perform(lambda: operations.set_quote(current_user, item, True), success=gettext("Saved."))
    return _to_theme(item.theme)


@bp.route("/<report_slug>/themes/<int:theme_id>/items/<int:item_id>/unquote", methods=["POST"])
@login_required
def unquote(area_slug: str, report_slug: str, theme_id: int, item_id: int) -> Response:
    item = _item(area_slug, report_slug, theme_id, item_id)
    if UnquoteForm().validate_on_submit():
        perform(lambda: operations.set_quote(current_user, item, False), success=gettext("Saved."))
    return _to_theme(item.theme)


@bp.route("/<report_slug>/themes/<int:theme_id>/items/<int:item_id>/remove", methods=["POST"])
@login_required
def remove_item(area_slug: str, report_slug: str, theme_id: int, item_id: int) -> Response:
    item = _item(area_slug, report_slug, theme_id, item_id)
    theme = item.theme
    if RemoveItemForm().validate_on_submit():
        perform(lambda: operations.unassign(current_user, item), success=gettext("Removed from the theme."))
    return _to_theme(theme)


# --- Suggested themes ------------------------------------------------------------------------------


def _to_suggestions(report: Report) -> Response:
    return redirect(url_for(".suggestion_page", area_slug=report.area.slug, report_slug=report.slug))


def _offered(report: Report, key: str | None) -> suggestions.Suggestion | None:
    chosen = next((s for s in suggestions.suggest(report) if s.key == key), None)
    if chosen is None:
        flash(gettext("This suggestion is no longer offered; the contributions may have changed."), "error")
    return chosen


@bp.route("/<report_slug>/suggestions")
@login_required
def suggestion_page(area_slug: str, report_slug: str) -> str:
    report = _team_report(area_slug, report_slug)
    offered = suggestions.suggest(report)
    titles, excerpts = suggestions.shown_texts(offered)
    return render_template("reports/suggestions.html", report=report, area=report.area, suggestions=offered,
                           titles=titles, excerpts=excerpts)


@bp.route("/<report_slug>/suggestions/accept", methods=["POST"])
@login_required
def accept_suggestion(area_slug: str, report_slug: str) -> Response:
    report = _team_report(area_slug, report_slug)
    form = AcceptSuggestionForm()
    if form.validate_on_submit() and (chosen := _offered(report, form.key.data)) is not None:
        perform(lambda: operations.accept_suggestion(current_user, report, chosen, form.title.data or "",
                                                     form.synthesis.data or ""),
                success=gettext("The suggestion is now a theme."))
    return _to_suggestions(report)


@bp.route("/<report_slug>/suggestions/reject", methods=["POST"])
@login_required
def reject_suggestion(area_slug: str, report_slug: str) -> Response:
    report = _team_report(area_slug, report_slug)
    form = RejectSuggestionForm()
    if form.validate_on_submit() and (chosen := _offered(report, form.key.data)) is not None:
        perform(lambda: operations.reject_suggestion(current_user, report, chosen),
                success=gettext("Suggestion rejected."))
    return _to_suggestions(report)


# --- Published versions --------------------------------------------------------------------------


def _version(report: Report, number: int | None) -> ReportVersion:
    """The version asked for (the latest when none is); 404 when there is no such version."""
    version = report.versions[-1] if number is None and report.versions else \
        next((v for v in report.versions if v.number == number), None)
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
        version = _version(report, arg_number("v"))
        snapshot = version.snapshot
    team = can_build_reports(current_user, report.area_id)
    exact = team and request.args.get("exact") == "1"
    following = current_user.is_authenticated and db.session.scalar(select(ReportFollow.id).where(
        ReportFollow.report_id == report.id, ReportFollow.user_id == current_user.id)) is not None
    return render_template("reports/report.html", report=report, area=report.area, version=version,
                           following=following, preview=preview, team=team, exact=exact,
                           **version_context(snapshot, exact=exact,
                                             earlier=earlier_than(report, version.number if version else None)))


@bp.route("/<report_slug>/diff")
def diff(area_slug: str, report_slug: str) -> str:
    report = _report(area_slug, report_slug)
    new = _version(report, arg_number("to"))
    wanted = arg_number("from")
    if wanted is None:  # by default: the version before
        wanted = new.number - 1
    if wanted >= new.number or wanted < 1:
        raise BadInput(gettext("Compare an earlier version (from) with a later one (to)."))
    old = _version(report, wanted)
    return render_template("reports/diff.html", report=report, area=report.area, old=old, new=new,
                           changes=figures.diff(figures.of_version(old), figures.of_version(new)),
                           k=min_residents())


@bp.route("/<report_slug>/v<number>.<any(html, pdf, csv, json):fmt>")
@writes_on_get  # a first PDF download starts its export job
def download(area_slug: str, report_slug: str, number: str, fmt: str) -> Response:
    report = _report(area_slug, report_slug)
    wanted = parse_number(number)
    if wanted is None:  # like any <int:…> part of an address: no such page
        abort(404)
    version = _version(report, wanted)
    made = files.version_file(version, fmt, str(get_locale() or "en"))
    if made.preparing is not None:
        return Response(render_template("reports/preparing.html", report=report, area=report.area,
                                        version=version, job=made.preparing), status=202)
    if made.path is not None:
        return send_file(made.path, mimetype=made.mimetype, as_attachment=True, download_name=made.name)
    return Response(made.body, mimetype=made.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{made.name}"'})


# --- Following a report ----------------------------------------------------------------------------


@bp.route("/<report_slug>/follow", methods=["POST"])
@login_required
def follow(area_slug: str, report_slug: str) -> Response:
    report = _report(area_slug, report_slug)
    if FollowForm().validate_on_submit():
        perform(lambda: operations.follow(current_user, report),
                success=gettext("You will be told when a new version is published."))
    return redirect(url_for(".report", area_slug=area_slug, report_slug=report.slug))


@bp.route("/<report_slug>/unfollow", methods=["POST"])
@login_required
def unfollow(area_slug: str, report_slug: str) -> Response:
    report = _report(area_slug, report_slug)
    if UnfollowForm().validate_on_submit():
        perform(lambda: operations.unfollow(current_user, report),
                success=gettext("You no longer follow this report."))
    return redirect(url_for(".report", area_slug=area_slug, report_slug=report.slug))

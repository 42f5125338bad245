"""Flagging for everyone; the queue, triage, merging and the audit log for each area's team."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from stengage.accounts.models import User
from stengage.areas.models import Area
from stengage.areas.queries import all_areas, get_area_or_404
from stengage.core.audit import AuditEntry
from stengage.core.exports import safe_cell
from stengage.core.forms import as_choices, run_and_report, show_refusal
from stengage.core.i18n import use_area_defaults
from stengage.core.operations import Refused
from stengage.core.security import safe_next
from stengage.extensions import db, limiter
from stengage.moderation import actions, merging, queries, triage
from stengage.moderation import permissions as can
from stengage.moderation.forms import (
    AssignForm,
    AuditFilterForm,
    BlockForm,
    FlagForm,
    MergeForm,
    NoteForm,
    OptionalReasonForm,
    ReasonForm,
    RedactForm,
    StatusForm,
)
from stengage.moderation.models import FlagReason, FlagTarget
from stengage.proposals.forms import STATUS_LABELS
from stengage.proposals.models import Comment, Proposal, ProposalStatus
from stengage.proposals.operations import ProposalDraft
from stengage.proposals.queries import similar_titles

bp = Blueprint("moderation", __name__)


def _target(kind: str, target_id: int) -> tuple[Proposal | Comment | User, Area]:
    """The flagged thing and the area whose moderators handle it; 404 for anything unknown."""
    if kind == FlagTarget.PROPOSAL:
        target = db.session.get(Proposal, target_id)
        area_id = target.area_id if target else None
    elif kind == FlagTarget.COMMENT:
        target = db.session.get(Comment, target_id)
        proposal = db.session.get(Proposal, target.proposal_id) if target else None
        area_id = proposal.area_id if proposal else None
    elif kind == FlagTarget.USER:
        target = db.session.get(User, target_id)
        area_id = None
    else:
        abort(404)
    if target is None:
        abort(404)
    if area_id is None:  # a person is reported from an area's page
        return target, get_area_or_404(request.values.get("area", ""))
    return target, db.session.get(Area, area_id)


# --- Flagging ------------------------------------------------------------------------------------


@bp.route("/flags", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per hour", methods=["POST"], key_func=lambda: f"flag:{current_user.get_id()}")
def flag() -> Response | str:
    form = FlagForm(target_type=request.args.get("type", ""), target_id=request.args.get("id", ""),
                    next=request.args.get("next", ""))
    kind, raw_id = form.target_type.data or "", form.target_id.data or ""
    if not raw_id.isdigit() or kind not in {t.value for t in FlagTarget}:
        abort(404)
    target, area = _target(kind, int(raw_id))
    use_area_defaults(area)  # the report page speaks the language of the page it came from
    back = safe_next(form.next.data, url_for("areas.area", area_slug=area.slug))
    htmx = request.headers.get("HX-Request") == "true"
    if form.validate_on_submit():
        try:
            added = actions.flag(current_user, target, area, FlagReason(form.reason.data), form.text.data or "")
        except Refused as refused:
            db.session.rollback()
            show_refusal(form, refused)
        else:
            db.session.commit()
            message = (gettext("Thank you. The moderators of %(area)s will look at it.", area=area.name) if added
                       else gettext("You reported this already; the moderators have it."))
            if htmx:
                return render_template("moderation/_flag_done.html", message=message)
            flash(message, "success")
            return redirect(back)
    template = "moderation/_flag_form.html" if htmx else "moderation/flag.html"
    return render_template(template, form=form, target=target, kind=kind, area=area, back=back)


# --- The queue -----------------------------------------------------------------------------------


def _moderated_area(area_slug: str) -> Area:
    area = get_area_or_404(area_slug)
    if not can.can_moderate(current_user, area):
        abort(403)
    return area


@bp.route("/moderation")
@login_required
def overview() -> str:
    if not can.is_on_a_team(current_user):
        abort(403)
    areas = [a for a in all_areas() if can.can_moderate(current_user, a)]
    counts = queries.open_flag_counts([a.id for a in areas])
    return render_template("moderation/overview.html", areas=areas, counts=counts,
                           assigned=triage.assigned_to(current_user))


@bp.route("/areas/<area_slug>/moderation")
@login_required
def queue(area_slug: str) -> str:
    area = _moderated_area(area_slug)
    return render_template("moderation/queue.html", area=area, items=queries.queue(area),
                           hide_form=ReasonForm(), block_form=BlockForm(), note_form=OptionalReasonForm())


@bp.route("/areas/<area_slug>/moderation/<kind>/<int:target_id>/<action>", methods=["GET", "POST"])
@login_required
def act(area_slug: str, kind: str, target_id: int, action: str) -> Response | str:
    area = _moderated_area(area_slug)
    target, target_area = _target(kind, target_id)
    if target_area.id != area.id:
        abort(404)
    back = request.values.get("next") or url_for(".queue", area_slug=area.slug)
    back = safe_next(back, url_for(".queue", area_slug=area.slug))
    user = target if isinstance(target, User) else target.author
    if action == "redact" and not isinstance(target, User):
        form = RedactForm(obj=target)
        if form.validate_on_submit() and run_and_report(
                lambda: actions.redact(current_user, target, area, form.body.data, form.reason.data,
                                       form.title.data), gettext("The text is redacted."), form):
            return redirect(back)
        return render_template("moderation/redact.html", area=area, target=target, kind=kind, form=form, back=back)
    if request.method != "POST":
        abort(405)
    forms: dict[str, tuple[object, Callable[[object], object], str]] = {
        "dismiss": (OptionalReasonForm(), lambda f: actions.dismiss(current_user, target, area, f.reason.data or ""),
                    gettext("The reports are dismissed.")),
        "hide": (ReasonForm(), lambda f: actions.hide(current_user, target, area, f.reason.data),
                 gettext("Hidden. The author sees the reason.")),
        "unhide": (OptionalReasonForm(), lambda f: actions.unhide(current_user, target, area, f.reason.data or ""),
                   gettext("Visible again.")),
        "block": (BlockForm(), lambda f: actions.block_in_area(current_user, user, area, f.reason.data,
                                                              f.hide_content.data),
                  gettext("%(name)s is blocked in %(area)s.", name=user.display_name, area=area.name)),
        "unblock": (OptionalReasonForm(), lambda f: actions.unblock_in_area(current_user, user, area,
                                                                           f.reason.data or ""),
                    gettext("%(name)s may take part in %(area)s again.", name=user.display_name, area=area.name)),
        "block-everywhere": (ReasonForm(), lambda f: actions.block_everywhere(current_user, user, f.reason.data),
                             gettext("%(name)s is blocked on the whole platform.", name=user.display_name)),
    }
    if action not in forms or (isinstance(target, User) and action in ("hide", "unhide")):
        abort(404)
    form, run, success = forms[action]
    if not form.validate_on_submit():  # type: ignore[attr-defined]
        flash(gettext("Please give the reason; it is kept in the audit log and shown to the author."), "error")
    else:
        run_and_report(lambda: run(form), success)
    return redirect(back)


# --- Triage --------------------------------------------------------------------------------------


def _triaged_proposal(proposal_id: int) -> Proposal:
    proposal = db.get_or_404(Proposal, proposal_id)
    if not can.can_triage(current_user, proposal.area_id):
        abort(403)
    return proposal


def _triage_forms(proposal: Proposal) -> dict[str, object]:
    statuses = [(s.value, str(STATUS_LABELS[s])) for s in triage.next_statuses(proposal)]
    staff = [(str(u.id), u.display_name) for u in triage.staff_of(proposal.area_id)]
    assign = AssignForm(staff, assignee=str(proposal.assignee_id or ""))
    return {"status_form": StatusForm(statuses), "note_form": NoteForm(), "assign_form": assign}


@bp.route("/proposals/<int:proposal_id>/triage", methods=["GET", "POST"])
@login_required
def triage_page(proposal_id: int) -> Response | str:
    proposal = _triaged_proposal(proposal_id)
    forms = _triage_forms(proposal)
    what = request.form.get("form")
    if request.method == "POST":
        done = False
        if what == "status" and forms["status_form"].validate_on_submit():
            form = forms["status_form"]
            done = run_and_report(lambda: triage.change_status(current_user, proposal, ProposalStatus(form.status.data),
                                                     form.answer.data),
                        gettext("The status is changed; the author and supporters are notified."), form)
        elif what == "note" and forms["note_form"].validate_on_submit():
            form = forms["note_form"]
            done = run_and_report(lambda: triage.add_note(current_user, proposal, form.body.data),
                                  gettext("Note added."), form)
        elif what == "assign" and forms["assign_form"].validate_on_submit():
            form = forms["assign_form"]
            assignee = db.session.get(User, int(form.assignee.data)) if form.assignee.data else None
            done = run_and_report(lambda: triage.assign(current_user, proposal, assignee),
                                  gettext("Assignment saved."), form)
        elif what not in ("status", "note", "assign"):
            abort(400)
        if done:
            return redirect(url_for(".triage_page", proposal_id=proposal.id))
    return render_template("moderation/triage.html", proposal=proposal, area=proposal.process.area,
                           process=proposal.process, notes=triage.notes_for(proposal), **forms)


@bp.route("/moderation/assigned")
@login_required
def assigned() -> str:
    return render_template("moderation/assigned.html", proposals=triage.assigned_to(current_user))


# --- Merging -------------------------------------------------------------------------------------


@bp.route("/proposals/<int:proposal_id>/merge", methods=["GET", "POST"])
@login_required
def merge(proposal_id: int) -> Response | str:
    """Choose duplicates of this proposal and where they all go."""
    proposal = db.get_or_404(Proposal, proposal_id)
    if not can.can_moderate(current_user, proposal.area_id):
        abort(403)
    query = (request.values.get("q") or proposal.title)[:150]
    candidates = [p for p in similar_titles(proposal.process, query, exclude_id=proposal.id, limit=20)
                  if p.status in merging.MERGEABLE]
    chosen_ids = {int(i) for i in request.form.getlist("duplicates") if i.isdigit()}
    form = MergeForm()
    form.into.choices = as_choices([("this", proposal.title), ("new", str(gettext("A new proposal")))] + [
        (str(p.id), p.title) for p in candidates if p.id in chosen_ids])
    if request.method == "POST" and form.validate_on_submit():
        duplicates = [db.session.get(Proposal, i) for i in sorted(chosen_ids)]
        duplicates = [d for d in duplicates if d is not None]
        everything = [proposal, *duplicates]
        if form.into.data == "new":
            sources, target = everything, None
            draft = ProposalDraft(title=form.title.data or "", body=form.body.data or "", category=proposal.category)
        else:
            target_id = proposal.id if form.into.data == "this" else int(form.into.data)
            target = next((p for p in everything if p.id == target_id), proposal)
            sources, draft = [p for p in everything if p.id != target.id], None
        result: list[Proposal] = []

        def run() -> None:
            result.append(merging.merge(current_user, sources, target, draft))

        if run_and_report(run, gettext("Merged. Supporters of the duplicates now support this proposal."), form):
            return redirect(url_for("proposals.proposal", proposal_id=result[0].id))
    return render_template("moderation/merge.html", proposal=proposal, area=proposal.process.area,
                           process=proposal.process, candidates=candidates, chosen=chosen_ids, form=form, query=query)


@bp.route("/audit/<int:entry_id>/undo-merge", methods=["POST"])
@login_required
def undo_merge(entry_id: int) -> Response:
    entry = db.session.get(AuditEntry, entry_id)
    if entry is None or entry.verb != merging.MERGE_VERB:
        abort(404)
    if not can.can_moderate(current_user, entry.area_id):
        abort(403)
    run_and_report(lambda: merging.undo_merge(current_user, entry), gettext("The merge is undone."))
    return redirect(url_for(".audit_log", verb="proposal."))


# --- The audit log -------------------------------------------------------------------------------


def _audit_filter() -> tuple[AuditFilterForm, queries.AuditFilter]:
    readable = can.audit_areas(current_user)
    if readable == []:
        abort(403)
    areas = [a for a in all_areas() if readable is None or a.id in readable]
    form = AuditFilterForm(request.args)
    form.area.choices = as_choices([("", str(gettext("All my areas")))] + [(a.slug, a.name) for a in areas])
    chosen = next((a for a in areas if a.slug == form.area.data), None)
    form.validate()
    return form, queries.AuditFilter(
        area_ids=readable, area_id=chosen.id if chosen else None, verb=form.verb.data or "",
        actor=form.actor.data or "", since=None if form.since.errors else form.since.data,
        until=None if form.until.errors else form.until.data)


@bp.route("/audit")
@login_required
def audit_log() -> str:
    form, filters = _audit_filter()
    page = db.paginate(queries.audit_entries(filters), per_page=50, error_out=False)
    undone = merging.undone_merges([e for e in page.items if e.verb == merging.MERGE_VERB])
    return render_template("moderation/audit.html", form=form, page=page, undone=undone,
                           args={k: v for k, v in request.args.items() if k != "page"})


@bp.route("/audit.csv")
@login_required
def audit_csv() -> Response:
    _form, filters = _audit_filter()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["time_utc", "actor", "action", "target_type", "target_id", "target", "area", "before",
                     "after", "reason"])
    for entry in db.session.scalars(queries.audit_entries(filters).limit(100_000)):
        writer.writerow([safe_cell(v) for v in (
            entry.created_at.isoformat(), entry.actor.display_name if entry.actor else "system", entry.verb,
            entry.target_type, entry.target_id, entry.target_label or "", entry.area.slug if entry.area else "",
            _json(entry.before), _json(entry.after), entry.reason or "")])
    return Response(out.getvalue().encode("utf-8-sig"), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="stengage-audit.csv"',
                             "Cache-Control": "no-store"})


def _json(value: object) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

"""Flagging for everyone; the queue, triage, merging and the audit log for each area's team.

Every view loads what it acts on (404), checks permission (403), validates its form and runs one
operation through ``perform``; the request boundary commits.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from stengage.accounts.models import User
from stengage.areas.models import Area
from stengage.areas.queries import all_areas, get_area_or_404
from stengage.core.audit import AuditEntry
from stengage.core.boundary import perform
from stengage.core.forms import as_choices
from stengage.core.i18n import use_area_defaults
from stengage.core.inputs import LARGEST_ID, BadInput, has_control_characters, page_number, parse_number
from stengage.core.security import safe_next
from stengage.extensions import db, limiter
from stengage.moderation import forms, merging, operations, queries
from stengage.moderation import permissions as can
from stengage.moderation.models import FlagReason, FlagTarget, next_statuses
from stengage.proposals.forms import STATUS_LABELS
from stengage.proposals.models import Comment, Proposal, ProposalStatus
from stengage.proposals.operations import ProposalDraft
from stengage.proposals.queries import similar_titles

bp = Blueprint("moderation", __name__)

Content = Proposal | Comment
CONTENT_KINDS = frozenset({FlagTarget.PROPOSAL.value, FlagTarget.COMMENT.value})


def _target(kind: str, target_id: int) -> tuple[Content | User, int | None]:
    """The flagged thing and the id of the area whose moderators handle it (None for a person, who
    is reported from an area's page); 404 for anything unknown."""
    target: Content | User | None
    area_id = None
    if kind == FlagTarget.PROPOSAL:
        target = db.session.get(Proposal, target_id)
        area_id = target.area_id if target else None
    elif kind == FlagTarget.COMMENT:
        target = db.session.get(Comment, target_id)
        proposal = db.session.get(Proposal, target.proposal_id) if target else None
        area_id = proposal.area_id if proposal else None
    elif kind == FlagTarget.USER:
        target = db.session.get(User, target_id)
    else:
        abort(404)
    if target is None or (area_id is None and not isinstance(target, User)):
        abort(404)
    return target, area_id


# --- Flagging ------------------------------------------------------------------------------------


@bp.route("/flags", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_FLAG"], methods=["POST"],
               key_func=lambda: f"flag:{current_user.get_id()}")
def flag() -> Response | str:
    # A report link names its target in the query string; the form sends it back in hidden fields.
    form = forms.FlagForm(target_type=request.args.get("type", ""), target_id=request.args.get("id", ""),
                          area=request.args.get("area", ""), next=request.args.get("next", ""))
    # These are read before the form is validated, and only a changed page sends them wrong.
    if any(has_control_characters(f.data or "") for f in (form.target_type, form.target_id, form.area, form.next)):
        raise BadInput(gettext("The form sent something that is not a valid choice."))
    kind, raw_id = form.target_type.data or "", form.target_id.data or ""
    if kind not in {t.value for t in FlagTarget} or not raw_id:
        abort(404)
    target_id = parse_number(raw_id)
    if target_id is None:
        raise BadInput(gettext("“%(name)s” must be a whole number from %(low)d to %(high)d.",
                               name="id", low=1, high=LARGEST_ID))
    target, area_id = _target(kind, target_id)
    area = db.session.get(Area, area_id) if area_id is not None else get_area_or_404(form.area.data or "")
    use_area_defaults(area)  # the report page speaks the language of the page it came from
    back = safe_next(form.next.data, url_for("areas.area", area_slug=area.slug))
    htmx = request.headers.get("HX-Request") == "true"
    if form.validate_on_submit():
        done = perform(lambda: operations.flag(current_user, target, area, FlagReason(form.reason.data),
                                               form.text.data or ""), form=form)
        if done:
            message = (gettext("Thank you. The moderators of %(area)s will look at it.", area=area.name)
                       if done.value else gettext("You reported this already; the moderators have it."))
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
                           assigned=queries.assigned_to(current_user))


@bp.route("/areas/<area_slug>/moderation")
@login_required
def queue(area_slug: str) -> str:
    area = _moderated_area(area_slug)
    return render_template("moderation/queue.html", area=area, items=queries.queue(area))


# The queue's verbs, one route each, all under one address pattern:
# /areas/<area>/moderation/<proposal|comment|user>/<id>/<verb>
TARGET = "/areas/<area_slug>/moderation/<kind>/<int:target_id>"


def _moderated_target(area_slug: str, kind: str, target_id: int, *,
                      content_only: bool = False) -> tuple[Area, Content | User]:
    """The area (403 unless the user moderates it) and the reported thing in it (404 elsewhere)."""
    area = _moderated_area(area_slug)
    if content_only and kind not in CONTENT_KINDS:
        abort(404)
    target, area_id = _target(kind, target_id)
    if area_id is not None and area_id != area.id:
        abort(404)
    return area, target


def _author(target: Content | User) -> User:
    return target if isinstance(target, User) else target.author


def _back_to_queue(form: forms.QueueActionForm, area: Area) -> Response:
    """Where the action was taken from (the queue, or the discussion), once it is done or refused."""
    if form.errors:
        for field, errors in form.errors.items():
            label = getattr(form, field).label.text if field != "csrf_token" else ""
            for error in errors:
                flash(f"{label}: {error}" if label else error, "error")
    queue_url = url_for(".queue", area_slug=area.slug)
    return redirect(safe_next(form.next.data, queue_url))


@bp.post(f"{TARGET}/dismiss")
@login_required
def dismiss(area_slug: str, kind: str, target_id: int) -> Response:
    area, target = _moderated_target(area_slug, kind, target_id)
    form = forms.DismissForm()
    if form.validate_on_submit():
        perform(lambda: operations.dismiss(current_user, target, area, form.reason.data or ""),
                success=gettext("The reports are dismissed."))
    return _back_to_queue(form, area)


@bp.post(f"{TARGET}/hide")
@login_required
def hide(area_slug: str, kind: str, target_id: int) -> Response:
    area, target = _moderated_target(area_slug, kind, target_id, content_only=True)
    form = forms.HideForm()
    if form.validate_on_submit():
        perform(lambda: operations.hide(current_user, target, area, form.reason.data),
                success=gettext("Hidden. The author sees the reason."))
    return _back_to_queue(form, area)


@bp.post(f"{TARGET}/unhide")
@login_required
def unhide(area_slug: str, kind: str, target_id: int) -> Response:
    area, target = _moderated_target(area_slug, kind, target_id, content_only=True)
    form = forms.UnhideForm()
    if form.validate_on_submit():
        perform(lambda: operations.unhide(current_user, target, area, form.reason.data or ""),
                success=gettext("Visible again."))
    return _back_to_queue(form, area)


@bp.route(f"{TARGET}/redact", methods=["GET", "POST"])
@login_required
def redact(area_slug: str, kind: str, target_id: int) -> Response | str:
    area, target = _moderated_target(area_slug, kind, target_id, content_only=True)
    form = forms.RedactForm(obj=target, next=request.args.get("next", ""))
    back = form.next.data = safe_next(form.next.data, url_for(".queue", area_slug=area.slug))
    if form.validate_on_submit() and perform(
            lambda: operations.redact(current_user, target, area, form.body.data, form.reason.data, form.title.data),
            form=form, success=gettext("The text is redacted.")):
        return redirect(back)
    return render_template("moderation/redact.html", area=area, target=target, kind=kind, form=form, back=back)


@bp.post(f"{TARGET}/block")
@login_required
def block(area_slug: str, kind: str, target_id: int) -> Response:
    area, target = _moderated_target(area_slug, kind, target_id)
    person, form = _author(target), forms.BlockForm()
    if form.validate_on_submit():
        perform(lambda: operations.block_in_area(current_user, person, area, form.reason.data, form.hide_content.data),
                success=gettext("%(name)s is blocked in %(area)s.", name=person.display_name, area=area.name))
    return _back_to_queue(form, area)


@bp.post(f"{TARGET}/unblock")
@login_required
def unblock(area_slug: str, kind: str, target_id: int) -> Response:
    area, target = _moderated_target(area_slug, kind, target_id)
    person, form = _author(target), forms.UnblockForm()
    if form.validate_on_submit():
        perform(lambda: operations.unblock_in_area(current_user, person, area, form.reason.data or ""),
                success=gettext("%(name)s may take part in %(area)s again.", name=person.display_name,
                                area=area.name))
    return _back_to_queue(form, area)


@bp.post(f"{TARGET}/block-everywhere")
@login_required
def block_everywhere(area_slug: str, kind: str, target_id: int) -> Response:
    area, target = _moderated_target(area_slug, kind, target_id)
    if not can.can_block_everywhere(current_user):
        abort(403)
    person, form = _author(target), forms.BlockEverywhereForm()
    if form.validate_on_submit():
        perform(lambda: operations.block_everywhere(current_user, person, form.reason.data),
                success=gettext("%(name)s is blocked on the whole platform.", name=person.display_name))
    return _back_to_queue(form, area)


# --- Triage: one page, one route per form on it --------------------------------------------------


def _triaged_proposal(proposal_id: int) -> Proposal:
    proposal = db.get_or_404(Proposal, proposal_id)
    if not can.can_triage(current_user, proposal.area_id):
        abort(403)
    return proposal


def _status_form(proposal: Proposal) -> forms.StatusForm:
    return forms.StatusForm([(s.value, str(STATUS_LABELS[s])) for s in next_statuses(proposal)])


def _assign_form(proposal: Proposal, staff: list[User]) -> forms.AssignForm:
    return forms.AssignForm([(str(u.id), u.display_name) for u in staff], assignee=str(proposal.assignee_id or ""))


def _triage_page(proposal: Proposal, **posted: FlaskForm) -> str:
    """The triage page; the form that was posted (and refused) keeps what was typed and its errors."""
    shown = {"status_form": _status_form(proposal), "note_form": forms.NoteForm(),
             "assign_form": _assign_form(proposal, queries.staff_of(proposal.area_id))} | posted
    return render_template("moderation/triage.html", proposal=proposal, area=proposal.process.area,
                           process=proposal.process, notes=queries.notes_for(proposal), **shown)


def _triage_done(proposal: Proposal) -> Response:
    return redirect(url_for(".triage_page", proposal_id=proposal.id))


@bp.route("/proposals/<int:proposal_id>/triage")
@login_required
def triage_page(proposal_id: int) -> str:
    return _triage_page(_triaged_proposal(proposal_id))


@bp.post("/proposals/<int:proposal_id>/triage/status")
@login_required
def change_status(proposal_id: int) -> Response | str:
    proposal = _triaged_proposal(proposal_id)
    form = _status_form(proposal)
    if form.validate_on_submit() and perform(
            lambda: operations.change_status(current_user, proposal, ProposalStatus(form.status.data),
                                             form.answer.data),
            form=form, success=gettext("The status is changed; the author and supporters are notified.")):
        return _triage_done(proposal)
    return _triage_page(proposal, status_form=form)


@bp.post("/proposals/<int:proposal_id>/triage/note")
@login_required
def add_note(proposal_id: int) -> Response | str:
    proposal = _triaged_proposal(proposal_id)
    form = forms.NoteForm()
    if form.validate_on_submit() and perform(lambda: operations.add_note(current_user, proposal, form.body.data),
                                             form=form, success=gettext("Note added.")):
        return _triage_done(proposal)
    return _triage_page(proposal, note_form=form)


@bp.post("/proposals/<int:proposal_id>/triage/assign")
@login_required
def assign(proposal_id: int) -> Response | str:
    proposal = _triaged_proposal(proposal_id)
    staff = queries.staff_of(proposal.area_id)
    form = _assign_form(proposal, staff)
    if form.validate_on_submit():
        assignee = next((u for u in staff if str(u.id) == form.assignee.data), None)
        if perform(lambda: operations.assign(current_user, proposal, assignee), form=form,
                   success=gettext("Assignment saved.")):
            return _triage_done(proposal)
    return _triage_page(proposal, assign_form=form)


@bp.route("/moderation/assigned")
@login_required
def assigned() -> str:
    # Proposals are assigned to staff for evaluation: the page is the areas' teams'.
    if not can.is_on_a_team(current_user):
        abort(403)
    return render_template("moderation/assigned.html", proposals=queries.assigned_to(current_user))


# --- Merging -------------------------------------------------------------------------------------


@bp.route("/proposals/<int:proposal_id>/merge", methods=["GET", "POST"])
@login_required
def merge(proposal_id: int) -> Response | str:
    """Choose duplicates of this proposal and where they all go."""
    proposal = db.get_or_404(Proposal, proposal_id)
    if not can.can_moderate(current_user, proposal.area_id):
        abort(403)
    form = forms.MergeForm(q=request.args.get("q", ""))
    query = (form.q.data or proposal.title)[:150]
    form.q.data = query
    candidates = [p for p in similar_titles(proposal.process, query, exclude_id=proposal.id, limit=20)
                  if p.status in merging.MERGEABLE]
    form.duplicates.choices = as_choices((str(p.id), p.title) for p in candidates)
    chosen = [p for p in candidates if str(p.id) in set(form.duplicates.data or ())]
    form.into.choices = as_choices([("this", proposal.title), ("new", str(gettext("A new proposal")))] + [
        (str(p.id), p.title) for p in chosen])
    if form.validate_on_submit():
        everything = [proposal, *chosen]
        if form.into.data == "new":
            sources, target = everything, None
            draft = ProposalDraft(title=form.title.data or "", body=form.body.data or "", category=proposal.category)
        else:
            target = next((p for p in chosen if str(p.id) == form.into.data), proposal)
            sources, draft = [p for p in everything if p.id != target.id], None
        done = perform(lambda: merging.merge(current_user, sources, target, draft), form=form,
                       success=gettext("Merged. Supporters of the duplicates now support this proposal."))
        if done:
            return redirect(url_for("proposals.proposal", proposal_id=done.value.id))
    return render_template("moderation/merge.html", proposal=proposal, area=proposal.process.area,
                           process=proposal.process, candidates=candidates, chosen={p.id for p in chosen},
                           form=form, query=query)


@bp.post("/audit/<int:entry_id>/undo-merge")
@login_required
def undo_merge(entry_id: int) -> Response:
    entry = db.session.get(AuditEntry, entry_id)
    if entry is None or entry.verb != merging.MERGE_VERB:
        abort(404)
    if not can.can_moderate(current_user, entry.area_id):
        abort(403)
    if forms.UndoMergeForm().validate_on_submit():
        perform(lambda: merging.undo_merge(current_user, entry), success=gettext("The merge is undone."))
    return redirect(url_for(".audit_log", verb="proposal."))


# --- The audit log -------------------------------------------------------------------------------


def _audit_filter() -> tuple[forms.AuditFilterForm, queries.AuditFilter]:
    readable = can.audit_areas(current_user)
    if readable == []:
        abort(403)
    areas = [a for a in all_areas() if readable is None or a.id in readable]
    form = forms.AuditFilterForm(request.args)
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
    page = db.paginate(queries.audit_entries(filters), page=page_number(), per_page=50, error_out=False)
    undone = merging.undone_merges([e for e in page.items if e.verb == merging.MERGE_VERB])
    return render_template("moderation/audit.html", form=form, page=page, undone=undone,
                           args={k: v for k, v in request.args.items() if k != "page"})


@bp.route("/audit.csv")
@login_required
def audit_csv() -> Response:
    _form, filters = _audit_filter()
    return Response(queries.audit_csv(filters).encode("utf-8-sig"), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="stengage-audit.csv"',
                             "Cache-Control": "no-store"})

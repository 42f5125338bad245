"""Proposal pages and the resident's actions: propose, edit, withdraw, support, comment, vote, follow.

Every action works as a plain form POST; with htmx the same endpoints answer with the fragment
that changed, so the page updates in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from stengage.accounts.models import User
from stengage.accounts.permissions import is_area_team
from stengage.areas.models import Process
from stengage.areas.queries import get_area_or_404, get_process_or_404
from stengage.core.forms import run_and_report, run_operation, show_refusal
from stengage.core.i18n import LANGUAGE_NAMES, use_area_defaults
from stengage.core.inputs import LARGEST_ID, arg_number, page_number
from stengage.core.operations import Refused
from stengage.core.page_cache import cached_page, expire_at
from stengage.core.storage import StorageError, get_storage
from stengage.db import autocommit_until_needed, utc_now
from stengage.extensions import db, limiter
from stengage.proposals import operations as ops
from stengage.proposals import permissions as can
from stengage.proposals import queries, supports
from stengage.proposals.comments import CommentView, Thread, thread_for
from stengage.proposals.forms import CommentForm, ProposalForm
from stengage.proposals.images import discard, keep_pending, read_pending, store_uploads
from stengage.proposals.models import Category, Comment, Origin, Proposal, ProposalImage

bp = Blueprint("proposals", __name__)
T = TypeVar("T")


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def user_key() -> str:
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else request.remote_addr or "?"


def get_proposal_or_404(proposal_id: int, *, for_action: bool = False) -> Proposal:
    """The proposal, or 404 (hidden ones too, except for their author and the area's team).

    ``for_action``: the caller only acts on it, so its author and photos are not loaded.
    """
    proposal = ops.proposal_for_action(proposal_id) if for_action else queries.proposal_with_process(proposal_id)
    if proposal is None:
        abort(404)
    use_area_defaults(proposal.process.area)
    if proposal.hidden_at is not None and not (
            current_user.is_authenticated and (current_user.id == proposal.author_id
                                               or is_area_team(current_user, proposal.area_id))):
        abort(404)
    return proposal


def author_language() -> str:
    """A contribution's language defaults to its author's: their preference, else the page's."""
    return (current_user.locale if current_user.is_authenticated and current_user.locale else None) or str(
        get_locale() or "en")


def _draft(form: ProposalForm) -> ops.ProposalDraft:
    return ops.ProposalDraft(
        title=form.title.data, body=form.body.data, category=Category(form.category.data),
        latitude=form.latitude.data, longitude=form.longitude.data, address=form.address.data,
        language=form.language.data if form.language.data in LANGUAGE_NAMES else author_language())


def _uploads(form: ProposalForm) -> list[FileStorage]:
    return [f for f in (form.images.data or []) if f and getattr(f, "filename", "")]


def _ip_key() -> str:
    return f"ip:{request.remote_addr}"


def posting_limits(view: Callable[..., T]) -> Callable[..., T]:
    """Per-person and per-address limits on posting proposals and comments (configurable)."""
    view = limiter.limit(lambda: current_app.config["RATELIMIT_POSTING_USER"], key_func=user_key,
                         methods=["POST"])(view)
    return limiter.limit(lambda: current_app.config["RATELIMIT_POSTING_IP"], key_func=_ip_key,
                         methods=["POST"])(view)


@bp.route("/areas/<area_slug>/processes/<process_slug>/propose", methods=["GET", "POST"])
@login_required
@posting_limits
def propose(area_slug: str, process_slug: str) -> Response | str:
    process = get_process_or_404(area_slug, process_slug)
    as_city = request.values.get("origin") == "city" and can.can_put_forward_measure(current_user, process)
    if not as_city and not can.can_propose(current_user, process):
        flash(gettext("You can propose once you are a verified resident of %(area)s and while the "
                      "proposal phase is open.", area=process.area.name), "error")
        return redirect(url_for("processes.process", area_slug=area_slug, process_slug=process_slug))
    form = ProposalForm()
    if request.method == "GET":
        form.language.data = author_language()
    similar: list[Proposal] = []
    if form.validate_on_submit() and _place_allowed(process, form):
        similar = queries.similar_titles(process, form.title.data)
        if similar and form.check_similar.data == "1":
            # Show possible duplicates once before publishing; the second send publishes.
            form.check_similar.data = "0"
            _keep_photos(form)
        else:
            stored = []
            try:
                stored = [*read_pending(form.pending_images.data),
                          *store_uploads(_uploads(form), form.image_alt.data or "")]
                proposal = ops.create_proposal(current_user, process, _draft(form),
                                               origin=Origin.CITY if as_city else Origin.RESIDENT, images=stored)
            except Refused as refused:
                db.session.rollback()
                discard(stored)
                show_refusal(form, refused)
            else:
                db.session.commit()
                flash(gettext("Your proposal is published."), "success")
                return redirect(url_for(".proposal", proposal_id=proposal.id))
    elif form.is_submitted() and not (form.spam_errors or form.csrf_token.errors or form.images.errors):
        _keep_photos(form)  # the form comes back to be corrected: its photos stay chosen
    return render_template("proposals/form.html", process=process, area=process.area, form=form,
                           similar=similar, proposal=None, as_city=as_city)


def _keep_photos(form: ProposalForm) -> None:
    """Photos sent with a form that comes back (to correct it, or to look at similar proposals) are
    stored and carried in the form, so the resident does not have to choose them again."""
    try:
        uploads = store_uploads(_uploads(form), form.image_alt.data or "")
        form.pending_images.data = keep_pending([*read_pending(form.pending_images.data), *uploads])
    except Refused as refused:
        show_refusal(form, refused)


def _place_allowed(process: Process, form: ProposalForm) -> bool:
    """A place outside the area is said at once, before possible duplicates are shown."""
    try:
        ops.check_location(process, _draft(form))
    except Refused as refused:
        show_refusal(form, refused)
        return False
    return True


@bp.route("/areas/<area_slug>/activity")
def activity(area_slug: str) -> str:
    area = get_area_or_404(area_slug)
    return render_template("processes/activity.html", area=area, feed=queries.area_feed(area, limit=50))


@bp.route("/proposals/<int:proposal_id>")
@cached_page
def proposal(proposal_id: int) -> str:
    proposal = get_proposal_or_404(proposal_id)
    expire_at(proposal.process.next_change_after(utc_now()))
    viewer = current_user if current_user.is_authenticated else None
    # Replying shows the page of the comment replied to; a page number beyond the last shows the last.
    replying = arg_number("reply", high=LARGEST_ID)
    thread = thread_for(proposal, viewer, page=page_number("comments"), showing=replying)
    reply_to = thread.find(replying) if replying is not None else None
    comment_form = CommentForm(formdata=None) if can.can_comment(viewer, proposal) else None
    return proposal_page(proposal, viewer, thread, comment_form, reply_to)


def proposal_page(proposal: Proposal, viewer: User | None, thread: Thread, comment_form: CommentForm | None,
                  reply_to: CommentView | Comment | None) -> str:
    supported, following = supports.supports_and_follows(viewer, proposal)
    return render_template(
        "proposals/proposal.html", proposal=proposal, process=proposal.process, area=proposal.process.area,
        thread=thread, reply_to=reply_to, comment_form=comment_form, supported=supported, following=following,
        supports_left=supports.supports_left(viewer, proposal.process) if viewer else None)


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int) -> Response | str:
    proposal = get_proposal_or_404(proposal_id)
    if not can.is_proposal_editor(current_user, proposal):
        abort(403)
    if not can.can_edit_proposal(current_user, proposal):
        flash(gettext("This proposal can no longer be edited: it has supports already or the editing "
                      "time is over."), "error")
        return redirect(url_for(".proposal", proposal_id=proposal.id))
    form = ProposalForm(obj=proposal)
    if request.method == "GET":
        form.category.data = proposal.category.value
    if form.validate_on_submit():
        remove = {int(i) for i in request.form.getlist("remove_image") if i.isdigit()}
        stored = []
        try:
            stored = store_uploads(_uploads(form), form.image_alt.data or "")
            ops.edit_proposal(current_user, proposal, _draft(form), stored, remove)
        except Refused as refused:
            db.session.rollback()
            discard(stored)
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(gettext("Your changes are saved."), "success")
            return redirect(url_for(".proposal", proposal_id=proposal.id))
    return render_template("proposals/form.html", process=proposal.process, area=proposal.process.area,
                           form=form, similar=[], proposal=proposal, as_city=proposal.origin == Origin.CITY)


def run_in_place(action: Callable[[], T]) -> tuple[T | None, str | None]:
    """Run one operation and commit it; a refusal rolls back and its message is returned
    (and flashed, unless htmx shows it in place)."""
    result, refused = run_operation(action)
    if refused is None:
        return result, None
    if not is_htmx():
        flash(refused.message, "error")
    return None, refused.message


@bp.route("/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@login_required
def withdraw(proposal_id: int) -> Response:
    proposal = get_proposal_or_404(proposal_id)
    run_and_report(lambda: ops.withdraw_proposal(current_user, proposal), gettext("Your proposal is withdrawn."))
    return redirect(url_for(".proposal", proposal_id=proposal.id))


def _support_fragment(proposal: Proposal, supported: bool, message: str | None = None) -> str:
    # Supporters follow: the follow box beside says so at once (in the same render, which is cheaper).
    return render_template("proposals/_support.html", proposal=proposal, supported=supported, message=message,
                           supports_left=supports.supports_left(current_user, proposal.process),
                           follow_box_too=supported and message is None)


@bp.route("/proposals/<int:proposal_id>/support", methods=["POST"])
@autocommit_until_needed  # support and withdraw are one statement each, except with a limit
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_SUPPORT"], key_func=user_key)
def support(proposal_id: int) -> Response | str:
    proposal = get_proposal_or_404(proposal_id, for_action=True)
    change = supports.withdraw_support if request.form.get("action") == "withdraw" else supports.support
    done, message = run_in_place(lambda: change(current_user, proposal))
    if not is_htmx():
        if done is False:  # a second click, another tab: nothing changed, and the page says why
            flash(gettext("You support this proposal already.") if change is supports.support
                  else gettext("You do not support this proposal."), "info")
        return redirect(_back(proposal))
    if message is None:  # done, or there was nothing to do: either way the wish holds now
        return _support_fragment(proposal, change is supports.support)
    db.session.refresh(proposal)
    return _support_fragment(proposal, proposal.id in supports.supported_ids(current_user, [proposal.id]), message)


def _back(proposal: Proposal) -> str:
    """Return to the list the action came from when it was a list of this site, else the proposal."""
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for(".proposal", proposal_id=proposal.id)


@bp.route("/proposals/<int:proposal_id>/follow", methods=["POST"])
@login_required
def follow(proposal_id: int) -> Response | str:
    proposal = get_proposal_or_404(proposal_id)
    if request.form.get("action") == "unfollow":
        ops.unfollow(current_user, proposal)
    elif can.can_follow(current_user, proposal):
        ops.follow(current_user, proposal)
    db.session.commit()
    if is_htmx():
        return render_template("proposals/_follow.html", proposal=proposal,
                               following=ops.is_following(current_user, proposal))
    return redirect(url_for(".proposal", proposal_id=proposal.id))


# --- Images --------------------------------------------------------------------------------------


@bp.route("/uploads/<name>")
def upload(name: str) -> Response:
    """Proposal images, only those that belong to a visible proposal; never sniffed as anything else."""
    image = db.session.scalar(select(ProposalImage).where(
        (ProposalImage.file_name == name) | (ProposalImage.thumbnail_name == name)))
    if image is None:
        abort(404)
    get_proposal_or_404(image.proposal_id)
    try:
        data = get_storage().open(name)
    except StorageError:
        abort(404)
    content_type = image.content_type if name == image.file_name else "image/webp"
    response = Response(data, mimetype=content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    # Private and short: an image must vanish soon after moderators hide its proposal.
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


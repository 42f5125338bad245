"""Proposal pages and the resident's actions: propose, edit, withdraw, support, comment, vote, follow.

Every action works as a plain form POST; with htmx the same endpoints answer with the fragment
that changed, so the page updates in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import LazyString, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from stengage.accounts.models import User
from stengage.accounts.permissions import is_area_team
from stengage.areas.models import Process
from stengage.areas.queries import get_area_or_404, get_process_or_404
from stengage.core.boundary import perform
from stengage.core.i18n import LANGUAGE_NAMES, use_area_defaults
from stengage.core.inputs import LARGEST_ID, BadInput, arg_number, page_number
from stengage.core.page_cache import cached_page, expire_at
from stengage.core.security import safe_next
from stengage.core.storage import StorageError, get_storage
from stengage.db import autocommit_until_needed, utc_now
from stengage.extensions import db, limiter
from stengage.proposals import operations as ops
from stengage.proposals import permissions as can
from stengage.proposals import queries, supports
from stengage.proposals.comments import CommentView, Thread, thread_for
from stengage.proposals.forms import (
    CommentForm,
    FollowForm,
    ProposalForm,
    SupportForm,
    UnfollowForm,
    WithdrawSupportForm,
)
from stengage.proposals.images import StoredImage, discard, keep_pending, read_pending, store_uploads
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
    # The city's measures are put forward from their own link (?origin=city), which the form posts back to.
    as_city = request.args.get("origin") == "city" and can.can_put_forward_measure(current_user, process)
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
            stored: list[StoredImage] = []

            def publish() -> Proposal:
                stored.extend(read_pending(form.pending_images.data))
                stored.extend(store_uploads(_uploads(form), form.image_alt.data or ""))
                return ops.create_proposal(current_user, process, _draft(form),
                                           origin=Origin.CITY if as_city else Origin.RESIDENT, images=stored)

            published = perform(publish, form=form, success=gettext("Your proposal is published."),
                                on_refused=lambda: discard(stored))  # a refused proposal keeps no photos
            if published.value is not None:
                return redirect(url_for(".proposal", proposal_id=published.value.id))
    elif form.is_submitted() and not (form.spam_errors or form.csrf_token.errors or form.images.errors):
        _keep_photos(form)  # the form comes back to be corrected: its photos stay chosen
    return render_template("proposals/form.html", process=process, area=process.area, form=form,
                           similar=similar, proposal=None, as_city=as_city)


def _keep_photos(form: ProposalForm) -> None:
    """Photos sent with a form that comes back (to correct it, or to look at similar proposals) are
    stored and carried in the form, so the resident does not have to choose them again."""
    kept = perform(lambda: keep_pending([*read_pending(form.pending_images.data),
                                         *store_uploads(_uploads(form), form.image_alt.data or "")]), form=form)
    if kept:
        form.pending_images.data = kept.value


def _place_allowed(process: Process, form: ProposalForm) -> bool:
    """A place outside the area is said at once, before possible duplicates are shown."""
    return bool(perform(lambda: ops.check_location(process, _draft(form)), form=form))


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
        stored: list[StoredImage] = []

        def save() -> None:
            stored.extend(store_uploads(_uploads(form), form.image_alt.data or ""))
            ops.edit_proposal(current_user, proposal, _draft(form), stored, set(form.remove_image.data))

        if perform(save, form=form, success=gettext("Your changes are saved."), on_refused=lambda: discard(stored)):
            return redirect(url_for(".proposal", proposal_id=proposal.id))
    return render_template("proposals/form.html", process=proposal.process, area=proposal.process.area,
                           form=form, similar=[], proposal=proposal, as_city=proposal.origin == Origin.CITY)


@bp.route("/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@login_required
def withdraw(proposal_id: int) -> Response:
    proposal = get_proposal_or_404(proposal_id)
    perform(lambda: ops.withdraw_proposal(current_user, proposal), success=gettext("Your proposal is withdrawn."))
    return redirect(url_for(".proposal", proposal_id=proposal.id))


# --- Supporting and following: buttons that work as plain forms and, with htmx, in place -------


def _valid(form: FlaskForm) -> None:
    """A button's form carries nothing to correct: what fails its checks is a 400 that says why."""
    if not form.validate_on_submit():
        raise BadInput(" ".join(str(e) for errors in form.errors.values() for e in errors))


def _support_limits(view: Callable[..., T]) -> Callable[..., T]:
    """Supporting and withdrawing share one budget per person (configurable)."""
    return limiter.shared_limit(lambda: current_app.config["RATELIMIT_SUPPORT"], scope="support",
                                key_func=user_key)(view)


@bp.route("/proposals/<int:proposal_id>/support", methods=["POST"])
@autocommit_until_needed  # one atomic statement on PostgreSQL, unless a limit needs a transaction
@login_required
@_support_limits
def support(proposal_id: int) -> Response | str:
    return _change_support(proposal_id, SupportForm, supports.support, supported=True,
                           unchanged=_l("You support this proposal already."))


@bp.route("/proposals/<int:proposal_id>/withdraw-support", methods=["POST"])
@autocommit_until_needed  # one atomic statement on PostgreSQL
@login_required
@_support_limits
def withdraw_support(proposal_id: int) -> Response | str:
    return _change_support(proposal_id, WithdrawSupportForm, supports.withdraw_support, supported=False,
                           unchanged=_l("You do not support this proposal."))


def _change_support(proposal_id: int, form_class: type[SupportForm], change: Callable[[User, Proposal], bool], *,
                    supported: bool, unchanged: LazyString) -> Response | str:
    proposal = get_proposal_or_404(proposal_id, for_action=True)  # first: it sets the page's language
    form = form_class()
    _valid(form)
    outcome = perform(lambda: change(current_user, proposal), quiet=is_htmx())
    if not is_htmx():
        if outcome.value is False:  # a second click, another tab: nothing changed, and the page says why
            flash(str(unchanged), "info")
        return redirect(safe_next(form.next.data, url_for(".proposal", proposal_id=proposal.id)))
    if outcome:  # done, or there was nothing to do: either way the wish holds now
        return _support_fragment(proposal, supported)
    db.session.refresh(proposal)
    return _support_fragment(proposal, proposal.id in supports.supported_ids(current_user, [proposal.id]),
                             outcome.message)


def _support_fragment(proposal: Proposal, supported: bool, message: str | None = None) -> str:
    # Supporters follow: the follow box beside says so at once (in the same render, which is cheaper).
    return render_template("proposals/_support.html", proposal=proposal, supported=supported, message=message,
                           supports_left=supports.supports_left(current_user, proposal.process),
                           follow_box_too=supported and message is None)


@bp.route("/proposals/<int:proposal_id>/follow", methods=["POST"])
@login_required
def follow(proposal_id: int) -> Response | str:
    proposal = get_proposal_or_404(proposal_id)
    _valid(FollowForm())
    perform(lambda: ops.follow_proposal(current_user, proposal), quiet=is_htmx())
    return _after_follow(proposal)


@bp.route("/proposals/<int:proposal_id>/unfollow", methods=["POST"])
@login_required
def unfollow(proposal_id: int) -> Response | str:
    proposal = get_proposal_or_404(proposal_id)
    _valid(UnfollowForm())
    ops.unfollow(current_user, proposal)
    return _after_follow(proposal)


def _after_follow(proposal: Proposal) -> Response | str:
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


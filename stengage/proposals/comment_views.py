"""The discussion of a proposal: posting, replying, editing, deleting and voting, and each comment's
lasting address (the ``comments`` blueprint).

Every action works as a plain form POST; with htmx the same endpoints answer with the part of the
page that changed.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from stengage.core.boundary import perform
from stengage.core.inputs import BadInput, form_numbers
from stengage.extensions import db, limiter
from stengage.proposals import operations as ops
from stengage.proposals import permissions as can
from stengage.proposals.comments import page_of, thread_for
from stengage.proposals.forms import CommentForm, CommentVoteForm
from stengage.proposals.models import Alignment, Comment, Proposal
from stengage.proposals.views import (
    author_language,
    get_proposal_or_404,
    is_htmx,
    posting_limits,
    proposal_page,
    user_key,
)

bp = Blueprint("comments", __name__)


def _comment_or_404(comment_id: int) -> tuple[Comment, Proposal]:
    comment = db.get_or_404(Comment, comment_id)
    return comment, get_proposal_or_404(comment.proposal_id)


@bp.route("/comments/<int:comment_id>")
def link(comment_id: int) -> Response:
    """A comment's lasting address: the proposal's discussion at the page that shows it."""
    comment, proposal = _comment_or_404(comment_id)
    page = page_of(proposal, current_user if current_user.is_authenticated else None, comment)
    return redirect(url_for("proposals.proposal", proposal_id=proposal.id, comments=page if page > 1 else None,
                            _anchor=f"comment-{comment.id}"))


def _parent(form: CommentForm, proposal: Proposal) -> Comment | None:
    """The comment replied to (none for a new conversation); 404 when it is not on this proposal."""
    if not form.parent_id.data:
        return None
    parent = db.session.get(Comment, form_numbers([form.parent_id.data])[0])
    if parent is None or parent.proposal_id != proposal.id:
        abort(404)
    return parent


@bp.route("/proposals/<int:proposal_id>/comments", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_COMMENT"], key_func=user_key)
@posting_limits
def add(proposal_id: int) -> Response | str:
    proposal = get_proposal_or_404(proposal_id)
    form = CommentForm()
    parent = _parent(form, proposal)
    if form.validate_on_submit():
        posted = perform(lambda: ops.add_comment(current_user, proposal, form.body.data,
                                                 Alignment(form.alignment.data), parent,
                                                 language=author_language()), form=form)
        if posted and is_htmx():
            answer = make_response(_comments_fragment(proposal, CommentForm(formdata=None), shown=posted.value))
            # The address bar leaves "?reply=..." for the new comment's own address: a reload shows it.
            answer.headers["HX-Replace-Url"] = url_for(".link", comment_id=posted.value.id)
            return answer
        if posted:
            return redirect(url_for(".link", comment_id=posted.value.id))
    if is_htmx():
        return _comments_fragment(proposal, form, reply_to=parent)
    thread = thread_for(proposal, current_user, showing=parent.id if parent else None)
    return proposal_page(proposal, current_user, thread, form, parent)


def _comments_fragment(proposal: Proposal, form: CommentForm, reply_to: Comment | None = None,
                       shown: Comment | None = None) -> str:
    """The discussion in place of the old, at the page of ``shown`` (the comment just posted) or of
    the comment replied to."""
    target = shown or reply_to
    thread = thread_for(proposal, current_user, showing=target.id if target else None)
    return render_template("proposals/_comments.html", proposal=proposal, thread=thread, comment_form=form,
                           reply_to=reply_to, follow_box_too=shown is not None)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int) -> Response | str:
    comment, proposal = _comment_or_404(comment_id)
    if not can.can_edit_comment(current_user, comment):
        flash(gettext("Comments can be edited for 15 minutes after posting."), "error")
        return redirect(url_for(".link", comment_id=comment.id))
    form = CommentForm(obj=comment)
    if not form.is_submitted():
        form.alignment.data = comment.alignment.value
    if form.validate_on_submit() and perform(lambda: ops.edit_comment(
            current_user, comment, form.body.data, Alignment(form.alignment.data)), form=form):
        return redirect(url_for(".link", comment_id=comment.id))
    return render_template("proposals/comment_edit.html", comment=comment, proposal=proposal, form=form,
                           area=proposal.process.area, process=proposal.process)


@bp.route("/comments/<int:comment_id>/delete", methods=["POST"])
@login_required
def delete(comment_id: int) -> Response:
    comment, proposal = _comment_or_404(comment_id)
    perform(lambda: ops.delete_comment(current_user, comment, proposal), success=gettext("Your comment is deleted."))
    return redirect(url_for("proposals.proposal", proposal_id=proposal.id))


@bp.route("/comments/<int:comment_id>/vote", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_SUPPORT"], key_func=user_key)
def vote(comment_id: int) -> Response | str:
    comment, proposal = _comment_or_404(comment_id)
    form = CommentVoteForm()
    if not form.validate_on_submit():
        raise BadInput(gettext("A vote is up or down."))
    # Refused: flashed on the page the plain form returns to; with htmx, said beside the buttons.
    voted = perform(lambda: ops.vote_on_comment(current_user, comment, proposal, form.vote), quiet=is_htmx())
    if is_htmx():
        may_vote = can.can_vote_on_comment(current_user, proposal) and current_user.id != comment.author_id
        return render_template("proposals/_votes.html", target=comment, mine=voted.value or 0, may_vote=may_vote,
                               message=voted.message)
    return redirect(url_for(".link", comment_id=comment.id))

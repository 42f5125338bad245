"""The discussion of a proposal: posting, replying, editing, deleting and voting, and each comment's
lasting address. Routes of the ``proposals`` blueprint."""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from stengage.core.forms import run_and_report, run_operation, show_refusal
from stengage.extensions import db, limiter
from stengage.proposals import operations as ops
from stengage.proposals import permissions as can
from stengage.proposals.comments import thread_for
from stengage.proposals.forms import CommentForm
from stengage.proposals.models import Alignment, Comment, Proposal
from stengage.proposals.views import (
    author_language,
    bp,
    get_proposal_or_404,
    is_htmx,
    posting_limits,
    proposal_page,
    run_in_place,
    user_key,
)


@bp.route("/comments/<int:comment_id>")
def comment_link(comment_id: int) -> Response:
    """A comment's lasting address: the proposal's discussion at the page that shows it."""
    comment, proposal = _comment_or_404(comment_id)
    viewer = current_user if current_user.is_authenticated else None
    page = thread_for(proposal, viewer).page_of(comment.id)
    return redirect(url_for(".proposal", proposal_id=proposal.id, comments=page if page > 1 else None,
                            _anchor=f"comment-{comment.id}"))


def _comment_or_404(comment_id: int) -> tuple[Comment, Proposal]:
    comment = db.get_or_404(Comment, comment_id)
    return comment, get_proposal_or_404(comment.proposal_id)


@bp.route("/proposals/<int:proposal_id>/comments", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_COMMENT"], key_func=user_key)
@posting_limits
def comment(proposal_id: int) -> Response | str:
    proposal = get_proposal_or_404(proposal_id)
    form = CommentForm()
    parent = None
    if form.parent_id.data:
        if not form.parent_id.data.isdigit():
            abort(404)
        parent = db.session.get(Comment, int(form.parent_id.data))
        if parent is None or parent.proposal_id != proposal.id:
            abort(404)
    if form.validate_on_submit():
        posted, refused = run_operation(lambda: ops.add_comment(
            current_user, proposal, form.body.data, Alignment(form.alignment.data), parent, language=author_language()))
        if refused is not None:
            show_refusal(form, refused)
        elif is_htmx():
            answer = make_response(_comments_fragment(proposal, CommentForm(formdata=None), shown=posted))
            # The address bar leaves "?reply=..." for the new comment's own address: a reload shows it.
            answer.headers["HX-Replace-Url"] = url_for(".comment_link", comment_id=posted.id)
            return answer
        else:
            return redirect(url_for(".comment_link", comment_id=posted.id))
    if is_htmx():
        return _comments_fragment(proposal, form, reply_to=parent)
    thread = thread_for(proposal, current_user)
    return proposal_page(proposal, current_user, thread.show_page_of(parent.id if parent else None), form, parent)


def _comments_fragment(proposal: Proposal, form: CommentForm, reply_to: Comment | None = None,
                       shown: Comment | None = None) -> str:
    """The discussion in place of the old, at the page of ``shown`` (the comment just posted) or of
    the comment replied to."""
    db.session.refresh(proposal)
    thread = thread_for(proposal, current_user)
    target = shown or reply_to
    thread.show_page_of(target.id if target else None)
    return render_template("proposals/_comments.html", proposal=proposal, thread=thread, comment_form=form,
                           reply_to=reply_to, follow_box_too=shown is not None)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id: int) -> Response | str:
    comment, proposal = _comment_or_404(comment_id)
    if not can.can_edit_comment(current_user, comment):
        flash(gettext("Comments can be edited for 15 minutes after posting."), "error")
        return redirect(url_for(".comment_link", comment_id=comment.id))
    form = CommentForm(obj=comment)
    if request.method == "GET":
        form.alignment.data = comment.alignment.value
    if form.validate_on_submit():
        refused = run_operation(
            lambda: ops.edit_comment(current_user, comment, form.body.data, Alignment(form.alignment.data)))[1]
        if refused is None:
            return redirect(url_for(".comment_link", comment_id=comment.id))
        show_refusal(form, refused)
    return render_template("proposals/comment_edit.html", comment=comment, proposal=proposal, form=form,
                           area=proposal.process.area, process=proposal.process)


@bp.route("/comments/<int:comment_id>/delete", methods=["POST"])
@login_required
def delete_comment(comment_id: int) -> Response:
    comment, proposal = _comment_or_404(comment_id)
    run_and_report(lambda: ops.delete_comment(current_user, comment, proposal), gettext("Your comment is deleted."))
    return redirect(url_for(".proposal", proposal_id=proposal.id))


@bp.route("/comments/<int:comment_id>/vote", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_SUPPORT"], key_func=user_key)
def vote(comment_id: int) -> Response | str:
    comment, proposal = _comment_or_404(comment_id)
    value = {"up": 1, "down": -1}.get(request.form.get("value", ""))
    if value is None:
        abort(400)
    current, message = run_in_place(lambda: ops.vote_on_comment(current_user, comment, proposal, value))
    if is_htmx():
        db.session.refresh(comment)
        may_vote = can.can_vote_on_comment(current_user, proposal) and current_user.id != comment.author_id
        return render_template("proposals/_votes.html", target=comment, mine=current or 0, may_vote=may_vote,
                               message=message)
    return redirect(url_for(".comment_link", comment_id=comment.id))

"""The notification centre: what happened on followed proposals, and account notices, with an unread count."""

from __future__ import annotations

from typing import TypeVar

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from stengage.accounts import notices
from stengage.db import writes_on_get
from stengage.proposals import notifications

T = TypeVar("T")

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.route("/")
@login_required
def index() -> str:
    return render_template("notifications/index.html", items=notifications.centre(current_user))


@bp.route("/<int:notification_id>")
@writes_on_get  # marks the notification read
@login_required
def open_one(notification_id: int) -> Response:
    notification = _read_or_404(notifications.mark_read(current_user, notification_id))
    if notification.comment_id:
        return redirect(url_for("comments.link", comment_id=notification.comment_id))
    return redirect(url_for("proposals.proposal", proposal_id=notification.proposal_id))


@bp.route("/account/<int:notice_id>")
@writes_on_get  # marks the notice read
@login_required
def open_notice(notice_id: int) -> Response:
    return redirect(notices.destination(_read_or_404(notices.mark_read(current_user, notice_id))))


def _read_or_404(item: T | None) -> T:
    """Opening an item of the centre marks it read; someone else's, or none, is a 404."""
    if item is None:
        abort(404)
    return item


@bp.route("/read", methods=["POST"])
@login_required
def read_all() -> Response:
    notifications.mark_all_read(current_user)
    return redirect(url_for(".index"))

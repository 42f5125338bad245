"""The staff token page (HTML): make a token for /api/v1/staff/summary, or revoke one."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from stengage.api import operations
from stengage.api.forms import RevokeTokenForm, TokenForm
from stengage.api.models import ApiToken
from stengage.core.boundary import perform
from stengage.extensions import db
from stengage.reports.permissions import can_export_summaries

tokens_bp = Blueprint("api_tokens", __name__, url_prefix="/staff/tokens")


@tokens_bp.before_request
@login_required
def _staff_only() -> None:
    if not can_export_summaries(current_user):
        abort(403)


@tokens_bp.route("/", methods=["GET", "POST"])
def tokens() -> str:
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        made = perform(lambda: operations.create_token(current_user, form.name.data), form=form)
        if made.value is not None:
            created = made.value[1]  # shown once, on this answer only
            form = TokenForm(formdata=None)
    return render_template("api/tokens.html", form=form, tokens=operations.tokens_of(current_user),
                           created=created)


@tokens_bp.route("/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int) -> Response:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if RevokeTokenForm().validate_on_submit():
        perform(lambda: operations.revoke_token(current_user, token), success=gettext("The token no longer works."))
    return redirect(url_for(".tokens"))

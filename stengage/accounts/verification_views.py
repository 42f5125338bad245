"""Residents prove they live in an area; staff issue letter codes; moderators approve."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from stengage.accounts import verification as ops
from stengage.accounts.forms import (
    ApprovalRequestForm,
    LetterBatchForm,
    LetterCodeForm,
    PostcodeForm,
    ReviewForm,
)
from stengage.accounts.models import LetterCode, LetterCodeBatch, Membership
from stengage.accounts.permissions import can_manage_letter_codes, can_review_residency
from stengage.areas.models import Area
from stengage.areas.queries import get_area_or_404
from stengage.core.boundary import perform
from stengage.core.inputs import parse_number
from stengage.extensions import db, limiter

bp = Blueprint("verification", __name__, url_prefix="/areas/<area_slug>")


def _verify_key() -> str:
    return f"verify-user:{current_user.get_id()}"


def _verify_page(area: Area, **forms: FlaskForm) -> str:
    context = {
        "postcode_form": PostcodeForm(prefix="pc"),
        "letter_form": LetterCodeForm(prefix="lc"),
        "approval_form": ApprovalRequestForm(prefix="ap"),
    }
    context.update(forms)
    return render_template("verification/verify.html", area=area,
                           membership=current_user.membership_in(area), **context)


@bp.route("/verify")
@login_required
def verify(area_slug: str) -> str:
    return _verify_page(get_area_or_404(area_slug))


@bp.route("/verify/postcode", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_VERIFY"], key_func=_verify_key)
def verify_postcode(area_slug: str) -> Response | str:
    area = get_area_or_404(area_slug)
    form = PostcodeForm(prefix="pc")
    if form.validate_on_submit() and perform(
            lambda: ops.declare_postcode(current_user, area, form.postcode.data), form=form,
            success=gettext("Welcome, neighbour! You are now a verified resident of %(area)s "
                            "(postcode declaration).", area=area.name)):
        return redirect(url_for("areas.area", area_slug=area.slug))
    return _verify_page(area, postcode_form=form)


@bp.route("/verify/letter", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_VERIFY"], key_func=_verify_key)
def verify_letter(area_slug: str) -> Response | str:
    area = get_area_or_404(area_slug)
    form = LetterCodeForm(prefix="lc")
    if form.validate_on_submit() and perform(
            lambda: ops.redeem_letter_code(current_user, area, form.code.data), form=form,
            success=gettext("Thank you! You are now a verified resident of %(area)s (letter code).",
                            area=area.name)):
        return redirect(url_for("areas.area", area_slug=area.slug))
    return _verify_page(area, letter_form=form)


@bp.route("/verify/request", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_VERIFY"], key_func=_verify_key)
def request_approval(area_slug: str) -> Response | str:
    area = get_area_or_404(area_slug)
    form = ApprovalRequestForm(prefix="ap")
    if form.validate_on_submit() and perform(
            lambda: ops.request_approval(current_user, area, form.message.data or ""), form=form,
            success=gettext("Your request was sent to the moderators of %(area)s.", area=area.name)):
        return redirect(url_for("areas.area", area_slug=area.slug))
    return _verify_page(area, approval_form=form)


# --- Staff: letter codes ---------------------------------------------------------------------


@bp.route("/letter-codes", methods=["GET", "POST"])
@login_required
def letter_codes(area_slug: str) -> Response | str:
    area = get_area_or_404(area_slug)
    if not can_manage_letter_codes(current_user, area):
        abort(403)
    form = LetterBatchForm()
    if form.validate_on_submit():
        batch, codes = ops.generate_letter_codes(current_user, area, form.count.data,
                                                 form.valid_days.data, form.label.data or "")
        filename = f"letter-codes-{area.slug}-batch-{batch.id}.csv"
        return Response(ops.letter_codes_csv(area, batch, codes), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                 "Cache-Control": "no-store"})
    used = func.count(LetterCode.used_at)
    batches = db.session.execute(
        select(LetterCodeBatch, used)
        .outerjoin(LetterCode, LetterCode.batch_id == LetterCodeBatch.id)
        .where(LetterCodeBatch.area_id == area.id)
        .group_by(LetterCodeBatch.id)
        .order_by(LetterCodeBatch.created_at.desc())
    ).all()
    return render_template("verification/letter_codes.html", area=area, form=form,
                           batches=batches)


# --- Moderators: approval requests -----------------------------------------------------------


@bp.route("/residents", methods=["GET"])
@login_required
def residency_requests(area_slug: str) -> str:
    area = get_area_or_404(area_slug)
    if not can_review_residency(current_user, area):
        abort(403)
    return render_template("verification/requests.html", area=area,
                           pending=ops.pending_approvals(area), form=ReviewForm())


def _reviewed_request(area_slug: str) -> tuple[Area, ReviewForm, Membership | None]:
    """The area (404), the moderator's right to review there (403), the form, and the request it
    names (404) when the form is valid, else None."""
    area = get_area_or_404(area_slug)
    if not can_review_residency(current_user, area):
        abort(403)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(gettext("Please write a note about how you checked the residency."), "error")
        return area, form, None
    membership_id = parse_number(form.membership_id.data)
    membership = db.session.get(Membership, membership_id) if membership_id is not None else None
    if membership is None or membership.area_id != area.id:
        abort(404)
    return area, form, membership


@bp.route("/residents/approve", methods=["POST"])
@login_required
def approve_residency(area_slug: str) -> Response:
    area, form, membership = _reviewed_request(area_slug)
    if membership is not None:
        perform(lambda: ops.approve_residency(current_user, membership, form.note.data),
                success=gettext("%(name)s is now a verified resident.", name=membership.user.display_name))
    return redirect(url_for(".residency_requests", area_slug=area.slug))


@bp.route("/residents/decline", methods=["POST"])
@login_required
def decline_residency(area_slug: str) -> Response:
    area, form, membership = _reviewed_request(area_slug)
    if membership is not None:
        perform(lambda: ops.decline_residency(current_user, membership, form.note.data),
                success=gettext("The request of %(name)s was declined.", name=membership.user.display_name))
    return redirect(url_for(".residency_requests", area_slug=area.slug))

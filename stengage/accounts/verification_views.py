"""Residents prove they live in an area; staff issue letter codes; moderators approve."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import format_datetime, gettext
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
from stengage.core.forms import show_refusal
from stengage.core.operations import Refused
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


def _attempt(area: Area, form_name: str, form: FlaskForm,
             action: Callable[[], None]) -> Response | str:
    if form.validate_on_submit():
        try:
            action()
        except Refused as refused:
            db.session.rollback()
            show_refusal(form, refused)
        else:
            db.session.commit()
            return redirect(url_for("areas.area", area_slug=area.slug))
    return _verify_page(area, **{form_name: form})


@bp.route("/verify/postcode", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_VERIFY"], key_func=_verify_key)
def verify_postcode(area_slug: str) -> Response | str:
    area = get_area_or_404(area_slug)
    form = PostcodeForm(prefix="pc")

    def action() -> None:
        ops.declare_postcode(current_user, area, form.postcode.data)
        flash(gettext("Welcome, neighbour! You are now a verified resident of %(area)s "
                      "(postcode declaration).", area=area.name), "success")

    return _attempt(area, "postcode_form", form, action)


@bp.route("/verify/letter", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_VERIFY"], key_func=_verify_key)
def verify_letter(area_slug: str) -> Response | str:
    area = get_area_or_404(area_slug)
    form = LetterCodeForm(prefix="lc")

    def action() -> None:
        ops.redeem_letter_code(current_user, area, form.code.data)
        flash(gettext("Thank you! You are now a verified resident of %(area)s (letter code).",
                      area=area.name), "success")

    return _attempt(area, "letter_form", form, action)


@bp.route("/verify/request", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_VERIFY"], key_func=_verify_key)
def request_approval(area_slug: str) -> Response | str:
    area = get_area_or_404(area_slug)
    form = ApprovalRequestForm(prefix="ap")

    def action() -> None:
        ops.request_approval(current_user, area, form.message.data or "")
        flash(gettext("Your request was sent to the moderators of %(area)s.", area=area.name),
              "success")

    return _attempt(area, "approval_form", form, action)


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
        db.session.commit()
        return _codes_csv(area.slug, batch, codes)
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


def _codes_csv(area_slug: str, batch: LetterCodeBatch, codes: list[str]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([gettext("code"), gettext("area"), gettext("valid until"), gettext("batch")])
    valid_until = format_datetime(batch.expires_at, "yyyy-MM-dd HH:mm zzz")
    for code in codes:
        writer.writerow([code, area_slug, valid_until, batch.id])
    filename = f"letter-codes-{area_slug}-batch-{batch.id}.csv"
    return Response(
        out.getvalue().encode("utf-8-sig"),  # the BOM lets spreadsheet programs read UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"',
                 "Cache-Control": "no-store"},
    )


# --- Moderators: approval requests -----------------------------------------------------------


@bp.route("/residents", methods=["GET"])
@login_required
def residency_requests(area_slug: str) -> str:
    area = get_area_or_404(area_slug)
    if not can_review_residency(current_user, area):
        abort(403)
    return render_template("verification/requests.html", area=area,
                           pending=ops.pending_approvals(area), form=ReviewForm())


@bp.route("/residents/<decision>", methods=["POST"])
@login_required
def review_residency(area_slug: str, decision: str) -> Response | str:
    area = get_area_or_404(area_slug)
    if not can_review_residency(current_user, area):
        abort(403)
    if decision not in ("approve", "decline"):
        abort(404)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(gettext("Please write a note about how you checked the residency."), "error")
        return redirect(url_for(".residency_requests", area_slug=area.slug))
    membership_id = form.membership_id.data
    membership = db.session.get(Membership, int(membership_id)) if membership_id.isdigit() else None
    if membership is None or membership.area_id != area.id:
        abort(404)
    try:
        if decision == "approve":
            ops.approve_residency(current_user, membership, form.note.data)
            message = gettext("%(name)s is now a verified resident.", name=membership.user.display_name)
        else:
            ops.decline_residency(current_user, membership, form.note.data)
            message = gettext("The request of %(name)s was declined.", name=membership.user.display_name)
    except Refused as refused:
        db.session.rollback()
        flash(refused.message, "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for(".residency_requests", area_slug=area.slug))

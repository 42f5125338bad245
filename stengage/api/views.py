"""The open-data API: read-only JSON under /api/v1, paginated, with an OpenAPI 3.1 document."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from stengage.accounts.models import MembershipRole, User
from stengage.api import serializers
from stengage.api.models import ApiToken
from stengage.api.openapi import document
from stengage.areas.models import Process
from stengage.areas.queries import all_areas, get_area_or_404, get_process_or_404
from stengage.core.errors import with_retry_after
from stengage.db import utc_now, writes_on_get
from stengage.extensions import csrf, db, limiter
from stengage.proposals.models import Proposal, ProposalStatus
from stengage.reports import operations as report_ops
from stengage.reports.models import Report, ReportVersion
from stengage.reports.permissions import can_export_summaries
from stengage.reports.summaries import SummaryQuery, rows

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
limiter.limit("600 per minute")(bp)
MAX_PER_PAGE = 100


@bp.errorhandler(HTTPException)
def _error(error: HTTPException) -> Response:
    response = jsonify({"error": error.name, "status": error.code})
    response.status_code = error.code or 500
    return with_retry_after(response, error)


def _page_args() -> tuple[int, int]:
    def number(name: str, default: int, maximum: int) -> int:
        raw = request.args.get(name, str(default))
        if not raw.isdigit() or not 1 <= int(raw) <= maximum:
            abort(400)
        return int(raw)

    return number("page", 1, 1_000_000), number("per_page", 20, MAX_PER_PAGE)


@bp.route("/openapi.json")
def openapi() -> Response:
    return jsonify(document())


@bp.route("/areas")
def areas() -> Response:
    return jsonify({"items": [serializers.area(a) for a in all_areas()]})


@bp.route("/areas/<slug>")
def area(slug: str) -> Response:
    return jsonify(serializers.area(get_area_or_404(slug)))


@bp.route("/areas/<slug>/processes")
def processes(slug: str) -> Response:
    area = get_area_or_404(slug)
    found = db.session.scalars(select(Process).where(Process.area_id == area.id).order_by(Process.starts_on,
                                                                                          Process.id))
    return jsonify({"items": [serializers.process(p) for p in found]})


def _visible(conditions: list[Any]) -> list[Any]:
    return [*conditions, Proposal.hidden_at.is_(None), Proposal.status != ProposalStatus.WITHDRAWN]


@bp.route("/areas/<slug>/processes/<process_slug>/proposals")
def proposals(slug: str, process_slug: str) -> Response:
    process = get_process_or_404(slug, process_slug)
    page, per_page = _page_args()
    conditions = _visible([Proposal.process_id == process.id])
    total = db.session.scalar(select(func.count(Proposal.id)).where(*conditions)) or 0
    items = db.session.scalars(select(Proposal).where(*conditions).order_by(Proposal.id)
                               .limit(per_page).offset((page - 1) * per_page))
    body: dict[str, Any] = {"items": [serializers.proposal(p, slug, process.slug) for p in items],
                            "page": page, "per_page": per_page, "total": total}
    if page * per_page < total:
        body["next"] = url_for(".proposals", slug=slug, process_slug=process_slug, page=page + 1,
                               per_page=per_page)
    return jsonify(body)


@bp.route("/proposals/<int:proposal_id>")
def proposal(proposal_id: int) -> Response:
    found = db.session.scalar(select(Proposal).where(*_visible([Proposal.id == proposal_id])))
    if found is None:
        abort(404)
    return jsonify(serializers.proposal(found, found.process.area.slug, found.process.slug))


@bp.route("/areas/<slug>/reports")
def reports(slug: str) -> Response:
    area = get_area_or_404(slug)
    found = sorted(report_ops.area_reports(area), key=lambda r: r.id)
    return jsonify({"items": [{"slug": r.slug, "title": r.title, "versions": [v.number for v in r.versions]}
                              for r in found if r.versions]})


@bp.route("/areas/<slug>/reports/<report_slug>/versions/<int:number>")
def report_version(slug: str, report_slug: str, number: int) -> Response:
    area = get_area_or_404(slug)
    version = db.session.scalar(select(ReportVersion).join(Report).where(
        Report.area_id == area.id, Report.slug == report_slug, ReportVersion.number == number))
    if version is None:
        abort(404)
    return jsonify({"report": report_slug, "version": version.number, "published_at": version.published_at.isoformat(),
                    "changelog": version.changelog, "content": version.snapshot})


def _summary(area_ids: tuple[int, ...], tables: set[str] | None) -> list[dict[str, Any]]:
    return [r for r in rows(SummaryQuery(area_ids=area_ids)) if tables is None or r["table"] in tables]


@bp.route("/areas/<slug>/summary")
def public_summary(slug: str) -> Response:
    """Per process and per category, with small cells suppressed; weeks and themes are for staff."""
    area = get_area_or_404(slug)
    return jsonify({"area": area.slug, "rows": _summary((area.id,), {"area_process", "category", "status"})})


def _token_user() -> User:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or len(header) > 200:
        abort(401)
    digest = hashlib.sha256(header[7:].strip().encode()).hexdigest()
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None)))
    if token is None or not token.user.is_active:
        abort(401)
    token.last_used_at = utc_now()
    db.session.commit()
    return token.user


@bp.route("/staff/summary")
@writes_on_get  # stamps the token as used
def staff_summary() -> Response:
    """The full summary (weeks and themes too) of the areas the token's owner works for."""
    user = _token_user()
    areas = all_areas() if user.is_admin else [a for a in all_areas() if user.has_role(a, MembershipRole.STAFF)]
    if not areas:
        abort(403)
    return jsonify({"areas": [a.slug for a in areas], "rows": _summary(tuple(a.id for a in areas), None)})


# --- Staff tokens (HTML pages) -------------------------------------------------------------------

tokens_bp = Blueprint("api_tokens", __name__, url_prefix="/staff/tokens")


@tokens_bp.before_request
@login_required
def _staff_only() -> None:
    if not can_export_summaries(current_user):
        abort(403)


@tokens_bp.route("/", methods=["GET", "POST"])
def tokens() -> str | Response:
    created = None
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()[:80]
        if not name:
            flash(gettext("Give the token a name, e.g. the tool that will use it."), "error")
        else:
            created = secrets.token_urlsafe(32)
            db.session.add(ApiToken(user_id=current_user.id, name=name,
                                    token_hash=hashlib.sha256(created.encode()).hexdigest()))
            db.session.commit()
    mine = db.session.scalars(select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id)).all()
    return render_template("staff/tokens.html", tokens=mine, created=created)


@tokens_bp.route("/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int) -> Response:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    token.revoked_at = token.revoked_at or utc_now()
    db.session.commit()
    flash(gettext("The token no longer works."), "success")
    return redirect(url_for(".tokens"))

"""The open-data API: read-only JSON under /api/v1, paginated, with an OpenAPI 3.1 document."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request, url_for
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from stengage.accounts.models import MembershipRole, User
from stengage.api import operations, serializers
from stengage.api.openapi import ERROR_CODES, MAX_PAGE, MAX_PER_PAGE, document
from stengage.areas.models import Process
from stengage.areas.queries import all_areas, get_area_or_404, get_process_or_404, public_process_filter
from stengage.core.errors import api_error, with_retry_after
from stengage.core.inputs import arg_number
from stengage.db import writes_on_get
from stengage.extensions import csrf, db, limiter
from stengage.proposals.models import Proposal, ProposalStatus
from stengage.reports import operations as report_ops
from stengage.reports.models import Report, ReportVersion
from stengage.reports.presentation import public_document
from stengage.reports.summaries import TABLES, SummaryQuery, records, summary

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
limiter.limit("600 per minute")(bp)


def _error(error: HTTPException) -> Response:
    """JSON ``{"error", "status"}`` like every other answer under /api (core.errors), saying what
    this API wrote about the error (bad input, a missing token) where it wrote something."""
    own = error.description and error.description != type(error).description
    message = error.description if own and not isinstance(error, RateLimitExceeded) else error.name
    return with_retry_after(api_error(error.code or 500, str(message)), error)


for _code in ERROR_CODES:  # 5xx stay with the app's handler, which rolls back first
    bp.register_error_handler(_code, _error)


def _page_args() -> tuple[int, int]:
    return arg_number("page", 1, high=MAX_PAGE) or 1, arg_number("per_page", 20, high=MAX_PER_PAGE) or 20


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
    found = db.session.scalars(select(Process).where(Process.area_id == area.id, public_process_filter())
                               .order_by(Process.starts_on, Process.id))
    return jsonify({"items": [serializers.process(p) for p in found]})


def _visible(conditions: list[Any]) -> list[Any]:
    return [*conditions, Proposal.hidden_at.is_(None), Proposal.status != ProposalStatus.WITHDRAWN]


@bp.route("/areas/<slug>/processes/<process_slug>/proposals")
def proposals(slug: str, process_slug: str) -> Response:
    process = get_process_or_404(slug, process_slug, public_only=True)
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
        abort(404, description="No such proposal, or it is not public.")
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
        abort(404, description="No such published version.")
    return jsonify({"report": report_slug, "version": version.number, "published_at": version.published_at.isoformat(),
                    "changelog": version.changelog, "content": public_document(version)})


def _summary(area_ids: tuple[int, ...], tables: tuple[str, ...] = TABLES) -> list[dict[str, Any]]:
    return list(records(summary(SummaryQuery(area_ids=area_ids), tables)))


@bp.route("/areas/<slug>/summary")
def public_summary(slug: str) -> Response:
    """Per process and per category, with small cells suppressed; weeks and themes are for staff."""
    area = get_area_or_404(slug)
    return jsonify({"area": area.slug, "rows": _summary((area.id,), ("area", "area_process", "category", "status"))})


def _token_user() -> User:
    header = request.headers.get("Authorization", "")
    user = operations.token_owner(header[7:].strip()) if header.startswith("Bearer ") else None
    if user is None:
        abort(401, description="Send a working staff token as “Authorization: Bearer TOKEN”.")
    return user


@bp.route("/staff/summary")
@writes_on_get  # stamps the token as used
def staff_summary() -> Response:
    """The full summary (weeks and themes too) of the areas the token's owner works for."""
    user = _token_user()
    areas = all_areas() if user.is_admin else [a for a in all_areas() if user.has_role(a, MembershipRole.STAFF)]
    if not areas:
        abort(403, description="The token's owner is no longer city staff of any area.")
    return jsonify({"areas": [a.slug for a in areas], "rows": _summary(tuple(a.id for a in areas))})

"""Public pages: the home page with every area, and each area's page."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, Flask, g, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from stengage.areas.models import ProcessState
from stengage.areas.queries import area_processes, areas_by_role, find_area, get_area_or_404
from stengage.core.i18n import use_area_defaults
from stengage.core.page_cache import cached_page, expire_at
from stengage.db import utc_now

bp = Blueprint("areas", __name__)


@bp.route("/")
@cached_page
def home() -> str:
    return render_template("areas/home.html", groups=areas_by_role())


@bp.route("/areas")
def areas() -> Response:
    """The home page lists every area; /areas is where people look for that list too."""
    return redirect(url_for(".home"), 301)


@bp.route("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for it where a response names no icon (downloads, JSON)."""
    return redirect(url_for("static", filename="img/favicon.svg"), 301)


@bp.route("/areas/<area_slug>")
@cached_page
def area(area_slug: str) -> str:
    area = get_area_or_404(area_slug)
    processes = area_processes(area, current_user)
    now = utc_now()
    # Each process shows its current phase, and "ended" from the next day on.
    expire_at(datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=UTC))
    for process in processes:
        expire_at(process.next_change_after(now))
    current = [p for p in processes if p.state is not ProcessState.ARCHIVED]
    past = [p for p in processes if p.state is ProcessState.ARCHIVED]
    return render_template("areas/area.html", area=area, processes=current, past_processes=past, today=now.date())


@bp.route("/accessibility")
def accessibility() -> str:
    return render_template("accessibility.html")


def init_area_context(app: Flask) -> None:
    """Area-scoped URLs speak the area's language and time zone unless the visitor chose one."""

    @app.url_value_preprocessor
    def _area_defaults(_endpoint: str | None, values: dict[str, object] | None) -> None:
        slug = (values or {}).get("area_slug")
        if not isinstance(slug, str):
            return
        # Loaded once per request; get_area_or_404 hands out the same object. Only the area: a page
        # served from the page cache needs nothing more from the database.
        area = find_area(slug)
        if area is not None:
            g.area = area
            use_area_defaults(area)

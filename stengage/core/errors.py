"""Friendly error pages (HTML) for the codes a visitor can meet."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from stengage.core.inputs import BadInput

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (_l("Page not found"), _l("We could not find that page. It may have moved or never existed.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    409: (_l("Not possible now"), _l("This cannot be done in the current state. Please reload the page.")),
    413: (_l("Too large"), _l("What you sent is larger than we accept. Please send something smaller.")),
    429: (_l("Too many attempts"), _l("You tried this too often. Please wait a little and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error happened on our side. Please try again in a moment.")),
}


FALLBACK_500 = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Something went wrong · stengage</title>"
    "<main><h1>Something went wrong</h1><p>An unexpected error happened on our side. "
    "Please try again in a moment.</p><p><a href=/>Home page</a></p></main></html>"
)


def render_error(code: int, detail: str | None = None) -> tuple[str, int]:
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, message=message, detail=detail), code


def with_retry_after(response: Response, error: BaseException) -> Response:
    """A refused rate limit says when to come back: at the latest when its window has passed.

    (Flask-Limiter's own X-RateLimit headers are off: they cost two more storage round trips on
    every limited request, a support click included.)
    """
    if isinstance(error, RateLimitExceeded):
        response.headers["Retry-After"] = str(error.limit.limit.get_expiry())
    return response


def wants_json(path: str) -> bool:
    """The API, and the JSON documents beside the pages (a map's places, a report version)."""
    return path.startswith("/api/") or path.endswith(".json")


def api_error(code: int, message: str) -> Response:
    """Errors under /api are JSON, whatever raised them (routing, a limit, bad input, a refusal)."""
    response = jsonify({"error": message, "status": code})
    response.status_code = code
    return response


def init_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[str, int]:
        from flask_babel import gettext

        return render_error(
            400, gettext("The form had expired or was sent from elsewhere. Please reload the page and send it again.")
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response | HTTPException:
        if error.code is None or error.code < 400:
            return error
        detail = error.description if isinstance(error, BadInput) else None
        if wants_json(request.path):
            return with_retry_after(api_error(error.code, detail or error.name), error)
        return with_retry_after(app.make_response(render_error(error.code, detail)), error)

    @app.errorhandler(InternalServerError)
    def _internal(_error: InternalServerError) -> tuple[str | Response, int]:
        from stengage.extensions import db

        try:
            db.session.rollback()
            if wants_json(request.path):
                return api_error(500, "Internal Server Error"), 500
            return render_error(500)
        except Exception:  # the page itself needs the database that just failed
            app.logger.exception("the error page could not be rendered")
            return FALLBACK_500, 500

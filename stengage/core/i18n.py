"""Locale and timezone selection: user preference, then the area's default, then the browser."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, has_request_context, request, session
from flask_babel import refresh
from flask_login import current_user

LANGUAGE_NAMES = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "it": "Italiano",
    "bg": "Български",
}


def supported_languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    if not has_request_context():  # CLI and jobs choose with force_locale()
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = supported_languages()
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    area_locale = g.get("area_locale")  # set by area-scoped URLs before the view runs
    if area_locale in languages:
        return area_locale
    home = _home_area()
    if home is not None and home.default_locale in languages:
        return home.default_locale
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def select_timezone() -> str:
    if g.get("area_timezone"):
        return g.area_timezone
    home = _home_area() if has_request_context() else None
    return home.timezone if home is not None else current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _home_area() -> Any | None:
    """Pages of no area (profile, notifications) speak the language of the area where the logged-in
    user is a verified resident, as that area's pages do."""
    if not (current_user and current_user.is_authenticated):
        return None
    return next((m.area for m in current_user.memberships if m.is_verified), None)


def use_area_defaults(area: Any) -> None:
    """This request shows one area's content: it speaks the area's language (unless the visitor chose
    one) and its time zone. Area URLs say so before the view runs; a proposal's pages once it is loaded."""
    if g.get("area_locale") == area.default_locale and g.get("area_timezone") == area.timezone:
        return
    g.area_locale, g.area_timezone = area.default_locale, area.timezone
    refresh()  # Flask-Babel may have chosen both already

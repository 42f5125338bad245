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
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def select_timezone() -> str:
    return g.get("area_timezone") or current_app.config["BABEL_DEFAULT_TIMEZONE"]


def use_area_defaults(area: Any) -> None:
    """This request shows one area's content: it speaks the area's language (unless the visitor chose
    one) and its time zone. Area URLs say so before the view runs; a proposal's pages once it is loaded."""
    if g.get("area_locale") == area.default_locale and g.get("area_timezone") == area.timezone:
        return
    g.area_locale, g.area_timezone = area.default_locale, area.timezone
    refresh()  # Flask-Babel may have chosen both already

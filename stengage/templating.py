"""What every template can use: permission questions, language switcher, formatting."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, request
from flask_babel import get_locale

from stengage.core.i18n import LANGUAGE_NAMES


def _return_path() -> str:
    """Where the language switcher returns to: this page, or for a form answer the form's page."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    parts = urlsplit(request.referrer or "")
    if parts.netloc and parts.netloc != request.host:
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def init_templating(app: Flask) -> None:
    from stengage.accounts import permissions
    from stengage.accounts.forms import LanguageForm

    @app.context_processor
    def _globals() -> dict[str, Any]:
        locale = str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])
        return {
            "current_locale": locale,
            "html_lang": locale.replace("_", "-"),
            "language_names": LANGUAGE_NAMES,
            # formdata=None: the switcher never reads the request (it may be an error page's).
            "language_form": lambda: LanguageForm(formdata=None, locale=locale, next=_return_path()),
            "can": permissions,
        }

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

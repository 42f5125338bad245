"""What every template can use: permission questions, language switcher, formatting."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_babel import get_locale

from stengage.core.i18n import LANGUAGE_NAMES


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
            "language_form": lambda: LanguageForm(locale=locale, next=request.full_path.rstrip("?")),
            "can": permissions,
        }

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

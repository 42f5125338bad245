"""What every template can use: permission questions, language switcher, formatting."""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from babel import Locale
from babel.support import NullTranslations
from flask import Flask, g, request
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from stengage.core.i18n import LANGUAGE_NAMES
from stengage.core.moments import moment, moment_text


def _return_path() -> str:
    """Where the language switcher returns to: this page, or for a form answer the form's page."""
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?")
    parts = urlsplit(request.referrer or "")
    if parts.netloc and parts.netloc != request.host:
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _permissions() -> SimpleNamespace:
    """Every ``can_*`` question, so templates ask exactly what views ask."""
    from stengage.accounts import permissions as account_rules
    from stengage.areas import permissions as area_rules
    from stengage.moderation import permissions as moderation_rules
    from stengage.pages import permissions as page_rules
    from stengage.proposals import permissions as proposal_rules
    from stengage.reports import permissions as report_rules

    names = {}
    for module in (area_rules, account_rules, proposal_rules, moderation_rules, report_rules, page_rules):
        names.update({n: getattr(module, n) for n in dir(module) if n.startswith(("can_", "is_"))})
    return SimpleNamespace(**names)


def short_number(value: int) -> str:
    """A count in the request's locale (1,234 / 1.234 / 1 234)."""
    locale = g.get("_number_locale")
    if locale is None:
        locale = g._number_locale = str(get_locale())
    return _formatted_count(locale, value)


@functools.lru_cache(maxsize=16384)
def _formatted_count(locale: str, value: int) -> str:
    """Counts repeat (0, 1, 2, ... on every card): each is formatted once per locale."""
    parsed = Locale.parse(locale)
    return parsed.decimal_formats[None].apply(value, parsed)


def lang_attr(text: Any) -> Markup:
    """`` lang="xx"`` for a text written in another language than the page's, else nothing."""
    language = getattr(text, "language", None)
    page = get_locale()
    if not language or (page is not None and page.language == language):
        return Markup("")
    return Markup(' lang="%s"') % language


def init_templating(app: Flask) -> None:
    from flask_login import current_user

    from stengage.areas.lifecycle import STATE_LABELS, steps_from
    from stengage.areas.models import Feature
    from stengage.core.markdown import render, strip_markup
    from stengage.moderation.forms import FLAG_REASON_LABELS
    from stengage.proposals.forms import ALIGNMENT_LABELS, CATEGORY_LABELS, STATUS_LABELS
    from stengage.proposals.notifications import unread_count
    from stengage.proposals.thread_html import ThreadHtml
    from stengage.reports.metrics import MEASURES

    can = _permissions()
    feature_labels = {Feature.PROPOSE: _l("proposing"), Feature.SUPPORT: _l("supporting"),
                      Feature.COMMENT: _l("commenting")}
    app.jinja_env.filters["plain"] = strip_markup
    # Descriptions stored as Markdown are rendered on every view of their page: the same few texts.
    rendered = functools.lru_cache(maxsize=256)(render)
    app.jinja_env.filters["markdown"] = lambda text: Markup(rendered(text or ""))  # noqa: S704 - nh3-cleaned
    # Times in the reader's zone and language, labelled: ``{{ c.created_at|moment }}`` gives
    # ``<time datetime="…Z">3 Dec 2026, 14:05 CET</time>``; ``|momenttext`` the text alone (mails, files).
    app.jinja_env.filters["moment"] = moment
    app.jinja_env.filters["momenttext"] = moment_text
    app.jinja_env.filters["count"] = short_number
    # City-written texts in the reader's language (core.localized): ``{{ process|tr("title") }}``,
    # and `` lang="fr"`` on the element where the text fell back to another language.
    app.jinja_env.filters["tr"] = lambda obj, field: obj.text(field)
    app.jinja_env.filters["lang_attr"] = lang_attr
    label_sets = {
        "vote_labels": {"up": _l("Helpful"), "down": _l("Not helpful")},
        "category_labels": CATEGORY_LABELS, "status_labels": STATUS_LABELS, "alignment_labels": ALIGNMENT_LABELS,
        "feature_labels": feature_labels, "flag_reason_labels": FLAG_REASON_LABELS, "state_labels": STATE_LABELS,
        "measure_labels": {key: measure.label for key, measure in MEASURES.items()},
    }
    # Templates shared by pages and published files build links with ``link_for``: ``url_for`` on a
    # page, absolute links against the configured address in a file (reports.printing passes that).
    app.jinja_env.globals.update(label_sets, can=can, thread_html=ThreadHtml, link_for=app.url_for,
                                  lifecycle_steps=steps_from)

    @functools.lru_cache(maxsize=32)
    def labels_in(translations: NullTranslations) -> dict[str, dict[Any, str]]:
        """The label sets translated once per catalogue: a list page shows a category and a status
        on every card, each a catalogue look-up through a lazy string otherwise. Called while
        ``translations`` is the render's catalogue, which str() of a lazy label reads."""
        return {name: {key: str(label) for key, label in labels.items()} for name, labels in label_sets.items()}

    languages = [(code, LANGUAGE_NAMES.get(code, code)) for code in app.config["LANGUAGES"]]

    @app.context_processor
    def _globals() -> dict[str, Any]:
        locale = str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])
        translations = get_translations()
        return {
            **labels_in(translations),
            "current_locale": locale,
            "html_lang": locale.replace("_", "-"),
            "language_names": LANGUAGE_NAMES,
            # formdata=None: the switcher never reads the request (it may be an error page's).
            # The switcher needs only its choices and where to return: no form object per page.
            "language_switcher": lambda: {"next": _return_path(), "choices": languages},
            "unread_notifications": lambda: unread_count(current_user) if current_user.is_authenticated else 0,
        }

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

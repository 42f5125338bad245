"""City-written texts with a value per language and one fallback chain (DESIGN.md §5).

A model that mixes in ``Localized`` names its city-written fields in ``localized_fields``. The plain
column (``title``) keeps the text in the content's own language (its area's default language), so
sorting, search and everything that reads ``title`` keeps working; ``translations`` holds
``{field: {language: text}}`` for every language written. Reading goes through one chain: the
reader's language, then the configured fallbacks (English), then the content's own language.

Each localized field also gets a ``<field>_texts`` property (``{language: text}``) that forms load
and populate, so ``LocalizedTextField`` named ``title_texts`` edits every language side by side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from flask import current_app, has_app_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import Field, ValidationError
from wtforms.utils import unset_value

from stengage.core.i18n import LANGUAGE_NAMES
from stengage.core.inputs import has_control_characters

DEFAULT_LANGUAGES = ("en", "de", "fr", "es", "it", "bg")


def enabled_languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"]) if has_app_context() else DEFAULT_LANGUAGES


def fallback_chain(wanted: str | None, own: str | None) -> list[str]:
    """The languages to try, in order: the reader's, the configured fallbacks, the content's own."""
    fallbacks: Iterable[str] = current_app.config.get("CONTENT_FALLBACK_LANGUAGES", ("en",)) if has_app_context() \
        else ("en",)
    chain: list[str] = []
    for language in (wanted, *fallbacks, own):
        if language and language not in chain:
            chain.append(language)
    return chain


def current_language() -> str:
    locale = get_locale() if has_app_context() else None
    return locale.language if locale is not None else "en"


class LocalizedStr(str):
    """A text with the language it is written in, so a page can mark it (``lang="de"``) where that
    differs from the page's own language."""

    language: str

    def __new__(cls, value: str, language: str) -> LocalizedStr:
        text = super().__new__(cls, value)
        text.language = language
        return text


class Localized:
    """Mixin for models with city-written fields that have a value per language."""

    localized_fields: ClassVar[tuple[str, ...]] = ()
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict, server_default="{}")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for field in cls.__dict__.get("localized_fields", ()):
            setattr(cls, f"{field}_texts", _texts_property(field))

    @property
    def content_language(self) -> str:
        """The language the plain columns are written in; models override (their area's language)."""
        return current_app.config["BABEL_DEFAULT_LOCALE"] if has_app_context() else "en"

    def texts(self, field: str) -> dict[str, str]:
        """Every language's value of a field; the plain column counts as the content's language."""
        values = dict((self.translations or {}).get(field) or {})
        plain = getattr(self, field) or ""
        if plain and not values.get(self.content_language):
            values[self.content_language] = plain
        return {language: text for language, text in values.items() if text}

    def text(self, field: str, language: str | None = None) -> LocalizedStr:
        """The field in the reader's language, else along the fallback chain."""
        values = self.texts(field)
        for candidate in fallback_chain(language or current_language(), self.content_language):
            if values.get(candidate):
                return LocalizedStr(values[candidate], candidate)
        return LocalizedStr(getattr(self, field) or "", self.content_language)

    def set_texts(self, field: str, values: Mapping[str, str | None]) -> None:
        """Store a field's values (empty ones dropped); the plain column takes the content's own
        language, else the first language written."""
        cleaned = {language: text.strip() for language, text in values.items()
                   if language in enabled_languages() and text and text.strip()}
        self.translations = {**(self.translations or {}), field: cleaned}  # a new dict: JSON changes are seen
        own = cleaned.get(self.content_language)
        if own is None:
            own = next((cleaned[language] for language in enabled_languages() if language in cleaned), "")
        setattr(self, field, own)


def _texts_property(field: str) -> property:
    def get(self: Localized) -> dict[str, str]:
        return self.texts(field)

    def set_(self: Localized, values: Mapping[str, str | None]) -> None:
        self.set_texts(field, values)

    return property(get, set_, doc=f"Every language's {field}.")


class LocalizedTextField(Field):
    """One text per enabled language, edited side by side (``_macros/forms.html: localized``).

    ``data`` is ``{language: text}``. ``required_language`` (set by the view, usually the area's
    language) must be filled; without it, at least one language must be when ``required``."""

    REQUIRED = _l("Write this in at least one language.")
    REQUIRED_IN = _l("Write this in %(language)s: it is the language the area's pages fall back to.")
    TOO_LONG = _l("At most %(max)d characters in each language.")
    CONTROL = _l("This contains characters that cannot be used (control characters).")

    def __init__(self, label: Any = None, validators: Any = None, *, multiline: bool = False,
                 max_length: int = 10_000, required: bool = False, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.multiline = multiline
        self.max_length = max_length
        self.required = required
        self.required_language: str | None = None

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = dict(data) if isinstance(data, Mapping) else {}
        if formdata is not None and any(self.input_name(lang) in formdata for lang in enabled_languages()):
            self.data = {lang: formdata.get(self.input_name(lang), "") for lang in enabled_languages()}
            self.raw_data = list(self.data.values())

    def input_name(self, language: str) -> str:
        return f"{self.name}-{language}"

    def input_id(self, language: str) -> str:
        return f"{self.id}-{language}"

    def languages(self) -> list[tuple[str, str]]:
        """(code, name) of every enabled language, the required one first."""
        codes = sorted(enabled_languages(), key=lambda code: code != self.required_language)
        return [(code, LANGUAGE_NAMES.get(code, code)) for code in codes]

    def value(self, language: str) -> str:
        return (self.data or {}).get(language, "")

    def pre_validate(self, form: Any) -> None:
        values = {lang: (text or "").strip() for lang, text in (self.data or {}).items()}
        if any(has_control_characters(text, in_form_text=True) for text in values.values()):
            raise ValidationError(str(self.CONTROL))
        if any(len(text) > self.max_length for text in values.values()):
            raise ValidationError(self.TOO_LONG % {"max": self.max_length})
        if self.required_language and self.required and not values.get(self.required_language):
            raise ValidationError(self.REQUIRED_IN % {
                "language": LANGUAGE_NAMES.get(self.required_language, self.required_language)})
        if self.required and not any(values.values()):
            raise ValidationError(str(self.REQUIRED))

    def populate_obj(self, obj: Any, name: str) -> None:
        setattr(obj, name, dict(self.data or {}))

"""City-written texts: one value per language, read along one fallback chain, edited side by side."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from stengage.core.forms import SafeTextForm
from stengage.core.localized import Localized, LocalizedTextField


class Notice(Localized):
    """A stand-in for a model: an area's text written in German."""

    localized_fields = ("title",)

    def __init__(self, title: str = "", translations: dict[str, Any] | None = None) -> None:
        self.title = title
        self.translations = translations or {}

    @property
    def content_language(self) -> str:
        return "de"


class NoticeForm(SafeTextForm):
    class Meta:
        csrf = False

    title_texts = LocalizedTextField("Title", required=True, max_length=20)


def test_a_reader_gets_their_language_then_english_then_the_areas(app: Flask) -> None:
    notice = Notice()
    notice.set_texts("title", {"de": "Mieterfest", "en": "Tenants' party", "fr": ""})
    assert notice.title == "Mieterfest"  # the plain column keeps the area's own language
    with app.test_request_context(), force_locale("en"):
        assert notice.text("title") == "Tenants' party"
    assert notice.text("title", "fr") == "Tenants' party"  # no French: English before German
    assert notice.text("title", "fr").language == "en"
    assert notice.text("title", "de").language == "de"
    notice.set_texts("title", {"de": "Mieterfest"})
    assert notice.text("title", "bg") == "Mieterfest"
    assert notice.text("title", "bg").language == "de"


def test_texts_written_before_translations_count_as_the_areas_language() -> None:
    notice = Notice(title="Hoffest")
    assert notice.title_texts == {"de": "Hoffest"}
    assert notice.text("title", "en") == "Hoffest"


def test_the_plain_column_takes_the_first_language_written_when_the_areas_is_empty() -> None:
    notice = Notice()
    notice.title_texts = {"fr": "Fête", "en": "Party"}
    assert notice.title == "Party"  # enabled languages' order: English comes first
    assert notice.translations == {"title": {"fr": "Fête", "en": "Party"}}


def test_the_form_reads_every_language_side_by_side_and_fills_the_model(app: Flask) -> None:
    with app.test_request_context():
        form = NoticeForm(MultiDict({"title_texts-de": " Hoffest ", "title_texts-it": "Festa", "title_texts-en": ""}))
        form.title_texts.required_language = "de"
        assert form.validate(), form.errors
        notice = Notice()
        form.populate_obj(notice)
    assert notice.title == "Hoffest"
    assert notice.title_texts == {"de": "Hoffest", "it": "Festa"}


def test_the_form_loads_a_models_texts_for_editing(app: Flask) -> None:
    with app.test_request_context():
        form = NoticeForm(obj=Notice(title="Hoffest", translations={"title": {"de": "Hoffest", "en": "Yard party"}}))
        html = app.jinja_env.from_string(
            '{% from "_macros/forms.html" import localized %}{{ localized(form.title_texts) }}').render(form=form)
    assert 'name="title_texts-en"' in html and 'value="Yard party"' in html
    assert 'lang="de"' in html and 'value="Hoffest"' in html
    assert html.count("<input") == len(app.config["LANGUAGES"])


def test_the_form_refuses_a_missing_required_language_too_long_text_and_control_characters(app: Flask) -> None:
    with app.test_request_context():
        form = NoticeForm(MultiDict({"title_texts-en": "Party"}))
        form.title_texts.required_language = "de"
        assert not form.validate()
        assert "Deutsch" in form.title_texts.errors[0]

        form = NoticeForm(MultiDict({"title_texts-de": "x" * 21}))
        assert not form.validate()
        assert "20" in form.title_texts.errors[0]

        form = NoticeForm(MultiDict({"title_texts-de": "Hof\x00fest"}))
        assert not form.validate()
        assert "control characters" in form.title_texts.errors[0]

        form = NoticeForm(MultiDict({"title_texts-de": "  "}))
        assert not form.validate()
        assert "at least one language" in form.title_texts.errors[0]

"""The files a city publishes as they are: a self-contained HTML document and a tagged PDF.

Both come from one template (``reports/print.html``) rendered in the reader's language:
- nothing outside the file: the print stylesheet is inlined, the charts are inline SVG, and every
  link is absolute against ``SERVER_BASE_URL`` (Markdown written by moderators included), so the
  file works opened from disk, mailed on or printed;
- the PDF is PDF/UA-1 (WeasyPrint): tagged headings, lists, tables and figures (each chart's
  ``<title>`` becomes its alternative text), with the document's title and language.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import nh3
from flask import current_app, render_template
from flask_babel import gettext
from markupsafe import Markup

from stengage.core import markdown
from stengage.core.urls import published_url_builder
from stengage.reports.figures import earlier_than
from stengage.reports.models import ReportVersion
from stengage.reports.presentation import version_context

PDF_VARIANT = "pdf/ua-1"
_COUNTER = "\x00"


def print_css(*, browser: bool) -> Markup:
    """The print stylesheet (for a browser, with its extra rules), to inline in a ``<style>``
    element, whose text is never unescaped."""
    folder = Path(current_app.static_folder or "static") / "css"
    names = ("print.css", "print-browser.css") if browser else ("print.css",)
    css = "\n".join((folder / name).read_text(encoding="utf-8") for name in names)
    if "</" in css:
        raise ValueError("a print stylesheet must not contain '</'")
    return Markup(css)  # noqa: S704 - our own stylesheets, checked above not to close their element


def css_string(text: str) -> Markup:
    """``text`` as a CSS string, safe inside a ``<style>`` element (no quote, line or tag ends it)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    escaped = re.sub(r"[\x00-\x1f\x7f]", " ", escaped)  # line ends end a CSS string
    return Markup(f'"{escaped}"')  # noqa: S704 - escaped above for CSS; '<' cannot close the element


def page_numbers_css() -> Markup:
    """The CSS ``content`` of the footer, "Page 3 of 12" in the reader's language: the translated
    sentence with CSS page counters where its placeholders are, whatever their order."""
    sentence = gettext("Page %(page)s of %(pages)s", page=f"{_COUNTER}page{_COUNTER}",
                       pages=f"{_COUNTER}pages{_COUNTER}")
    parts = re.split(f"{_COUNTER}(pages?){_COUNTER}", sentence)
    # re.split alternates text and captured counter names: text, name, text, name, text.
    value = " ".join(f"counter({part})" if i % 2 else css_string(part) for i, part in enumerate(parts) if part)
    return Markup(value)  # noqa: S704 - CSS strings escaped above; counters are fixed names


def _absolute(html: str, base: str) -> str:
    """Moderators' Markdown as rendered, with relative links made absolute (a file has no host)."""
    return nh3.clean(html, tags=markdown.ALLOWED_TAGS, attributes=markdown.ALLOWED_ATTRIBUTES,
                     url_schemes=markdown.ALLOWED_SCHEMES, link_rel="nofollow ugc noopener noreferrer",
                     url_relative=("rewrite_with_base", base))


def with_absolute_links(snapshot: dict[str, Any], base: str) -> dict[str, Any]:
    """A copy of a version's content whose rendered syntheses and answers link absolutely."""
    data = copy.deepcopy(snapshot)
    for theme in data.get("themes", []):
        if theme.get("synthesis_html"):
            theme["synthesis_html"] = _absolute(theme["synthesis_html"], base)
    for entries in data.get("outcomes", {}).values():
        for entry in entries:
            if entry.get("answer_html"):
                entry["answer_html"] = _absolute(entry["answer_html"], base)
    return data


def render_html(version: ReportVersion, *, browser: bool = True) -> str:
    """The version as one self-contained HTML document, in the current locale (``browser``: for
    a browser to show and print, else for the PDF renderer)."""
    report = version.report
    base = current_app.config["SERVER_BASE_URL"].rstrip("/") + "/"
    data = with_absolute_links(version.snapshot, base)
    link_for = published_url_builder()
    context = version_context(data, link_for=link_for, earlier=earlier_than(report, version.number))
    return render_template("reports/print.html", report=report, area=report.area, version=version,
                           **context, link_for=link_for,
                           print_css=print_css(browser=browser), page_numbers=page_numbers_css(),
                           css_string=css_string)


def render_pdf(version: ReportVersion) -> bytes:
    """The version as a tagged PDF (PDF/UA-1), in the current locale."""
    from PIL import ImageFile
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_html(version, browser=False)
    # Everything is in the document: the renderer may read data: URIs, never a file or the network.
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf(pdf_variant=PDF_VARIANT)
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # WeasyPrint's import turns it on; uploads must stay strict
    return pdf

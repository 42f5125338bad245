"""The print stylesheet on paper: no heading left alone at the bottom of a page; the footer's and
header's words as safe CSS strings in any language."""

from pathlib import Path

import pytest
from flask_babel import force_locale
from weasyprint import HTML

from stengage.reports.printing import css_string, page_numbers_css
from tests import pdfs

PRINT_CSS = (Path(__file__).resolve().parents[2] / "static" / "css" / "print.css").read_text(encoding="utf-8")
HEADINGS = {"Participation", "Themes", "Theme one", "Theme two", "Categories", "Outcomes", "Accepted: 3"}
# The page margins' words (header, footer) stay out: the last line of a page is the body's.
NO_MARGINS = "@page { @bottom-left { content: none } @bottom-center { content: none } @bottom-right { content: none } }"
CHART = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 400" width="100%" class="chart" role="img">'
         '<title>Chart</title><rect width="600" height="380" fill="#0b6b4f"/>'
         '<text x="10" y="395" font-size="12">Bars end</text></svg>')


def _document(filler_mm: int, words: int) -> str:
    """The shape of a report's body: a section of a given height, then headings followed by a long
    theme, a chart with its table, and a short list."""
    text = "words " * words
    rows = "".join(f"<tr><th scope='row'>Row {i}</th><td>{i}</td></tr>" for i in range(12))
    return f"""<!doctype html><html lang="en"><head><style>{PRINT_CSS}{NO_MARGINS}</style></head><body><main>
      <section><h2>Participation</h2><div style="height: {filler_mm}mm">filler</div></section>
      <section><h2>Themes</h2>
        <article class="report-theme"><h3>Theme one</h3><p>{text}</p></article>
        <article class="report-theme"><h3>Theme two</h3><p>{text}</p></article></section>
      <section><h2>Categories</h2><figure>{CHART}</figure><table><tbody>{rows}</tbody></table></section>
      <section><h2>Outcomes</h2><h3>Accepted: 3</h3><ul><li>One</li><li>Two</li></ul></section>
    </main></body></html>"""


@pytest.mark.parametrize("filler_mm", [150, 190, 230])
def test_no_page_ends_with_a_heading(filler_mm):
    pages = pdfs.read(HTML(string=_document(filler_mm, words=800)).write_pdf()).pages
    assert len(pages) > 2
    for number, text in enumerate(pages, start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[-1] not in HEADINGS, f"page {number} ends with the heading {lines[-1]!r}"


def test_the_page_footer_follows_each_languages_sentence():
    with force_locale("en"):
        assert page_numbers_css() == '"Page " counter(page) " of " counter(pages)'
    with force_locale("de"):
        assert page_numbers_css() == '"Seite " counter(page) " von " counter(pages)'


def test_texts_in_the_stylesheet_cannot_end_their_string_or_element():
    assert css_string('Quote " back\\slash') == '"Quote \\" back\\\\slash"'
    assert "</style" not in css_string("</style><script>alert(1)</script>")
    assert css_string("two\nlines") == '"two lines"'

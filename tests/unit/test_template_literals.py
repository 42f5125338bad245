"""Every user-facing text in the templates goes through the translation catalogue."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Jinja blocks and expressions, HTML comments, tags, scripts and styles carry no visible text.
STRIP = [re.compile(p, re.S) for p in (
    r"\{#.*?#\}", r"\{%.*?%\}", r"\{\{.*?\}\}", r"<!--.*?-->", r"<script.*?</script>", r"<style.*?</style>",
    r"<svg.*?</svg>", r"<[^>]+>", r"&[a-z]+;|&#\d+;",
)]
# What may stand in a template as it is: the product's name, symbols, formats, codes.
ALLOWED = {"stengage", "PDF", "HTML", "CSV", "JSON", "XLSX", "API", "v"}
WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


def _visible_words(source: str) -> list[str]:
    for pattern in STRIP:
        source = pattern.sub(" ", source)
    return [w for w in WORD.findall(source) if w not in ALLOWED]


ALL = sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt"))


@pytest.mark.parametrize("template", ALL, ids=str)
def test_no_untranslated_text_in_the_template(template):
    words = _visible_words((TEMPLATES / template).read_text(encoding="utf-8"))
    assert words == [], f"{template} shows text outside _(): {' '.join(words[:10])}"

"""Markdown for proposals and comments: CommonMark with raw HTML off, output cleaned by nh3."""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "js-default": CommonMark with raw HTML disabled and markdown-it's own link validation.
    md = MarkdownIt("js-default", {"linkify": False, "typographer": False})
    md.disable(["image", "table"])
    return md


def render(text: str) -> str:
    """Safe HTML for ``text``: scripts, raw HTML and ``javascript:`` links come out inert."""
    rendered = _parser().render(text)
    # Headings shift down so a contribution never competes with the page's own headings.
    for level in (1, 2):
        rendered = rendered.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow ugc noopener noreferrer",
        strip_comments=True,
    )


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"(\*\*|__|\*|`|^#{1,6}\s*|^>\s*|^[-+]\s+)", re.MULTILINE)


def strip_markup(text: str) -> str:
    """Markdown source as plain words, cheaply (list excerpts: no rendering per card)."""
    return " ".join(_MARKS.sub("", _LINK.sub(r"\1", text)).split())

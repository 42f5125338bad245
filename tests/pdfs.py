"""Reading PDFs as an assistive technology or a checker would: the structure tree, metadata, text."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader


@dataclass
class PdfFacts:
    marked: bool
    lang: str | None
    title: str | None
    ua_part: str | None
    tags: Counter[str] = field(default_factory=Counter)
    figure_alts: list[str | None] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


def _walk(node: Any, facts: PdfFacts) -> None:
    node = node.get_object()
    if not hasattr(node, "get"):
        return  # a marked-content id: the leaves of the tree
    tag = node.get("/S")
    if tag is not None:
        facts.tags[str(tag).lstrip("/")] += 1
        if tag == "/Figure":
            alt = node.get("/Alt")
            facts.figure_alts.append(str(alt) if alt is not None else None)
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
        _walk(kid, facts)


def read(pdf: bytes) -> PdfFacts:
    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    mark_info = catalog.get("/MarkInfo") or {}
    xmp = reader.xmp_metadata
    descriptions = xmp.rdf_root.getElementsByTagName("rdf:Description") if xmp is not None else []
    ua_part = next((d.getAttribute("pdfuaid:part") for d in descriptions if d.hasAttribute("pdfuaid:part")), None)
    facts = PdfFacts(marked=bool(mark_info.get("/Marked")), lang=str(catalog.get("/Lang") or "") or None,
                     title=(reader.metadata or {}).get("/Title"), ua_part=ua_part,
                     pages=[page.extract_text() for page in reader.pages])
    if "/StructTreeRoot" in catalog:
        _walk(catalog["/StructTreeRoot"], facts)
    return facts

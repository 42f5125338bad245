"""What every rendering of a report version needs: its figures (disclosure applied), charts, themes
and links. The page, the HTML download and the PDF all take their context from here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import url_for

from stengage.reports.charts import charts_for
from stengage.reports.figures import Figures, figures, of_version, themes_of
from stengage.reports.metrics import Row


def version_context(snapshot: dict[str, Any], exact: bool = False, link_for: Callable[..., str] = url_for,
                    earlier: Sequence[Figures] = ()) -> dict[str, Any]:
    """``link_for`` builds the links: ``url_for`` on pages, absolute ones in published files;
    ``earlier``: the figures the report's earlier versions published."""
    figs = figures(snapshot, exact=exact, earlier=earlier)
    report = snapshot["report"]
    category_link: Callable[[Row], str] | None = None
    if report.get("process"):
        def category_link(row: Row) -> str:
            return link_for("processes.process", area_slug=report["area"], process_slug=report["process"],
                           category=row.key[-1])
    return {"data": snapshot, "figs": figs, "charts": charts_for(figs), "themes": themes_of(snapshot),
            "category_link": category_link}


def _published(figs: Figures, table: str, key: str) -> bool:
    """Lists of proposals (a theme's, a status's) are told only where their count is published."""
    return figs.value(figs.row(table, key), "proposals") is not None


def public_document(version: Any) -> dict[str, Any]:
    """A version as open data (JSON download and API): the figures as published, with stable keys,
    the themes' texts and the outcomes; no id list that would tell a withheld count."""
    snapshot, figs = version.snapshot, of_version(version)
    return {
        "report": snapshot["report"], "version": version.number, "disclosure": {"min_residents": figs.k},
        "figures": [{"breakdown": row.table, "key": list(row.key), "label": row.label,
                     "values": {m: row.value(m) for m in row.measures},
                     "withheld": {m: str(reason) for m, reason in row.hidden.items()}} for row in figs.rows],
        "themes": [{"id": t["id"], "title": t["title"], "synthesis": t["synthesis"], "quotes": t["quotes"],
                    **({"proposals": t["proposals"], "top_proposals": t["top_proposals"]}
                       if _published(figs, "theme", str(t["id"])) else {})} for t in themes_of(snapshot)],
        "outcomes": {status: entries for status, entries in snapshot["outcomes"].items()
                     if _published(figs, "status", status)},
    }

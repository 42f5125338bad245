"""Server-rendered SVG bar charts: no JavaScript, a title and description for screen readers,
and always shown beside a table with the same numbers."""

from __future__ import annotations

from html import escape
from typing import Any

from flask_babel import gettext
from markupsafe import Markup

from stengage.proposals.forms import CATEGORY_LABELS
from stengage.proposals.models import Category

PALETTE = ("#0b6b4f", "#1a4fd6", "#b35c00")  # AA contrast against white, told apart by the legend too


def bar_chart(title: str, labels: list[str], series: dict[str, list[int]], *, width: int = 640,
              bar_height: int = 18) -> Markup:
    """Horizontal grouped bars: one group per label, one bar per series."""
    names = list(series)
    maximum = max([1, *(v for values in series.values() for v in values)])
    label_width, value_width = 180, 60
    plot = width - label_width - value_width
    group = bar_height * len(names) + 10
    height = 30 + group * len(labels) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="chart-title-{id(series)} chart-desc-{id(series)}" class="chart">',
        f'<title id="chart-title-{id(series)}">{escape(title)}</title>',
        f'<desc id="chart-desc-{id(series)}">'
        + escape("; ".join(f"{label}: " + ", ".join(f"{name} {series[name][i]}" for name in names)
                           for i, label in enumerate(labels)))
        + "</desc>",
    ]
    for n, name in enumerate(names):  # legend
        x = label_width + n * 150
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{PALETTE[n % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 18}" y="16" font-size="12" fill="#1b2a24">{escape(name)}</text>')
    for i, label in enumerate(labels):
        top = 30 + i * group
        parts.append(f'<text x="{label_width - 8}" y="{top + bar_height}" font-size="12" text-anchor="end" '
                     f'fill="#1b2a24">{escape(label[:28])}</text>')
        for n, name in enumerate(names):
            value = series[name][i]
            length = round(plot * value / maximum)
            y = top + n * bar_height
            parts.append(f'<rect x="{label_width}" y="{y}" width="{max(length, 1)}" height="{bar_height - 3}" '
                         f'fill="{PALETTE[n % len(PALETTE)]}"/>')
            parts.append(f'<text x="{label_width + length + 4}" y="{y + bar_height - 6}" font-size="11" '
                         f'fill="#1b2a24">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


def charts_for(snapshot: dict[str, Any]) -> dict[str, Markup]:
    """The charts of a report version: contributions per week, proposals and supports per category."""
    weeks = snapshot["participation"]["weeks"]
    categories = snapshot["categories"]
    labels = [str(CATEGORY_LABELS.get(Category(name), name)) for name in categories]
    return {
        "weekly": bar_chart(gettext("Contributions per week"), [w["week"] for w in weeks], {
            gettext("proposals"): [w["proposals"] for w in weeks], gettext("supports"): [w["supports"] for w in weeks],
            gettext("comments"): [w["comments"] for w in weeks]}),
        "categories": bar_chart(gettext("Proposals and supports per category"), labels, {
            gettext("proposals"): [len(v["proposals"]) for v in categories.values()],
            gettext("supports"): [v["supports"] for v in categories.values()]}),
    }

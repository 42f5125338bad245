"""Server-rendered SVG bar charts: no JavaScript, a title and description for screen readers,
and always shown beside a table with the same numbers. This module lays the bars out; the
template ``reports/_bar_chart.svg`` draws them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask_babel import gettext
from markupsafe import Markup

from stengage.proposals.forms import CATEGORY_LABELS
from stengage.proposals.models import Category

PALETTE = ("#0b6b4f", "#1a4fd6", "#b35c00")  # AA contrast against white, told apart by the legend too
LABEL_WIDTH, VALUE_WIDTH = 180, 60


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    length: int
    height: int
    colour: str
    value: int


@dataclass(frozen=True)
class Group:
    label: str
    label_y: int
    bars: list[Bar]


def bar_chart(key: str, title: str, labels: list[str], series: dict[str, list[int]], *, width: int = 640,
              bar_height: int = 18) -> Markup:
    """Horizontal grouped bars: one group per label, one bar per series. ``key`` names the chart
    on its page (its title and description ids)."""
    names = list(series)
    maximum = max([1, *(v for values in series.values() for v in values)])
    plot = width - LABEL_WIDTH - VALUE_WIDTH
    group_height = bar_height * len(names) + 10
    groups = []
    for i, label in enumerate(labels):
        top = 30 + i * group_height
        groups.append(Group(label=label[:28], label_y=top + bar_height, bars=[
            Bar(x=LABEL_WIDTH, y=top + n * bar_height, length=round(plot * series[name][i] / maximum),
                height=bar_height - 3, colour=PALETTE[n % len(PALETTE)], value=series[name][i])
            for n, name in enumerate(names)]))
    legend = [(LABEL_WIDTH + n * 150, PALETTE[n % len(PALETTE)], name) for n, name in enumerate(names)]
    description = "; ".join(f"{label}: " + ", ".join(f"{name} {series[name][i]}" for name in names)
                            for i, label in enumerate(labels))
    return Markup(render_template(  # noqa: S704 - a template rendered with autoescaping
        "reports/_bar_chart.svg", key=key, title=title, label_x=LABEL_WIDTH - 8, description=description, width=width,
        height=30 + group_height * len(labels) + 24, legend=legend, groups=groups))


def charts_for(snapshot: dict[str, Any]) -> dict[str, Markup]:
    """The charts of a report version: contributions per week, proposals and supports per category."""
    weeks = snapshot["participation"]["weeks"]
    categories = snapshot["categories"]
    labels = [str(CATEGORY_LABELS.get(Category(name), name)) for name in categories]
    return {
        "weekly": bar_chart("weekly", gettext("Contributions per week"), [w["week"] for w in weeks], {
            gettext("proposals"): [w["proposals"] for w in weeks], gettext("supports"): [w["supports"] for w in weeks],
            gettext("comments"): [w["comments"] for w in weeks]}),
        "categories": bar_chart("categories", gettext("Proposals and supports per category"), labels, {
            gettext("proposals"): [len(v["proposals"]) for v in categories.values()],
            gettext("supports"): [v["supports"] for v in categories.values()]}),
    }

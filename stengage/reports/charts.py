"""Server-rendered SVG bar charts: no JavaScript, a title and description for screen readers,
and always shown beside a table with the same numbers. This module lays the bars out; the
template ``reports/_bar_chart.svg`` draws them. A withheld figure is drawn as "not shown", never
as a bar of 0, and the chart's description says so."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from decimal import Decimal

from flask import render_template
from flask_babel import format_decimal, gettext
from markupsafe import Markup

from stengage.reports.figures import Figures
from stengage.reports.metrics import MEASURES, Row

PALETTE = ("#0b6b4f", "#1a4fd6", "#b35c00")  # AA contrast against white, told apart by the legend too
LABEL_WIDTH, VALUE_WIDTH = 200, 90
LABEL_CHARACTERS = 30  # per line of a label; two lines at most, the rest in the table beside


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    length: int
    height: int
    colour: str
    text: str
    shown: bool


@dataclass(frozen=True)
class Group:
    lines: list[str]
    label_y: int
    bars: list[Bar]


def _label_lines(label: str) -> list[str]:
    lines = textwrap.wrap(label, LABEL_CHARACTERS) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), LABEL_CHARACTERS, placeholder="…")]
    return lines


def bar_chart(key: str, title: str, labels: list[str], series: dict[str, list[int | float | Decimal | None]], *,
              width: int = 680, bar_height: int = 18, number_format: str | None = None) -> Markup:
    """Horizontal grouped bars: one group per label, one bar per series (None: not shown). ``key``
    names the chart on its page (its title and description ids), so two charts never share one.
    ``number_format`` is a Babel pattern for the values written beside the bars (rates: "#,##0.00")."""
    names = list(series)
    maximum = max([0, *(v for values in series.values() for v in values if v is not None)]) or 1
    plot = width - LABEL_WIDTH - VALUE_WIDTH
    group_height = max(bar_height * len(names), 30) + 10
    not_shown = gettext("not shown")

    def text(value: int | float | Decimal | None) -> str:
        return not_shown if value is None else format_decimal(value, number_format)

    groups = []
    for i, label in enumerate(labels):
        top = 30 + i * group_height
        bars = []
        for n, name in enumerate(names):
            value = series[name][i]
            bars.append(Bar(x=LABEL_WIDTH, y=top + n * bar_height,
                            length=0 if value is None else round(plot * value / maximum), height=bar_height - 3,
                            colour=PALETTE[n % len(PALETTE)], shown=value is not None,
                            text=text(value)))
        groups.append(Group(lines=_label_lines(label), label_y=top + 13, bars=bars))
    legend = [(LABEL_WIDTH + n * 160, PALETTE[n % len(PALETTE)], name) for n, name in enumerate(names)]
    description = "; ".join(
        f"{label}: " + ", ".join(f"{name} {text(series[name][i])}" for name in names) for i, label in enumerate(labels))
    return Markup(render_template(  # noqa: S704 - a template rendered with autoescaping
        "reports/_bar_chart.svg", key=key, title=title, label_x=LABEL_WIDTH - 8, description=description, width=width,
        height=30 + group_height * len(labels) + 12, legend=legend, groups=groups))


def charts_for(figures: Figures) -> dict[str, Markup]:
    """The charts of a report version: contributions per week, proposals and supports per category."""
    weeks, categories = figures.table("week"), figures.table("category")

    def series(rows: list[Row], measures: tuple[str, ...]) -> dict[str, list[int | float | Decimal | None]]:
        return {str(MEASURES[m].label): [figures.value(r, m) for r in rows] for m in measures}

    return {
        "weekly": bar_chart("weekly", gettext("Contributions per week"), [r.label for r in weeks],
                            series(weeks, ("proposals", "supports", "comments"))),
        "categories": bar_chart("categories", gettext("Proposals and supports per category"),
                                [r.label for r in categories], series(categories, ("proposals", "supports"))),
    }

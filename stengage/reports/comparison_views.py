"""The public comparison of areas (open data: the disclosure rule applies) and its files."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from stengage.core.inputs import BadInput
from stengage.core.page_cache import cached_page
from stengage.reports import comparison_files
from stengage.reports.charts import bar_chart
from stengage.reports.comparison import CATEGORIES, COMPARED, SCALES, Comparison, Note, compare, note_text, role_label
from stengage.reports.metrics import MEASURES

bp = Blueprint("comparison", __name__)
RATE_FORMAT = "#,##0.00"


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    """One of ``allowed`` from the query string (``default`` when absent); a 400 saying what is allowed."""
    values = request.args.getlist(name)
    if not values:
        return default
    if len(values) > 1 or values[0] not in allowed:
        raise BadInput(gettext("“%(name)s” must be one of: %(allowed)s.", name=name, allowed=", ".join(allowed)))
    return values[0]


def _shareable() -> bool:
    """The page cache keeps the pages of the choices offered, nothing else."""
    args = request.args
    return set(args) <= {"measure", "scale"} and all(len(args.getlist(n)) == 1 for n in args) \
        and args.get("measure", COMPARED[0]) in COMPARED and args.get("scale", SCALES[0]) in SCALES


@bp.route("/compare")
@cached_page(shared_when=_shareable)
def compare_areas() -> str:
    measure = _choice("measure", COMPARED, COMPARED[0])
    scale = _choice("scale", SCALES, SCALES[0])
    comparison = compare()
    label = str(MEASURES[measure].label)
    name = gettext("%(measure)s per 1,000 residents", measure=label) if scale == "per_1000" else label
    chart = bar_chart(
        "compare", gettext("%(figure)s, all categories, by area", figure=name),
        [f"{area.name} ({role_label(area.role)})" for area in comparison.areas],
        {name: [area.cell("all", measure).shown(scale) for area in comparison.areas]},
        number_format=RATE_FORMAT if scale == "per_1000" else None)
    return render_template("reports/compare.html", comparison=comparison, measure=measure, scale=scale,
                           figure_name=name, chart=chart, categories=CATEGORIES, measures=COMPARED,
                           role_label=role_label, rate_format=RATE_FORMAT,
                           no_population=note_text(Note.NO_POPULATION), **_notes(comparison, measure))


def _notes(comparison: Comparison, measure: str) -> dict[str, Any]:
    """Why the measure's figures are withheld, numbered: ``notes`` (key, number, text) and ``note_numbers``."""
    notes = [(note.value, n, note_text(note, comparison.k))
             for n, note in enumerate(comparison.withheld(measure), 1)]
    return {"notes": notes, "note_numbers": {key: number for key, number, _text in notes}}


@bp.route("/compare.<any(csv, json, xlsx):fmt>")
def compare_file(fmt: str) -> Response:
    comparison = compare()
    body = {"csv": comparison_files.write_csv, "json": comparison_files.write_json,
            "xlsx": comparison_files.write_xlsx}[fmt](comparison)
    return Response(body, mimetype=comparison_files.COMPARISON_FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="stengage-comparison.{fmt}"'})


@bp.route("/staff/compare")
def staff_compare() -> Response:
    """Where the comparison was when only staff could read it."""
    return redirect(url_for(".compare_areas"), 301)

"""The comparison as files (CSV, JSON, XLSX): the page's figures, one per line, with fixed column names.

Tidy and language-neutral: areas, categories, measures and notes by their stable keys, explained by
the data dictionary (``/figures``); a figure that is not shown is left empty, never 0. The files only
format ``Comparison.records``.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from flask import url_for
from flask_babel import gettext

from stengage.core.exports import safe_cell
from stengage.reports.comparison import COLUMNS, COMPARED, Comparison, Note, note_text
from stengage.reports.metrics import MEASURES

COMPARISON_FORMATS = {"csv": "text/csv", "json": "application/json",
                      "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _cells(record: dict[str, Any]) -> list[Any]:
    return [safe_cell(str(record[c]) if isinstance(record[c], Decimal) else record[c]) for c in COLUMNS]


def write_csv(comparison: Comparison) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in comparison.records():
        writer.writerow(_cells(record))
    return out.getvalue().encode("utf-8")


def write_json(comparison: Comparison) -> bytes:
    """The records, the areas they are about, and what each key means (in the reader's language)."""
    rows = [{**record, "per_1000": None if record["per_1000"] is None else float(record["per_1000"])}
            for record in comparison.records()]
    body = {
        "columns": list(COLUMNS),
        "k": comparison.k,
        "areas": [{"area": a.slug, "name": a.name, "project_role": a.role.value, "population": a.population}
                  for a in comparison.areas],
        "measures": {key: {"name": str(MEASURES[key].label), "definition": str(MEASURES[key].definition),
                           "unit": str(MEASURES[key].unit)} for key in (*COMPARED, "per_1000")},
        "notes": {note.value: note_text(note, comparison.k) for note in Note},
        "dictionary": url_for("figures.dictionary"),
        "rows": rows,
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")


def write_xlsx(comparison: Comparison) -> bytes:
    """A sheet of the records and a sheet of the areas (name, role, population)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    book.properties.creator = "stengage"
    sheet = book.create_sheet(gettext("Comparison")[:31])
    sheet.append(list(COLUMNS))
    for record in comparison.records():
        rate = record["per_1000"]
        sheet.append([safe_cell(record["area"]), record["category"], record["measure"], record["value"],
                      None if rate is None else float(rate), record["note"]])
    areas = book.create_sheet(gettext("Areas")[:31])
    areas.append(["area", "name", "project_role", "population"])
    for area in comparison.areas:
        areas.append([area.slug, safe_cell(area.name), area.role.value, area.population])
    raw = io.BytesIO()
    book.save(raw)
    return raw.getvalue()

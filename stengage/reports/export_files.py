"""Writing summaries as CSV or JSON (the workbook is written by ``xlsx``): formula-safe, byte-identical
for the same data.

The files only format the summary's rows; the data dictionary comes from the metric definitions.
The CSV is for tools: one line per summary row under fixed column names in every language, stable
identifiers rather than names, a withheld figure an empty field (``suppressed`` and ``reason`` say
why). The JSON has the same records under the same keys, and adds the names in the reader's
language, which figures of each row are withheld and why (their values are null), the data
dictionary and the disclosure rule with its k.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from stengage.areas.models import Area, Process
from stengage.core.exports import safe_cell
from stengage.extensions import db
from stengage.reports.disclosure import Reason
from stengage.reports.metrics import Row, min_residents, reason_text
from stengage.reports.summaries import COLUMNS, MEASURE_COLUMNS, SummaryQuery, dictionary, records

SUMMARY_FORMATS = ("csv", "xlsx", "json")
FORMATS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "json": "application/json", "pdf": "application/pdf"}
# The reasons a summary can give (UNKNOWN only concerns report versions of old).
SUMMARY_REASONS = (Reason.FEW, Reason.PROTECTS)


@dataclass(frozen=True)
class About:
    """What a summary file covers: the areas and processes asked for (by name) and the period."""

    areas: tuple[str, ...]
    processes: tuple[str, ...] = ()  # none: every process of the areas
    start: date | None = None
    end: date | None = None
    counted: datetime | None = None  # when the figures were counted: fixed by the job, never "now"
    dictionary_url: str = ""  # the public data dictionary


def describe(query: SummaryQuery, counted: datetime | None = None, dictionary_url: str = "") -> About:
    """The names of what ``query`` asks for, for the reader of the file."""
    areas = db.session.scalars(select(Area.name).where(Area.id.in_(query.area_ids)).order_by(Area.name)).all()
    processes = db.session.scalars(select(Process.title).where(Process.id.in_(query.process_ids))
                                   .order_by(Process.title)).all() if query.process_ids else []
    return About(areas=tuple(areas), processes=tuple(processes), start=query.start, end=query.end, counted=counted,
                 dictionary_url=dictionary_url)


def disclosure_rule(k: int) -> str:
    """The disclosure rule in one sentence, in the reader's language."""
    return gettext("A figure about fewer than %(num)d residents is withheld (left empty, never written as 0), "
                   "and so is any figure that would let it be worked out from a total or from other figures.",
                   num=k)


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_csv(rows: Sequence[Row]) -> bytes:
    """The letter-code CSV: fixed column names in every language (the dictionary explains them)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in records(list(rows)):
        writer.writerow([safe_cell(record[column]) for column in COLUMNS])
    return out.getvalue().encode("utf-8")


def dictionary_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["column", "name", "meaning", "counts"])
    for entry in dictionary():
        writer.writerow([safe_cell(cell) for cell in entry])
    return out.getvalue().encode("utf-8")


def write_json(rows: Sequence[Row], query: dict[str, Any]) -> bytes:
    """The stable keys of the CSV, with names, the dictionary and the disclosure rule; withheld values null."""
    k = min_residents()
    rows = list(rows)
    body = {
        "query": query, "columns": list(COLUMNS),
        "dictionary": {column: {"name": name, "meaning": meaning, "counts": counts}
                       for column, name, meaning, counts in dictionary()},
        "disclosure": {"min_residents": k, "rule": disclosure_rule(k),
                       "reasons": {str(reason): reason_text(reason, k) for reason in SUMMARY_REASONS}},
        "rows": [{**record, "labels": row.extra["labels"],
                  "withheld": {m: str(why) for m, why in row.hidden.items() if m in MEASURE_COLUMNS}}
                 for row, record in zip(rows, records(rows), strict=True)],
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")

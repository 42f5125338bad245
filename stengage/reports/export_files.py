"""Writing summaries as CSV, XLSX or JSON: formula-safe, byte-identical for the same data.

The files only format the summary's records; the data dictionary comes from the metric definitions.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask_babel import gettext

from stengage.core.exports import safe_cell
from stengage.reports.summaries import COLUMNS, dictionary

SUMMARY_FORMATS = ("csv", "xlsx", "json")
FORMATS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "json": "application/json", "pdf": "application/pdf"}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _cells(record: dict[str, Any]) -> list[Any]:
    return [safe_cell(record[c]) for c in COLUMNS]


def write_csv(records: Iterable[dict[str, Any]]) -> bytes:
    """The letter-code CSV: fixed column names in every language (the dictionary explains them)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow(_cells(record))
    return out.getvalue().encode("utf-8")


def dictionary_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["column", "name", "meaning", "counts"])
    for entry in dictionary():
        writer.writerow([safe_cell(cell) for cell in entry])
    return out.getvalue().encode("utf-8")


def write_json(records: Iterable[dict[str, Any]], query: dict[str, Any]) -> bytes:
    # JSON keeps the stable keys; the dictionary explains them in the reader's language.
    body = {"query": query, "columns": list(COLUMNS),
            "dictionary": {column: {"name": name, "meaning": meaning, "counts": counts}
                           for column, name, meaning, counts in dictionary()},
            "rows": list(records)}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def write_xlsx(records: Iterable[dict[str, Any]]) -> bytes:
    """One sheet of rows and one of the data dictionary; timestamps fixed so the bytes repeat."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    book.properties.creator = "stengage"
    book.properties.created = book.properties.modified = datetime(2000, 1, 1)
    sheet = book.create_sheet(gettext("Summary")[:31])
    sheet.append(list(COLUMNS))
    for record in records:
        sheet.append(_cells(record))
    sheet_dictionary = book.create_sheet(gettext("Data dictionary")[:31])
    sheet_dictionary.append([gettext("Column"), gettext("Name"), gettext("Meaning"), gettext("What counts")])
    for entry in dictionary():
        sheet_dictionary.append(list(entry))
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite the XLSX container with fixed entry times (ZIP stores when each part was written)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the current time
                content = _fixed_core(content)
            target.writestr(entry, content)
    return out.getvalue()


def _fixed_core(xml: bytes) -> bytes:
    return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>2000-01-01T00:00:00Z\g<2>", xml)

"""Writing summaries as CSV, XLSX or JSON: formula-safe, byte-identical for the same data."""

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

from stengage.core.exports import safe_cell
from stengage.reports.summaries import COLUMNS, DICTIONARY, LABELS

SUMMARY_FORMATS = ("csv", "xlsx", "json")
FORMATS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "json": "application/json", "pdf": "application/pdf"}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _cells(row: dict[str, Any]) -> list[Any]:
    return [safe_cell(row[c]) for c in COLUMNS]


def write_csv(rows: Iterable[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([str(LABELS[c]) for c in COLUMNS])
    for row in rows:
        writer.writerow(_cells(row))
    return out.getvalue().encode("utf-8")


def dictionary_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([str(LABELS["column"]), str(LABELS["meaning"])])
    for column in COLUMNS:
        writer.writerow([str(LABELS[column]), str(DICTIONARY[column])])
    return out.getvalue().encode("utf-8")


def write_json(rows: Iterable[dict[str, Any]], query: dict[str, Any]) -> bytes:
    # JSON keeps the stable keys; the dictionary explains them in the reader's language.
    body = {"query": query, "dictionary": {c: str(DICTIONARY[c]) for c in COLUMNS}, "rows": list(rows)}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def write_xlsx(rows: Iterable[dict[str, Any]]) -> bytes:
    """One sheet of rows and one of the data dictionary; timestamps fixed so the bytes repeat."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    book.properties.creator = "stengage"
    book.properties.created = book.properties.modified = datetime(2000, 1, 1)
    sheet = book.create_sheet(str(LABELS["summary"])[:31])
    sheet.append([str(LABELS[c]) for c in COLUMNS])
    for row in rows:
        sheet.append(_cells(row))
    dictionary = book.create_sheet(str(LABELS["dictionary"])[:31])
    dictionary.append([str(LABELS["column"]), str(LABELS["meaning"])])
    for column in COLUMNS:
        dictionary.append([str(LABELS[column]), str(DICTIONARY[column])])
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

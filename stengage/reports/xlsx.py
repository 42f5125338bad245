"""Summaries as a workbook a city can publish as it is.

An "About this file" sheet (what was asked for, when the figures were counted, the disclosure rule and
what each sheet holds), then one sheet per breakdown with names in the reader's language, then the
data dictionary. Figures are numbers with thousands separators; a withheld figure is an empty, shaded
cell and the row's note says why in words; dates are dates, yes/no are booleans, and every text is
formula-safe. The workbook only formats the summary's rows.

The bytes repeat for the same data: no "now" in any cell (the job says when it counted) and fixed
times inside the ZIP container.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from stengage.core.exports import safe_cell
from stengage.reports.export_files import About, disclosure_rule
from stengage.reports.metrics import BREAKDOWNS, MEASURES, Row, min_residents, reason_text
from stengage.reports.summaries import TABLES

# The columns that name a row of each breakdown (keys of the summary's labels), and whose item heads them.
NAMES = {"area": ("area",), "area_process": ("area", "process"), "category": ("area", "category"),
         "status": ("area", "process", "status"), "week": ("area", "week"), "theme": ("area", "process", "theme")}
HEADING_OF = {"area": "area", "process": "area_process", "category": "category", "status": "status",
               "week": "week", "theme": "theme"}

INTEGER, DATE, DATETIME = "#,##0", "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_WITHHELD_FILL = PatternFill("solid", fgColor="EDEDED")
_EDGE = Side(style="thin", color="7F7F7F")
_HEADER_BORDER = Border(left=_EDGE, right=_EDGE, top=_EDGE, bottom=_EDGE)
_WRAP = Alignment(wrap_text=True, vertical="top")
_LINK = Font(color="0563C1", underline="single")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str = "text"  # text, long (wrapped), integer, date, boolean


def write_xlsx(rows: Sequence[Row], about: About) -> bytes:
    """About, one sheet per breakdown, the data dictionary; timestamps fixed so the bytes repeat."""
    k = min_residents()
    book = Workbook()
    book.remove(book.active)
    book.properties.creator = "stengage"
    book.properties.created = book.properties.modified = datetime(2000, 1, 1)
    titles: set[str] = set()
    about_sheet = book.create_sheet(sheet_title(gettext("About this file"), titles))
    contents: list[tuple[str, str, int]] = []
    shown: set[str] = set()
    for table in TABLES:
        breakdown = BREAKDOWNS[table]
        table_rows = [row for row in rows if row.table == table]
        title = sheet_title(str(breakdown.label), titles)
        _breakdown_sheet(book.create_sheet(title), table, table_rows, k)
        contents.append((title, str(breakdown.definition), len(table_rows)))
        shown.update(breakdown.measures)
    entries = _dictionary(shown)
    dictionary_title = sheet_title(gettext("Data dictionary"), titles)
    _table(book.create_sheet(dictionary_title),
           [Column(gettext("Name")), Column(gettext("Key")), Column(gettext("Definition"), "long"),
            Column(gettext("Unit")), Column(gettext("What counts"), "long")], entries, frozen=1)
    contents.append((dictionary_title, gettext("What each column of the other sheets means and what counts."),
                     len(entries)))
    _about(about_sheet, about, k, contents)
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_zip(raw.getvalue())


def _breakdown_sheet(sheet: Worksheet, table: str, rows: Sequence[Row], k: int) -> None:
    names, measures = NAMES[table], BREAKDOWNS[table].measures
    columns = [Column(str(BREAKDOWNS[HEADING_OF[name]].item)) for name in names]
    if table == "week":
        columns.append(Column(gettext("Week starting"), "date"))
    columns += [Column(str(MEASURES[m].label), "integer") for m in measures]
    columns += [Column(gettext("Figures withheld"), "boolean"), Column(gettext("Note"), "long")]

    def cells(row: Row) -> list[Any]:
        labels = row.extra["labels"]
        values: list[Any] = [labels[name] for name in names]
        if table == "week":
            values.append(_monday(labels["week"]))
        values += [row.value(m) for m in measures]
        return [*values, any(m in row.hidden for m in measures), _note(row, measures, k)]

    _table(sheet, columns, (cells(row) for row in rows), frozen=len(names))
    first = len(names) + (table == "week") + 1  # shade the withheld figures' empty cells
    cells_of_figures = sheet.iter_rows(min_row=2, max_row=len(rows) + 1, min_col=first,
                                       max_col=first + len(measures) - 1) if rows else ()
    for row, line in zip(rows, cells_of_figures, strict=True):
        for measure, cell in zip(measures, line, strict=True):
            if measure in row.hidden:
                cell.fill = _WITHHELD_FILL


def _note(row: Row, measures: Sequence[str], k: int) -> str:
    """Why figures of the row are withheld, in words: the reason, and which figures when not all are."""
    hidden = [m for m in measures if m in row.hidden]
    reasons = list(dict.fromkeys(row.hidden[m] for m in hidden))
    if len(hidden) == len(measures) and len(reasons) == 1:
        return reason_text(reasons[0], k)
    return " ".join(
        f"{', '.join(str(MEASURES[m].label) for m in hidden if row.hidden[m] == reason)} — {reason_text(reason, k)}"
        for reason in reasons)


def _monday(week: str) -> date | None:
    """The first day of an ISO week written YYYY-Www."""
    try:
        year, number = week.split("-W")
        return date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        return None


def _dictionary(shown: set[str]) -> list[list[str]]:
    """Every figure of the breakdown sheets, then the columns the workbook adds, as the metrics define them."""
    entries = [[str(m.label), m.key, str(m.definition), str(m.unit), str(m.counts)]
               for m in MEASURES.values() if m.key in shown]
    entries.append([gettext("Week starting"), "", gettext("The Monday that begins the ISO week."), "", ""])
    entries.append([gettext("Figures withheld"), "suppressed",
                    gettext("Whether figures of the row are withheld by the disclosure rule (their cells are "
                            "empty)."), "", ""])
    entries.append([gettext("Note"), "reason", gettext("Why figures of the row are withheld, in words."), "", ""])
    return entries


def _about(sheet: Worksheet, about: About, k: int, contents: Sequence[tuple[str, str, int]]) -> None:
    sheet.append([gettext("Engagement summary")])
    sheet["A1"].font = _TITLE
    unlimited = gettext("Not limited")
    facts: list[tuple[str, Any, str]] = [
        (gettext("Areas"), ", ".join(about.areas), ""),
        (gettext("Processes"), ", ".join(about.processes) or gettext("Every process of these areas"), ""),
        (gettext("From"), about.start or unlimited, DATE),
        (gettext("Until"), about.end or unlimited, DATE),
    ]
    if about.counted is not None:
        counted = about.counted.astimezone(UTC) if about.counted.tzinfo else about.counted
        facts.append((gettext("Figures counted (UTC)"), counted.replace(tzinfo=None, microsecond=0), DATETIME))
    facts += [(gettext("Withheld figures"), disclosure_rule(k), ""),
              (gettext("Fewest residents a figure may be about"), k, INTEGER)]
    for label, value, number_format in facts:
        sheet.append([label, _text(value)])
        name, cell = sheet.cell(sheet.max_row, 1), sheet.cell(sheet.max_row, 2)
        name.font, name.alignment, cell.alignment = _BOLD, _WRAP, _WRAP
        if number_format and not isinstance(value, str):
            cell.number_format = number_format
            cell.alignment = Alignment(horizontal="left", vertical="top")
    if about.dictionary_url:
        sheet.append([gettext("What each figure counts"), _text(about.dictionary_url)])
        sheet.cell(sheet.max_row, 1).font = _BOLD
        link = sheet.cell(sheet.max_row, 2)
        link.hyperlink, link.font = about.dictionary_url, _LINK
    sheet.append([])
    top = sheet.max_row + 1
    header = [Column(gettext("Sheet")), Column(gettext("What one row is"), "long"), Column(gettext("Rows"), "integer")]
    sheet.append([column.heading for column in header])
    for line in contents:
        sheet.append([_text(value) for value in line])
        sheet.cell(sheet.max_row, 2).alignment = _WRAP
        sheet.cell(sheet.max_row, 3).number_format = INTEGER
    for cell in sheet[top]:
        _header(cell)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 90
    sheet.column_dimensions["C"].width = 10


def _table(sheet: Worksheet, columns: Sequence[Column], lines: Iterable[Sequence[Any]], frozen: int) -> None:
    """A header (bold, shaded, bordered, frozen with the first ``frozen`` columns) and typed, formatted cells."""
    sheet.append([column.heading for column in columns])
    widths = [len(column.heading) + 3 for column in columns]  # room for the filter button
    for values in lines:
        sheet.append([_text(value) for value in values])
        for index, (column, cell) in enumerate(zip(columns, sheet[sheet.max_row], strict=True)):
            if column.kind == "integer":
                cell.number_format = INTEGER
            elif column.kind == "date":
                cell.number_format = DATE
            elif column.kind == "long":
                cell.alignment = _WRAP
            widths[index] = max(widths[index], _shown_length(cell.value))
    for index, (column, cell) in enumerate(zip(columns, sheet[1], strict=True)):
        _header(cell)
        limit = 60 if column.kind == "long" else 40
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(widths[index] + 1, 8), limit)
    sheet.freeze_panes = f"{get_column_letter(frozen + 1)}2"  # naming no cell, so an empty sheet stays empty
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(sheet.max_row, 2)}"


def _header(cell: Any) -> None:
    cell.font, cell.fill, cell.border = _BOLD, _HEADER_FILL, _HEADER_BORDER
    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _shown_length(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        return 6
    if isinstance(value, int):
        return len(f"{value:,}")
    if isinstance(value, datetime | date):
        return 16 if isinstance(value, datetime) else 10
    return len(str(value))


def _text(value: Any) -> Any:
    """Text made formula-safe; numbers, booleans, dates and empty cells keep their type."""
    return safe_cell(value) if isinstance(value, str) else value


def sheet_title(text: str, used: set[str]) -> str:
    """A valid sheet name (at most 31 characters, none of []:*?/\\), unique regardless of case."""
    base = _INVALID_TITLE.sub(" ", text).strip().strip("'")[:31].strip() or "Sheet"
    title, number = base, 2
    while title.casefold() in used:
        suffix = f" ({number})"
        title, number = base[:31 - len(suffix)].rstrip() + suffix, number + 1
    used.add(title.casefold())
    return title


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

"""Reading the figures back out of every published output, as a reader of that output would.

Each reader returns ``{(table, key, measure): value}`` where a withheld figure is None; it fails
when a withheld figure is written as anything but its output's way of saying "not shown" (an empty
cell, null, the words "not shown").
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any

from stengage.core.i18n import LANGUAGE_NAMES
from stengage.proposals.forms import CATEGORY_LABELS, STATUS_LABELS
from stengage.reports.metrics import MEASURES

Cell = tuple[str, tuple[str, ...], str]
Published = dict[Cell, int | None]

NOT_SHOWN = "not shown"
_WEEK = re.compile(r"^\d{4}-W\d{2}$")
_PROPOSAL_LINK = re.compile(r"/proposals/(\d+)$")


def _put(cells: Published, cell: Cell, value: int | None, where: str) -> None:
    assert cells.get(cell, value) == value, f"{where}: {cell} is shown as {cells[cell]} and as {value}"
    cells[cell] = value


class _FigureReader(HTMLParser):
    """Every figure of a report page: ``<data value>`` or "not shown", with the headings it sits under."""

    def __init__(self) -> None:
        super().__init__()
        # where (table, dl or proposal), headings (a table's columns, a theme's title), row, column, value
        self.found: list[tuple[str, tuple[str, ...], str, str, int | None]] = []
        self.charts: dict[str, str] = {}
        self._text: list[str] | None = None
        self._theme: str | None = None
        self._in_theme = False
        self._dt = ""
        self._in_dl = self._in_table = self._in_thead = False
        self._columns: list[str] = []
        self._row = ""
        self._column = 0
        self._li_proposal: str | None = None
        self._desc: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        if tag == "article" and "report-theme" in classes:
            self._in_theme, self._theme = True, None
        elif tag in ("h3", "dt", "th") or (tag == "desc" and (values.get("id") or "").startswith("chart-")):
            self._text = []
            self._desc = values.get("id") if tag == "desc" else None
        elif tag == "dl":
            self._in_dl = True
        elif tag == "table":
            self._in_table, self._columns = True, []
        elif tag == "thead":
            self._in_thead = True
        elif tag == "tr":
            self._column = 0
        elif tag == "td":
            self._column += 1
        elif tag == "li":
            self._li_proposal = None
        elif tag == "a" and self._li_proposal is None:
            match = _PROPOSAL_LINK.search(values.get("href") or "")
            if match:
                self._li_proposal = match.group(1)
        elif tag == "data":
            self._figure(int(values["value"] or ""))
        elif tag == "span" and "not-shown" in classes:
            self._figure(None)

    def handle_endtag(self, tag: str) -> None:
        text = " ".join("".join(self._text or []).split())
        if tag == "article":
            self._in_theme = False
        elif tag == "h3" and self._in_theme and self._theme is None:
            self._theme = text
        elif tag == "dt":
            self._dt = text
        elif tag == "th":
            if self._in_thead:
                self._columns.append(text)
            else:
                self._row = text
        elif tag == "desc" and self._desc:
            self.charts[self._desc] = text
        elif tag == "dl":
            self._in_dl = False
        elif tag == "table":
            self._in_table = False
        elif tag == "thead":
            self._in_thead = False
        elif tag == "li":
            self._li_proposal = None
        if tag in ("h3", "dt", "th", "desc"):
            self._text, self._desc = None, None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def _figure(self, value: int | None) -> None:
        if self._in_table:
            self.found.append(("table", tuple(self._columns), self._row, self._columns[self._column], value))
        elif self._in_dl:
            self.found.append(("dl", (self._theme,) if self._in_theme and self._theme else (), "", self._dt, value))
        elif self._li_proposal is not None:
            self.found.append(("proposal", (), self._li_proposal, "supports", value))
        else:
            raise AssertionError(f"a figure outside any table, list or named proposal: {value}")


def _labels() -> dict[str, dict[str, str]]:
    return {"measure": {str(m.label): key for key, m in MEASURES.items()},
            "category": {str(label): c.value for c, label in CATEGORY_LABELS.items()},
            "status": {str(label): s.value for s, label in STATUS_LABELS.items()},
            "language": {name: code for code, name in LANGUAGE_NAMES.items()}}


def _item(label: str, columns: Iterable[str], labels: dict[str, dict[str, str]]) -> tuple[str, tuple[str, ...]]:
    """Which row a table's row heading names: a week, a category, a status or a language."""
    if _WEEK.match(label):
        return "week", (label,)
    for table in ("category", "status"):
        if label in labels[table]:
            return table, (labels[table][label],)
    if label in labels["language"]:
        table = "proposal_language" if str(MEASURES["proposals"].label) in columns else "comment_language"
        return table, (labels["language"][label],)
    raise AssertionError(f"a table row named {label!r}")


def report_page(html: str, theme_ids: dict[str, str]) -> Published:
    """The figures of a report page or its HTML file (themes named by title: ``theme_ids`` maps titles to ids)."""
    reader = _FigureReader()
    reader.feed(html)
    labels = _labels()
    cells: Published = {}
    for where, headings, row, column, value in reader.found:
        measure = labels["measure"].get(column, column)
        if where == "dl" and headings:
            cell: Cell = ("theme", (theme_ids[headings[0]],), measure)
        elif where == "dl":
            table = "participation" if measure in ("residents", "proposals", "supports", "comments") else "membership"
            cell = (table, (), measure)
        elif where == "proposal":
            cell = ("proposal", (row,), measure)
        else:
            table, key = _item(row, headings, labels)
            cell = (table, key, measure)
        _put(cells, cell, value, "report page")
    for chart, text in reader.charts.items():
        table = {"chart-weekly-desc": "week", "chart-categories-desc": "category"}[chart]
        for item_text in filter(None, text.split("; ")):
            label, _, figures = item_text.partition(": ")
            _table, key = _item(label, (), labels)
            for figure in figures.split(", "):
                name, _, number = figure.rpartition(" ")
                if number == "shown" and name.endswith(" not"):
                    name, value = name[: -len(" not")], None
                else:
                    value = int(number.replace(",", ""))
                _put(cells, (table, key, labels["measure"][name]), value, f"chart {chart}")
    return cells


def report_csv(body: bytes) -> Published:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0][6:] == ["breakdown", "item", "figure"], rows[0]
    cells: Published = {}
    for row in rows[1:]:
        value, note, table, item, measure = row[3], row[5], row[6], row[7], row[8]
        if value == "":
            assert note, f"report CSV: {row} is empty without saying why"
        else:
            assert not note, f"report CSV: {row} has a figure and a note"
        _put(cells, (table, tuple(item.split("/")) if item else (), measure), int(value) if value else None,
             "report CSV")
    return cells


def report_document(document: dict[str, Any]) -> Published:
    """The figures of a version's open-data document (the JSON download and the API)."""
    cells: Published = {}
    for figure in document["figures"]:
        withheld = set(figure["withheld"])
        for measure, value in figure["values"].items():
            assert (value is None) == (measure in withheld), f"report JSON: {figure}"
            _put(cells, (figure["breakdown"], tuple(figure["key"]), measure), value, "report JSON")
    return cells


# --- Engagement summaries ----------------------------------------------------------------------------

SUMMARY_KEYS = {"area": ("area",), "area_process": ("area", "process"), "category": ("area", "category"),
                "status": ("area", "process", "status"), "week": ("area", "week"),
                "theme": ("area", "process", "theme")}
SUMMARY_COLUMNS = ("proposals", "supports", "comments", "accepted", "implemented", "residents")


def summary_records(records: Iterable[dict[str, Any]], applicable: dict[str, tuple[str, ...]]) -> Published:
    """The figures of summary records (from any file or the API): a figure a row does not have is
    empty; a withheld one is empty too, and the row says it is suppressed and why."""
    cells: Published = {}
    for record in records:
        table = record["table"]
        key = tuple(str(record[column]) for column in SUMMARY_KEYS[table])
        withheld = False
        for measure in SUMMARY_COLUMNS:
            value = record[measure]
            if measure not in (*applicable[table], "residents"):
                assert value is None, f"summary: {table} has no {measure}, yet shows {value!r}"
                continue
            withheld |= value is None
            _put(cells, (table, key, measure), value, "summary")
        assert record["suppressed"] == withheld, f"summary: {record} says suppressed={record['suppressed']}"
        assert bool(record["reason"]) == withheld and record["reason"] in ("", "few", "protects"), record
    return cells


def _typed(value: Any, column: str) -> Any:
    """A file's cell as the record had it: a figure is a number or empty (None), true/false a boolean."""
    if column in SUMMARY_COLUMNS:
        if value in ("", None):
            return None
        assert isinstance(value, int) or str(value).isdigit(), f"{column} is {value!r}"
        return int(value)
    if column == "suppressed":
        assert value in ("true", "false"), value
        return value == "true"
    return "" if value is None else str(value)


def summary_csv(body: bytes) -> list[dict[str, Any]]:
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    return [{column: _typed(value, column) for column, value in row.items()} for row in rows]


def summary_json(body: bytes) -> list[dict[str, Any]]:
    return list(json.loads(body)["rows"])

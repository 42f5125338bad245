"""Engagement summaries for city staff: the metrics per area, process, category, status, week and theme.

Anonymised by construction: only aggregates are read (no names, emails, addresses or per-person
times), and the disclosure rule withholds rows about fewer than k residents and whatever would let
them be worked out. Rows come out in a fixed order, so the same inputs always give the same file.
The files (CSV, XLSX, JSON), the API, the comparison and the summary page all read ``summary``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from stengage.areas.models import Area, Process
from stengage.extensions import db
from stengage.proposals.models import Category, ProposalStatus
from stengage.reports.counting import ACCEPTED, Cut, Scope, count
from stengage.reports.disclosure import Line
from stengage.reports.figures import Figures, chain, elsewhere, themes_of
from stengage.reports.metrics import MEASURES, Row, disclose, item_label, min_residents
from stengage.reports.models import Report, ReportVersion

TABLES = ("area", "area_process", "category", "status", "week", "theme")
# The fixed columns of every summary file: stable names, explained by the data dictionary.
KEY_COLUMNS = ("table", "area", "process", "category", "status", "week", "theme")
MEASURE_COLUMNS = ("proposals", "supports", "comments", "accepted", "implemented", "residents")
COLUMNS = (*KEY_COLUMNS, *MEASURE_COLUMNS, "suppressed", "reason")
COLUMN_DEFINITIONS = {
    "table": _l("Which breakdown the row belongs to: area, area_process, category, status, week or theme."),
    "area": _l("Project area (stable identifier, e.g. vienna-simmering)."),
    "process": _l("Participation process (stable identifier); empty for area-wide rows."),
    "category": _l("Shared category of the proposals (the same list in every area)."),
    "status": _l("Status of the proposals (published, under review, accepted, …)."),
    "week": _l("ISO week of the contributions (YYYY-Www, UTC)."),
    "theme": _l("Theme of the latest published governance report."),
    "suppressed": _l("true when figures of the row are withheld by the disclosure rule: those are left empty "
                     "(so is a figure the row's breakdown does not have, such as accepted per week)."),
    "reason": _l("Why: few (about fewer than k residents) or protects (it would let a withheld figure be worked "
                 "out from the others)."),
}
_ORDER = {"category": [c.value for c in Category], "status": [s.value for s in ProposalStatus]}


@dataclass(frozen=True)
class SummaryQuery:
    area_ids: tuple[int, ...]
    process_ids: tuple[int, ...] = ()
    start: date | None = None
    end: date | None = None

    def key(self) -> dict[str, Any]:
        return {"areas": sorted(self.area_ids), "processes": sorted(self.process_ids),
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None}

    def scope(self) -> Scope:
        return Scope(area_ids=self.area_ids, process_ids=self.process_ids, event_days=(self.start, self.end))


def summary(query: SummaryQuery, tables: tuple[str, ...] = TABLES) -> list[Row]:
    """Every row of the summary, counted by ``counting``, the disclosure rule applied, labelled.

    The rule always sees the whole summary (every table), so a row hidden in one output is hidden in
    all of them, whichever tables an output then shows."""
    themes = _latest_themes(query)
    counted = count(query.scope(), SUMMARY_CUTS, [
        (f"{area}/{process}/{theme['id']}", theme["proposals"], theme["comments"]) for area, process, theme in themes])
    rows = counted.rows
    for row in rows:
        if row.table == "theme":  # the group's key was one string: split it into the summary's columns
            row.key = tuple(row.key[0].split("/"))
    # Published report versions are public for good: the summary withholds what they withhold and
    # never protects with a figure they publish.
    published = _published_reports(query)
    known, forced = elsewhere(rows, [(figs, report.same_rows) for report in published for figs in report.versions])
    forced |= _small_remainders(rows, query, published)
    disclosed = disclose(rows, _lines(rows), figure_lines=_outcome_lines(rows), known=known, forced=forced)
    _label(disclosed, themes)
    return sorted((row for row in disclosed if row.table in tables), key=_sort_key)


SUMMARY_CUTS = {
    "area": Cut(("area",)),
    "area_process": Cut(("area", "process")),
    "category": Cut(("area", "category")),
    "status": Cut(("area", "process", "status")),
    "week": Cut(("area", "week")),
}


def _lines(rows: list[Row]) -> list[Line]:
    """Processes, categories and weeks each add up to their area; statuses to their process."""
    lines = []
    for area in (row for row in rows if row.table == "area"):
        for table in ("area_process", "category", "week"):
            lines.append(Line(tuple(r.id for r in rows if r.table == table and r.key[0] == area.key[0]), area.id))
    for process in (row for row in rows if row.table == "area_process"):
        lines.append(Line(tuple(r.id for r in rows if r.table == "status" and r.key[:2] == process.key), process.id))
    return [line for line in lines if line.parts]


def _outcome_lines(rows: list[Row]) -> list[Line]:
    """A process's accepted (implemented) proposals are the proposals of its statuses that count as
    accepted (implemented): without these lines a withheld status would show through its process.
    A process without such a status has none, as readers see from its statuses (a line without parts)."""
    lines = []
    for process in (row for row in rows if row.table == "area_process"):
        statuses = [r for r in rows if r.table == "status" and r.key[:2] == process.key]
        for measure, counted in (("accepted", ACCEPTED), ("implemented", {ProposalStatus.IMPLEMENTED.value})):
            if measure in process.values:
                lines.append(Line(tuple((r.id, "proposals") for r in statuses if r.key[2] in counted),
                                  (process.id, measure)))
    return lines


def _label(rows: list[Row], themes: list[tuple[str, str, dict[str, Any]]]) -> None:
    """Each row's key columns (stable identifiers) and labels (names in the reader's language)."""
    areas = dict(db.session.execute(select(Area.slug, Area.name)).all())
    processes = {(a, p): title for a, p, title in db.session.execute(
        select(Area.slug, Process.slug, Process.title).join(Area, Area.id == Process.area_id))}
    theme_titles = {(area, process, str(theme["id"])): theme["title"] for area, process, theme in themes}
    for row in rows:
        columns = dict.fromkeys(KEY_COLUMNS[1:], "")
        columns["area"] = row.key[0]
        if row.table in ("area_process", "status", "theme"):
            columns["process"] = row.key[1]
        if row.table == "category":
            columns["category"] = row.key[1]
        elif row.table == "status":
            columns["status"] = row.key[2]
        elif row.table == "week":
            columns["week"] = row.key[1]
        elif row.table == "theme":
            columns["theme"] = theme_titles.get(row.key, "")
        labels = {"area": areas.get(columns["area"], columns["area"]),
                  "process": processes.get((columns["area"], columns["process"]), columns["process"]),
                  "category": item_label("category", (columns["category"],)) if columns["category"] else "",
                  "status": item_label("status", (columns["status"],)) if columns["status"] else "",
                  "week": columns["week"], "theme": columns["theme"]}
        row.extra = {"columns": {"table": row.table, **columns}, "labels": labels}
        row.label = labels["theme"] or labels["week"] or labels["status"] or labels["category"] \
            or labels["process"] or labels["area"]


def _sort_key(row: Row) -> tuple[Any, ...]:
    columns = row.extra["columns"]
    return (TABLES.index(row.table), columns["area"], columns["process"],
            _position("category", columns["category"]), _position("status", columns["status"]), columns["week"],
            columns["theme"], row.key)


def _position(table: str, value: str) -> int:
    return _ORDER[table].index(value) if value in _ORDER[table] else -1


def dictionary() -> list[tuple[str, str, str, str]]:
    """(column, name, meaning, what counts) for every column of the summary files, in the reader's language."""
    entries = []
    for column in COLUMNS:
        measure = MEASURES.get(column)
        if measure is not None:
            entries.append((column, str(measure.label), f"{measure.definition} ({measure.unit})", str(measure.counts)))
        else:
            entries.append((column, column, str(COLUMN_DEFINITIONS[column]), ""))
    return entries


def records(rows: list[Row]) -> Iterator[dict[str, Any]]:
    """The rows as flat records with the fixed columns: files, the API and the comparison read these."""
    for row in rows:
        record: dict[str, Any] = dict(row.extra["columns"])
        for measure in MEASURE_COLUMNS:
            record[measure] = row.value(measure) if measure == "residents" or measure in row.values else None
        record["suppressed"] = row.suppressed
        record["reason"] = str(row.reason() or "")
        yield record


def rows(query: SummaryQuery) -> Iterator[dict[str, Any]]:
    """The whole summary as records (the staff files and the staff API)."""
    return records(summary(query))


@dataclass(frozen=True)
class _Reported:
    """A report of the areas with its published versions' figures, and where its rows sit here."""

    area: str
    process: str | None
    versions: list[Figures]

    def same_rows(self, row_id: tuple[str, ...]) -> list[Any]:
        table, key = row_id[0], row_id[1:]
        if table == "participation":
            return [("area", self.area), *([("area_process", self.area, self.process)] if self.process else [])]
        if table == "status" and self.process:
            return [("status", self.area, self.process, *key)]
        if table in ("category", "week"):
            return [(table, self.area, *key)]
        if table == "theme":
            return [("theme", self.area, self.process or "", *key)]
        return []


def _published_reports(query: SummaryQuery) -> list[_Reported]:
    """Every report of the areas that has published versions."""
    reports = db.session.scalars(select(Report).where(Report.area_id.in_(query.area_ids)).order_by(Report.id))
    return [_Reported(report.area.slug, report.process.slug if report.process else None,
                      chain([version.snapshot for version in report.versions]))
            for report in reports if report.versions]


def _small_remainders(rows: list[Row], query: SummaryQuery, published: list[_Reported]) -> set[Any]:
    """Area-wide figures that, minus what published process reports show, leave a count below k.

    A process report tells its process's categories and weeks; the summary tells the area's. The
    difference is about the area's other processes, and may be about one person: then the area-wide
    figure is withheld (secondary suppression then protects it). Residents taking part do not add
    up, but the area's minus a process's is exactly who took part only elsewhere: the same holds."""
    if query.start or query.end:  # a period: the figures count other contributions than the reports
        return set()
    k = min_residents()
    reported: dict[Any, int] = {}
    for report in published:  # each by its latest version: the one that tells the current figures
        for theirs in report.versions[-1].rows:
            if theirs.table not in ("participation", "category", "week"):
                continue
            area_wide = [row_id for row_id in report.same_rows(theirs.id) if row_id[0] in ("area", "category", "week")]
            for row_id in area_wide:
                for measure in theirs.measures:
                    value = theirs.value(measure, exact=True)
                    if value is not None:
                        reported[(row_id, measure)] = reported.get((row_id, measure), 0) + value
    by_id = {row.id: row for row in rows}
    small = set()
    for (row_id, measure), told in reported.items():
        row = by_id.get(row_id)
        whole = row.value(measure, exact=True) if row is not None and measure in row.measures else None
        if whole is not None and 0 < whole - told < k:
            small.add((row_id, measure))
    return small


def _latest_themes(query: SummaryQuery) -> list[tuple[str, str, dict[str, Any]]]:
    """(area, process, theme) of the latest published version of every report of the areas."""
    latest = select(ReportVersion.report_id, func.max(ReportVersion.number).label("number")).group_by(
        ReportVersion.report_id).subquery()
    versions = db.session.execute(
        select(ReportVersion, Area.slug, Process.slug)
        .join(latest, and_(latest.c.report_id == ReportVersion.report_id, latest.c.number == ReportVersion.number))
        .join(Report, Report.id == ReportVersion.report_id).join(Area, Area.id == Report.area_id)
        .outerjoin(Process, Process.id == Report.process_id)
        .where(Report.area_id.in_(query.area_ids)).order_by(ReportVersion.id)).all()
    return [(area, process or "", theme) for version, area, process in versions
            for theme in themes_of(version.snapshot)]

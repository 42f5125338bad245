"""Engagement summaries for city staff: counts per area, process, category, theme and week.

Anonymised by construction: only aggregates are read (no names, emails, addresses or per-person
times), and a row that describes fewer than ``MIN_RESIDENTS`` distinct residents is suppressed.
Rows come out in a fixed order, so the same inputs always give the same file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Integer, Select, and_, case, cast, func, literal, select, union_all

from stengage.areas.models import Area, Process
from stengage.db import on_days, on_postgresql
from stengage.extensions import db
from stengage.proposals.models import Comment, Proposal, Support
from stengage.proposals.queries import listed_proposals
from stengage.reports.models import Report, ReportVersion

MIN_RESIDENTS = 5
SUPPRESSED = None  # written as an empty cell (CSV/XLSX) or null (JSON), flagged in "suppressed"
COLUMNS = ("table", "area", "process", "category", "week", "theme", "proposals", "supports", "comments",
           "residents", "suppressed")

# Headers and the data dictionary are written in the language of whoever asks for the file.
LABELS = {
    "table": _l("table"), "area": _l("area"), "process": _l("process"), "category": _l("category"),
    "week": _l("week"), "theme": _l("theme"), "proposals": _l("proposals"), "supports": _l("supports"),
    "comments": _l("comments"), "residents": _l("residents"), "suppressed": _l("suppressed"),
    "column": _l("column"), "meaning": _l("meaning"), "summary": _l("summary"), "dictionary": _l("data dictionary"),
}
DICTIONARY = {
    "table": _l("Which breakdown the row belongs to: area_process, category, week, status or theme."),
    "area": _l("Project area (stable identifier, e.g. vienna-simmering)."),
    "process": _l("Participation process (stable identifier), empty for area-wide rows."),
    "category": _l("Shared category of the proposals (the same list in every area); status rows: the status."),
    "week": _l("ISO week of the contributions (YYYY-Www)."),
    "theme": _l("Theme of the latest published governance report."),
    "proposals": _l("Number of visible proposals (not hidden, not withdrawn, not merged)."),
    "supports": _l("Number of supports given to these proposals."),
    "comments": _l("Number of visible comments on these proposals."),
    "residents": _l("Distinct residents who proposed, supported or commented."),
    "suppressed": _l("true when the row describes fewer than 5 residents: its counts are left empty."),
}


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


def _bounds(query: SummaryQuery, column: Any) -> list[ColumnElement[bool]]:
    return on_days(column, query.start, query.end)


def _proposal_conditions(query: SummaryQuery) -> list[ColumnElement[bool]]:
    conditions = [Proposal.area_id.in_(query.area_ids), *listed_proposals()]
    if query.process_ids:
        conditions.append(Proposal.process_id.in_(query.process_ids))
    return conditions


def _events(query: SummaryQuery) -> Select[Any]:
    """One row per contribution: who (id only, never shown), what, where and which ISO week."""
    scope = _proposal_conditions(query)
    proposals = select(Proposal.author_id.label("who"), literal("proposal").label("kind"),
                       Proposal.id.label("proposal_id"), Proposal.created_at.label("at")).where(
        *scope, *_bounds(query, Proposal.created_at))
    supports = select(Support.user_id, literal("support"), Support.proposal_id, Support.created_at).join(
        Proposal, Proposal.id == Support.proposal_id).where(*scope, *_bounds(query, Support.created_at))
    comments = select(Comment.author_id, literal("comment"), Comment.proposal_id, Comment.created_at).join(
        Proposal, Proposal.id == Comment.proposal_id).where(
        *scope, Comment.hidden_at.is_(None), Comment.deleted_at.is_(None), *_bounds(query, Comment.created_at))
    return union_all(proposals, supports, comments)


def utc_day(column: Any) -> ColumnElement[str]:
    """The UTC calendar day (YYYY-MM-DD) of a timestamp; SQLite stores them as UTC text already."""
    if on_postgresql(db.session):
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.substr(column, 1, 10)


def iso_week(column: Any) -> ColumnElement[str]:
    """The ISO week (YYYY-Www) of a UTC timestamp, computed by the database."""
    if on_postgresql(db.session):
        return func.to_char(func.timezone("UTC", column), 'IYYY-"W"IW')
    thursday = func.date(column, "-3 days", "weekday 4")  # the Thursday of the same ISO week
    return func.printf("%s-W%02d", func.strftime("%Y", thursday),
                       (cast(func.strftime("%j", thursday), Integer) - 1) / 7 + 1)


def _counts(events: Any) -> list[Any]:
    return [func.sum(case((events.c.kind == kind, 1), else_=0)) for kind in ("proposal", "support", "comment")] + [
        func.count(func.distinct(events.c.who))]


def rows(query: SummaryQuery) -> Iterator[dict[str, Any]]:
    """The summary, row by row, in a fixed order; every count is aggregated by the database."""
    events = _events(query).subquery()
    joined = (select().select_from(events).join(Proposal, Proposal.id == events.c.proposal_id)
              .join(Area, Area.id == Proposal.area_id).join(Process, Process.id == Proposal.process_id))
    week = iso_week(events.c.at)
    tables: list[tuple[str, list[Any]]] = [
        ("area_process", [Area.slug, Process.slug, literal(""), literal("")]),
        ("category", [Area.slug, literal(""), Proposal.category, literal("")]),
        ("week", [Area.slug, literal(""), literal(""), week]),
    ]
    results: list[tuple[tuple[str, ...], list[int]]] = []
    for table, keys in tables:
        stmt = joined.add_columns(*keys, *_counts(events)).group_by(*keys)
        for row in db.session.execute(stmt):
            results.append(((table, row[0], row[1], str(row[2]), row[3], ""), list(row[4:])))
    status_stmt = joined.add_columns(Area.slug, Process.slug, Proposal.status, *_counts(events)).where(
        events.c.kind == "proposal").group_by(Area.slug, Process.slug, Proposal.status)
    for row in db.session.execute(status_stmt):
        results.append((("status", row[0], row[1], str(row[2]), "", ""), list(row[3:])))
    results += _theme_rows(query, events)
    for key, (proposals, supports, comments, residents) in sorted(results):
        small = residents < MIN_RESIDENTS
        yield {
            "table": key[0], "area": key[1], "process": key[2], "category": key[3], "week": key[4], "theme": key[5],
            "proposals": SUPPRESSED if small else int(proposals), "supports": SUPPRESSED if small else int(supports),
            "comments": SUPPRESSED if small else int(comments), "residents": SUPPRESSED if small else residents,
            "suppressed": small,
        }


def _theme_rows(query: SummaryQuery, events: Any) -> list[tuple[tuple[str, ...], list[int]]]:
    """Themes group proposals across categories; residents are counted once per theme."""
    theme_of = _themes_of(query)
    if not theme_of:
        return []
    totals: dict[tuple[str, ...], list[Any]] = {}
    stmt = (select(events.c.proposal_id, events.c.kind, events.c.who, Area.slug, Process.slug)
            .join(Proposal, Proposal.id == events.c.proposal_id).join(Area, Area.id == Proposal.area_id)
            .join(Process, Process.id == Proposal.process_id).where(events.c.proposal_id.in_(theme_of)))
    for pid, kind, who, area, process in db.session.execute(stmt.execution_options(yield_per=20_000)):
        for theme in theme_of[pid]:
            entry = totals.setdefault(("theme", area, process, "", "", theme), [0, 0, 0, set()])
            entry[("proposal", "support", "comment").index(kind)] += 1
            entry[3].add(who)
    return [(key, [*entry[:3], len(entry[3])]) for key, entry in totals.items()]


def _themes_of(query: SummaryQuery) -> dict[int, list[str]]:
    """Proposal id -> themes of the latest published report that contains it."""
    latest = select(ReportVersion.report_id, func.max(ReportVersion.number).label("number")).group_by(
        ReportVersion.report_id).subquery()
    versions = db.session.scalars(select(ReportVersion).join(
        latest, and_(latest.c.report_id == ReportVersion.report_id, latest.c.number == ReportVersion.number))
        .join(Report, Report.id == ReportVersion.report_id).where(Report.area_id.in_(query.area_ids))
        .order_by(ReportVersion.id))
    themes: dict[int, list[str]] = {}
    for version in versions:
        for theme in version.snapshot.get("themes", []):
            for pid in theme["proposals"]:
                themes.setdefault(pid, []).append(theme["title"])
    return themes

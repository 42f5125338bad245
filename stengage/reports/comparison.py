"""The comparison of areas: the replication tool of the project.

Every area side by side on the shared categories, for what residents contributed (proposals,
supports, the people taking part) and what came of it (accepted, implemented), absolute and per
1,000 people living in the area. The figures are the engagement summary's (``summaries.summary``):
counted once by ``counting``, the disclosure rule applied. This module only arranges them and
works out the ``per_1000`` rate of ``metrics``; a withheld figure stays withheld, its rate too, and
every figure carries a note saying why it is not shown.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext

from stengage.areas.models import Area, ProjectRole
from stengage.areas.queries import all_areas
from stengage.proposals.models import Category
from stengage.reports.disclosure import Reason
from stengage.reports.metrics import Row, min_residents, per_1000, reason_text
from stengage.reports.summaries import SummaryQuery, summary

# The measures compared, in the order the page and the files list them.
COMPARED = ("proposals", "supports", "residents", "accepted", "implemented")
SCALES = ("absolute", "per_1000")
ALL = "all"  # the category of an area's own total
CATEGORIES = (ALL, *(c.value for c in Category))
# The fixed columns of the comparison files (tidy: one figure per line).
COLUMNS = ("area", "category", "measure", "value", "per_1000", "note")
_ROLE_ORDER = list(ProjectRole)


class Note(enum.StrEnum):
    """Why a figure, or only its rate, is not shown (the ``note`` column; empty when both are)."""

    FEW = Reason.FEW.value
    PROTECTS = Reason.PROTECTS.value
    UNKNOWN = Reason.UNKNOWN.value
    NO_POPULATION = "no_population"  # the figure is shown, its rate is not: the population is not known


@dataclass(frozen=True)
class Cell:
    value: int | None  # None: withheld by the disclosure rule
    rate: Decimal | None  # per 1,000 people living in the area; None: not shown
    note: Note | None

    def shown(self, scale: str) -> int | Decimal | None:
        return self.rate if scale == "per_1000" else self.value


@dataclass(frozen=True)
class ComparedArea:
    slug: str
    name: str
    city: str
    role: ProjectRole
    population: int | None
    cells: dict[tuple[str, str], Cell]  # (category, measure) -> cell

    def cell(self, category: str, measure: str) -> Cell:
        return self.cells[(category, measure)]


@dataclass(frozen=True)
class Comparison:
    areas: list[ComparedArea]
    k: int

    def by_role(self) -> list[tuple[ProjectRole, list[ComparedArea]]]:
        """The areas grouped by their role in the project: lighthouse areas first."""
        return [(role, [a for a in self.areas if a.role == role]) for role in ProjectRole
                if any(a.role == role for a in self.areas)]

    def withheld(self, measure: str | None = None) -> list[Note]:
        """The reasons of the disclosure rule that withhold some figure (of one measure), in a fixed order."""
        used = {cell.note for area in self.areas for (_category, m), cell in area.cells.items()
                if measure in (None, m)}
        return [note for note in Note if note in used and note != Note.NO_POPULATION]

    def records(self) -> Iterator[dict[str, Any]]:
        """One record per area, category and measure, with the fixed ``COLUMNS``: the files read these."""
        for area in self.areas:
            for category in CATEGORIES:
                for measure in COMPARED:
                    cell = area.cell(category, measure)
                    yield {"area": area.slug, "category": category, "measure": measure, "value": cell.value,
                           "per_1000": cell.rate, "note": cell.note.value if cell.note else ""}


def note_text(note: Note | None, k: int | None = None) -> str:
    """Why a figure (or its rate) is not shown, in the reader's language."""
    if note == Note.NO_POPULATION:
        return gettext("Rate not shown: the area's population is not known.")
    return reason_text(Reason(note.value), k) if note is not None else ""


def role_label(role: ProjectRole) -> str:
    return {ProjectRole.LIGHTHOUSE: gettext("lighthouse"), ProjectRole.FOLLOWER: gettext("follower"),
            ProjectRole.OBSERVER: gettext("observer")}[role]


def compare(areas: list[Area] | None = None) -> Comparison:
    """Every area (lighthouse areas first, then followers, then observers) on every shared category."""
    chosen = sorted(all_areas() if areas is None else areas,
                    key=lambda a: (_ROLE_ORDER.index(a.project_role), a.position, a.name))
    rows = summary(SummaryQuery(area_ids=tuple(a.id for a in chosen)), ("area", "category"))
    by_key = {(row.key[0], row.key[1] if row.table == "category" else ALL): row for row in rows}
    compared = []
    for area in chosen:
        cells = {(category, measure): _cell(by_key.get((area.slug, category)), measure, area.residents)
                 for category in CATEGORIES for measure in COMPARED}
        compared.append(ComparedArea(area.slug, area.name, area.city, area.project_role, area.residents, cells))
    return Comparison(compared, min_residents())


def _cell(row: Row | None, measure: str, population: int | None) -> Cell:
    """A figure as published: no row means nothing was contributed there (a true 0, about nobody)."""
    reason = None if row is None else row.reason(measure)
    if reason is not None:
        return Cell(None, None, Note(reason.value))
    value = 0 if row is None else row.value(measure)
    rate = per_1000(value, population)
    return Cell(value, rate, Note.NO_POPULATION if rate is None else None)

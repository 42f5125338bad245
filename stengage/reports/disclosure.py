"""One disclosure rule for every count of people that leaves the platform.

A row of figures (a category, a week, a theme, an area …) knows how many distinct residents stand
behind it. A row about fewer than ``k`` residents is suppressed (primary suppression). Where rows add
up to another published figure (categories to the total, statuses to their process, …), a single
suppressed row could be recovered by subtraction; secondary suppression then hides as many more rows
as it takes for no suppressed figure to follow from the published ones. That last promise is checked
exactly: a suppressed row is recoverable when its figure is a linear combination of the published
equations (a rank test), and while one is, another row of its line is suppressed.

The rule knows nothing about reports or summaries; the metrics layer hands it rows and lines.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

RowId = Hashable


class Reason(enum.StrEnum):
    FEW = "few"  # the row is about fewer than k residents
    PROTECTS = "protects"  # hidden so that another hidden row cannot be worked out
    UNKNOWN = "unknown"  # how many residents stand behind it was not recorded


@dataclass(frozen=True)
class Line:
    """An equation the published figures obey: the parts add up to the total (when it is published)."""

    parts: tuple[RowId, ...]
    total: RowId | None = None

    @property
    def members(self) -> tuple[RowId, ...]:
        return (*self.parts, self.total) if self.total is not None else self.parts


def primary(residents: int | None, k: int) -> Reason | None:
    """Why a row about ``residents`` people may not be published on its own (None: it may)."""
    if residents is None:
        return Reason.UNKNOWN
    if 0 < residents < k:
        return Reason.FEW
    return None


def suppress(residents: Mapping[RowId, int | None], lines: Iterable[Line], k: int,
             known: Iterable[RowId] = (), forced: Iterable[RowId] = ()) -> dict[RowId, Reason]:
    """The rows to withhold and why. ``residents`` maps every row to the people it is about.

    A line without parts says its total is 0 (a process without an accepted status has no
    accepted proposals): readers know that figure whether it is shown or not, so withholding it
    protects nothing, and it is never chosen to protect another. ``known`` figures are public
    elsewhere with the same value (an earlier version, a published report): the same holds for
    them. ``forced`` figures are withheld elsewhere with the same value, so they are withheld here
    too, lest this output tell what the other one hides."""
    lines = [line for line in lines if all(m in residents for m in line.members)]
    known = {line.total for line in lines if not line.parts and line.total is not None} | set(known)
    lines = [line for line in lines if line.parts]
    hidden: dict[RowId, Reason] = {}
    for row, people in residents.items():
        reason = primary(people, k)
        if reason is not None:
            hidden[row] = reason
    for row in forced:
        if row in residents and row not in known:
            hidden.setdefault(row, Reason.PROTECTS)
    while True:
        line = _line_to_widen(lines, hidden, known) or _exposed_line(lines, hidden, known)
        if line is None:
            return hidden
        hidden[_cheapest_partner(line, hidden, residents, known)] = Reason.PROTECTS


def _open(line: Line, hidden: Mapping[RowId, Reason], known: set[RowId]) -> list[RowId]:
    """The members that could still be withheld to protect another: published, and not known anyway."""
    return [m for m in line.members if m not in hidden and m not in known]


def _line_to_widen(lines: Sequence[Line], hidden: Mapping[RowId, Reason], known: set[RowId]) -> Line | None:
    """A line with exactly one hidden member: that member is its total minus the rest."""
    for line in lines:
        if sum(1 for m in line.members if m in hidden and m not in known) == 1 and _open(line, hidden, known):
            return line
    return None


def _exposed_line(lines: Sequence[Line], hidden: Mapping[RowId, Reason], known: set[RowId]) -> Line | None:
    """A line to widen for a hidden row that the published equations together still determine: one
    holding that row, else the nearest line with a published member, reached through lines whose
    members are all hidden (the row follows from them and the published figures further out)."""
    for row in recoverable(lines, set(hidden) - known):
        reached, frontier = {row}, {row}
        while frontier:
            touching = [line for line in lines if any(m in frontier for m in line.members)]
            widen = next((line for line in touching if _open(line, hidden, known)), None)
            if widen is not None:
                return widen
            frontier = {m for line in touching for m in line.members if m in hidden and m not in known} - reached
            reached |= frontier
    return None


def _cheapest_partner(line: Line, hidden: Mapping[RowId, Reason], residents: Mapping[RowId, int | None],
                      known: set[RowId]) -> RowId:
    """The published member whose loss tells readers least: a part before the total, the fewest people."""
    candidates = [m for m in _open(line, hidden, known) if m in line.parts] or _open(line, hidden, known)
    return min(candidates, key=lambda m: (residents[m] or 0, str(m)))


def recoverable(lines: Iterable[Line], hidden: set[RowId]) -> list[RowId]:
    """Hidden rows whose figures follow from the published ones through the lines' equations.

    Unknowns are the hidden rows; each line is one equation. A row is determined exactly when every
    solution of the homogeneous system agrees on it: its coordinate is zero across the null space.
    """
    equations = [line for line in lines if any(m in hidden for m in line.members)]
    if not equations:
        return []
    unknowns = sorted({m for line in equations for m in line.members if m in hidden}, key=str)
    column = {row: i for i, row in enumerate(unknowns)}
    matrix = np.zeros((len(equations), len(unknowns)))
    for r, line in enumerate(equations):
        for part in line.parts:
            if part in hidden:
                matrix[r, column[part]] += 1
        if line.total is not None and line.total in hidden:
            matrix[r, column[line.total]] -= 1
    _, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > 1e-9).sum())
    null_space = vt[rank:]  # rows spanning every direction the equations leave free
    return [row for row, i in column.items() if not np.any(np.abs(null_space[:, i]) > 1e-9)]

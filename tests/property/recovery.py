"""Could a reader work a withheld figure out from the published ones? Checked here on its own terms.

A reader knows how figures relate, from their definitions: the weeks, categories, statuses and
languages of a report add up to its participation; a summary's processes, categories and weeks add
up to their area and its statuses to their process; accepted (implemented) proposals, of a process
or of all categories, are the proposals of the accepted, in-progress and implemented (the
implemented) statuses; a theme's comments are in favour, against or neutral; a theme's supports
are those of its proposals when the report names them all; a report and a summary that count the
same contributions give the same figure. Each relation is an equation: the sum of coefficient
times figure is 0. Knowing the published figures, the withheld ones are the unknowns: one is
determined when its unit vector lies in the row space of the equations over the unknowns
(compared by rank).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from tests.property.outputs import Cell
from tests.property.world import ACCEPTED, CONTRIBUTIONS, SUMMARY_MEASURES, Built, Expected, RowId

Equation = dict[Cell, int]

REPORT_PARTS = {"week": CONTRIBUTIONS, "category": CONTRIBUTIONS, "status": CONTRIBUTIONS,
                "proposal_language": ("proposals",), "comment_language": ("comments",)}


def exact_cells(rows: dict[RowId, Expected]) -> dict[Cell, int]:
    return {(table, key, m): row.figure(m) for (table, key), row in rows.items() for m in (*row.values, "residents")}


def _equal_sums(left: Iterable[Cell], right: Iterable[Cell]) -> Equation:
    equation = dict.fromkeys(left, 1)
    for cell in right:
        equation[cell] = equation.get(cell, 0) - 1
    return equation


def _sums_to(parts: Iterable[Cell], total: Cell) -> Equation:
    return _equal_sums(parts, [total])


def _same(a: Cell, b: Cell) -> Equation:
    return {a: 1, b: -1}


def report_equations(rows: dict[RowId, Expected], theme_proposals: dict[str, list[str]]) -> list[Equation]:
    """What a reader of the report can tell from it and the data dictionary. (Not that the themes
    hold every proposal: the report does not list them all.)"""
    equations = []
    total = ("participation", ())
    if total in rows:
        for table, measures in REPORT_PARTS.items():
            parts = [key for t, key in rows if t == table]
            for m in measures:
                equations.append(_sums_to([(table, key, m) for key in parts], (*total, m)))
    categories = [key for t, key in rows if t == "category"]
    statuses = [key for t, key in rows if t == "status"]
    if categories:  # the categories' outcomes are the proposals of the statuses they name
        equations.append(_equal_sums([("category", key, "accepted") for key in categories],
                                     [("status", key, "proposals") for key in statuses if key[0] in ACCEPTED]))
        equations.append(_equal_sums([("category", key, "implemented") for key in categories],
                                     [("status", key, "proposals") for key in statuses if key[0] == "implemented"]))
    if ("membership", ()) in rows:  # the registered are the verified at each level and the others
        equations.append(_sums_to([("membership", (), m) for m in
                                   ("verified_low", "verified_substantial", "verified_high", "unverified")],
                                  ("membership", (), "registered")))
    for theme, proposals in theme_proposals.items():
        equations.append(_sums_to([("theme", (theme,), m) for m in ("in_favour", "against", "neutral")],
                                  ("theme", (theme,), "comments")))
        if proposals and all(("proposal", (p,)) in rows for p in proposals):  # all its proposals are named
            equations.append(_sums_to([("proposal", (p,), "supports") for p in proposals],
                                      ("theme", (theme,), "supports")))
    return equations


def summary_equations(rows: dict[RowId, Expected]) -> list[Equation]:
    """What a reader of the summary can tell from it and the data dictionary."""
    equations = []
    for table, key in rows:
        if table == "area":
            for part in ("area_process", "category", "week"):
                parts = [k for t, k in rows if t == part and k[0] == key[0]]
                for m in SUMMARY_MEASURES[part]:
                    equations.append(_sums_to([(part, k, m) for k in parts], ("area", key, m)))
        elif table == "area_process":
            statuses = [k for t, k in rows if t == "status" and k[:2] == key]
            for m in SUMMARY_MEASURES["status"]:
                equations.append(_sums_to([("status", k, m) for k in statuses], (table, key, m)))
            equations.append(_sums_to([("status", k, "proposals") for k in statuses if k[2] in ACCEPTED],
                                      (table, key, "accepted")))
            equations.append(_sums_to([("status", k, "proposals") for k in statuses if k[2] == "implemented"],
                                      (table, key, "implemented")))
    return equations


def cross_equations(built: Built, report: dict[RowId, Expected], summary: dict[RowId, Expected]) -> list[Equation]:
    """The report and the summary count the same contributions where their scopes meet."""
    world = built.world
    area, process = built.report_area, built.report_process
    equations = []

    def same_rows(report_row: RowId, summary_row: RowId, measures: Iterable[str]) -> None:
        if report_row in report and summary_row in summary:
            equations.extend(_same((*report_row, m), (*summary_row, m)) for m in measures)

    for t, title in enumerate(built.theme_titles):
        same_rows(("theme", (str(built.theme_ids[t]),)), ("theme", (area, process, title)), CONTRIBUTIONS)
    whole_area = all(world.in_report(n) for n in range(len(world.proposals))
                     if world.listed(n) and world.processes[world.proposals[n].process] == 0)
    if world.period is None:
        same_rows(("participation", ()), ("area_process", (area, process)), CONTRIBUTIONS)
        for table, key in report:
            if table == "status":
                same_rows((table, key), ("status", (area, process, key[0])), CONTRIBUTIONS)
    if whole_area:  # the report's proposals are all the area's: its totals, categories and weeks are the area's
        same_rows(("participation", ()), ("area", (area,)), CONTRIBUTIONS)
        for table, key in report:
            if table in ("category", "week"):
                same_rows((table, key), (table, (area, key[0])), CONTRIBUTIONS)
    return equations


def untrue(equations: Iterable[Equation], exact: dict[Cell, int]) -> list[Equation]:
    """Equations the exact figures do not satisfy (a mistake in the reader's model, not in the app)."""
    return [eq for eq in equations if sum(c * exact.get(cell, 0) for cell, c in eq.items()) != 0]


def single_unknowns(equations: Iterable[Equation], withheld: set[Cell]) -> list[tuple[Cell, Equation]]:
    """Withheld figures that are one subtraction away: the only withheld member of an equation."""
    found = []
    for equation in equations:
        unknown = [cell for cell, c in equation.items() if c and cell in withheld]
        if len(unknown) == 1:
            found.append((unknown[0], equation))
    return found


def determined(equations: Iterable[Equation], withheld: set[Cell]) -> list[Cell]:
    """Withheld figures the published ones determine through the equations together."""
    rows = [eq for eq in equations if any(c and cell in withheld for cell, c in eq.items())]
    unknowns = sorted({cell for eq in rows for cell, c in eq.items() if c and cell in withheld})
    if not unknowns:
        return []
    matrix = np.array([[eq.get(cell, 0) for cell in unknowns] for eq in rows], dtype=float)
    rank = np.linalg.matrix_rank(matrix)
    found = []
    for i, cell in enumerate(unknowns):
        unit = np.zeros((1, len(unknowns)))
        unit[0, i] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.append(cell)
    return found

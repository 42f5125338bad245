"""A report version's figures as published: its snapshot read back as rows, the disclosure rule applied.

Every output of a version (the page, the HTML and PDF files, the CSV, the JSON and the API, the diff
and the charts) takes its numbers from ``Figures``. Snapshots published before figures recorded the
residents they are about (format 1) are read too: their totals keep showing, their breakdowns are
left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from stengage.proposals.models import Category, ProposalStatus
from stengage.reports.counting import ACCEPTED
from stengage.reports.disclosure import Line, Reason
from stengage.reports.metrics import BREAKDOWNS, MEASURES, Row, disclose, item_label, min_residents, reason_text

_ORDER = {"category": [c.value for c in Category], "status": [s.value for s in ProposalStatus]}
# Breakdowns that split the whole scope: each adds up to the participation row.
_PARTITIONS = ("week", "category", "status", "proposal_language", "comment_language")


@dataclass
class Figures:
    rows: list[Row]
    k: int
    exact: bool = False  # staff inside the platform: exact figures, marked "not for publication"
    unrecorded: bool = False  # a version from before residents were counted: breakdowns left out

    def table(self, name: str) -> list[Row]:
        return [row for row in self.rows if row.table == name]

    def row(self, table: str, *key: str) -> Row | None:
        return next((row for row in self.rows if row.table == table and row.key == key), None)

    def value(self, row: Row | None, measure: str) -> int | None:
        return None if row is None else row.value(measure, exact=self.exact)

    def why(self, row: Row | None, measure: str | None = None) -> str:
        reason = None if row is None else row.reason(measure)
        return "" if reason is None else reason_text(reason, self.k)

    def any_hidden(self) -> bool:
        return any(row.suppressed for row in self.rows)

    def cells(self) -> Iterator[tuple[Row, str, int | None]]:
        """Every figure as (row, measure, published value), in the breakdowns' order: files and diffs."""
        for breakdown in BREAKDOWNS.values():
            for row in self.table(breakdown.key):
                for measure in breakdown.measures:
                    if measure == "residents" or measure in row.values:
                        yield row, measure, self.value(row, measure)


def rows_of(snapshot: dict[str, Any]) -> list[Row]:
    """The rows of a snapshot of any format, exact, in a stable order."""
    if snapshot.get("format", 1) >= 2:
        rows = [Row.from_json(r) for r in snapshot["rows"]]
    else:
        rows = list(_format_one(snapshot))
    for row in rows:  # members not verified: the rest of the registered (versions before it was told)
        if row.table == "membership" and "unverified" not in row.values:
            row.values["unverified"] = row.values["registered"] - sum(
                row.values.get(f"verified_{level}", 0) for level in ("low", "substantial", "high"))
    return sorted(rows, key=_sort_key)


def _sort_key(row: Row) -> tuple[Any, ...]:
    order = _ORDER.get(row.table)
    position = order.index(row.key[-1]) if order and row.key and row.key[-1] in order else -1
    return (list(BREAKDOWNS).index(row.table), position, row.key)


def _format_one(snapshot: dict[str, Any]) -> Iterator[Row]:
    participation = snapshot["participation"]
    yield Row("participation", (), {k: participation[k] for k in ("proposals", "supports", "comments")},
              participation["active_residents"])
    yield Row("membership", (), {"registered": participation["registered"],
                                 **{f"verified_{lvl}": n for lvl, n in participation["verified"].items()}},
              participation["registered"])
    for week in participation["weeks"]:
        yield Row("week", (week["week"],), {k: week[k] for k in ("proposals", "supports", "comments")}, None)
    for name, entry in snapshot["categories"].items():
        yield Row("category", (name,), {"proposals": len(entry["proposals"]), "supports": entry["supports"],
                                        "comments": entry["comments"]}, None)
    for status, entries in snapshot["outcomes"].items():
        yield Row("status", (status,), {"proposals": len(entries)}, None)
    top: dict[int, int] = {}
    for theme in snapshot["themes"]:
        yield Row("theme", (str(theme["id"]),), {
            "proposals": len(theme["proposals"]), "comments": len(theme["comments"]),
            "supporters": theme["unique_supporters"], **theme["alignment"]}, None)
        top.update({entry["id"]: entry["supports"] for entry in theme["top_proposals"]})
    for pid in sorted(top):
        yield Row("proposal", (str(pid),), {"supports": top[pid]}, top[pid])
    for table, counts, measure in (("proposal_language", snapshot.get("proposal_languages", {}), "proposals"),
                                   ("comment_language", snapshot.get("comment_languages", {}), "comments")):
        for language, n in counts.items():
            yield Row(table, (language,), {measure: n}, None)


def themes_of(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """The themes' texts and links, with ``top_proposals`` as ids in either format."""
    return [{**theme, "top_proposals": [t["id"] if isinstance(t, dict) else t for t in theme["top_proposals"]]}
            for theme in snapshot["themes"]]


def lines_of(rows: list[Row], snapshot: dict[str, Any]) -> list[Line]:
    """The equations a reader could use: every partition adds up to the total; a theme's named
    proposals add up to its supports when they are all of its proposals."""
    total = ("participation",)
    lines = [Line(tuple(r.id for r in rows if r.table == table), total) for table in _PARTITIONS]
    shown = {r.id for r in rows}
    for theme in themes_of(snapshot):
        if theme["top_proposals"] and len(theme["top_proposals"]) == len(theme["proposals"]):
            parts = tuple(("proposal", str(pid)) for pid in theme["top_proposals"])
            if all(p in shown for p in parts):
                lines.append(Line(parts, ("theme", str(theme["id"]))))
    return [line for line in lines if line.parts]


def membership_lines(rows: list[Row]) -> list[Line]:
    """The registered members are the verified at each level and the not verified."""
    return [Line(tuple((row.id, m) for m in ("verified_low", "verified_substantial", "verified_high", "unverified")),
                 (row.id, "registered")) for row in rows if row.table == "membership"]


def outcome_lines(rows: list[Row]) -> list[Line]:
    """The categories' outcomes against the statuses: their implemented proposals are the implemented
    status's proposals; their accepted ones and the other statuses' proposals are all the proposals."""
    categories = [r for r in rows if r.table == "category" and "accepted" in r.values]
    statuses = {r.key[-1]: r for r in rows if r.table == "status"}
    total = next((r for r in rows if r.table == "participation"), None)
    if not categories:
        return []
    lines = []
    implemented = statuses.get(ProposalStatus.IMPLEMENTED.value)
    if implemented is not None:
        lines.append(Line(tuple((r.id, "implemented") for r in categories), (implemented.id, "proposals")))
    if total is not None:
        others = tuple((r.id, "proposals") for status, r in statuses.items() if status not in ACCEPTED)
        lines.append(Line((*((r.id, "accepted") for r in categories), *others), (total.id, "proposals")))
    return lines


def elsewhere(rows: Sequence[Row], others: Iterable[tuple[Figures, Callable[[tuple[str, ...]], Iterable[Any]]]]
              ) -> tuple[set[Any], set[Any]]:
    """Figures of ``rows`` that other public outputs already settle: (known, forced) cells.

    Each other output comes with a function giving, for one of its row ids, the ids of rows here
    that may hold the same figures. Where both hold the same exact value, a figure the other
    publishes is known (hiding it here protects nothing), and one it withholds must be withheld here
    too."""
    by_id = {row.id: row for row in rows}
    known: set[Any] = set()
    forced: set[Any] = set()
    for other, same_row in others:
        for theirs in other.rows:
            for mine in (by_id[row_id] for row_id in same_row(theirs.id) if row_id in by_id):
                for measure in theirs.measures:
                    if measure in mine.measures and mine.value(measure, True) == theirs.value(measure, True):
                        (forced if measure in theirs.hidden else known).add((mine.id, measure))
    return known, forced


def chain(snapshots: Sequence[dict[str, Any]]) -> list[Figures]:
    """The published figures of a report's versions in order, each disclosed knowing the ones before."""
    published: list[Figures] = []
    for snapshot in snapshots:
        published.append(figures(snapshot, earlier=published))
    return published


def earlier_than(report: Any, number: int | None = None) -> list[Figures]:
    """The published figures of a report's versions before ``number`` (None: all of them)."""
    return chain([v.snapshot for v in report.versions if number is None or v.number < number])


def of_version(version: Any, exact: bool = False) -> Figures:
    """A published version's figures, disclosed knowing what its earlier versions published."""
    return figures(version.snapshot, exact=exact, earlier=earlier_than(version.report, version.number))


def figures(snapshot: dict[str, Any], exact: bool = False, k: int | None = None,
            earlier: Sequence[Figures] = ()) -> Figures:
    """The version's figures with the disclosure rule applied (exact: staff see every value, marked).

    ``earlier`` versions of the same report are public for good: a figure they published with the
    same value cannot protect another, and one they withheld stays withheld."""
    threshold = min_residents() if k is None else k
    rows = rows_of(snapshot)
    # Rows whose residents were never recorded (format 1) are not published at all: hidden rows
    # would still be parts of the totals' equations, and the totals matter more.
    recorded = [row for row in rows if row.residents is not None]
    unrecorded = len(recorded) < len(rows)
    known, forced = elsewhere(recorded, [(other, lambda row_id: [row_id]) for other in earlier])
    figure_lines = [*outcome_lines(recorded), *membership_lines(recorded)]
    disclosed = disclose(recorded, lines_of(recorded, snapshot), threshold, figure_lines=figure_lines,
                         known=known, forced=forced)
    names = {"theme": {str(t["id"]): t["title"] for t in snapshot["themes"]},
             "proposal": dict(snapshot.get("proposal_titles", {}))}
    for row in disclosed:
        row.label = item_label(row.table, row.key, names.get(row.table))
    if not exact:
        disclosed = _named_where_listed(disclosed, snapshot)
    return Figures(sorted(disclosed, key=_sort_key), threshold, exact, unrecorded)


def _named_where_listed(rows: list[Row], snapshot: dict[str, Any]) -> list[Row]:
    """Single proposals (the most supported of a theme) are named only where the theme's count of
    proposals is published: naming them would tell how many it holds, and their supports."""
    themes = {row.key[0]: row for row in rows if row.table == "theme"}
    named = {str(pid) for theme in themes_of(snapshot)
             if (row := themes.get(str(theme["id"]))) is not None and row.value("proposals") is not None
             for pid in theme["top_proposals"]}
    return [row for row in rows if row.table != "proposal" or row.key[0] in named]


def diff(old: Figures, new: Figures) -> list[dict[str, Any]]:
    """What changed between two versions, figure by figure, as each version publishes it."""
    before = {(row.id, measure): (row, value) for row, measure, value in old.cells()}
    after = {(row.id, measure): (row, value) for row, measure, value in new.cells()}
    changes = []
    for key in [*before, *(k for k in after if k not in before)]:
        (row_a, a), (row_b, b) = before.get(key, (None, None)), after.get(key, (None, None))
        hidden_a, hidden_b = _withheld(row_a, key[1]), _withheld(row_b, key[1])
        if a == b and hidden_a == hidden_b and row_a is not None and row_b is not None:
            continue
        row = row_b or row_a
        assert row is not None
        changes.append({"breakdown": str(BREAKDOWNS[row.table].label), "item": row.label,
                        "measure": str(MEASURES[key[1]].label), "old": a, "new": b,
                        "old_present": row_a is not None, "new_present": row_b is not None,
                        "old_note": old.why(row_a, key[1]), "new_note": new.why(row_b, key[1]),
                        "change": b - a if a is not None and b is not None else None})
    return changes


def _withheld(row: Row | None, measure: str) -> Reason | None:
    return row.reason(measure) if row is not None else None

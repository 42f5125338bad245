"""The metrics layer: every figure that leaves the platform is defined here, once.

A *measure* is one kind of figure (proposals, supports, residents …) with its name, definition, unit
and which records count. A *breakdown* is one way of cutting a scope into rows (per week, per
category, per theme …). Counting happens in ``counting``; the disclosure rule in ``disclosure``.
Reports, their versions and diffs, engagement summaries in every format, the comparison and the API
take ``Row``s from here and only format them. The data dictionary is generated from these texts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import current_app
from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l

from stengage.core.i18n import LANGUAGE_NAMES
from stengage.proposals.forms import CATEGORY_LABELS, STATUS_LABELS
from stengage.proposals.models import Category, ProposalStatus
from stengage.reports.disclosure import Line, Reason, suppress

DEFAULT_MIN_RESIDENTS = 5


@dataclass(frozen=True)
class Measure:
    key: str
    label: LazyString
    definition: LazyString
    unit: LazyString
    counts: LazyString  # which records count: hidden, withdrawn, merged, closed accounts
    people: bool = False  # a count of people in itself


_LISTED = _l("Hidden, withdrawn and merged proposals do not count; proposals of closed accounts do.")
_VISIBLE_COMMENTS = _l("Comments hidden by moderators or deleted by their authors do not count.")

MEASURES: dict[str, Measure] = {m.key: m for m in (
    Measure("proposals", _l("Proposals"), _l("Proposals made in the scope, by residents or by the city."),
            _l("proposals"), _LISTED),
    Measure("supports", _l("Supports"), _l("Supports given to those proposals: one per resident and proposal."),
            _l("supports"), _l("Supports on hidden, withdrawn or merged proposals do not count; a closed "
                               "account's supports are removed with it.")),
    Measure("comments", _l("Comments"), _l("Comments on those proposals (for a theme: also the comments "
                                           "moderators placed in it)."), _l("comments"), _VISIBLE_COMMENTS),
    Measure("residents", _l("Residents taking part"), _l("Distinct people who proposed, supported or "
                                                          "commented, each counted once."),
            _l("people"), _l("Counted from the proposals, supports and comments that count."), people=True),
    Measure("accepted", _l("Accepted proposals"),
            _l("Proposals the city accepted: accepted, in progress or implemented."), _l("proposals"), _LISTED),
    Measure("implemented", _l("Implemented proposals"), _l("Proposals the city has implemented."),
            _l("proposals"), _LISTED),
    Measure("supporters", _l("Unique supporters"), _l("Distinct residents who supported at least one of "
                                                      "the proposals."), _l("people"), _LISTED, people=True),
    Measure("in_favour", _l("Comments in favour"), _l("Comments whose authors marked them as in favour."),
            _l("comments"), _VISIBLE_COMMENTS),
    Measure("against", _l("Comments against"), _l("Comments whose authors marked them as against."),
            _l("comments"), _VISIBLE_COMMENTS),
    Measure("neutral", _l("Neutral comments"), _l("Comments marked neutral or not marked."),
            _l("comments"), _VISIBLE_COMMENTS),
    Measure("registered", _l("Registered residents"), _l("Members of the area, whatever their role."),
            _l("people"), _l("Blocked and closed accounts do not count."), people=True),
    Measure("verified_low", _l("Verified (low)"), _l("Members whose residency is verified at level low."),
            _l("people"), _l("The member's highest verification counts."), people=True),
    Measure("verified_substantial", _l("Verified (substantial)"),
            _l("Members whose residency is verified at level substantial."), _l("people"),
            _l("The member's highest verification counts."), people=True),
    Measure("verified_high", _l("Verified (high)"), _l("Members whose residency is verified at level high."),
            _l("people"), _l("The member's highest verification counts."), people=True),
    Measure("unverified", _l("Not verified"), _l("Members whose residency is not verified (city staff and "
                                                 "moderators among them)."),
            _l("people"), _l("Blocked and closed accounts do not count."), people=True),
    Measure("per_1000", _l("Per 1,000 residents"), _l("A figure of an area divided by the number of people living "
                                                      "in the area, times 1,000, to two decimals: it makes areas of "
                                                      "different sizes comparable."),
            _l("per 1,000 people living in the area"),
            _l("Only where the area's population is known. A figure that is not shown has no rate either.")),
)}

CONTRIBUTIONS = ("proposals", "supports", "comments", "residents")
OUTCOMES = ("accepted", "implemented")


def per_1000(value: int | None, population: int | None) -> Decimal | None:
    """The ``per_1000`` rate of a figure: value / population x 1,000, rounded half up to two decimals.
    None when the figure is not shown or the population is not known."""
    if value is None or not population:
        return None
    return (Decimal(value) * 1000 / Decimal(population)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Breakdown:
    key: str
    label: LazyString
    item: LazyString  # what one row is: the column heading of its labels
    definition: LazyString
    measures: tuple[str, ...]


BREAKDOWNS: dict[str, Breakdown] = {b.key: b for b in (
    Breakdown("participation", _l("Participation"), _l("Scope"), _l("The whole scope."), CONTRIBUTIONS),
    Breakdown("membership", _l("Membership"), _l("Scope"), _l("The members of the area."),
              ("registered", "verified_low", "verified_substantial", "verified_high", "unverified")),
    Breakdown("area", _l("Areas"), _l("Area"), _l("One row per project area."), CONTRIBUTIONS + OUTCOMES),
    Breakdown("area_process", _l("Processes"), _l("Process"), _l("One row per participation process."),
              CONTRIBUTIONS + OUTCOMES),
    Breakdown("category", _l("Categories"), _l("Category"), _l("One row per shared category (the same list "
                                                               "in every area)."), CONTRIBUTIONS + OUTCOMES),
    Breakdown("status", _l("Outcomes"), _l("Status"), _l("One row per proposal status."), CONTRIBUTIONS),
    Breakdown("week", _l("Weeks"), _l("Week"), _l("One row per ISO week (YYYY-Www, UTC) in which the "
                                                  "contributions were made."), CONTRIBUTIONS),
    Breakdown("theme", _l("Themes"), _l("Theme"), _l("One row per theme of a governance report: its proposals "
                                                     "and the comments placed in it."),
              ("proposals", "supports", "supporters", "comments", "in_favour", "against", "neutral", "residents")),
    Breakdown("proposal_language", _l("Proposal languages"), _l("Language"),
              _l("One row per language the proposals were written in."), ("proposals", "residents")),
    Breakdown("comment_language", _l("Comment languages"), _l("Language"),
              _l("One row per language the comments were written in."), ("comments", "residents")),
    Breakdown("proposal", _l("Most supported proposals"), _l("Proposal"),
              _l("One row per proposal shown by name."), ("supports",)),
)}


def min_residents() -> int:
    """k of the disclosure rule: an instance setting (DISCLOSURE_MIN_RESIDENTS), 5 by default."""
    try:
        return max(1, int(current_app.config.get("DISCLOSURE_MIN_RESIDENTS", DEFAULT_MIN_RESIDENTS)))
    except RuntimeError:  # outside an application
        return DEFAULT_MIN_RESIDENTS


@dataclass
class Row:
    """One row of figures: exact values, the residents it is about, and which figures may not be published."""

    table: str
    key: tuple[str, ...]
    values: dict[str, int]
    residents: int | None
    label: str = ""
    hidden: dict[str, Reason] = field(default_factory=dict)  # measure -> why it is withheld
    # measure -> distinct people behind that figure (authors of the proposals, supporters, commenters);
    # rows counted before figures carried it fall back on the row's residents.
    people: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # what names the row (an area's name, a link …)

    @property
    def id(self) -> tuple[str, ...]:
        return (self.table, *self.key)

    @property
    def measures(self) -> tuple[str, ...]:
        return (*self.values, "residents")

    def value(self, measure: str, exact: bool = False) -> int | None:
        """The figure as published (None when withheld), or exact for staff inside the platform."""
        if measure in self.hidden and not exact:
            return None
        if measure == "residents":
            return self.residents
        return self.values.get(measure)

    def people_behind(self, measure: str, k: int) -> int | None:
        """How many people a figure is about: the rule withholds it below k (a small row: all of it)."""
        if self.residents is None or 0 < self.residents < k or measure == "residents":
            return self.residents
        if MEASURES[measure].people:
            return self.values[measure]  # a count of people is about as many people as it counts
        return self.people.get(measure, self.residents)

    def reason(self, measure: str | None = None) -> Reason | None:
        """Why a figure (or, without one, the row's first withheld figure) is withheld."""
        if measure is not None:
            return self.hidden.get(measure)
        return next(iter(self.hidden.values()), None)

    @property
    def suppressed(self) -> bool:
        return bool(self.hidden)

    def as_json(self) -> dict[str, Any]:
        return {"table": self.table, "key": list(self.key), "values": self.values, "residents": self.residents,
                "people": self.people}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Row:
        return cls(table=data["table"], key=tuple(str(k) for k in data["key"]), values=dict(data["values"]),
                   residents=data.get("residents"), people=dict(data.get("people", {})))


def disclose(rows: Sequence[Row], lines: Iterable[Line], k: int | None = None,
             figure_lines: Iterable[Line] = (), known: Iterable[Any] = (), forced: Iterable[Any] = ()) -> list[Row]:
    """The rows with the disclosure rule applied: ``hidden`` set on every figure that may not be published.

    A row about fewer than k residents is withheld whole, and so is any figure about fewer than k
    people in a larger row: a few comments by few people, a count of people below k. ``lines`` say
    which rows add up to which; they hold for every additive measure the total has, each measure an
    equation of its own, so protecting a withheld figure costs the same figure elsewhere, not a
    whole row. ``figure_lines``
    add up single figures, each member a (row id, measure) pair: figures of different measures that
    add up, like a process's accepted proposals and the proposals of its accepted statuses.
    ``known`` and ``forced`` figures (same pairs) are published, or withheld, elsewhere."""
    threshold = min_residents() if k is None else k
    by_id = {row.id: row for row in rows}
    people: dict[Any, int | None] = {}
    for row in by_id.values():
        for measure in row.measures:
            people[(row.id, measure)] = row.people_behind(measure, threshold)
    cell_lines = []
    for line in lines:
        total = by_id.get(line.total) if line.total is not None else None
        parts = [by_id[p] for p in line.parts if p in by_id]
        if not parts:
            continue
        shared = set.intersection(*(set(p.values) for p in parts))
        measures = [m for m in total.values if m in shared] if total is not None else sorted(shared)
        for measure in measures:
            cell_lines.append(Line(tuple((p.id, measure) for p in parts if measure in p.values),
                                   (line.total, measure) if total is not None else None))
    cell_lines += list(figure_lines)
    withheld = suppress(people, cell_lines, threshold, known, forced)
    result = []
    for row in by_id.values():
        hidden = {m: withheld[(row.id, m)] for m in row.measures if (row.id, m) in withheld}
        result.append(replace(row, hidden=hidden))
    return result


def reason_text(reason: Reason | None, k: int | None = None) -> str:
    """Why a figure is not shown, in the reader's language."""
    threshold = min_residents() if k is None else k
    if reason == Reason.FEW:
        return gettext("Not shown: fewer than %(num)d residents.", num=threshold)
    if reason == Reason.PROTECTS:
        return gettext("Not shown: it would let a hidden figure be worked out from the others.")
    if reason == Reason.UNKNOWN:
        return gettext("Not shown: this version did not record how many residents it is about.")
    return ""


def item_label(table: str, key: Sequence[str], names: Mapping[str, str] | None = None) -> str:
    """The readable name of a row's item: a category's label, a status, a language, an area's name …"""
    last = key[-1] if key else ""
    if table == "category" and last in Category.__members__.values():
        return str(CATEGORY_LABELS[Category(last)])
    if table == "status" and last in ProposalStatus.__members__.values():
        return str(STATUS_LABELS[ProposalStatus(last)])
    if table in ("proposal_language", "comment_language"):
        return LANGUAGE_NAMES.get(last, last)
    if table in ("participation", "membership"):
        return gettext("All")
    return (names or {}).get(last, last)

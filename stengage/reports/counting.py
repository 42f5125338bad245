"""Counting the measures of ``metrics``: the only place where published figures are counted.

Every contribution is one *event* (who, what, on which proposal, when): a proposal by its author, a
support by its supporter, a visible comment by its author. The database hands over the events of a
scope once, as lean integer columns; numpy then groups them under every breakdown row, counting each
kind and the distinct people behind each row. One read serves every breakdown of a report or a
summary, so they all count the same events the same way, at the cost of one scan rather than one
per breakdown. This is the hand-tuned path of the metrics layer: ``benchmarks/report_time.py``
measures it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Integer, case, cast, func, select

from stengage.accounts.models import Membership, User
from stengage.areas.models import Area, Process
from stengage.core.i18n import LANGUAGE_NAMES
from stengage.db import on_days, on_postgresql
from stengage.extensions import db
from stengage.proposals.models import Alignment, Comment, Proposal, ProposalStatus, Support
from stengage.proposals.queries import listed_proposals
from stengage.reports.metrics import BREAKDOWNS, Row

OTHER_LANGUAGE = "other"  # a comment in a language the platform does not offer
ACCEPTED = frozenset({ProposalStatus.ACCEPTED.value, ProposalStatus.IN_PROGRESS.value,
                      ProposalStatus.IMPLEMENTED.value})


@dataclass(frozen=True)
class Scope:
    """Which contributions count: the proposals of some areas (processes), created in a period;
    ``event_days`` further keeps each contribution by its own date."""

    area_ids: tuple[int, ...]
    process_ids: tuple[int, ...] = ()
    proposal_days: tuple[date | None, date | None] = (None, None)
    event_days: tuple[date | None, date | None] = (None, None)

    def proposals(self) -> list[ColumnElement[bool]]:
        """The proposals whose contributions count."""
        conditions = [Proposal.area_id.in_(self.area_ids), *listed_proposals(),
                      *on_days(Proposal.created_at, *self.proposal_days)]
        if self.process_ids:
            conditions.append(Proposal.process_id.in_(self.process_ids))
        return conditions


@dataclass(frozen=True)
class Cut:
    """A breakdown as the counter sees it: the proposal facts (or event facts) that key its rows,
    and which kinds of contribution it counts."""

    dims: tuple[str, ...]  # of: area, process, category, status, language, week
    kinds: tuple[str, ...] = ("proposal", "support", "comment")


KINDS = ("proposal", "support", "comment")
_UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def visible_comments() -> list[ColumnElement[bool]]:
    return [Comment.hidden_at.is_(None), Comment.deleted_at.is_(None)]


def unix_day(column: Any) -> ColumnElement[int]:
    """Days since 1970-01-01 (UTC) of a timestamp, as an integer: cheap to carry and to group."""
    if on_postgresql(db.session):
        return cast(func.floor(func.extract("epoch", column) / 86400), Integer)
    return cast(func.strftime("%s", column), Integer) / 86400


@lru_cache(maxsize=8192)
def iso_week(day: int) -> str:
    year, week, _ = date.fromordinal(day + _UNIX_EPOCH_ORDINAL).isocalendar()
    return f"{year}-W{week:02d}"


class _Codes:
    """Strings coded as small integers, so that numpy can group by them."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self._index: dict[str, int] = {}

    def code(self, value: str) -> int:
        if value not in self._index:
            self._index[value] = len(self.values)
            self.values.append(value)
        return self._index[value]


@dataclass
class _Events:
    """The scope's contributions as columns: one entry per proposal, support or visible comment."""

    who: np.ndarray
    kind: np.ndarray  # index into KINDS
    proposal: np.ndarray  # position in the facts
    day: np.ndarray
    alignment: np.ndarray  # 0 neutral, 1 in favour, 2 against
    language: np.ndarray  # code of the proposal's or the comment's language
    item: np.ndarray
    facts: dict[str, np.ndarray]  # per proposal position: area, process, category, status codes; accepted …
    fact_ids: np.ndarray
    codes: dict[str, _Codes]


def _read(scope: Scope) -> _Events:
    """The proposals of the scope (their facts) and every contribution to them, as columns."""
    codes = {dim: _Codes() for dim in ("area", "process", "category", "status", "language", "week")}
    for language in (*LANGUAGE_NAMES, OTHER_LANGUAGE):  # the database codes comments' languages alike
        codes["language"].code(language)
    facts_rows = db.session.execute(
        select(Proposal.id, Area.slug, Process.slug, Proposal.category, Proposal.status, Proposal.language)
        .join(Area, Area.id == Proposal.area_id).join(Process, Process.id == Proposal.process_id)
        .where(*scope.proposals()).order_by(Proposal.id)).all()
    fact_ids = np.array([r[0] for r in facts_rows], dtype=np.int64)
    facts = {dim: np.array([codes[dim].code(str(getattr(r[i], "value", r[i]))) for r in facts_rows], dtype=np.int64)
             for i, dim in ((1, "area"), (2, "process"), (3, "category"), (4, "status"), (5, "language"))}
    statuses = [str(getattr(r[4], "value", r[4])) for r in facts_rows]
    facts["accepted"] = np.array([s in ACCEPTED for s in statuses], dtype=bool)
    facts["implemented"] = np.array([s == ProposalStatus.IMPLEMENTED.value for s in statuses], dtype=bool)

    in_scope = select(Proposal.id).where(*scope.proposals())
    supports_of = [Support.process_id.in_(scope.process_ids)] if scope.process_ids else \
        [Support.proposal_id.in_(in_scope)]
    leaning = case((Comment.alignment == Alignment.IN_FAVOUR, 1), (Comment.alignment == Alignment.AGAINST, 2), else_=0)
    known = list(LANGUAGE_NAMES)  # coded first, in this order, above
    spoken = case({language: n for n, language in enumerate(known)}, value=Comment.language, else_=len(known))
    # Integers only, and only the columns each kind has: who, proposal, day (+ id, leaning, language).
    proposals = _integers(select(Proposal.author_id, Proposal.id, unix_day(Proposal.created_at)).where(
        *scope.proposals(), *on_days(Proposal.created_at, *scope.event_days)), 3)
    supports = _integers(select(Support.user_id, Support.proposal_id, unix_day(Support.created_at)).where(
        *supports_of, *on_days(Support.created_at, *scope.event_days)), 3)
    comments = _integers(select(Comment.author_id, Comment.proposal_id, unix_day(Comment.created_at), Comment.id,
                                leaning, spoken).where(Comment.proposal_id.in_(in_scope), *visible_comments(),
                                                       *on_days(Comment.created_at, *scope.event_days)), 6)
    blocks = [proposals, supports, comments]
    who, pid, day = (np.concatenate([block[i] for block in blocks]) for i in range(3))
    before_comments = np.zeros(len(proposals[0]) + len(supports[0]), dtype=np.int32)
    item, alignment, language = (np.concatenate([before_comments, comments[i]]) for i in (3, 4, 5))
    item[:len(proposals[0])] = proposals[1]  # a proposal's own id
    kind = np.concatenate([np.full(len(block[0]), n, dtype=np.int8) for n, block in enumerate(blocks)])
    del blocks, proposals, supports, comments
    # Keep what belongs to the scope's proposals (supports were read by process, wider than the scope).
    if len(fact_ids):
        position = np.minimum(np.searchsorted(fact_ids, pid), len(fact_ids) - 1)
        keep = fact_ids[position] == pid
    else:
        position, keep = np.zeros(len(pid), dtype=np.int64), np.zeros(len(pid), dtype=bool)
    proposal, kind = position[keep], kind[keep]
    language = np.where(kind == 0, facts["language"][proposal] if len(fact_ids) else 0, language[keep])
    return _Events(who=who[keep], kind=kind, proposal=proposal, day=day[keep], alignment=alignment[keep],
                   language=language, item=item[keep], facts=facts, fact_ids=fact_ids, codes=codes)


def _integers(stmt: Any, width: int = 6) -> list[np.ndarray]:
    """The columns of an all-integer query as arrays, read from the driver in chunks: no result
    processing per row, and never all rows as Python tuples at once (memory stays flat)."""
    result = db.session.connection().execute(stmt)
    chunks = []
    while rows := result.cursor.fetchmany(10_000):
        chunks.append(np.array(rows, dtype=np.int32).reshape(-1, width).T.copy())  # ids and days fit
    result.close()
    if not chunks:
        return [np.zeros(0, dtype=np.int32) for _ in range(width)]
    return [np.concatenate([chunk[i] for chunk in chunks]) for i in range(width)]


def _dimension(events: _Events, dim: str) -> np.ndarray:
    if dim == "language":
        return events.language
    if dim == "week":
        days, inverse = np.unique(events.day, return_inverse=True)
        weeks = np.array([events.codes["week"].code(iso_week(int(d))) for d in days], dtype=np.int64)
        return weeks[inverse] if len(days) else np.zeros(0, dtype=np.int64)
    return events.facts[dim][events.proposal]


def _cut_rows(events: _Events, table: str, cut: Cut) -> list[Row]:
    """One breakdown's rows: the dimensions' codes make one mixed-radix key per event, so counting
    per row is a ``bincount`` and distinct people per row one sort of (key, who) pairs."""
    wanted = np.isin(events.kind, [KINDS.index(k) for k in cut.kinds])
    dimensions = [_dimension(events, dim)[wanted] for dim in cut.dims]  # codes first: they fix the radices
    radices = [len(events.codes[dim].values) for dim in cut.dims]
    key = np.zeros(int(wanted.sum()), dtype=np.int64)
    for codes, radix in zip(dimensions, radices, strict=True):
        key = key * radix + codes
    size = int(np.prod(radices)) if radices else 1
    kind, proposal, who = events.kind[wanted], events.proposal[wanted], events.who[wanted]
    is_proposal = kind == 0
    counts = {
        "proposals": np.bincount(key[is_proposal], minlength=size),
        "supports": np.bincount(key[kind == 1], minlength=size),
        "comments": np.bincount(key[kind == 2], minlength=size),
        "accepted": np.bincount(key[is_proposal & events.facts["accepted"][proposal]], minlength=size),
        "implemented": np.bincount(key[is_proposal & events.facts["implemented"][proposal]], minlength=size),
    }
    people = np.zeros(size, dtype=np.int64)
    behind: dict[str, np.ndarray] = {}
    if len(who):
        span = int(who.max()) + 1
        person = who.astype(np.int64)
        people = np.bincount(np.unique(key * span + person) // span, minlength=size)
        # Who stands behind each figure: authors, supporters, commenters (one sort of (key, kind, who)).
        by_kind = np.bincount(np.unique((key * 3 + kind) * span + person) // span, minlength=size * 3).reshape(size, 3)
        behind = {"proposals": by_kind[:, 0], "supports": by_kind[:, 1], "comments": by_kind[:, 2]}
        for measure in ("accepted", "implemented"):
            counted = is_proposal & events.facts[measure][proposal]
            behind[measure] = np.bincount(np.unique(key[counted] * span + person[counted]) // span, minlength=size)
    measures = [m for m in BREAKDOWNS[table].measures if m != "residents"]
    rows = []
    for value in np.flatnonzero(np.bincount(key, minlength=size)).tolist():
        n, parts = value, []
        for dim, radix in zip(reversed(cut.dims), reversed(radices), strict=True):
            n, code = divmod(n, radix)
            parts.append(events.codes[dim].values[code])
        rows.append(Row(table, tuple(reversed(parts)), {m: int(counts[m][value]) for m in measures},
                        int(people[value]), people={m: int(behind[m][value]) for m in measures if m in behind}))
    return rows


@dataclass
class Counted:
    """What one read counted: the rows of every breakdown asked for, each proposal's supports, and
    the comments each group counts (for links and coverage)."""

    rows: list[Row]
    supports_by_proposal: dict[int, int]
    group_comments: dict[str, list[int]]


def count(scope: Scope, cuts: Mapping[str, Cut],
          groups: Iterable[tuple[str, Sequence[int], Sequence[int]]] = (), group_table: str = "theme") -> Counted:
    """Count the scope's contributions, read once, into every breakdown (``table -> Cut``) and every
    group (``key, proposal ids, comment ids placed directly``; groups may overlap, a contribution
    counts once per group)."""
    events = _read(scope)
    rows = [row for table, cut in cuts.items() for row in _cut_rows(events, table, cut)]
    supports = np.bincount(events.proposal[events.kind == 1], minlength=len(events.fact_ids))
    supports_by_proposal = {int(pid): int(n) for pid, n in zip(events.fact_ids, supports, strict=True) if n}
    group_comments = {}
    for key, proposal_ids, comment_ids in groups:
        member = np.isin(events.fact_ids[events.proposal], np.array(proposal_ids, dtype=np.int64))
        if comment_ids:
            member |= (events.kind == 2) & np.isin(events.item, np.array(comment_ids, dtype=np.int64))
        kind, who = events.kind[member], events.who[member]
        comments = kind == 2
        in_favour = int((comments & (events.alignment[member] == 1)).sum())
        against = int((comments & (events.alignment[member] == 2)).sum())
        values = {"proposals": int((kind == 0).sum()), "supports": int((kind == 1).sum()),
                  "supporters": len(np.unique(who[kind == 1])), "comments": int(comments.sum()),
                  "in_favour": in_favour, "against": against, "neutral": int(comments.sum()) - in_favour - against}
        authors, commenters = len(np.unique(who[kind == 0])), len(np.unique(who[comments]))
        behind = {"proposals": authors, "supports": values["supporters"], "comments": commenters,
                  "in_favour": commenters, "against": commenters, "neutral": commenters}
        rows.append(Row(group_table, (key,), values, len(np.unique(who)), people=behind))
        group_comments[key] = sorted(int(c) for c in events.item[member][comments])
    return Counted(rows, supports_by_proposal, group_comments)


def membership_row(area_id: int) -> Row:
    """Members of the area (blocked accounts left out) and how many are verified at each level."""
    counts = dict(db.session.execute(
        select(Membership.assurance_level, func.count()).join(User, User.id == Membership.user_id)
        .where(Membership.area_id == area_id, User.blocked_at.is_(None))
        .group_by(Membership.assurance_level)).all())
    registered = sum(counts.values())
    values = {"registered": registered}
    for level in ("low", "substantial", "high"):
        values[f"verified_{level}"] = sum(n for lvl, n in counts.items() if lvl is not None and str(lvl) == level)
    values["unverified"] = counts.get(None, 0)
    return Row("membership", (), values, registered)

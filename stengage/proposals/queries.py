"""The lists: a process's proposals (filters, sorts, search, pages), its map (places in view, or
clusters of them), the area feed.

Every list runs a constant number of queries whatever its length: counts are stored columns,
authors are joined, images and the viewer's supports are fetched once per page.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import joinedload, raiseload

from stengage.accounts.models import User
from stengage.areas.models import Area, Process
from stengage.core.pagination import Page, paginate_ids
from stengage.db import on_postgresql
from stengage.extensions import db
from stengage.proposals.models import Category, Comment, Origin, Proposal, ProposalImage, ProposalStatus

PER_PAGE = 20
MAP_MARKERS = 300  # more proposals in view than this are drawn as clusters
MAP_CELLS = 24  # the clusters' grid: at most this many cells along the longer side of the view
SORTS = ("supports", "comments", "newest", "random")
_WORD = re.compile(r"\w+", re.UNICODE)
# Large primes mix ids with the visitor's seed: a stable shuffle per visitor, different between them.
_MIX_MULTIPLIER, _MIX_MODULUS = 2654435761, 4294967291


@dataclass
class ListQuery:
    category: Category | None = None
    status: ProposalStatus | None = None
    origin: Origin | None = None
    with_location: bool = False
    search: str = ""
    sort: str = "supports"
    seed: int = 0
    language: str | None = None

    @property
    def words(self) -> list[str]:
        return _WORD.findall(self.search.lower())[:10]


def visible_proposals() -> list[ColumnElement[bool]]:
    return [Proposal.hidden_at.is_(None)]


def _search_condition(words: list[str]) -> ColumnElement[bool]:
    """Proposals whose title or body contain every word (SQLite FTS5 / PostgreSQL tsvector)."""
    if on_postgresql(db.session):
        query = " ".join(words)
        return literal_column("proposal.search_vector").op("@@")(func.plainto_tsquery("simple", query))
    phrase = " ".join('"' + w.replace('"', "") + '"' for w in words)
    matching = select(literal_column("rowid")).select_from(text("proposal_fts")).where(
        text("proposal_fts MATCH :fts_query").bindparams(fts_query=phrase))
    return Proposal.id.in_(matching)


# Written into the SQL as literals, not sent as parameters: PostgreSQL's cached plan for the
# prepared statement can then prove the partial index ix_proposal_listed applies.
_UNLISTED = bindparam("unlisted", [ProposalStatus.WITHDRAWN, ProposalStatus.MERGED], expanding=True,
                      literal_execute=True)


def listed_proposals() -> list[ColumnElement[bool]]:
    """What lists, reports and summaries count: neither hidden, nor withdrawn or merged."""
    return [*visible_proposals(), Proposal.status.not_in(_UNLISTED)]


def _conditions(process: Process, query: ListQuery) -> list[ColumnElement[bool]]:
    if query.status is not None:  # a chosen status may be withdrawn or merged
        conditions = [Proposal.process_id == process.id, *visible_proposals(), Proposal.status == query.status]
    else:
        conditions = [Proposal.process_id == process.id, *listed_proposals()]
    if query.category is not None:
        conditions.append(Proposal.category == query.category)
    if query.origin is not None:
        conditions.append(Proposal.origin == query.origin)
    if query.with_location:
        conditions.append(Proposal.latitude.is_not(None))
    if query.language:
        conditions.append(Proposal.language == query.language)
    if query.words:
        conditions.append(_search_condition(query.words))
    return conditions


def _order(query: ListQuery) -> list[ColumnElement[Any]]:
    if query.sort == "comments":
        return [Proposal.comment_count.desc(), Proposal.id.desc()]
    if query.sort == "newest":
        return [Proposal.created_at.desc(), Proposal.id.desc()]
    if query.sort == "random":
        mixed = (cast(Proposal.id, BigInteger) * literal(_MIX_MULTIPLIER, BigInteger)
                 + literal(query.seed, BigInteger)) % literal(_MIX_MODULUS, BigInteger)
        return [mixed, Proposal.id]
    return [Proposal.support_count.desc(), Proposal.id.desc()]


# A proposal's page reads its process, phases and area too: one query, built once.
_PROPOSAL_WITH_PROCESS = (select(Proposal).options(joinedload(Proposal.process).joinedload(Process.phases))
                          .where(Proposal.id == bindparam("proposal_id")))


def proposal_with_process(proposal_id: int) -> Proposal | None:
    return db.session.execute(_PROPOSAL_WITH_PROCESS, {"proposal_id": proposal_id}).unique().scalar_one_or_none()


@dataclass(slots=True)
class ProposalCard:
    """What a card of the list shows: read in one narrow query, no ORM objects per row (no rendered
    HTML, no author's account)."""

    id: int
    title: str
    body: str
    language: str
    category: Category
    origin: Origin
    status: ProposalStatus
    latitude: float | None
    support_count: int
    comment_count: int
    author_name: str
    card_thumbnail: str | None

    @property
    def has_location(self) -> bool:
        return self.latitude is not None


_CARD_COLUMNS = (
    Proposal.id, Proposal.title, Proposal.body, Proposal.language, Proposal.category, Proposal.origin,
    Proposal.status, Proposal.latitude, Proposal.support_count, Proposal.comment_count, User.display_name,
    select(ProposalImage.thumbnail_name).where(ProposalImage.proposal_id == Proposal.id)
    .order_by(ProposalImage.position).limit(1).scalar_subquery(),
)


def proposal_page(process: Process, query: ListQuery, page: int, per_page: int = PER_PAGE) -> Page[ProposalCard]:
    """A page of the list, as its cards need it."""
    return paginate_ids(
        Proposal, _conditions(process, query), _order(query), page, per_page,
        rows=lambda chosen: select(*_CARD_COLUMNS).join(chosen, Proposal.id == chosen.c.id)
        .join(User, User.id == Proposal.author_id),
        make=lambda row: ProposalCard(*row))


@dataclass(frozen=True)
class BoundingBox:
    """The part of the map in view, in degrees (south < north, west < east)."""

    south: float
    west: float
    north: float
    east: float

    def cell_size(self, cells: int) -> tuple[float, float]:
        """Height and width in degrees of the clusters' grid cells: ``cells / 2`` to ``cells`` of
        them along the view's longer side (so at most (cells + 1)² in view), each at most twice
        as long as wide on the screen, where a degree of latitude is 1/cos(latitude) times as
        tall as a degree of longitude is wide.

        The grid is fixed on the globe (cells of 180/2^j by 360/2^k degrees from the south-west
        corner of the world), so clusters keep their places while the map is panned."""
        shrink = max(math.cos(math.radians((self.south + self.north) / 2)), 0.01)
        side = max(self.east - self.west, (self.north - self.south) / shrink) / cells
        width = 360 / 2 ** max(0, math.floor(math.log2(360 / side)))  # the smallest that is >= side
        height = 180 / 2 ** max(0, math.floor(math.log2(180 / (width * shrink))))  # >= width on the screen
        return height, width


WORLD = BoundingBox(-90.0, -180.0, 90.0, 180.0)


@dataclass(frozen=True, slots=True)
class MapPoint:
    id: int
    title: str
    lat: float
    lng: float


@dataclass(frozen=True, slots=True)
class MapCluster:
    """Several proposals drawn as one circle at their mean place."""

    lat: float
    lng: float
    count: int


def _placed_in(process: Process, query: ListQuery, box: BoundingBox) -> list[ColumnElement[bool]]:
    return [*_conditions(process, replace(query, with_location=True)),
            Proposal.latitude.between(box.south, box.north), Proposal.longitude.between(box.west, box.east)]


def located_count(process: Process, query: ListQuery) -> int:
    """How many of the list's proposals have a place."""
    return db.session.scalar(select(func.count(Proposal.id)).where(
        *_conditions(process, replace(query, with_location=True)))) or 0


def map_points(process: Process, query: ListQuery, box: BoundingBox = WORLD, limit: int = MAP_MARKERS,
               proposal_id: int | None = None) -> list[MapPoint]:
    """The proposals with a place inside ``box``, the most supported first (at most ``limit``);
    only the one with ``proposal_id`` if given."""
    conditions = _placed_in(process, query, box)
    if proposal_id is not None:
        conditions.append(Proposal.id == proposal_id)
    rows = db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.latitude, Proposal.longitude).where(*conditions)
        .order_by(Proposal.support_count.desc(), Proposal.id.desc()).limit(limit)).all()
    return [MapPoint(*row) for row in rows]


def _cell(column: Any, start: float, size: float) -> ColumnElement[Any]:
    """The number of the grid cell ``column`` falls in (counted from ``start``, never negative)."""
    offset = (column - start) / size
    # SQLite's CAST truncates, which is the floor of a value that is never negative; PostgreSQL's rounds.
    return func.floor(offset) if on_postgresql(db.session) else cast(offset, Integer)


def map_clusters(process: Process, query: ListQuery, box: BoundingBox, cells: int = MAP_CELLS) -> list[MapCluster]:
    """The proposals with a place inside ``box``, counted per cell of a grid laid over the globe:
    one query whatever their number, and every proposal in the box counted in exactly one cell."""
    height, width = box.cell_size(cells)
    row, column = _cell(Proposal.latitude, -90.0, height), _cell(Proposal.longitude, -180.0, width)
    found = db.session.execute(
        select(func.count(Proposal.id), func.avg(Proposal.latitude), func.avg(Proposal.longitude))
        .where(*_placed_in(process, query, box)).group_by(row, column)).all()
    return [MapCluster(lat=float(lat), lng=float(lng), count=count) for count, lat, lng in found]


def similar_titles(process: Process, title: str, exclude_id: int | None = None, limit: int = 5) -> list[Proposal]:
    """Proposals of the process sharing the title's longer words (two of them for longer titles), best first."""
    words = [w for w in _WORD.findall(title.lower()) if len(w) >= 4][:8]
    if not words:
        return []
    stmt = select(Proposal).where(Proposal.process_id == process.id, *visible_proposals(),
                                  Proposal.status != ProposalStatus.WITHDRAWN)
    if exclude_id:
        stmt = stmt.where(Proposal.id != exclude_id)
    position = func.strpos if on_postgresql(db.session) else func.instr
    hits = sum((position(func.lower(Proposal.title), w) > 0).cast(db.Integer) for w in words)
    # One shared word is chance ("platz" in every square's name) once a title has three or more.
    enough = 1 if len(words) <= 2 else 2
    stmt = stmt.where(hits >= enough).order_by(hits.desc(), Proposal.support_count.desc()).limit(limit)
    return list(db.session.scalars(stmt.options(raiseload(Proposal.area))))


@dataclass(frozen=True)
class FeedItem:
    kind: str  # "proposal" or "comment"
    at: datetime
    proposal: Proposal
    comment: Comment | None = None


def area_feed(area: Area, limit: int = 30) -> list[FeedItem]:
    """Newest proposals and comments of the area, merged: two queries."""
    proposals = db.session.scalars(
        select(Proposal).where(Proposal.area_id == area.id, *visible_proposals(),
                               Proposal.status != ProposalStatus.WITHDRAWN)
        .order_by(Proposal.created_at.desc()).limit(limit).options(raiseload(Proposal.area))
    ).all()
    comments = db.session.execute(
        select(Comment, Proposal).join(Proposal, Comment.proposal_id == Proposal.id)
        .where(Proposal.area_id == area.id, *visible_proposals(), Comment.hidden_at.is_(None),
               Comment.deleted_at.is_(None))
        .order_by(Comment.created_at.desc()).limit(limit).options(raiseload(Proposal.area))
    ).all()
    items = [FeedItem("proposal", p.created_at, p) for p in proposals]
    items += [FeedItem("comment", c.created_at, p, c) for c, p in comments]
    return sorted(items, key=lambda item: item.at, reverse=True)[:limit]

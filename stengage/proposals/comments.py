"""A proposal's discussion, one page at a time.

A page holds whole conversations (a top-level comment with all its replies) of about
``COMMENTS_PER_PAGE`` comments. Which conversations a page holds is worked out by the database from
each comment's ``root_id``: a conversation goes on the page where its first comment falls when the
conversations are laid end to end in the order they began. So a page reads only its own comments,
whatever the length of the discussion; the count and the for/against summary still cover the whole
discussion, counted by the database.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from flask import current_app
from sqlalchemy import Integer, Select, bindparam, cast, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from stengage.accounts.models import User
from stengage.accounts.permissions import is_area_team
from stengage.extensions import db
from stengage.proposals.models import Alignment, Comment, CommentVote, Proposal


@dataclass(slots=True)
class CommentView:
    """What the thread shows of a comment: read in one narrow query, no ORM objects per row."""

    id: int
    parent_id: int | None
    depth: int
    author_id: int
    author_name: str
    body_html: str
    alignment: Alignment
    upvotes: int
    downvotes: int
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    hidden_at: datetime | None
    hidden_reason: str | None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


@dataclass
class Node:
    comment: CommentView
    replies: list[Node] = field(default_factory=list)
    hidden: bool = False  # shown as a placeholder only, to keep its replies in place


@dataclass
class Thread:
    """The page of the discussion shown: ``roots`` are its conversations, in the order they began."""

    roots: list[Node]
    summary: Counter[Alignment]  # the whole discussion's positions, as this reader sees it
    my_votes: defaultdict[int, int]  # the reader's votes (1 or -1), 0 for none
    page: int = 1
    page_count: int = 1

    @property
    def total(self) -> int:
        """Comments of the whole discussion this reader sees (deleted ones not counted)."""
        return sum(self.summary.values())

    def find(self, comment_id: int) -> CommentView | None:
        """A comment of this page that can be answered (neither hidden nor deleted)."""
        stack = list(self.roots)
        while stack:
            node = stack.pop()
            if node.comment.id == comment_id:
                return None if node.hidden or node.comment.is_deleted else node.comment
            stack.extend(node.replies)
        return None

    def share(self, alignment: Alignment) -> int:
        """Percentage of positioned comments with this alignment (for the for/against bar)."""
        counted = sum(self.summary.values())
        return round(100 * self.summary[alignment] / counted) if counted else 0


class Reader(Enum):
    """Whose comments hidden by moderators a reader sees: none, their own, or all (the area's team)."""

    PUBLIC = "public"
    AUTHOR = "author"
    TEAM = "team"


def _reader(viewer: User | None, proposal: Proposal) -> Reader:
    if viewer is None:
        return Reader.PUBLIC
    return Reader.TEAM if is_area_team(viewer, proposal.area_id) else Reader.AUTHOR


def _seen(reader: Reader) -> ColumnElement[bool]:
    """The comments a reader sees in full (the others are placeholders at most)."""
    if reader is Reader.TEAM:
        return true()
    if reader is Reader.AUTHOR:
        return or_(Comment.hidden_at.is_(None), Comment.author_id == bindparam("viewer_id"))
    return Comment.hidden_at.is_(None)


# The statements are built once per kind of reader, with parameters: every proposal page runs them.

@functools.cache
def _layout(reader: Reader) -> Select:
    """The pages of the discussion as this reader sees it: per page, its first and last conversation
    (by the id of their top-level comment), in page order; on every row, the conversation of comment
    ``showing`` (none when it is not in this discussion).

    Conversations come in the order they began; each counts the comments the reader sees in it and
    goes on the page where its first comment falls, ``per_page`` comments a page. A page holds at
    least one conversation, so a conversation longer than a page makes no empty page. Read from the
    index ``ix_comment_proposal_root`` alone.
    """
    # Sizes as integers: PostgreSQL sums a count (a bigint) as a slower numeric.
    sizes = (select(Comment.root_id, cast(func.count(), Integer).label("size"))
             .where(Comment.proposal_id == bindparam("proposal_id"), _seen(reader))
             .group_by(Comment.root_id).subquery("sizes"))
    comments_before = func.sum(sizes.c.size).over(order_by=sizes.c.root_id, rows=(None, 0)) - sizes.c.size
    slot = comments_before // bindparam("per_page", type_=Integer)
    laid_out = select(sizes.c.root_id, slot.label("slot")).subquery("laid_out")
    showing_root = (select(Comment.root_id).where(Comment.id == bindparam("showing", type_=Integer),
                                                  Comment.proposal_id == bindparam("proposal_id"))
                    .scalar_subquery())
    return (select(func.min(laid_out.c.root_id), func.max(laid_out.c.root_id), showing_root)
            .group_by(laid_out.c.slot).order_by(laid_out.c.slot))


# One page's comments: its conversations, each top-level comment followed by its replies in the order
# they were posted (the order of the index ix_comment_proposal_root).
_PAGE = (select(Comment.id, Comment.parent_id, Comment.depth, Comment.author_id, User.display_name,
                Comment.body_html, Comment.alignment, Comment.upvotes, Comment.downvotes, Comment.created_at,
                Comment.edited_at, Comment.deleted_at, Comment.hidden_at, Comment.hidden_reason)
         .join(User, User.id == Comment.author_id)
         .where(Comment.proposal_id == bindparam("proposal_id"),
                Comment.root_id.between(bindparam("first_root"), bindparam("last_root")))
         .order_by(Comment.root_id, Comment.created_at, Comment.id))


@functools.cache
def _summary(reader: Reader) -> Select:
    """The positions taken in the whole discussion (deleted comments take none), from the index alone."""
    return (select(*(func.count().filter(Comment.alignment == alignment) for alignment in Alignment))
            .where(Comment.proposal_id == bindparam("proposal_id"), Comment.deleted_at.is_(None), _seen(reader)))


# The reader's votes in the discussion: few rows through the voter's index, whatever its length.
_MY_VOTES = (select(CommentVote.comment_id, CommentVote.value).join(Comment, Comment.id == CommentVote.comment_id)
             .where(CommentVote.user_id == bindparam("viewer_id"), Comment.proposal_id == bindparam("proposal_id")))


@dataclass(frozen=True)
class _Layout:
    pages: list[tuple[int, int]]  # per page: the root ids of its first and last conversation
    showing_page: int | None  # the page of the conversation asked for, when it is there


def _read_layout(reader: Reader, parameters: dict[str, object], showing: int | None) -> _Layout:
    rows = db.session.execute(_layout(reader), {**parameters, "showing": showing}).all()
    showing_root = rows[0][2] if rows else None
    showing_page = None
    if showing_root is not None:
        showing_page = next((n for n, (first, last, _) in enumerate(rows, 1) if first <= showing_root <= last), None)
    return _Layout([(first, last) for first, last, _ in rows], showing_page)


def _parameters(proposal: Proposal, viewer: User | None) -> dict[str, object]:
    return {"proposal_id": proposal.id, "viewer_id": viewer.id if viewer is not None else None,
            "per_page": current_app.config["COMMENTS_PER_PAGE"]}


def thread_for(proposal: Proposal, viewer: User | None, *, page: int = 1, showing: int | None = None) -> Thread:
    """Page ``page`` of the discussion, or the page with comment ``showing`` when it is there; a page
    beyond the last is the last."""
    reader = _reader(viewer, proposal)
    parameters = _parameters(proposal, viewer)
    layout = _read_layout(reader, parameters, showing)
    if not layout.pages:  # nothing this reader may see
        return Thread(roots=[], summary=Counter(), my_votes=defaultdict(int))
    shown = layout.showing_page or min(page, len(layout.pages))
    first_root, last_root = layout.pages[shown - 1]
    nodes: dict[int, Node] = {}
    roots: list[Node] = []
    for row in db.session.execute(_PAGE, {**parameters, "first_root": first_root, "last_root": last_root}):
        comment = CommentView(*row)
        hidden = comment.hidden_at is not None and not (
            reader is Reader.TEAM or (viewer is not None and viewer.id == comment.author_id))
        node = Node(comment, hidden=hidden)
        nodes[comment.id] = node
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        (parent.replies if parent else roots).append(node)
    counts = db.session.execute(_summary(reader), parameters).one()
    summary = Counter({alignment: count for alignment, count in zip(Alignment, counts, strict=True) if count})
    my_votes: defaultdict[int, int] = defaultdict(int)  # 0: no vote
    if viewer is not None:
        my_votes.update(db.session.execute(_MY_VOTES, parameters).all())
    return Thread(roots=_prune(roots), summary=summary, my_votes=my_votes, page=shown,
                  page_count=len(layout.pages))


def page_of(proposal: Proposal, viewer: User | None, comment: Comment) -> int:
    """The page of the discussion showing this comment's conversation (1 when the reader sees none of it)."""
    reader = _reader(viewer, proposal)
    return _read_layout(reader, _parameters(proposal, viewer), comment.id).showing_page or 1


def _prune(nodes: list[Node]) -> list[Node]:
    """Hidden comments without visible replies leave no trace; deleted ones keep their place."""
    kept = []
    for node in nodes:
        node.replies = _prune(node.replies)
        if node.hidden and not node.replies:
            continue
        kept.append(node)
    return kept

"""A proposal's discussion as a tree: one query for the comments, one for the viewer's votes."""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, select

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
    """The whole discussion; ``roots`` are the top-level comments of the page shown.

    A page holds whole conversations (a top-level comment with all its replies), up to about
    ``per_page`` comments, so a discussion of thousands stays a page of a few hundred.
    """

    all_roots: list[Node]
    summary: Counter[Alignment]
    my_votes: defaultdict[int, int]
    total: int
    per_page: int = 250
    page: int = 1
    _starts: list[int] = field(default_factory=list, init=False, repr=False)  # where in all_roots each page starts

    def __post_init__(self) -> None:
        self._starts, size = [0], 0
        for index, root in enumerate(self.all_roots):
            weight = _size(root)
            if size and size + weight > self.per_page:
                self._starts.append(index)
                size = 0
            size += weight

    @property
    def page_count(self) -> int:
        return len(self._starts)

    @property
    def roots(self) -> list[Node]:
        first = self._starts[self.page - 1]
        last = self._starts[self.page] if self.page < self.page_count else len(self.all_roots)
        return self.all_roots[first:last]

    def show_page(self, page: int) -> Thread:
        self.page = min(max(page, 1), self.page_count)
        return self

    def show_page_of(self, comment_id: int | None) -> Thread:
        """Show the page with this comment (the first page for none)."""
        return self.show_page(self.page_of(comment_id) if comment_id is not None else 1)

    def page_of(self, comment_id: int) -> int:
        """The page showing this comment (1 when it is not shown at all)."""
        for index, root in enumerate(self.all_roots):
            if _contains(root, comment_id):
                return bisect.bisect_right(self._starts, index)
        return 1

    def find(self, comment_id: int) -> CommentView | None:
        stack = list(self.all_roots)
        while stack:
            node = stack.pop()
            if node.comment.id == comment_id:
                return None if node.hidden or node.comment.is_deleted else node.comment
            stack.extend(node.replies)
        return None

    def in_order(self) -> list[tuple[Node, int]]:
        """Every shown comment in reading order, with how many reply lists end right after it.

        The page renders the tree in one flat loop: no recursion, no call per comment.
        """
        rows: list[tuple[Node, int]] = []

        def walk(nodes: list[Node], ending: int) -> None:
            for index, node in enumerate(nodes):
                ends_here = ending if index == len(nodes) - 1 else 0
                if node.replies:
                    rows.append((node, 0))
                    walk(node.replies, ends_here + 1)
                else:
                    rows.append((node, ends_here))

        walk(self.roots, 0)
        return rows

    def share(self, alignment: Alignment) -> int:
        """Percentage of positioned comments with this alignment (for the for/against bar)."""
        counted = sum(self.summary.values())
        return round(100 * self.summary[alignment] / counted) if counted else 0


# Built once, with a parameter: every proposal page runs it.
_THREAD = (select(Comment.id, Comment.parent_id, Comment.depth, Comment.author_id, User.display_name,
                  Comment.body_html, Comment.alignment, Comment.upvotes, Comment.downvotes, Comment.created_at,
                  Comment.edited_at, Comment.deleted_at, Comment.hidden_at, Comment.hidden_reason)
           .join(User, User.id == Comment.author_id)
           .where(Comment.proposal_id == bindparam("proposal_id")).order_by(Comment.created_at, Comment.id))
# The viewer's votes in the thread: few rows through the voter's index, whatever the thread's length.
_MY_VOTES = (select(CommentVote.comment_id, CommentVote.value).join(Comment, Comment.id == CommentVote.comment_id)
             .where(CommentVote.user_id == bindparam("viewer_id"), Comment.proposal_id == bindparam("proposal_id")))


def thread_for(proposal: Proposal, viewer: User | None) -> Thread:
    comments = [CommentView(*row) for row in db.session.execute(_THREAD, {"proposal_id": proposal.id})]
    sees_hidden = viewer is not None and is_area_team(viewer, proposal.area_id)
    nodes: dict[int, Node] = {}
    roots: list[Node] = []
    for comment in comments:
        hidden = comment.hidden_at is not None and not (
            sees_hidden or (viewer is not None and viewer.id == comment.author_id))
        node = Node(comment, hidden=hidden)
        nodes[comment.id] = node
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        (parent.replies if parent else roots).append(node)
    roots = _prune(roots)
    visible = [n.comment for n in nodes.values() if not n.hidden and not n.comment.is_deleted]
    summary = Counter(c.alignment for c in visible)
    my_votes: defaultdict[int, int] = defaultdict(int)  # 0: no vote
    if viewer is not None and comments:
        my_votes.update(db.session.execute(_MY_VOTES, {"proposal_id": proposal.id, "viewer_id": viewer.id}).all())
    return Thread(all_roots=roots, summary=summary, my_votes=my_votes, total=len(visible),
                  per_page=current_app.config["COMMENTS_PER_PAGE"])


def _size(node: Node) -> int:
    return 1 + sum(_size(reply) for reply in node.replies)


def _contains(node: Node, comment_id: int) -> bool:
    return node.comment.id == comment_id or any(_contains(reply, comment_id) for reply in node.replies)


def _prune(nodes: list[Node]) -> list[Node]:
    """Hidden comments without visible replies leave no trace; deleted ones keep their place."""
    kept = []
    for node in nodes:
        node.replies = _prune(node.replies)
        if node.hidden and not node.replies:
            continue
        kept.append(node)
    return kept

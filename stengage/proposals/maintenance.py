"""Keeping stored counters honest: ``flask recount`` compares each with a fresh count and repairs it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import InstrumentedAttribute

from stengage.extensions import db
from stengage.proposals.models import Comment, CommentVote, Proposal, Support


@dataclass(frozen=True)
class Drift:
    counter: str
    row_id: int
    stored: int
    actual: int


def _counters() -> list[tuple[str, type, InstrumentedAttribute[int], ColumnElement[int]]]:
    """(name, model, stored column, correlated fresh count) for every counter shown on a page."""
    return [
        ("proposal.support_count", Proposal, Proposal.support_count,
         select(func.count(Support.id)).where(Support.proposal_id == Proposal.id).scalar_subquery()),
        ("proposal.comment_count", Proposal, Proposal.comment_count,
         select(func.count(Comment.id)).where(Comment.proposal_id == Proposal.id, Comment.deleted_at.is_(None),
                                              Comment.hidden_at.is_(None)).scalar_subquery()),
        ("comment.upvotes", Comment, Comment.upvotes,
         select(func.count(CommentVote.id)).where(CommentVote.comment_id == Comment.id,
                                                  CommentVote.value == 1).scalar_subquery()),
        ("comment.downvotes", Comment, Comment.downvotes,
         select(func.count(CommentVote.id)).where(CommentVote.comment_id == Comment.id,
                                                  CommentVote.value == -1).scalar_subquery()),
    ]


def find_drift() -> list[Drift]:
    drifts = []
    for name, model, stored, actual in _counters():
        rows = db.session.execute(select(model.id, stored, actual).where(stored != actual)).all()
        drifts += [Drift(name, row_id, was, should) for row_id, was, should in rows]
    return drifts


def recount() -> list[Drift]:
    """Repair every drifted counter in place; returns what was wrong."""
    drifts = find_drift()
    for name, model, stored, actual in _counters():
        ids = [d.row_id for d in drifts if d.counter == name]
        for start in range(0, len(ids), 500):
            db.session.execute(update(model).where(model.id.in_(ids[start:start + 500]))
                               .values({stored.key: actual}).execution_options(synchronize_session=False))
    return drifts

"""Supports: one per resident and proposal, counted exactly, within each process's limit.

PostgreSQL writes the common case in one statement (no per-process limit); everything else runs
under row locks taken in a fixed order, so counts never drift and limits hold under any race.
"""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import CTE, Update, bindparam, delete, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.orm.attributes import set_committed_value

from stengage.accounts.models import User
from stengage.areas.models import Process
from stengage.core.operations import Refused
from stengage.db import begin_transaction, insert_ignore, on_postgresql, utc_now
from stengage.extensions import db
from stengage.proposals import permissions as can
from stengage.proposals.models import SUPPORTABLE, Follow, Proposal, ProposalStatus, Support
from stengage.proposals.operations import TARGET, change_count, follow, proposal_for_action


def _lock_supporter(actor: User) -> None:
    """Serialise one resident's supports, so the per-process limit holds under any race.

    PostgreSQL locks the user's row; SQLite write transactions are serialised already.
    """
    db.session.execute(select(User.id).where(User.id == actor.id).with_for_update(key_share=True))


# The support path runs for every click: its statements are built once, with parameters, so
# SQLAlchemy skips building and hashing them again (about a third of its cost per statement).
_LOCK_PROPOSAL = (select(Proposal.status, Proposal.merged_into_id, Proposal.hidden_at)
                  .where(Proposal.id == TARGET).with_for_update(key_share=True))
_WITHDRAW = (delete(Support).where(Support.proposal_id == TARGET, Support.user_id == bindparam("user_id"))
             .execution_options(synchronize_session=False))


def _lock_proposal(proposal: Proposal) -> Proposal:
    """Lock the proposal and read its status afresh: a merge may just have moved it on.

    A support for a proposal merged meanwhile goes to the proposal it was merged into, so it is
    neither lost nor counted twice.
    """
    fresh = db.session.execute(_LOCK_PROPOSAL, {"target_id": proposal.id}).one()
    for name in ("status", "merged_into_id", "hidden_at"):
        set_committed_value(proposal, name, getattr(fresh, name))
    if proposal.status == ProposalStatus.MERGED and proposal.merged_into_id is not None:
        target = proposal_for_action(proposal.merged_into_id)
        assert target is not None  # the merge target is kept: foreign key
        return _lock_proposal(target)
    return proposal


def _supports_used(actor: User, process_id: int) -> int:
    """Supports that count against the limit: those on merged proposals live on in the merge target."""
    return db.session.scalar(select(func.count(Support.id)).join(Proposal, Proposal.id == Support.proposal_id).where(
        Support.user_id == actor.id, Support.process_id == process_id,
        Proposal.status != ProposalStatus.MERGED)) or 0


def support(actor: User, proposal: Proposal) -> bool:
    """Add the actor's support; False when they supported it already (nothing changes)."""
    one_statement = proposal.process.supports_per_resident is None and on_postgresql(db.session)
    if one_statement and can.can_support(actor, proposal) and _support_in_one_statement(actor, proposal):
        return True
    # Nothing was written yet: a limit to keep, a second click, or the proposal changed meanwhile
    # (merged, withdrawn, hidden). The locked way tells which.
    return _support_under_locks(actor, proposal)


def _support_in_one_statement(actor: User, proposal: Proposal) -> bool:
    # On the session's connection, as plain SQL: the statement touches no loaded object but the
    # count set below, so the ORM's bulk-update bookkeeping (two fifths of its CPU time) is skipped.
    count = db.session.connection().execute(_SUPPORT_AT_ONCE, {
        "target_id": proposal.id, "supporter_id": actor.id, "in_process": proposal.process_id, "now": utc_now(),
    }).scalar()
    if count is None:
        return False
    set_committed_value(proposal, "support_count", count)
    return True


def _support_under_locks(actor: User, proposal: Proposal) -> bool:
    begin_transaction(db.session)
    if proposal.process.supports_per_resident is not None:
        _lock_supporter(actor)  # before the proposal: every support takes its locks in this order
    proposal = _lock_proposal(proposal)  # merges lock their proposals first too: no deadlock between them
    if not can.can_support(actor, proposal):
        raise Refused(gettext("You can't support this proposal now."))
    limit = proposal.process.supports_per_resident
    if limit is not None:
        used = _supports_used(actor, proposal.process_id)
        if used >= limit:
            already = db.session.scalar(select(Support.id).where(
                Support.user_id == actor.id, Support.proposal_id == proposal.id))
            if already is not None:
                return False
            raise Refused(gettext("You have used all %(num)d supports of this process. Withdraw one "
                                  "to support this proposal.", num=limit))
    added = insert_ignore(db.session, Support, {
        "proposal_id": proposal.id, "user_id": actor.id, "process_id": proposal.process_id,
        "created_at": utc_now()}, ["proposal_id", "user_id"])
    if added:
        change_count(proposal, "support_count", +1)
        follow(actor, proposal)
    return bool(added)


# PostgreSQL, no per-process limit: a support (or its withdrawal) is one atomic statement, fit for
# a request without a transaction. It locks the proposal first (as merges do, so the two never
# deadlock), writes the support row, and counts only what it wrote. A support is added only while
# the locked row's state allows it (the part of can_support that a concurrent merge, withdrawal or
# hide can change), and brings the supporter's follow. Proposal and user locks are FOR NO KEY
# UPDATE: they serialise supports and merges, but not the inserts of rows that merely refer to the
# proposal or the user (a FOR UPDATE lock would block their foreign-key checks: deadlocks).
_NOW, _SUPPORTER = bindparam("now"), bindparam("supporter_id")
_LOCKED = (select(Proposal.id, Proposal.status, Proposal.hidden_at).where(Proposal.id == TARGET)
           .with_for_update(key_share=True).cte("locked"))
_ADDED = postgresql_insert(Support).from_select(
    ["proposal_id", "user_id", "process_id", "created_at"],
    select(_LOCKED.c.id, _SUPPORTER, bindparam("in_process"), _NOW).where(
        _LOCKED.c.status.in_(SUPPORTABLE), _LOCKED.c.hidden_at.is_(None)),
).on_conflict_do_nothing(index_elements=["proposal_id", "user_id"]).returning(Support.id).cte("added")
_FOLLOWED = postgresql_insert(Follow).from_select(
    ["proposal_id", "user_id", "created_at"],
    select(TARGET, _SUPPORTER, _NOW).where(exists(select(_ADDED.c.id))),
).on_conflict_do_nothing(index_elements=["proposal_id", "user_id"]).cte("followed")
_REMOVED = (delete(Support).where(Support.proposal_id == select(_LOCKED.c.id).scalar_subquery(),
                                  Support.user_id == _SUPPORTER)
            .returning(Support.id).cte("removed"))


def _count_if_written(written: CTE, delta: int) -> Update:
    """The proposal's support count moved by ``delta`` when ``written`` wrote a row; its new value."""
    return (update(Proposal).where(Proposal.id == TARGET, exists(select(written.c.id)))
            .values(support_count=Proposal.support_count + delta).returning(Proposal.support_count))


_SUPPORT_AT_ONCE = _count_if_written(_ADDED, +1).add_cte(_FOLLOWED)
_WITHDRAW_AT_ONCE = _count_if_written(_REMOVED, -1)


def withdraw_support(actor: User, proposal: Proposal) -> bool:
    if not can.can_withdraw_support(actor, proposal):
        raise Refused(gettext("Supports can only be withdrawn while the support phase is open."))
    if on_postgresql(db.session):
        count = db.session.connection().execute(
            _WITHDRAW_AT_ONCE, {"target_id": proposal.id, "supporter_id": actor.id}).scalar()
        if count is not None:
            set_committed_value(proposal, "support_count", count)
        return count is not None
    removed = db.session.execute(_WITHDRAW, {"target_id": proposal.id, "user_id": actor.id}).rowcount
    if removed:
        change_count(proposal, "support_count", -1)
    return bool(removed)


def supported_ids(user: User | None, proposal_ids: list[int]) -> set[int]:
    """Which of these proposals the user supports (one query for a whole page)."""
    if user is None or not getattr(user, "is_authenticated", False) or not proposal_ids:
        return set()
    return set(db.session.scalars(select(Support.proposal_id).where(
        Support.user_id == user.id, Support.proposal_id.in_(proposal_ids))))


def supports_left(user: User, process: Process) -> int | None:
    if process.supports_per_resident is None:
        return None
    return max(process.supports_per_resident - _supports_used(user, process.id), 0)


_VIEWER_TIES = select(
    exists().where(Support.proposal_id == TARGET, Support.user_id == bindparam("viewer_id")),
    exists().where(Follow.proposal_id == TARGET, Follow.user_id == bindparam("viewer_id")),
)


def supports_and_follows(user: User | None, proposal: Proposal) -> tuple[bool, bool]:
    """Whether the user supports and whether they follow the proposal: one query for its page."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False, False
    supports, follows = db.session.execute(_VIEWER_TIES, {"target_id": proposal.id, "viewer_id": user.id}).one()
    return bool(supports), bool(follows)

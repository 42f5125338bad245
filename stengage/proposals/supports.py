"""Supports: one per resident and proposal, counted exactly, within each process's limit.

One path on both databases:

1. A support for a merged proposal goes to the proposal it was merged into (its supporters
   support that one now); otherwise the ``can_support`` rule decides.
2. With a per-process limit, the supporter's row is locked first, in a transaction, so one
   resident's supports queue up and the limit holds under any race.
3. The proposal's row is locked (``FOR NO KEY UPDATE``, as merges do: supporters and merges lock
   users, then proposals), and the support is inserted with ``ON CONFLICT DO NOTHING`` only while
   the locked row still gathers supports (PostgreSQL re-reads a row it waited for: a merge that
   committed meanwhile is seen). When a row went in, ``count = count + 1`` and the supporter
   follows, atomically with the insert. When none did, the proposal's state, read afresh, says why.
4. The write declares that public content changed (``core.page_cache``): cached pages show the
   new count once it commits.

Withdrawing locks the proposal the same way, deletes the row and counts ``count - 1``.

Speed, measured by the rows "support POST (form, 302)" and "support POST (htmx fragment)" of
``benchmarks/load.py``: on PostgreSQL step 3 is one statement (lock, insert, follow and count as
data-modifying CTEs), run on the session's connection. Being atomic, it needs no transaction of
its own: the request starts without one (``autocommit_until_needed``), which saves BEGIN, COMMIT
and three round trips per click; a limit opens the transaction (``begin_transaction``). SQLite,
whose writes are serialised anyway, runs the same step as three plain statements. Statements are
built once, with parameters, so SQLAlchemy compiles each once per process.
"""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import CTE, Update, bindparam, delete, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import set_committed_value

from stengage.accounts.models import User
from stengage.areas.models import Process
from stengage.core.operations import Refused
from stengage.core.page_cache import public_content_changed
from stengage.db import begin_transaction, on_postgresql, utc_now
from stengage.extensions import db
from stengage.proposals import permissions as can
from stengage.proposals.models import SUPPORTABLE, Follow, Proposal, ProposalStatus, Support
from stengage.proposals.operations import TARGET, change_count, follow, proposal_for_action

SUPPORTER, NOW = bindparam("supporter_id"), bindparam("now")
# FOR NO KEY UPDATE (key_share): these locks serialise supports and merges, but not the inserts of
# rows that merely refer to the proposal or the user (FOR UPDATE would block their foreign-key
# checks: deadlocks). SQLite has no row locks: its write transactions are serialised already.
_LOCK_SUPPORTER = select(User.id).where(User.id == SUPPORTER).with_for_update(key_share=True)
_LOCK_PROPOSAL = (select(Proposal.status, Proposal.merged_into_id, Proposal.hidden_at)
                  .where(Proposal.id == TARGET).with_for_update(key_share=True))
_SUPPORTED = select(Support.id).where(Support.proposal_id == TARGET, Support.user_id == SUPPORTER)
_SUPPORT_COLUMNS = ["proposal_id", "user_id", "process_id", "created_at"]
_SUPPORTABLE_NOW = (Proposal.id == TARGET, Proposal.status.in_(SUPPORTABLE), Proposal.hidden_at.is_(None))

# SQLite: the support row, while the proposal gathers supports; the count and the follow follow.
_ADD = (sqlite_insert(Support.__table__).from_select(
    _SUPPORT_COLUMNS, select(Proposal.id, SUPPORTER, Proposal.process_id, NOW).where(*_SUPPORTABLE_NOW))
    .on_conflict_do_nothing(index_elements=["proposal_id", "user_id"]).returning(Support.id))
_REMOVE = (delete(Support.__table__).where(Support.proposal_id == TARGET, Support.user_id == SUPPORTER))

# PostgreSQL: the same in one statement. The proposal is locked first (the CTE every other part
# reads), the support row written while the locked row gathers supports, and only what was written
# is counted and brings the follow.
_LOCKED = (select(Proposal.id, Proposal.status, Proposal.hidden_at).where(Proposal.id == TARGET)
           .with_for_update(key_share=True).cte("locked"))
_ADDED = postgresql_insert(Support.__table__).from_select(
    _SUPPORT_COLUMNS, select(_LOCKED.c.id, SUPPORTER, bindparam("in_process"), NOW).where(
        _LOCKED.c.status.in_(SUPPORTABLE), _LOCKED.c.hidden_at.is_(None)),
).on_conflict_do_nothing(index_elements=["proposal_id", "user_id"]).returning(Support.id).cte("added")
_FOLLOWED = postgresql_insert(Follow.__table__).from_select(
    ["proposal_id", "user_id", "created_at"], select(TARGET, SUPPORTER, NOW).where(exists(select(_ADDED.c.id))),
).on_conflict_do_nothing(index_elements=["proposal_id", "user_id"]).cte("followed")
_REMOVED = (delete(Support.__table__).where(Support.proposal_id == select(_LOCKED.c.id).scalar_subquery(),
                                            Support.user_id == SUPPORTER)
            .returning(Support.id).cte("removed"))


def _count_if_written(written: CTE, delta: int) -> Update:
    """The proposal's support count moved by ``delta`` when ``written`` wrote a row; its new value."""
    table = Proposal.__table__
    return (update(table).where(table.c.id == TARGET, exists(select(written.c.id)))
            .values(support_count=table.c.support_count + delta).returning(table.c.support_count))


_SUPPORT_AT_ONCE = _count_if_written(_ADDED, +1).add_cte(_FOLLOWED)
_WITHDRAW_AT_ONCE = _count_if_written(_REMOVED, -1)


def support(actor: User, proposal: Proposal) -> bool:
    """Add the actor's support; False when they support it already (nothing changes).

    Refused when the proposal gathers no supports now, or when the actor has used every support
    the process allows.
    """
    if proposal.status == ProposalStatus.MERGED and proposal.merged_into_id is not None:
        return support(actor, _merge_target(proposal))
    if not can.can_support(actor, proposal):
        raise Refused(gettext("You can't support this proposal now."))
    limit = proposal.process.supports_per_resident
    if limit is not None:
        begin_transaction(db.session)  # the limit is read and kept under the supporter's lock
        db.session.execute(_LOCK_SUPPORTER, {"supporter_id": actor.id})  # before any proposal: a fixed order
        if _supports_used(actor, proposal.process_id) >= limit and not _supports(actor, proposal):
            raise Refused(gettext("You have used all %(num)d supports of this process. Withdraw one "
                                  "to support this proposal.", num=limit))
    count = _add_and_count(actor, proposal)
    if count is None:
        return _not_added(actor, proposal)
    set_committed_value(proposal, "support_count", count)
    public_content_changed(db.session)
    return True


def _add_and_count(actor: User, proposal: Proposal) -> int | None:
    """Step 3 of the module's path: the proposal's new count, or None when no row went in."""
    params = {"target_id": proposal.id, "supporter_id": actor.id, "in_process": proposal.process_id,
              "now": utc_now()}
    if on_postgresql(db.session):
        return db.session.connection().execute(_SUPPORT_AT_ONCE, params).scalar()
    if db.session.execute(_ADD, params).first() is None:
        return None
    change_count(proposal, "support_count", +1)
    follow(actor, proposal)
    return proposal.support_count


def _not_added(actor: User, proposal: Proposal) -> bool:
    """No row went in: the actor supports it already, or the proposal changed since it was loaded
    (its state, read afresh under the lock, tells which)."""
    fresh = db.session.execute(_LOCK_PROPOSAL, {"target_id": proposal.id}).one()
    for name in ("status", "merged_into_id", "hidden_at"):
        set_committed_value(proposal, name, getattr(fresh, name))
    if proposal.status == ProposalStatus.MERGED and proposal.merged_into_id is not None:
        return support(actor, _merge_target(proposal))
    if not can.can_support(actor, proposal):
        raise Refused(gettext("You can't support this proposal now."))
    return False


def _merge_target(proposal: Proposal) -> Proposal:
    """A merged proposal's supporters support the proposal it was merged into: so does a new one."""
    target = proposal_for_action(proposal.merged_into_id) if proposal.merged_into_id is not None else None
    assert target is not None  # the merge target is kept: foreign key
    return target


def _supports(actor: User, proposal: Proposal) -> bool:
    return db.session.execute(_SUPPORTED, {"target_id": proposal.id, "supporter_id": actor.id}).first() is not None


def _supports_used(actor: User, process_id: int) -> int:
    """Supports that count against the limit: those on merged proposals live on in the merge target."""
    return db.session.scalar(select(func.count(Support.id)).join(Proposal, Proposal.id == Support.proposal_id).where(
        Support.user_id == actor.id, Support.process_id == process_id,
        Proposal.status != ProposalStatus.MERGED)) or 0


def withdraw_support(actor: User, proposal: Proposal) -> bool:
    """Take the actor's support back; False when they did not support it (nothing changes)."""
    if not can.can_withdraw_support(actor, proposal):
        raise Refused(gettext("Supports can only be withdrawn while the support phase is open."))
    params = {"target_id": proposal.id, "supporter_id": actor.id}
    if on_postgresql(db.session):
        count = db.session.connection().execute(_WITHDRAW_AT_ONCE, params).scalar()
    elif db.session.execute(_REMOVE, params).rowcount:
        change_count(proposal, "support_count", -1)
        count = proposal.support_count
    else:
        count = None
    if count is None:
        return False
    set_committed_value(proposal, "support_count", count)
    public_content_changed(db.session)
    return True


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

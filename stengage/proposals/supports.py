"""Supports: one per resident and proposal, counted exactly, within each process's limit.

One path on both databases, inside the request's one transaction:

1. With a per-process limit, the supporter's row is locked first, so one resident's supports
   queue up and the limit holds under any race.
2. The support row is inserted with ``ON CONFLICT DO NOTHING`` by a statement that locks the
   proposal's row (``FOR NO KEY UPDATE``, as merges do: supporters and merges lock users, then
   proposals) and writes only while the locked row still gathers supports. A proposal merged,
   withdrawn or hidden meanwhile gets no row; the proposal's state, read under the lock, then says
   why (a support for a merged proposal goes to the proposal it was merged into).
3. When a row went in, the count moves by ``count = count + 1`` and the supporter follows.

Every statement runs through the ORM session, and each write declares that public content changed
(``core.page_cache``), so cached pages show the new count at once.

Speed: the statements are built once, with parameters, so SQLAlchemy compiles each once per
process; and the lock, the state check and the insert are one statement. The rows "support POST
(form, 302)" and "support POST (htmx fragment)" of ``benchmarks/load.py`` measure this path.
"""

from __future__ import annotations

import functools

from flask_babel import gettext
from sqlalchemy import Insert, bindparam, delete, exists, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import set_committed_value

from stengage.accounts.models import User
from stengage.areas.models import Process
from stengage.core.operations import Refused
from stengage.core.page_cache import public_content_changed
from stengage.db import utc_now
from stengage.extensions import db
from stengage.proposals import permissions as can
from stengage.proposals.models import SUPPORTABLE, Follow, Proposal, ProposalStatus, Support
from stengage.proposals.operations import TARGET, change_count, follow, proposal_for_action

SUPPORTER = bindparam("supporter_id")
# FOR NO KEY UPDATE (key_share): these locks serialise supports and merges, but not the inserts of
# rows that merely refer to the proposal or the user (FOR UPDATE would block their foreign-key
# checks: deadlocks). SQLite has no row locks: its write transactions are serialised already.
_LOCK_SUPPORTER = select(User.id).where(User.id == SUPPORTER).with_for_update(key_share=True)
_LOCK_PROPOSAL = (select(Proposal.status, Proposal.merged_into_id, Proposal.hidden_at)
                  .where(Proposal.id == TARGET).with_for_update(key_share=True))
# The proposal's row is locked before any support row is touched (the sub-select runs first).
_WITHDRAW = (delete(Support).where(
    Support.proposal_id == select(Proposal.id).where(Proposal.id == TARGET).with_for_update(key_share=True)
    .scalar_subquery(), Support.user_id == SUPPORTER).execution_options(synchronize_session=False))
_SUPPORTED = select(Support.id).where(Support.proposal_id == TARGET, Support.user_id == SUPPORTER)


@functools.cache
def _add_support(dialect: str) -> Insert:
    """Lock the proposal, and insert the support while the locked row gathers supports.

    (PostgreSQL re-reads a row it waited for before it applies the WHERE: a merge that committed
    meanwhile is seen.) Both databases say ``INSERT ... ON CONFLICT DO NOTHING``; only the
    constructor of the statement differs.
    """
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    supportable = (select(Proposal.id, SUPPORTER, Proposal.process_id, bindparam("now"))
                   .where(Proposal.id == TARGET, Proposal.status.in_(SUPPORTABLE), Proposal.hidden_at.is_(None))
                   .with_for_update(key_share=True))
    return (insert(Support.__table__).from_select(["proposal_id", "user_id", "process_id", "created_at"], supportable)
            .on_conflict_do_nothing(index_elements=["proposal_id", "user_id"]).returning(Support.id))


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
        db.session.execute(_LOCK_SUPPORTER, {"supporter_id": actor.id})  # before any proposal: a fixed order
        if _supports_used(actor, proposal.process_id) >= limit and not _supports(actor, proposal):
            raise Refused(gettext("You have used all %(num)d supports of this process. Withdraw one "
                                  "to support this proposal.", num=limit))
    added = db.session.execute(_add_support(db.session.get_bind().dialect.name), {
        "target_id": proposal.id, "supporter_id": actor.id, "now": utc_now()}).first()
    if added is None:
        return _not_added(actor, proposal)
    change_count(proposal, "support_count", +1)
    follow(actor, proposal)
    public_content_changed(db.session)
    return True


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
    removed = db.session.execute(_WITHDRAW, {"target_id": proposal.id, "supporter_id": actor.id}).rowcount
    if not removed:
        return False
    change_count(proposal, "support_count", -1)
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

"""The verbs of participation: propose, edit, withdraw, support, comment, vote, follow.

Each operation takes the acting user, checks the same ``can_*`` rule the page shows, mutates,
flushes and queues notifications; the caller commits. Refusals raise ``Refused`` and change nothing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import Update, bindparam, delete, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from stengage.accounts.models import User
from stengage.areas.models import Process
from stengage.core.markdown import render
from stengage.core.operations import Refused
from stengage.db import begin_transaction, insert_ignore, utc_now
from stengage.extensions import db
from stengage.proposals import notifications
from stengage.proposals import permissions as can
from stengage.proposals.images import StoredImage
from stengage.proposals.models import (
    SUPPORTABLE,
    Alignment,
    Category,
    Comment,
    CommentVote,
    Follow,
    Origin,
    Proposal,
    ProposalImage,
    ProposalStatus,
    Support,
)

MAX_IMAGES = 3


@dataclass(frozen=True)
class ProposalDraft:
    """What the proposal form collects, already validated field by field."""

    title: str
    body: str
    category: Category
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    language: str = "en"


def _check_location(process: Process, draft: ProposalDraft) -> None:
    if draft.latitude is None and draft.longitude is None:
        return
    if draft.latitude is None or draft.longitude is None:
        raise Refused(gettext("Give both latitude and longitude, or neither."), field="latitude")
    if not process.area.contains(draft.latitude, draft.longitude):
        raise Refused(gettext("This place lies outside %(area)s. Pick a place inside the area.",
                              area=process.area.name), field="latitude")


def _apply(proposal: Proposal, draft: ProposalDraft) -> None:
    proposal.title = draft.title.strip()
    proposal.body = draft.body
    proposal.body_html = render(draft.body)
    proposal.category = draft.category
    proposal.latitude, proposal.longitude = draft.latitude, draft.longitude
    proposal.address = (draft.address or "").strip() or None
    proposal.language = draft.language


def _attach_images(proposal: Proposal, images: list[StoredImage]) -> None:
    if len(proposal.images) + len(images) > MAX_IMAGES:
        raise Refused(gettext("A proposal has at most %(num)d images.", num=MAX_IMAGES), field="images")
    start = max((i.position for i in proposal.images), default=-1) + 1
    for offset, image in enumerate(images):
        proposal.images.append(ProposalImage(
            position=start + offset, file_name=image.file_name, thumbnail_name=image.thumbnail_name,
            content_type=image.content_type, width=image.width, height=image.height,
            alt_text=image.alt_text,
        ))


def create_proposal(actor: User, process: Process, draft: ProposalDraft, *,
                    origin: Origin = Origin.RESIDENT, images: list[StoredImage] | None = None) -> Proposal:
    if origin == Origin.CITY:
        if not can.can_put_forward_measure(actor, process):
            raise Refused(gettext("Only city staff put forward the city's measures."))
    elif not can.can_propose(actor, process):
        raise Refused(gettext("Proposals can't be made in this process now, or you are not yet a "
                              "verified resident of %(area)s.", area=process.area.name))
    _check_location(process, draft)
    proposal = Proposal(process=process, area_id=process.area_id, author=actor, origin=origin)
    _apply(proposal, draft)
    db.session.add(proposal)
    _attach_images(proposal, images or [])
    db.session.flush()
    follow(actor, proposal)
    return proposal


def edit_proposal(actor: User, proposal: Proposal, draft: ProposalDraft,
                  images: list[StoredImage] | None = None, remove_image_ids: set[int] | None = None) -> None:
    if not can.can_edit_proposal(actor, proposal):
        raise Refused(gettext("This proposal can no longer be edited: it has supports already or "
                              "the editing time is over."))
    _check_location(proposal.process, draft)
    _apply(proposal, draft)
    for image in [i for i in proposal.images if i.id in (remove_image_ids or set())]:
        proposal.images.remove(image)
    _attach_images(proposal, images or [])
    proposal.edited_at = utc_now()
    db.session.flush()


def withdraw_proposal(actor: User, proposal: Proposal) -> None:
    if not can.can_withdraw_proposal(actor, proposal):
        raise Refused(gettext("Only its author can withdraw this proposal, and only while it is open."))
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.withdrawn_at = utc_now()
    db.session.flush()


# --- Supports --------------------------------------------------------------------------------


def _lock_supporter(actor: User) -> None:
    """Serialise one resident's supports, so the per-process limit holds under any race.

    PostgreSQL locks the user's row; SQLite write transactions are serialised already.
    """
    db.session.execute(select(User.id).where(User.id == actor.id).with_for_update(key_share=True))


# The support path runs for every click: its statements are built once, with parameters, so
# SQLAlchemy skips building and hashing them again (about a third of its cost per statement).
_TARGET = bindparam("target_id")
_LOCK_PROPOSAL = (select(Proposal.status, Proposal.merged_into_id, Proposal.hidden_at)
                  .where(Proposal.id == _TARGET).with_for_update(key_share=True))
_WITHDRAW = (delete(Support).where(Support.proposal_id == _TARGET, Support.user_id == bindparam("user_id"))
             .execution_options(synchronize_session=False))
# Acting on a proposal needs it with its process, phases and area (the permission rules read
# them), all in one query, but not its author or photos.
_PROPOSAL_FOR_ACTION = select(Proposal).options(
    lazyload(Proposal.author), lazyload(Proposal.images), joinedload(Proposal.process).joinedload(Process.phases),
).where(Proposal.id == _TARGET)


@functools.cache
def _count_change(column: str) -> Update:
    counter = getattr(Proposal, column)
    return (update(Proposal).where(Proposal.id == _TARGET).values({column: counter + bindparam("delta")})
            .returning(counter).execution_options(synchronize_session=False))


def proposal_for_action(proposal_id: int) -> Proposal | None:
    return db.session.execute(_PROPOSAL_FOR_ACTION, {"target_id": proposal_id}).unique().scalar_one_or_none()


def change_count(proposal: Proposal, column: str, delta: int) -> None:
    """Add ``delta`` to a stored counter in the database (never read-modify-write) and keep its new value."""
    value = db.session.execute(_count_change(column), {"target_id": proposal.id, "delta": delta}).scalar_one()
    set_committed_value(proposal, column, value)


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
    if proposal.process.supports_per_resident is None and _on_postgresql() and can.can_support(actor, proposal):
        count = db.session.execute(_SUPPORT_AT_ONCE, {
            "target_id": proposal.id, "supporter_id": actor.id, "in_process": proposal.process_id, "now": utc_now(),
        }).scalar()
        if count is not None:
            set_committed_value(proposal, "support_count", count)
            return True
        # Nothing was written: supported already, or the proposal changed meanwhile (merged,
        # withdrawn, hidden). The locked way below tells which.
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


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


# PostgreSQL, no per-process limit: a support is one atomic statement, fit for a request without a
# transaction. It locks the proposal first (as merges do, so the two never deadlock), adds the
# support only while the locked row's state allows it (the part of can_support that a concurrent
# merge, withdrawal or hide can change), follows, and counts. Proposal and user locks are FOR NO
# KEY UPDATE: they serialise supports and merges, but not the inserts of rows that merely refer to
# the proposal or the user (a FOR UPDATE lock would block their foreign-key checks: deadlocks).
_NOW, _SUPPORTER = bindparam("now"), bindparam("supporter_id")
_LOCKED_FOR_SUPPORT = (select(Proposal.status, Proposal.hidden_at).where(Proposal.id == _TARGET)
                       .with_for_update(key_share=True).cte("locked"))
_ADDED = postgresql_insert(Support).from_select(
    ["proposal_id", "user_id", "process_id", "created_at"],
    select(_TARGET, _SUPPORTER, bindparam("in_process"), _NOW).select_from(_LOCKED_FOR_SUPPORT).where(
        _LOCKED_FOR_SUPPORT.c.status.in_(SUPPORTABLE), _LOCKED_FOR_SUPPORT.c.hidden_at.is_(None)),
).on_conflict_do_nothing(index_elements=["proposal_id", "user_id"]).returning(Support.id).cte("added")
_FOLLOWED = postgresql_insert(Follow).from_select(
    ["proposal_id", "user_id", "created_at"],
    select(_TARGET, _SUPPORTER, _NOW).where(exists(select(_ADDED.c.id))),
).on_conflict_do_nothing(index_elements=["proposal_id", "user_id"]).cte("followed")
_SUPPORT_AT_ONCE = (
    update(Proposal).where(Proposal.id == _TARGET, exists(select(_ADDED.c.id)))
    .values(support_count=Proposal.support_count + 1).returning(Proposal.support_count)
    .add_cte(_FOLLOWED).execution_options(synchronize_session=False)
)
# A withdrawal locks the proposal before it deletes the support row, in the order merges lock them.
_LOCKED = select(Proposal.id).where(Proposal.id == _TARGET).with_for_update(key_share=True).cte("locked")
_REMOVED = (delete(Support).where(Support.proposal_id == select(_LOCKED.c.id).scalar_subquery(),
                                  Support.user_id == bindparam("user_id"))
            .returning(Support.id).cte("removed"))
_WITHDRAW_AT_ONCE = (
    update(Proposal).where(Proposal.id == _TARGET, exists(select(_REMOVED.c.id)))
    .values(support_count=Proposal.support_count - 1).returning(Proposal.support_count)
    .execution_options(synchronize_session=False)
)


def withdraw_support(actor: User, proposal: Proposal) -> bool:
    if not can.can_withdraw_support(actor, proposal):
        raise Refused(gettext("Supports can only be withdrawn while the support phase is open."))
    if _on_postgresql():
        count = db.session.execute(_WITHDRAW_AT_ONCE, {"target_id": proposal.id, "user_id": actor.id}).scalar()
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


# --- Comments --------------------------------------------------------------------------------


def add_comment(actor: User, proposal: Proposal, body: str, alignment: Alignment,
                parent: Comment | None = None, language: str = "en") -> Comment:
    if parent is not None:
        if parent.proposal_id != proposal.id:
            raise Refused(gettext("You can only reply to a comment on the same proposal."))
        if not can.can_reply(actor, parent, proposal):
            raise Refused(gettext("You can't reply to this comment."))
    elif not can.can_comment(actor, proposal):
        raise Refused(gettext("You can't comment on this proposal now."))
    comment = Comment(proposal_id=proposal.id, author=actor, parent_id=parent.id if parent else None,
                      depth=parent.depth + 1 if parent else 1, body=body, body_html=render(body),
                      alignment=alignment, language=language)
    db.session.add(comment)
    db.session.flush()
    change_count(proposal, "comment_count", +1)
    notifications.comment_posted(comment, proposal, parent)
    follow(actor, proposal)
    return comment


def edit_comment(actor: User, comment: Comment, body: str, alignment: Alignment) -> None:
    if not can.can_edit_comment(actor, comment):
        raise Refused(gettext("Comments can be edited for 15 minutes after posting."))
    comment.body, comment.body_html, comment.alignment = body, render(body), alignment
    comment.edited_at = utc_now()
    db.session.flush()


def delete_comment(actor: User, comment: Comment, proposal: Proposal) -> None:
    """The thread keeps its place: the text goes, replies stay readable."""
    if not can.can_delete_comment(actor, comment):
        raise Refused(gettext("Only its author can delete this comment."))
    comment.deleted_at = utc_now()
    comment.body, comment.body_html = "", ""
    db.session.flush()
    change_count(proposal, "comment_count", -1)


def vote_on_comment(actor: User, comment: Comment, proposal: Proposal, value: int) -> int:
    """Up (+1) or down (-1); the same vote again takes it back. Returns the actor's vote now."""
    if value not in (-1, 1):
        raise Refused(gettext("A vote is up or down."))
    if comment.is_deleted or comment.hidden_at is not None or not can.can_vote_on_comment(actor, proposal):
        raise Refused(gettext("You can't vote on this comment."))
    if comment.author_id == actor.id:
        raise Refused(gettext("You can't vote on your own comment."))
    previous = db.session.scalar(select(CommentVote.value).where(
        CommentVote.comment_id == comment.id, CommentVote.user_id == actor.id).with_for_update())
    column = {1: "upvotes", -1: "downvotes"}
    changes: dict[str, int] = {}
    if previous is None:
        if not insert_ignore(db.session, CommentVote, {"comment_id": comment.id, "user_id": actor.id,
                                                       "value": value}, ["comment_id", "user_id"]):
            return value  # a concurrent identical vote won; it counted once
        changes[column[value]] = 1
        current = value
    elif previous == value:
        db.session.execute(delete(CommentVote).where(CommentVote.comment_id == comment.id,
                                                     CommentVote.user_id == actor.id))
        changes[column[value]] = -1
        current = 0
    else:
        db.session.execute(update(CommentVote).where(CommentVote.comment_id == comment.id,
                                                     CommentVote.user_id == actor.id).values(value=value))
        changes = {column[value]: 1, column[previous]: -1}
        current = value
    db.session.execute(update(Comment).where(Comment.id == comment.id).values(
        {name: getattr(Comment, name) + delta for name, delta in changes.items()}
    ).execution_options(synchronize_session=False))
    db.session.refresh(comment, ["upvotes", "downvotes"])
    return current


# --- Following -------------------------------------------------------------------------------


def follow(actor: User, proposal: Proposal) -> bool:
    return bool(insert_ignore(db.session, Follow, {"proposal_id": proposal.id, "user_id": actor.id,
                                                  "created_at": utc_now()}, ["proposal_id", "user_id"]))


def unfollow(actor: User, proposal: Proposal) -> bool:
    return bool(db.session.execute(delete(Follow).where(
        Follow.proposal_id == proposal.id, Follow.user_id == actor.id)).rowcount)


_VIEWER_TIES = select(
    exists().where(Support.proposal_id == _TARGET, Support.user_id == bindparam("viewer_id")),
    exists().where(Follow.proposal_id == _TARGET, Follow.user_id == bindparam("viewer_id")),
)


def supports_and_follows(user: User | None, proposal: Proposal) -> tuple[bool, bool]:
    """Whether the user supports and whether they follow the proposal: one query for its page."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False, False
    supports, follows = db.session.execute(_VIEWER_TIES, {"target_id": proposal.id, "viewer_id": user.id}).one()
    return bool(supports), bool(follows)


def is_following(user: User | None, proposal: Proposal) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(Follow.id).where(
        Follow.proposal_id == proposal.id, Follow.user_id == user.id)) is not None

"""The verbs of participation: propose, edit, withdraw, support, comment, vote, follow.

Each operation takes the acting user, checks the same ``can_*`` rule the page shows, mutates,
flushes and queues notifications; the caller commits. Refusals raise ``Refused`` and change nothing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import Update, bindparam, delete, select, update
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from stengage.accounts.models import User
from stengage.areas.models import Process
from stengage.core.markdown import render
from stengage.core.operations import Refused
from stengage.db import insert_ignore, utc_now
from stengage.extensions import db
from stengage.proposals import notifications
from stengage.proposals import permissions as can
from stengage.proposals.images import StoredImage
from stengage.proposals.models import (
    Alignment,
    Category,
    Comment,
    CommentVote,
    Follow,
    Origin,
    Proposal,
    ProposalImage,
    ProposalStatus,
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


def check_location(process: Process, draft: ProposalDraft) -> None:
    """Refused unless the place (if any) has both coordinates and lies inside the process's area."""
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
    check_location(process, draft)
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
    check_location(proposal.process, draft)
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


# --- Acting on a proposal --------------------------------------------------------------------


# Supports, follows and moderation act on a proposal at every click: these statements are built
# once, with parameters, so SQLAlchemy skips building and hashing them again. TARGET is the
# proposal's id in all of them (supports.py builds its own on it too).
TARGET = bindparam("target_id")
# Acting on a proposal needs it with its process, phases and area (the permission rules read
# them), all in one query, but not its author or photos.
_PROPOSAL_FOR_ACTION = select(Proposal).options(
    lazyload(Proposal.author), lazyload(Proposal.images), joinedload(Proposal.process).joinedload(Process.phases),
).where(Proposal.id == TARGET)


@functools.cache
def _count_change(column: str) -> Update:
    counter = getattr(Proposal, column)
    return (update(Proposal).where(Proposal.id == TARGET).values({column: counter + bindparam("delta")})
            .returning(counter).execution_options(synchronize_session=False))


def proposal_for_action(proposal_id: int) -> Proposal | None:
    return db.session.execute(_PROPOSAL_FOR_ACTION, {"target_id": proposal_id}).unique().scalar_one_or_none()


def change_count(proposal: Proposal, column: str, delta: int) -> None:
    """Add ``delta`` to a stored counter in the database (never read-modify-write) and keep its new value."""
    value = db.session.execute(_count_change(column), {"target_id": proposal.id, "delta": delta}).scalar_one()
    set_committed_value(proposal, column, value)


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
                      root_id=parent.root_id if parent else None, depth=parent.depth + 1 if parent else 1,
                      body=body, body_html=render(body), alignment=alignment, language=language)
    db.session.add(comment)
    db.session.flush()
    if parent is None:
        comment.root_id = comment.id  # a conversation of its own: the id exists once inserted
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


def follow_proposal(actor: User, proposal: Proposal) -> bool:
    """The actor asks to follow the proposal; False when they follow it already."""
    if not can.can_follow(actor, proposal):
        raise Refused(gettext("You can't follow this proposal."))
    return follow(actor, proposal)


def follow(actor: User, proposal: Proposal) -> bool:
    """The actor follows the proposal (as its author, supporter or commenter does without asking)."""
    return bool(insert_ignore(db.session, Follow, {"proposal_id": proposal.id, "user_id": actor.id,
                                                  "created_at": utc_now()}, ["proposal_id", "user_id"]))


def unfollow(actor: User, proposal: Proposal) -> bool:
    return bool(db.session.execute(delete(Follow).where(
        Follow.proposal_id == proposal.id, Follow.user_id == actor.id)).rowcount)


def is_following(user: User | None, proposal: Proposal) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(Follow.id).where(
        Follow.proposal_id == proposal.id, Follow.user_id == user.id)) is not None

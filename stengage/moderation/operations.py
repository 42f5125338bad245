"""What the moderators and staff of an area do: flags and what is done about them (dismiss, hide,
unhide, redact, block), and triage (status with an official answer, internal notes, assignment).
Merging duplicates has its own module, ``merging``.

Every verb takes the acting user, checks its rule, flushes and writes an audit entry; none commits
(the request boundary does). Hidden content disappears for everyone but its author and the area's
team, on every surface: lists, search, map, feed, notifications and counts all filter on ``hidden_at``.
"""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import ColumnElement, func, select, update

from stengage.accounts import operations as account_ops
from stengage.accounts.models import Membership, User
from stengage.areas.models import Area
from stengage.core import audit
from stengage.core.markdown import render
from stengage.core.operations import Refused
from stengage.db import insert_ignore, utc_now
from stengage.extensions import db
from stengage.moderation import permissions as can
from stengage.moderation.models import TRANSITIONS, Flag, FlagReason, FlagState, FlagTarget, ProposalNote
from stengage.moderation.queries import staff_of
from stengage.proposals import notifications
from stengage.proposals import operations as proposal_ops
from stengage.proposals.forms import STATUS_LABELS
from stengage.proposals.models import Comment, Proposal, ProposalStatus

Content = Proposal | Comment
FlagSubject = Proposal | Comment | User
AUTO_HIDE_REASON = "auto-hidden after reports by residents, pending review"


def _kind(target: FlagSubject) -> FlagTarget:
    if isinstance(target, Proposal):
        return FlagTarget.PROPOSAL
    return FlagTarget.COMMENT if isinstance(target, Comment) else FlagTarget.USER


def _author_id(target: FlagSubject) -> int:
    return target.id if isinstance(target, User) else target.author_id


def _label(target: FlagSubject) -> str:
    if isinstance(target, Proposal):
        return target.title
    if isinstance(target, Comment):
        return target.body[:120]
    return target.display_name


def _target_filter(target: FlagSubject) -> list[ColumnElement[bool]]:
    column = {FlagTarget.PROPOSAL: Flag.proposal_id, FlagTarget.COMMENT: Flag.comment_id,
              FlagTarget.USER: Flag.flagged_user_id}[_kind(target)]
    return [Flag.target_type == _kind(target), column == target.id]


def _lock(target: Content) -> None:
    """Serialise everything that counts flags or changes visibility of one piece of content.

    FOR NO KEY UPDATE: rows that merely refer to the content (its flags, replies) can still be added.
    """
    db.session.execute(select(type(target).id).where(type(target).id == target.id).with_for_update(key_share=True))


# --- Flagging ------------------------------------------------------------------------------------


def flag(reporter: User, target: FlagSubject, area: Area, reason: FlagReason, text: str = "") -> bool:
    """Report ``target``; False when this person had reported it already (nothing changes)."""
    if not can.can_flag(reporter):
        raise Refused(gettext("Please log in to report content."))
    if _author_id(target) == reporter.id:
        raise Refused(gettext("You can't report yourself or your own contributions."))
    text = audit.neutralise(text, 1000) or ""
    if reason == FlagReason.OTHER and not text:
        raise Refused(gettext("Please say in a few words what is wrong."), field="text")
    values = {"area_id": area.id, "reporter_id": reporter.id, "target_type": _kind(target).value,
              "reason": reason.value, "text": text or None, "state": FlagState.OPEN.value, "created_at": utc_now()}
    if isinstance(target, Proposal):
        values["proposal_id"], conflict = target.id, ["reporter_id", "proposal_id"]
    elif isinstance(target, Comment):
        values.update(comment_id=target.id, proposal_id=target.proposal_id)
        conflict = ["reporter_id", "comment_id"]
    else:
        values["flagged_user_id"], conflict = target.id, ["reporter_id", "flagged_user_id"]
    if not isinstance(target, User):
        _lock(target)
    if not insert_ignore(db.session, Flag, values, conflict):
        return False
    if not isinstance(target, User) and target.hidden_at is None:
        _auto_hide_if_reported_enough(target, area)
    return True


def distinct_verified_flaggers(target: Content, area: Area) -> int:
    return db.session.scalar(
        select(func.count(func.distinct(Flag.reporter_id)))
        .join(Membership, (Membership.user_id == Flag.reporter_id) & (Membership.area_id == area.id))
        .where(*_target_filter(target), Flag.state == FlagState.OPEN, Membership.verified_at.is_not(None))
    ) or 0


def _auto_hide_if_reported_enough(target: Content, area: Area) -> None:
    if distinct_verified_flaggers(target, area) >= area.auto_hide_flags:
        _set_hidden(target, AUTO_HIDE_REASON)
        audit.record(db.session, actor_id=None, verb=f"{_kind(target).value}.auto_hide",
                     target_type=_kind(target).value, target_id=target.id, target_label=_label(target),
                     area_id=area.id, after={"hidden": True}, reason=AUTO_HIDE_REASON)


# --- Visibility ----------------------------------------------------------------------------------


def _proposal_of(target: Content) -> Proposal:
    return target if isinstance(target, Proposal) else db.session.get(Proposal, target.proposal_id)


def _set_hidden(target: Content, reason: str | None) -> None:
    hiding = reason is not None
    if isinstance(target, Comment) and target.deleted_at is None and (target.hidden_at is None) == hiding:
        # The visible comment count follows what readers can see.
        proposal_ops.change_count(_proposal_of(target), "comment_count", -1 if hiding else 1)
    target.hidden_at = utc_now() if hiding else None
    target.hidden_reason = audit.neutralise(reason, 1000) if hiding else None
    db.session.flush()


def _resolve_flags(moderator: User, target: FlagSubject, area: Area, state: FlagState) -> int:
    """Close the open reports on ``target`` in this area's queue (a person is reported per area)."""
    return db.session.execute(update(Flag).where(
        *_target_filter(target), Flag.area_id == area.id, Flag.state == FlagState.OPEN).values(
        state=state, resolved_at=utc_now(), resolved_by_id=moderator.id)).rowcount


def _require_moderator(moderator: User, area: Area, target: FlagSubject | None = None) -> None:
    """Only the area's moderators act, and only on what belongs to their area (a person is anyone's)."""
    elsewhere = target is not None and not isinstance(target, User) and _proposal_of(target).area_id != area.id
    if elsewhere or not can.can_moderate(moderator, area):
        raise Refused(gettext("Only the moderators of this area can do this."))


def hide(moderator: User, target: Content, area: Area, reason: str) -> None:
    _require_moderator(moderator, area, target)
    if not reason.strip():
        raise Refused(gettext("Please give the reason; the author will see it."), field="reason")
    _lock(target)
    was_hidden = target.hidden_at is not None
    _set_hidden(target, reason.strip())
    resolved = _resolve_flags(moderator, target, area, FlagState.ACTIONED)
    audit.record(db.session, actor_id=moderator.id, verb=f"{_kind(target).value}.hide",
                 target_type=_kind(target).value, target_id=target.id, target_label=_label(target),
                 area_id=area.id, before={"hidden": was_hidden}, after={"hidden": True, "flags_resolved": resolved},
                 reason=reason)


def unhide(moderator: User, target: Content, area: Area, reason: str = "") -> None:
    _require_moderator(moderator, area, target)
    if target.hidden_at is None:
        raise Refused(gettext("This is not hidden."))
    _lock(target)
    _set_hidden(target, None)
    resolved = _resolve_flags(moderator, target, area, FlagState.DISMISSED)
    audit.record(db.session, actor_id=moderator.id, verb=f"{_kind(target).value}.unhide",
                 target_type=_kind(target).value, target_id=target.id, target_label=_label(target),
                 area_id=area.id, before={"hidden": True}, after={"hidden": False, "flags_resolved": resolved},
                 reason=reason or None)


def dismiss(moderator: User, target: FlagSubject, area: Area, reason: str = "") -> int:
    """The reports were unfounded: close them, and show content again that they had auto-hidden."""
    _require_moderator(moderator, area, target)
    if not isinstance(target, User) and target.hidden_reason == AUTO_HIDE_REASON:
        _set_hidden(target, None)
    resolved = _resolve_flags(moderator, target, area, FlagState.DISMISSED)
    audit.record(db.session, actor_id=moderator.id, verb="flags.dismiss", target_type=_kind(target).value,
                 target_id=target.id, target_label=_label(target), area_id=area.id,
                 after={"flags_dismissed": resolved}, reason=reason or None)
    return resolved


def redact(moderator: User, target: Content, area: Area, new_text: str, reason: str,
           new_title: str | None = None) -> None:
    """Remove personal data from a text; the original is kept in the audit log and nowhere else."""
    _require_moderator(moderator, area, target)
    if not new_text.strip():
        raise Refused(gettext("The redacted text cannot be empty."), field="body")
    before = {"body": target.body}
    target.body, target.body_html = new_text, render(new_text)
    if isinstance(target, Proposal) and new_title and new_title.strip() != target.title:
        before["title"] = target.title
        target.title = new_title.strip()[:150]
    db.session.flush()
    resolved = _resolve_flags(moderator, target, area, FlagState.ACTIONED)
    audit.record(db.session, actor_id=moderator.id, verb=f"{_kind(target).value}.redact",
                 target_type=_kind(target).value, target_id=target.id, target_label=_label(target),
                 area_id=area.id, before=before, after={"redacted": True, "flags_resolved": resolved},
                 reason=reason or None)


# --- Blocking ------------------------------------------------------------------------------------


def block_in_area(moderator: User, user: User, area: Area, reason: str, hide_content: bool = False) -> int:
    """No posting, supporting or commenting in this area; optionally hide what they posted here."""
    _require_moderator(moderator, area)
    if user.id == moderator.id:
        raise Refused(gettext("You cannot block yourself."))
    if not reason.strip():
        raise Refused(gettext("Please give the reason; the author will see it."), field="reason")
    membership = user.membership_in(area)
    if membership is None:
        membership = Membership(user=user, area=area)
        db.session.add(membership)
    if membership.blocked_at is not None:
        raise Refused(gettext("%(name)s is already blocked in %(area)s.", name=user.display_name, area=area.name))
    membership.blocked_at, membership.blocked_reason = utc_now(), audit.neutralise(reason, 1000)
    db.session.flush()
    hidden = 0
    if hide_content:
        for target in [*db.session.scalars(select(Proposal).where(
                Proposal.author_id == user.id, Proposal.area_id == area.id, Proposal.hidden_at.is_(None))),
                       *db.session.scalars(select(Comment).join(Proposal, Comment.proposal_id == Proposal.id).where(
                Comment.author_id == user.id, Proposal.area_id == area.id, Comment.hidden_at.is_(None)))]:
            _set_hidden(target, reason.strip())
            hidden += 1
    _resolve_flags(moderator, user, area, FlagState.ACTIONED)
    audit.record(db.session, actor_id=moderator.id, verb="user.block_in_area", target_type="user", target_id=user.id,
                 target_label=user.display_name, area_id=area.id, before={"blocked": False},
                 after={"blocked": True, "content_hidden": hidden}, reason=reason)
    return hidden


def unblock_in_area(moderator: User, user: User, area: Area, reason: str = "") -> None:
    _require_moderator(moderator, area)
    membership = user.membership_in(area)
    if membership is None or membership.blocked_at is None:
        raise Refused(gettext("%(name)s is not blocked in %(area)s.", name=user.display_name, area=area.name))
    membership.blocked_at, membership.blocked_reason = None, None
    db.session.flush()
    audit.record(db.session, actor_id=moderator.id, verb="user.unblock_in_area", target_type="user",
                 target_id=user.id, target_label=user.display_name, area_id=area.id,
                 before={"blocked": True}, after={"blocked": False}, reason=reason or None)


def block_everywhere(admin: User, user: User, reason: str) -> None:
    if not can.can_block_everywhere(admin):
        raise Refused(gettext("Only admins block people on the whole platform."))
    account_ops.block_user(admin, user, reason)


# --- Triage: the status lifecycle with official answers, internal notes, assignment to staff ------


def change_status(actor: User, proposal: Proposal, status: ProposalStatus, answer: str) -> None:
    """Move the proposal on with the city's official answer; author and supporters are told."""
    if not can.can_triage(actor, proposal.area_id):
        raise Refused(gettext("Only the moderators and staff of this area can change a proposal's status."))
    if status not in TRANSITIONS[proposal.status]:
        raise Refused(gettext("A proposal that is “%(current)s” can't become “%(wanted)s”.",
                              current=STATUS_LABELS[proposal.status], wanted=STATUS_LABELS[status]), field="status")
    if not answer.strip():
        raise Refused(gettext("Write the official answer residents will read."), field="answer")
    before = {"status": proposal.status.value, "answer": proposal.official_answer}
    proposal.status = status
    proposal.official_answer, proposal.official_answer_html = answer, render(answer)
    proposal.answered_at, proposal.answered_by_id = utc_now(), actor.id
    db.session.flush()
    audit.record(db.session, actor_id=actor.id, verb="proposal.status", target_type="proposal",
                 target_id=proposal.id, target_label=proposal.title, area_id=proposal.area_id,
                 before=before, after={"status": status.value, "answer": answer})
    notifications.status_changed(proposal, actor)


def add_note(actor: User, proposal: Proposal, body: str) -> ProposalNote:
    """An internal note for the area's team; the log records that one was written, not what it says."""
    if not can.can_triage(actor, proposal.area_id):
        raise Refused(gettext("Only the moderators and staff of this area see internal notes."))
    if not body.strip():
        raise Refused(gettext("The note is empty."), field="body")
    note = ProposalNote(proposal_id=proposal.id, author_id=actor.id, body=body.strip())
    db.session.add(note)
    db.session.flush()
    audit.record(db.session, actor_id=actor.id, verb="proposal.note", target_type="proposal",
                 target_id=proposal.id, target_label=proposal.title, area_id=proposal.area_id,
                 after={"note": note.id})
    return note


def assign(actor: User, proposal: Proposal, assignee: User | None) -> None:
    """Hand the proposal to a staff member of its area for evaluation (None: nobody)."""
    if not can.can_triage(actor, proposal.area_id):
        raise Refused(gettext("Only the moderators and staff of this area assign proposals."))
    if assignee is not None and assignee.id not in {u.id for u in staff_of(proposal.area_id)}:
        raise Refused(gettext("Proposals are assigned to city staff of their area."), field="assignee")
    before = {"assignee": proposal.assignee_id}
    proposal.assignee_id = assignee.id if assignee else None
    db.session.flush()
    audit.record(db.session, actor_id=actor.id, verb="proposal.assign", target_type="proposal",
                 target_id=proposal.id, target_label=proposal.title, area_id=proposal.area_id,
                 before=before, after={"assignee": proposal.assignee_id},
                 reason=assignee.display_name if assignee else None)

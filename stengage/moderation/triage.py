"""Triage: the status lifecycle with official answers, internal notes and assignment to staff."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select

from stengage.accounts.models import MembershipRole, User
from stengage.core import audit
from stengage.core.markdown import render
from stengage.core.operations import Refused
from stengage.db import utc_now
from stengage.extensions import db
from stengage.moderation import permissions as can
from stengage.moderation.models import ProposalNote
from stengage.proposals import notifications
from stengage.proposals.forms import STATUS_LABELS
from stengage.proposals.models import Proposal, ProposalStatus

S = ProposalStatus
# Where a proposal may go next by triage. Withdrawing is the author's; merging has its own verb.
TRANSITIONS: dict[ProposalStatus, frozenset[ProposalStatus]] = {
    S.PUBLISHED: frozenset({S.UNDER_REVIEW}),
    S.UNDER_REVIEW: frozenset({S.ACCEPTED, S.REJECTED}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS}),
    S.IN_PROGRESS: frozenset({S.IMPLEMENTED}),
    S.REJECTED: frozenset(),
    S.IMPLEMENTED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.MERGED: frozenset(),
}


def next_statuses(proposal: Proposal) -> list[ProposalStatus]:
    return sorted(TRANSITIONS[proposal.status], key=list(ProposalStatus).index)


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
    if not can.can_triage(actor, proposal.area_id):
        raise Refused(gettext("Only the moderators and staff of this area see internal notes."))
    if not body.strip():
        raise Refused(gettext("The note is empty."), field="body")
    note = ProposalNote(proposal_id=proposal.id, author_id=actor.id, body=body.strip())
    db.session.add(note)
    db.session.flush()
    return note


def notes_for(proposal: Proposal) -> list[ProposalNote]:
    return list(db.session.scalars(select(ProposalNote).where(ProposalNote.proposal_id == proposal.id)
                                   .order_by(ProposalNote.created_at)))


def staff_of(area_id: int) -> list[User]:
    from stengage.accounts.models import Membership

    return list(db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.area_id == area_id, Membership.role == MembershipRole.STAFF, User.blocked_at.is_(None))
        .order_by(User.display_name)))


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


def assigned_to(user: User) -> list[Proposal]:
    return list(db.session.scalars(select(Proposal).where(Proposal.assignee_id == user.id)
                                   .order_by(Proposal.created_at.desc()).limit(200)))

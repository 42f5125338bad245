"""Who may do what with proposals and comments: role, phase feature and object state together.

Pure functions of the user, the object and the moment, so they are cheap to test as a matrix and
templates ask exactly the questions the views ask.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from stengage.accounts.models import User
from stengage.accounts.permissions import active_user, is_area_staff, is_area_team
from stengage.areas.models import Area, Feature, Process
from stengage.db import utc_now
from stengage.proposals.models import SUPPORTABLE, Comment, Origin, Proposal, ProposalStatus

COMMENT_EDIT_WINDOW = timedelta(minutes=15)
MAX_COMMENT_DEPTH = 3


def _resident(user: Any, area: Area | int) -> User | None:
    """A confirmed, verified resident of the area whom its moderators have not blocked there."""
    u = active_user(user)
    if u is None or not u.is_confirmed or not u.is_verified_in(area) or u.is_blocked_in(area):
        return None
    return u


def can_propose(user: Any, process: Process, now: datetime | None = None) -> bool:
    return _resident(user, process.area_id) is not None and process.opens(Feature.PROPOSE, now)


def can_put_forward_measure(user: Any, process: Process) -> bool:
    """City staff publish the city's own measures at any time of the process."""
    return is_area_staff(user, process.area_id)


def _visible(proposal: Proposal) -> bool:
    return proposal.hidden_at is None


def is_proposal_editor(user: Any, proposal: Proposal) -> bool:
    """Whose proposal it is to edit at all: its author, or the area's staff for a city measure."""
    u = active_user(user)
    if u is None:
        return False
    return is_area_staff(u, proposal.area_id) if proposal.origin == Origin.CITY else u.id == proposal.author_id


def can_edit_proposal(user: Any, proposal: Proposal, now: datetime | None = None) -> bool:
    if not is_proposal_editor(user, proposal) or proposal.status != ProposalStatus.PUBLISHED:
        return False
    if proposal.origin == Origin.CITY:
        return True
    now = now or utc_now()
    window = timedelta(hours=proposal.process.edit_window_hours)
    return proposal.support_count == 0 and now < proposal.created_at + window


def can_withdraw_proposal(user: Any, proposal: Proposal) -> bool:
    u = active_user(user)
    return (u is not None and u.id == proposal.author_id
            and proposal.status in (ProposalStatus.PUBLISHED, ProposalStatus.UNDER_REVIEW))


def can_support(user: Any, proposal: Proposal, now: datetime | None = None) -> bool:
    """Verified residents of the proposal's area, while a phase opens supports."""
    return (_resident(user, proposal.area_id) is not None and _visible(proposal)
            and proposal.status in SUPPORTABLE and proposal.process.opens(Feature.SUPPORT, now))


# Taking a support back follows the same rule: only while the phase is open.
can_withdraw_support = can_support


def can_comment(user: Any, proposal: Proposal, now: datetime | None = None) -> bool:
    u = active_user(user)
    if u is None or not u.is_confirmed or not _visible(proposal) or u.is_blocked_in(proposal.area_id):
        return False
    if proposal.status in (ProposalStatus.WITHDRAWN, ProposalStatus.MERGED):
        return False
    if not proposal.process.opens(Feature.COMMENT, now):
        return False
    if is_area_team(u, proposal.area_id):
        return True
    return not proposal.process.comments_need_verification or u.is_verified_in(proposal.area_id)


def can_reply(user: Any, comment: Comment, proposal: Proposal, now: datetime | None = None) -> bool:
    return (comment.depth < MAX_COMMENT_DEPTH and not comment.is_deleted and comment.hidden_at is None
            and can_comment(user, proposal, now))


# Voting on comments is open to whoever may take part in the discussion.
can_vote_on_comment = can_comment


def can_edit_comment(user: Any, comment: Comment, now: datetime | None = None) -> bool:
    u = active_user(user)
    return (u is not None and u.id == comment.author_id and not comment.is_deleted
            and (now or utc_now()) < comment.created_at + COMMENT_EDIT_WINDOW)


def can_delete_comment(user: Any, comment: Comment) -> bool:
    u = active_user(user)
    return u is not None and u.id == comment.author_id and not comment.is_deleted


def can_follow(user: Any, proposal: Proposal) -> bool:
    return active_user(user) is not None and _visible(proposal)

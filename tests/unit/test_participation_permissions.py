"""Who may do what: role x phase x action, as residents and the city expect it."""

import pytest

from stengage.accounts.models import VerificationMethod
from stengage.proposals import permissions as can
from tests import factories

ROLES = ["anonymous", "unconfirmed", "unverified", "resident_here", "resident_elsewhere", "moderator", "staff",
         "admin"]
PHASES = ["before", "open", "after"]


class Anonymous:
    is_authenticated = False
    is_active = False


def make(role: str):
    if role == "anonymous":
        return Anonymous()
    if role == "unconfirmed":
        user = factories.user(confirmed=False)
        factories.membership(user, verified_by=VerificationMethod.POSTCODE)
        return user
    if role == "unverified":
        return factories.user()
    if role == "resident_here":
        return factories.resident("vienna-simmering")
    if role == "resident_elsewhere":
        return factories.resident("lyon-confluence")
    if role == "moderator":
        return factories.moderator("vienna-simmering")
    if role == "staff":
        return factories.staff("vienna-simmering")
    return factories.user(admin=True)


# Only verified residents of the area propose and support, and only while the phase is open.
RESIDENT_ONLY_WHILE_OPEN = {(role, phase): role == "resident_here" and phase == "open"
                            for role in ROLES for phase in PHASES}
# Discussion: verified residents and the area's team (moderators, staff, admins), while open.
DISCUSSION_WHILE_OPEN = {(role, phase): role in ("resident_here", "moderator", "staff", "admin") and phase == "open"
                         for role in ROLES for phase in PHASES}


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("role", ROLES)
def test_propose(role, phase):
    process = factories.process(phase=phase)
    assert can.can_propose(make(role), process) is RESIDENT_ONLY_WHILE_OPEN[role, phase]


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("role", ROLES)
def test_support_and_withdraw_support(role, phase):
    proposal = factories.proposal(factories.process(phase=phase))
    user = make(role)
    assert can.can_support(user, proposal) is RESIDENT_ONLY_WHILE_OPEN[role, phase]
    assert can.can_withdraw_support(user, proposal) is RESIDENT_ONLY_WHILE_OPEN[role, phase]


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("role", ROLES)
def test_comment_and_vote_on_comments(role, phase):
    proposal = factories.proposal(factories.process(phase=phase))
    user = make(role)
    assert can.can_comment(user, proposal) is DISCUSSION_WHILE_OPEN[role, phase]
    assert can.can_vote_on_comment(user, proposal) is DISCUSSION_WHILE_OPEN[role, phase]


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("role", ROLES)
def test_only_the_author_edits_and_withdraws(role, phase):
    process = factories.process(phase=phase)
    someone_elses = factories.proposal(process)
    user = make(role)
    assert not can.can_edit_proposal(user, someone_elses)
    assert not can.can_withdraw_proposal(user, someone_elses)
    if role != "anonymous":
        own = factories.proposal(process, author=user)
        # Authors keep control of their own text whatever the phase: until the first support or the
        # end of the edit window, and they may withdraw while it is open.
        assert can.can_edit_proposal(user, own)
        assert can.can_withdraw_proposal(user, own)


def test_editing_ends_with_the_first_support_or_the_edit_window():
    process = factories.process(edit_window_hours=1)
    author = factories.resident()
    proposal = factories.proposal(process, author=author)
    assert can.can_edit_proposal(author, proposal)
    proposal.support_count = 1
    assert not can.can_edit_proposal(author, proposal)
    proposal.support_count = 0
    proposal.created_at = proposal.created_at.replace(year=proposal.created_at.year - 1)
    assert not can.can_edit_proposal(author, proposal)


def test_comments_without_verification_when_the_process_allows_it():
    proposal = factories.proposal(factories.process(comments_need_verification=False))
    assert can.can_comment(factories.user(), proposal)
    assert not can.can_comment(factories.user(confirmed=False), proposal)
    assert not can.can_comment(Anonymous(), proposal)


def test_withdrawn_proposals_take_no_supports_or_comments():
    from stengage.proposals.models import ProposalStatus

    proposal = factories.proposal(factories.process(), status=ProposalStatus.WITHDRAWN)
    resident = factories.resident()
    assert not can.can_support(resident, proposal)
    assert not can.can_comment(resident, proposal)


def test_city_staff_put_forward_measures_in_their_own_area_only():
    vienna = factories.process()
    assert can.can_put_forward_measure(factories.staff(), vienna)
    assert can.can_put_forward_measure(factories.user(admin=True), vienna)
    assert not can.can_put_forward_measure(factories.staff("lyon-confluence"), vienna)
    assert not can.can_put_forward_measure(factories.moderator(), vienna)
    assert not can.can_put_forward_measure(factories.resident(), vienna)


def test_a_blocked_resident_can_do_nothing():
    from stengage.db import utc_now

    proposal = factories.proposal(factories.process())
    user = factories.resident()
    user.blocked_at = utc_now()
    assert not can.can_support(user, proposal)
    assert not can.can_comment(user, proposal)
    assert not can.can_propose(user, proposal.process)


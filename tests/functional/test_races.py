"""Races with real threads and real commits: counts never drift, limits always hold, nothing waits
forever, and no support is lost or counted twice.

Residents act as they do in the browser (a POST from the page they loaded, through the whole
request boundary); moderators and authors act through their operations.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from stengage.accounts.models import User
from stengage.areas.models import Area
from stengage.core.operations import Refused
from stengage.extensions import db
from stengage.moderation import merging
from stengage.moderation import operations as moderation_ops
from stengage.moderation.models import Flag, FlagReason
from stengage.proposals import operations, supports
from stengage.proposals.models import Follow, Proposal, Support
from tests import factories
from tests.concurrency import at_once, in_transaction, while_uncommitted
from tests.conftest import GENEROUS_LIMITS, csrf_token, login_as, make_test_app

pytestmark = pytest.mark.real_commits


@pytest.fixture
def race_app(tmp_path, private_database):
    app = make_test_app(tmp_path, private_database, PAGE_CACHE="off", **GENEROUS_LIMITS)
    yield app
    with app.app_context():
        db.engine.dispose()


def _setup(app, **process_options) -> list[int]:
    with app.app_context():
        process = factories.process(**process_options)
        ids = [factories.proposal(process).id for _ in range(2)]
        db.session.commit()
        return ids


def _residents(app, count: int) -> list[int]:
    with app.app_context():
        ids = [factories.resident().id for _ in range(count)]
        db.session.commit()
        return ids


def _moderator(app) -> int:
    with app.app_context():
        moderator_id = factories.moderator().id
        db.session.commit()
        return moderator_id


def _support_click(app, user_id: int, proposal_id: int) -> Callable[[], int]:
    """The resident has the proposal's page open; the job is their click on "Support"."""
    client = app.test_client()
    with app.app_context():
        login_as(client, db.session.get(User, user_id))
    token = csrf_token(client, f"/proposals/{proposal_id}")

    def click() -> int:
        answer = client.post(f"/proposals/{proposal_id}/support", data={"csrf_token": token})
        assert answer.status_code in (200, 302), answer.status_code
        return answer.status_code
    return click


def _merge(app, moderator_id: int, source_id: int, target_id: int) -> Callable[[], object]:
    return lambda: merging.merge(db.session.get(User, moderator_id), [db.session.get(Proposal, source_id)],
                                 db.session.get(Proposal, target_id))


def _supporters(app, proposal_id: int) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(Support.user_id).where(Support.proposal_id == proposal_id)))


def _counts_match_rows(app, *proposal_ids: int) -> None:
    with app.app_context():
        for proposal_id in proposal_ids:
            rows = db.session.scalar(select(func.count(Support.id)).where(Support.proposal_id == proposal_id))
            assert db.session.get(Proposal, proposal_id).support_count == rows, proposal_id


def test_twenty_clicks_at_once_by_one_resident_make_one_support(race_app):
    proposal_id, _ = _setup(race_app)
    (resident_id,) = _residents(race_app, 1)
    assert at_once([_support_click(race_app, resident_id, proposal_id) for _ in range(20)]) == [None] * 20
    assert _supporters(race_app, proposal_id) == {resident_id}
    _counts_match_rows(race_app, proposal_id)


def test_thirty_residents_at_once_count_exactly_their_supports(race_app):
    proposal_id, _ = _setup(race_app)
    residents = _residents(race_app, 30)
    assert at_once([_support_click(race_app, uid, proposal_id) for uid in residents]) == [None] * 30
    assert _supporters(race_app, proposal_id) == set(residents)
    _counts_match_rows(race_app, proposal_id)


def test_with_one_support_left_two_clicks_at_once_use_it_once(race_app):
    first, second = _setup(race_app, supports_per_resident=1)
    (resident_id,) = _residents(race_app, 1)
    for _round in range(4):  # several rounds: the race must never slip through
        clicks = [_support_click(race_app, resident_id, first), _support_click(race_app, resident_id, second)]
        assert at_once(clicks) == [None, None]  # the loser is told so on the page; nothing breaks
        supported = _supporters(race_app, first) | _supporters(race_app, second)
        assert supported == {resident_id}
        with race_app.app_context():
            assert db.session.scalar(select(func.count(Support.id)).where(Support.user_id == resident_id)) == 1
        _counts_match_rows(race_app, first, second)
        with race_app.app_context():  # give the support back for the next round
            proposal_id = db.session.scalar(select(Support.proposal_id).where(Support.user_id == resident_id))
            supports.withdraw_support(db.session.get(User, resident_id), db.session.get(Proposal, proposal_id))
            db.session.commit()


def test_concurrent_reports_by_one_person_make_one_flag(race_app):
    proposal_id, _ = _setup(race_app)
    (reporter_id,) = _residents(race_app, 1)

    def report() -> None:
        proposal = db.session.get(Proposal, proposal_id)
        moderation_ops.flag(db.session.get(User, reporter_id), proposal, db.session.get(Area, proposal.area_id),
                     FlagReason.SPAM)

    assert at_once([in_transaction(race_app, report) for _ in range(20)]) == [None] * 20
    with race_app.app_context():
        assert db.session.scalar(select(func.count(Flag.id)).where(Flag.proposal_id == proposal_id)) == 1


def test_supporting_a_source_while_it_is_merged_neither_loses_nor_doubles(race_app):
    target_id, source_id = _setup(race_app)
    residents = _residents(race_app, 8)
    moderator_id = _moderator(race_app)
    with race_app.app_context():
        # Half of them support the target already: their support of the source must not count twice.
        for uid in residents[:4]:
            supports.support(db.session.get(User, uid), db.session.get(Proposal, target_id))
        db.session.commit()
    jobs = [in_transaction(race_app, _merge(race_app, moderator_id, source_id, target_id)),
            *[_support_click(race_app, uid, source_id) for uid in residents]]
    assert at_once(jobs) == [None] * len(jobs)
    assert _supporters(race_app, target_id) == set(residents)
    _counts_match_rows(race_app, target_id, source_id)


@pytest.mark.parametrize("change", ["support the target", "withdraw from the source"])
def test_a_supporter_acting_while_a_merge_is_under_way_waits_for_it_and_nothing_drifts(race_app, change):
    target_id, source_id = _setup(race_app)
    resident_id, moderator_id = _residents(race_app, 1)[0], _moderator(race_app)
    with race_app.app_context():
        supports.support(db.session.get(User, resident_id), db.session.get(Proposal, source_id))
        db.session.commit()
    if change == "support the target":
        act = _support_click(race_app, resident_id, target_id)
    else:
        act = in_transaction(race_app, lambda: supports.withdraw_support(
            db.session.get(User, resident_id), db.session.get(Proposal, source_id)))

    (outcome,), _ = while_uncommitted(race_app, _merge(race_app, moderator_id, source_id, target_id),
                                      waiting=[act])
    # Done, or (a withdrawal from a proposal that is merged now) refused with a message.
    assert outcome is None or isinstance(outcome, Refused)
    _counts_match_rows(race_app, target_id, source_id)
    on_target = _supporters(race_app, target_id)
    # Supporting the target counts once, whichever came first; the merge carried the source's
    # support over to the target, and a withdrawal before the merge leaves nothing to carry.
    assert on_target == {resident_id} if change == "support the target" else on_target <= {resident_id}


def test_following_while_a_support_waits_for_a_merge_is_no_deadlock(race_app):
    """The support waits for the merge's lock on the proposal; meanwhile the same resident follows
    it (a row that refers to the proposal): that must not wait for the merge (PostgreSQL), and
    nothing may deadlock."""
    target_id, source_id = _setup(race_app)
    resident_id, moderator_id = _residents(race_app, 1)[0], _moderator(race_app)
    follow = in_transaction(race_app, lambda: operations.follow(
        db.session.get(User, resident_id), db.session.get(Proposal, target_id)))

    waited, free = while_uncommitted(race_app, _merge(race_app, moderator_id, source_id, target_id),
                                     waiting=[_support_click(race_app, resident_id, target_id)], free=[follow])
    assert (waited, free) == ([None], [None])
    assert _supporters(race_app, target_id) == {resident_id}
    with race_app.app_context():
        assert db.session.scalar(select(func.count(Follow.id)).where(
            Follow.proposal_id == target_id, Follow.user_id == resident_id)) == 1
    _counts_match_rows(race_app, target_id, source_id)


def test_a_support_from_a_page_loaded_before_a_merge_goes_to_the_merge_target(race_app):
    target_id, source_id = _setup(race_app)
    resident_id, moderator_id = _residents(race_app, 1)[0], _moderator(race_app)
    click = _support_click(race_app, resident_id, source_id)  # the page shows the source, still open
    assert at_once([in_transaction(race_app, _merge(race_app, moderator_id, source_id, target_id))]) == [None]
    click()
    assert _supporters(race_app, target_id) == {resident_id}
    assert _supporters(race_app, source_id) == set()
    _counts_match_rows(race_app, target_id, source_id)


def test_a_support_from_a_page_loaded_before_the_proposal_was_withdrawn_leaves_nothing(race_app):
    proposal_id, _ = _setup(race_app)
    (resident_id,) = _residents(race_app, 1)
    with race_app.app_context():
        author_id = db.session.get(Proposal, proposal_id).author_id
    click = _support_click(race_app, resident_id, proposal_id)
    withdraw = in_transaction(race_app, lambda: operations.withdraw_proposal(
        db.session.get(User, author_id), db.session.get(Proposal, proposal_id)))
    assert at_once([withdraw]) == [None]
    click()
    assert _supporters(race_app, proposal_id) == set()
    _counts_match_rows(race_app, proposal_id)
    with race_app.app_context():
        assert db.session.scalar(select(func.count(Follow.id)).where(Follow.user_id == resident_id)) == 0

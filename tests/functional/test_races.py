"""Races with real threads and real commits: counts never drift and limits always hold."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from stengage.extensions import db
from stengage.proposals import operations, supports
from stengage.proposals.models import Follow, Proposal, Support
from tests import factories
from tests.conftest import make_test_app

pytestmark = pytest.mark.real_commits


@pytest.fixture
def race_app(tmp_path, private_database):
    app = make_test_app(tmp_path, private_database)
    yield app
    with app.app_context():
        db.engine.dispose()


def _at_once(app, jobs: list[Callable[[], None]]) -> list[BaseException | None]:
    """Run every job in its own thread and app context, released together; each commits or rolls back."""
    start = threading.Barrier(len(jobs))
    outcomes: list[BaseException | None] = [None] * len(jobs)

    def run(index: int, job: Callable[[], None]) -> None:
        with app.app_context():
            start.wait()
            try:
                job()
                db.session.commit()
            except BaseException as error:
                db.session.rollback()
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _setup(app, **process_options):
    with app.app_context():
        process = factories.process(**process_options)
        proposals = [factories.proposal(process) for _ in range(2)]
        ids = (process.id, [p.id for p in proposals])
        db.session.commit()
        return ids


def _support_as(user_id: int, proposal_id: int) -> Callable[[], None]:
    def job() -> None:
        from stengage.accounts.models import User

        supports.support(db.session.get(User, user_id), db.session.get(Proposal, proposal_id))
    return job


def test_fifty_threads_supporting_as_the_same_resident_make_one_support(race_app):
    _process_id, (proposal_id, _) = _setup(race_app)
    with race_app.app_context():
        resident_id = factories.resident().id
        db.session.commit()
    outcomes = _at_once(race_app, [_support_as(resident_id, proposal_id) for _ in range(50)])
    assert [o for o in outcomes if o is not None] == []
    with race_app.app_context():
        assert db.session.scalar(select(func.count(Support.id)).where(Support.proposal_id == proposal_id)) == 1
        assert db.session.get(Proposal, proposal_id).support_count == 1


def test_fifty_residents_at_once_count_exactly_their_rows(race_app):
    _process_id, (proposal_id, _) = _setup(race_app)
    with race_app.app_context():
        resident_ids = [factories.resident().id for _ in range(50)]
        db.session.commit()
    outcomes = _at_once(race_app, [_support_as(uid, proposal_id) for uid in resident_ids])
    assert [o for o in outcomes if o is not None] == []
    with race_app.app_context():
        rows = db.session.scalar(select(func.count(Support.id)).where(Support.proposal_id == proposal_id))
        assert rows == 50 == db.session.get(Proposal, proposal_id).support_count


def test_one_below_the_limit_two_supports_at_once_only_one_succeeds(race_app):
    _process_id, (first, second) = _setup(race_app, supports_per_resident=1)
    with race_app.app_context():
        resident_id = factories.resident().id
        db.session.commit()
    for _attempt in range(5):  # several rounds: the race must never slip through
        outcomes = _at_once(race_app, [_support_as(resident_id, first), _support_as(resident_id, second)])
        # The loser is told it has no support left; nothing else may go wrong.
        assert [type(o).__name__ for o in outcomes if o is not None] == ["Refused"]
        with race_app.app_context():
            rows = db.session.scalar(select(func.count(Support.id)).where(Support.user_id == resident_id))
            assert rows == 1
            counted = sum(db.session.get(Proposal, pid).support_count for pid in (first, second))
            assert counted == 1
            # Reset for the next round.
            proposal_id = db.session.scalar(select(Support.proposal_id).where(Support.user_id == resident_id))
            from stengage.accounts.models import User

            supports.withdraw_support(db.session.get(User, resident_id), db.session.get(Proposal, proposal_id))
            db.session.commit()


def test_concurrent_flags_by_one_person_make_one_flag(race_app):
    from stengage.areas.models import Area
    from stengage.moderation import operations as moderation_ops
    from stengage.moderation.models import Flag, FlagReason

    _process_id, (proposal_id, _) = _setup(race_app)
    with race_app.app_context():
        reporter_id = factories.resident().id
        area_id = db.session.get(Proposal, proposal_id).area_id
        db.session.commit()

    def flag() -> None:
        from stengage.accounts.models import User

        moderation_ops.flag(db.session.get(User, reporter_id), db.session.get(Proposal, proposal_id),
                     db.session.get(Area, area_id), FlagReason.SPAM)

    outcomes = _at_once(race_app, [flag for _ in range(20)])
    assert [o for o in outcomes if o is not None] == []
    with race_app.app_context():
        assert db.session.scalar(select(func.count(Flag.id)).where(Flag.proposal_id == proposal_id)) == 1


def test_supporting_a_source_while_it_is_merged_neither_loses_nor_doubles(race_app):
    from stengage.moderation import merging

    _process_id, (target_id, source_id) = _setup(race_app)
    with race_app.app_context():
        residents = [factories.resident().id for _ in range(8)]
        moderator_id = factories.moderator().id
        from stengage.accounts.models import User

        # Half of them already support the target: their support of the source must not count twice.
        for uid in residents[:4]:
            supports.support(db.session.get(User, uid), db.session.get(Proposal, target_id))
        db.session.commit()

    def merge() -> None:
        from stengage.accounts.models import User

        merging.merge(db.session.get(User, moderator_id), [db.session.get(Proposal, source_id)],
                      db.session.get(Proposal, target_id))

    jobs = [merge, *[_support_as(uid, source_id) for uid in residents]]
    outcomes = _at_once(race_app, jobs)
    assert [o for o in outcomes if o is not None] == []
    with race_app.app_context():
        target_supporters = set(db.session.scalars(select(Support.user_id).where(Support.proposal_id == target_id)))
        assert target_supporters == set(residents)
        assert db.session.get(Proposal, target_id).support_count == len(residents)


def _change_elsewhere(app, change: Callable[[], None]) -> None:
    """Commit a change from another thread, as another request would, while ours holds stale objects."""
    assert _at_once(app, [change]) == [None]


def _slow_merge(monkeypatch, moderator_id: int, source_id: int, target_id: int) -> tuple[
        Callable[[], None], threading.Event]:
    """A merge that holds its locks a moment: what a request does meanwhile meets them."""
    from stengage.accounts.models import User
    from stengage.moderation import merging

    locked = threading.Event()
    lock = merging._lock

    def lock_and_linger(ids: list[int]) -> None:
        lock(ids)
        locked.set()
        time.sleep(0.3)

    monkeypatch.setattr(merging, "_lock", lock_and_linger)

    def merge() -> None:
        merging.merge(db.session.get(User, moderator_id), [db.session.get(Proposal, source_id)],
                      db.session.get(Proposal, target_id))
    return merge, locked


@pytest.mark.parametrize("change", ["support the target", "withdraw from the source"])
def test_a_supporter_acting_while_a_merge_holds_its_locks_waits_and_nothing_drifts(race_app, monkeypatch, change):
    from stengage.accounts.models import User

    _process_id, (target_id, source_id) = _setup(race_app)
    with race_app.app_context():
        resident_id, moderator_id = factories.resident().id, factories.moderator().id
        supports.support(db.session.get(User, resident_id), db.session.get(Proposal, source_id))
        db.session.commit()
    merge, locked = _slow_merge(monkeypatch, moderator_id, source_id, target_id)

    def act() -> None:
        resident = db.session.get(User, resident_id)
        proposal = operations.proposal_for_action(target_id if change == "support the target" else source_id)
        db.session.commit()
        locked.wait(timeout=10)
        if change == "support the target":
            supports.support(resident, proposal)
        else:
            supports.withdraw_support(resident, proposal)

    assert _at_once(race_app, [merge, act]) == [None, None]
    with race_app.app_context():
        for proposal_id in (target_id, source_id):
            rows = db.session.scalar(select(func.count(Support.id)).where(Support.proposal_id == proposal_id))
            assert rows == db.session.get(Proposal, proposal_id).support_count
        on_target = set(db.session.scalars(select(Support.user_id).where(Support.proposal_id == target_id)))
        # Supporting the target counts once, whichever came first; a withdrawal lands before or after.
        assert on_target == {resident_id} if change == "support the target" else on_target <= {resident_id}


def test_a_support_for_a_proposal_merged_since_the_page_loaded_goes_to_the_merge_target(race_app):
    from stengage.accounts.models import User
    from stengage.moderation import merging

    _process_id, (target_id, source_id) = _setup(race_app)
    with race_app.app_context():
        resident_id, moderator_id = factories.resident().id, factories.moderator().id
        db.session.commit()

    def merge() -> None:
        merging.merge(db.session.get(User, moderator_id), [db.session.get(Proposal, source_id)],
                      db.session.get(Proposal, target_id))

    with race_app.app_context():
        stale = operations.proposal_for_action(source_id)
        resident = db.session.get(User, resident_id)
        db.session.commit()  # our request's objects stay as they were read
        _change_elsewhere(race_app, merge)
        assert supports.support(resident, stale) is True
        db.session.commit()
    with race_app.app_context():
        supported = set(db.session.scalars(select(Support.proposal_id).where(Support.user_id == resident_id)))
        assert supported == {target_id}
        assert db.session.get(Proposal, target_id).support_count == 1
        assert db.session.get(Proposal, source_id).support_count == 0


def test_a_support_for_a_proposal_withdrawn_since_the_page_loaded_is_refused_and_leaves_nothing(race_app):
    from stengage.accounts.models import User
    from stengage.core.operations import Refused

    _process_id, (proposal_id, _) = _setup(race_app)
    with race_app.app_context():
        resident_id = factories.resident().id
        author_id = db.session.get(Proposal, proposal_id).author_id
        db.session.commit()

    def withdraw() -> None:
        operations.withdraw_proposal(db.session.get(User, author_id), db.session.get(Proposal, proposal_id))

    with race_app.app_context():
        stale = operations.proposal_for_action(proposal_id)
        resident = db.session.get(User, resident_id)
        db.session.commit()
        _change_elsewhere(race_app, withdraw)
        with pytest.raises(Refused):
            supports.support(resident, stale)
        db.session.rollback()
    with race_app.app_context():
        assert db.session.scalar(select(func.count(Support.id)).where(Support.proposal_id == proposal_id)) == 0
        assert db.session.get(Proposal, proposal_id).support_count == 0
        assert db.session.scalar(select(func.count(Follow.id)).where(Follow.user_id == resident_id)) == 0


def test_following_while_a_support_waits_for_a_merge_is_no_deadlock(race_app, monkeypatch):
    """The support waits for the merge's lock on the proposal; meanwhile the same resident follows
    it (a row that refers to the proposal). Locks that block foreign-key checks would deadlock."""
    from stengage.accounts.models import User

    _process_id, (target_id, source_id) = _setup(race_app)
    with race_app.app_context():
        resident_id, moderator_id = factories.resident().id, factories.moderator().id
        db.session.commit()
    merge, locked = _slow_merge(monkeypatch, moderator_id, source_id, target_id)

    def support() -> None:
        resident, proposal = db.session.get(User, resident_id), operations.proposal_for_action(target_id)
        db.session.commit()
        locked.wait(timeout=10)
        supports.support(resident, proposal)

    def follow() -> None:
        resident, proposal = db.session.get(User, resident_id), operations.proposal_for_action(target_id)
        db.session.commit()
        locked.wait(timeout=10)
        time.sleep(0.1)  # after the support has started waiting
        operations.follow(resident, proposal)

    assert _at_once(race_app, [merge, support, follow]) == [None, None, None]
    with race_app.app_context():
        assert _supporters_of(target_id) == {resident_id}
        assert db.session.scalar(select(func.count(Follow.id)).where(
            Follow.proposal_id == target_id, Follow.user_id == resident_id)) == 1


def _supporters_of(proposal_id: int) -> set[int]:
    return set(db.session.scalars(select(Support.user_id).where(Support.proposal_id == proposal_id)))

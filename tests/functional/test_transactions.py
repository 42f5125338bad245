"""What the way requests use the database means for people: pages answer while someone writes,
a write counts exactly once or not at all, and a read leaves nothing behind that could turn a
later write into a partial one. Real commits, each app on a database of its own."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from stengage.accounts.models import User
from stengage.core.i18n import LANGUAGE_COOKIE
from stengage.extensions import db
from stengage.moderation import merging
from stengage.proposals import supports
from stengage.proposals.models import Proposal, Support
from stengage.reports import operations as report_ops
from tests import factories
from tests.concurrency import Threads, while_uncommitted
from tests.conftest import GENEROUS_LIMITS, csrf_token, login_as, make_test_app

pytestmark = pytest.mark.real_commits


@pytest.fixture
def own_app(tmp_path, private_database):
    app = make_test_app(tmp_path, private_database, PAGE_CACHE="off", **GENEROUS_LIMITS)
    yield app
    with app.app_context():
        db.engine.dispose()


def _process_with_proposals(app, limit: int | None = None) -> tuple[list[int], int]:
    """Two open proposals and a verified resident who may support them."""
    with app.app_context():
        process = factories.process(supports_per_resident=limit)
        ids = [factories.proposal(process, title=f"Shade trees {i}").id for i in range(2)]
        resident_id = factories.resident().id
        db.session.commit()
        return ids, resident_id


def _client_of(app, user_id: int):
    client = app.test_client()
    client.set_cookie(LANGUAGE_COOKIE, "en")
    with app.app_context():
        login_as(client, db.session.get(User, user_id))
    return client


def _supporters(app, proposal_id: int) -> tuple[set[int], int]:
    """Who supports the proposal, and the count its pages show."""
    with app.app_context():
        users = set(db.session.scalars(select(Support.user_id).where(Support.proposal_id == proposal_id)))
        return users, db.session.get(Proposal, proposal_id).support_count


def _shown_supports(html: str) -> int:
    """The support count a proposal's page shows."""
    shown = re.search(r'class="support-count"><strong>(\d+)</strong>', html)
    assert shown, "no support count on the page"
    return int(shown.group(1))


def test_pages_answer_while_another_request_is_writing(own_app):
    """Visitors and residents read while a write is under way (and not yet committed): reading
    never waits for a writer's lock, and shows only what was committed."""
    (proposal_id, _), resident_id = _process_with_proposals(own_app)
    with own_app.app_context():
        supporter_id = factories.resident().id
        db.session.commit()
    visitor, resident = own_app.test_client(), _client_of(own_app, resident_id)
    pages = ["/", f"/proposals/{proposal_id}", "/areas/vienna-simmering"]
    answers: list[tuple[str, int, str]] = []

    def read(client) -> None:
        for page in pages:
            answer = client.get(page)
            answers.append((page, answer.status_code, answer.get_data(as_text=True)))

    with own_app.app_context():
        supports.support(db.session.get(User, supporter_id), db.session.get(Proposal, proposal_id))
        db.session.flush()  # written, locked, not committed
        Threads([lambda: read(visitor), lambda: read(resident)], together=False).join()
        db.session.commit()
    assert sorted((page, status) for page, status, _ in answers) == sorted([(page, 200) for page in pages] * 2)
    proposal_pages = [html for page, _, html in answers if page.startswith("/proposals/")]
    assert [_shown_supports(html) for html in proposal_pages] == [0, 0]
    assert _supporters(own_app, proposal_id) == ({supporter_id}, 1)


def test_after_reading_pages_a_failed_change_leaves_nothing(own_app):
    """The connection that served reads goes back to the pool ready for all-or-nothing writes: a
    job that fails after writing leaves no trace."""
    (proposal_id, _), resident_id = _process_with_proposals(own_app)
    client = _client_of(own_app, resident_id)
    for page in ("/", f"/proposals/{proposal_id}", "/areas/vienna-simmering", "/notifications/"):
        assert client.get(page).status_code == 200, page
    with own_app.app_context():
        before = db.session.scalar(select(func.count(User.id)))
        factories.resident(email="half-way@example.org")
        supports.support(db.session.get(User, resident_id), db.session.get(Proposal, proposal_id))
        db.session.rollback()  # the job failed here
    with own_app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == before
    assert _supporters(own_app, proposal_id) == (set(), 0)


def test_a_public_summary_that_streams_its_rows_answers(own_app):
    """Summaries stream their theme rows (a server-side cursor on PostgreSQL, which needs a
    transaction): the public summary of an area with a published report answers."""
    with own_app.app_context():
        process = factories.process(title="Busy")
        residents = [factories.resident() for _ in range(6)]
        proposals = [factories.proposal(process, author=residents[i], title=f"Idea {i}") for i in range(3)]
        for resident in residents:
            supports.support(resident, proposals[0])
        moderator = factories.moderator()
        report = report_ops.create_report(moderator, process.area, "Report", process=process)
        theme = report_ops.add_theme(moderator, report, "Shade")
        report_ops.assign(moderator, theme, [p.id for p in proposals], [])
        report_ops.publish(moderator, report, "")
        db.session.commit()
    answer = own_app.test_client().get("/api/v1/areas/vienna-simmering/summary")
    assert answer.status_code == 200 and answer.json["area"] == "vienna-simmering"


@pytest.mark.parametrize("limit", [None, 1])
def test_a_support_click_counts_once_and_a_refused_one_not_at_all(own_app, limit):
    (first, second), resident_id = _process_with_proposals(own_app, limit)
    client = _client_of(own_app, resident_id)
    for _twice in range(2):  # a second click (another tab) changes nothing
        token = csrf_token(client, f"/proposals/{first}")
        assert client.post(f"/proposals/{first}/support", data={"csrf_token": token}).status_code == 302
    assert _supporters(own_app, first) == ({resident_id}, 1)
    assert _shown_supports(client.get(f"/proposals/{first}").get_data(as_text=True)) == 1

    answer = client.post(f"/proposals/{second}/support", follow_redirects=True,
                         data={"csrf_token": csrf_token(client, f"/proposals/{second}")})
    if limit is None:
        assert _supporters(own_app, second) == ({resident_id}, 1)
    else:  # the limit is used up: refused with a reason, and nothing of it is left
        assert "You have used all 1 supports of this process" in answer.get_data(as_text=True)
        assert _supporters(own_app, second) == (set(), 0)
        assert _supporters(own_app, first) == ({resident_id}, 1)


def test_a_support_posted_while_its_proposal_is_being_merged_goes_to_the_merge_target(own_app):
    """The click meets the merge under way (PostgreSQL: it waits for the merge's locks; SQLite: for
    its write lock) and, once the merge commits, counts on the proposal merged into, once."""
    (target_id, source_id), resident_id = _process_with_proposals(own_app)
    with own_app.app_context():
        moderator_id = factories.moderator().id
        db.session.commit()
    client = _client_of(own_app, resident_id)
    token = csrf_token(client, f"/proposals/{source_id}")  # the page still shows the source open
    answers = []

    def click() -> None:
        answers.append(client.post(f"/proposals/{source_id}/support", data={"csrf_token": token}).status_code)

    def merge() -> None:
        merging.merge(db.session.get(User, moderator_id), [db.session.get(Proposal, source_id)],
                      db.session.get(Proposal, target_id))

    assert while_uncommitted(own_app, merge, waiting=[click]) == ([None], [])
    assert answers == [302]
    assert _supporters(own_app, target_id) == ({resident_id}, 1)
    assert _supporters(own_app, source_id) == (set(), 0)

"""Requests that only read hold no write lock (SQLite) and no transaction at all (PostgreSQL);
requests that may write keep theirs."""

import pytest
from flask import has_request_context, request
from sqlalchemy import event

from stengage.extensions import db
from tests.conftest import make_test_app, submit
from tests.functional.test_summaries import _busy_area


@pytest.mark.real_commits
def test_reads_run_without_a_transaction_and_writes_inside_one(app, client):
    dialect = db.engine.dialect.name
    seen: list[tuple[str, str, bool]] = []

    def record(connection, _cursor, statement, _params, _context, _many):
        if has_request_context():
            autocommit = bool(getattr(connection.connection.dbapi_connection, "autocommit", False))
            seen.append((request.method, statement.strip().upper(), autocommit))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        client.get("/")
        reads = list(seen)
        seen.clear()
        submit(client, "/account/login", {"email": "nobody@example.org", "password": "wrong but long enough"},
               page="/account/login")
        writes = [entry for entry in seen if entry[0] == "POST"]
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    assert reads and writes
    if dialect == "postgresql":
        assert all(autocommit for _, _, autocommit in reads)
        assert not any(autocommit for _, _, autocommit in writes)
    else:
        assert reads[0][1] == "BEGIN" and writes[0][1] == "BEGIN IMMEDIATE"
    # The pooled connection is back to transactions for whatever comes next.
    with db.engine.connect() as connection:
        assert not getattr(connection.connection.dbapi_connection, "autocommit", False)


@pytest.mark.real_commits
def test_a_read_that_streams_its_rows_gets_the_transaction_it_needs(tmp_path, private_database):
    """Summaries stream their theme rows (a server-side cursor on PostgreSQL, which needs a
    transaction): the public summary of an area with a published report answers."""
    app = make_test_app(tmp_path, private_database, PAGE_CACHE="off")
    try:
        with app.app_context():
            _busy_area()
            db.session.commit()
        answer = app.test_client().get("/api/v1/areas/vienna-simmering/summary")
        assert answer.status_code == 200 and answer.json["area"] == "vienna-simmering"
    finally:
        with app.app_context():
            db.engine.dispose()


def _support_statements(app, client, proposal_id: int) -> list[tuple[str, bool]]:
    """Each statement of one support POST, and whether it ran in autocommit.

    The requests run outside any app context of the test, each in its own, as in production.
    """
    seen: list[tuple[str, bool]] = []
    with app.app_context():
        engine = db.engine

    def record(connection, _cursor, statement, _params, _context, _many):
        if has_request_context() and request.method == "POST":
            seen.append((" ".join(statement.split()).upper(),
                         bool(getattr(connection.connection.dbapi_connection, "autocommit", False))))

    event.listen(engine, "before_cursor_execute", record)
    try:
        answer = submit(client, f"/proposals/{proposal_id}/support", page=f"/proposals/{proposal_id}")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert answer.status_code == 302
    return seen


@pytest.fixture
def support_app(tmp_path, private_database):
    app = make_test_app(tmp_path, private_database, PAGE_CACHE="off")
    yield app
    with app.app_context():
        db.engine.dispose()


def _resident_and_proposals(app, client, limit: int | None) -> list[int]:
    from tests import factories
    from tests.conftest import login_as

    with app.app_context():
        process = factories.process(supports_per_resident=limit)
        ids = [factories.proposal(process).id for _ in range(2)]
        resident = factories.resident()
        db.session.commit()
        login_as(client, resident)
        return ids


def _supporters(app, proposal_id: int) -> tuple[int, int]:
    """Support rows of a proposal and its stored count."""
    from sqlalchemy import func, select

    from stengage.proposals.models import Proposal, Support

    with app.app_context():
        rows = db.session.scalar(select(func.count(Support.id)).where(Support.proposal_id == proposal_id))
        return rows, db.session.get(Proposal, proposal_id).support_count


@pytest.mark.real_commits
@pytest.mark.parametrize("limit", [None, 3])
def test_a_support_is_written_atomically_with_or_without_a_limit(support_app, limit):
    client = support_app.test_client()
    proposal_id, _ = _resident_and_proposals(support_app, client, limit)
    statements = _support_statements(support_app, client, proposal_id)
    dialect = support_app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0].split("+")[0]

    if dialect == "postgresql":
        writes = [i for i, (sql, _) in enumerate(statements) if not sql.startswith("SELECT")]
        assert len(writes) == 1  # the support, its count and the follow: one atomic statement
        if limit is None:
            assert all(autocommit for _, autocommit in statements)  # which needs no transaction around it
        else:  # the limit is read under the supporter's lock, in the transaction that writes
            first_lock = next(i for i, (sql, _) in enumerate(statements) if " FOR NO KEY UPDATE" in sql)
            assert not any(autocommit for _, autocommit in statements[first_lock:])
    else:
        assert statements[0][0] == "BEGIN IMMEDIATE"  # SQLite: every write locks the database at once
    assert _supporters(support_app, proposal_id) == (1, 1)


@pytest.mark.real_commits
def test_a_support_for_a_proposal_merged_while_the_request_ran_goes_to_the_merge_target(
        support_app, monkeypatch):
    """PostgreSQL: the support finds the proposal merged under its lock and lands on the merge
    target. (SQLite holds its write lock from the request's start: there the merge commits first
    and the request sees it.)"""
    import threading

    from stengage.accounts.models import User
    from stengage.moderation import merging
    from stengage.proposals import operations
    from stengage.proposals.models import Proposal
    from tests import factories

    client = support_app.test_client()
    source_id, target_id = _resident_and_proposals(support_app, client, None)
    with support_app.app_context():
        moderator_id = factories.moderator().id
        db.session.commit()

    def merge_elsewhere() -> None:
        with support_app.app_context():
            merging.merge(db.session.get(User, moderator_id), [db.session.get(Proposal, source_id)],
                          db.session.get(Proposal, target_id))
            db.session.commit()
            db.session.remove()

    dialect = support_app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0].split("+")[0]
    load = operations.proposal_for_action

    def load_then_merge(proposal_id: int):
        proposal = load(proposal_id)
        if proposal_id == source_id and proposal.status != "merged":
            worker = threading.Thread(target=merge_elsewhere)  # another request, with its own connection
            worker.start()
            worker.join(timeout=30)
        return proposal

    if dialect == "postgresql":
        monkeypatch.setattr(operations, "proposal_for_action", load_then_merge)
    else:
        merge_elsewhere()
    _support_statements(support_app, client, source_id)

    assert _supporters(support_app, target_id) == (1, 1)
    assert _supporters(support_app, source_id) == (0, 0)

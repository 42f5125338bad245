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


def _support_statements(client, proposal_id: int) -> list[tuple[str, bool]]:
    """Each statement of one support POST, and whether it ran in autocommit."""
    seen: list[tuple[str, bool]] = []

    def record(connection, _cursor, statement, _params, _context, _many):
        if has_request_context() and request.method == "POST":
            seen.append((statement.strip().split()[0].upper(),
                         bool(getattr(connection.connection.dbapi_connection, "autocommit", False))))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        answer = submit(client, f"/proposals/{proposal_id}/support", page=f"/proposals/{proposal_id}")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert answer.status_code == 302
    return seen


@pytest.mark.real_commits
@pytest.mark.parametrize("limit", [None, 3])
def test_a_support_is_one_statement_without_a_transaction_unless_a_limit_needs_one(app, client, limit):
    from sqlalchemy import func, select

    from stengage.proposals.models import Proposal, Support
    from tests import factories
    from tests.conftest import login_as

    proposal = factories.proposal(factories.process(supports_per_resident=limit))
    resident = factories.resident()
    db.session.commit()
    login_as(client, resident)
    statements = _support_statements(client, proposal.id)

    if db.engine.dialect.name == "postgresql":
        writes = [autocommit for verb, autocommit in statements if verb in {"WITH", "INSERT", "UPDATE"}]
        if limit is None:  # the user, the proposal, then the support in one statement: no BEGIN, no COMMIT
            assert [verb for verb, _ in statements] == ["SELECT", "SELECT", "WITH"]
            assert all(autocommit for _, autocommit in statements)
        else:  # the limit is checked and kept under locks, in one transaction
            assert writes and not any(writes)
    else:
        assert statements[0][0] == "BEGIN"  # SQLite: BEGIN IMMEDIATE, as for every write
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Support.id)).where(Support.proposal_id == proposal.id)) == 1
    assert db.session.get(Proposal, proposal.id).support_count == 1

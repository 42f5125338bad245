"""One app per test session on a migrated schema; each test runs inside a rolled-back savepoint.

Set ``STENGAGE_TEST_DATABASE_URL`` to run the same suite on PostgreSQL. With
``STENGAGE_REQUIRE_POSTGRES=1`` an unreachable database fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession

from stengage import create_app
from stengage.accounts.models import User
from stengage.areas.demo import seed_demo_areas
from stengage.config import BaseConfig
from stengage.core.i18n import LANGUAGE_COOKIE
from stengage.core.page_cache import page_cache
from stengage.extensions import db, limiter
from tests.mailbox import Outbox

TEST_DATABASE_URL = os.environ.get("STENGAGE_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("STENGAGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
# Every configurable limit, set where tests that make many requests never reach it. (Flask-Limiter
# is one object for every app of the session: an app made with RATELIMIT_ENABLED=False would switch
# the limits off for all the tests after it.)
GENEROUS_LIMITS = {name: "100000 per minute" for name, value in vars(BaseConfig).items()
                   if name.startswith("RATELIMIT_") and isinstance(value, str) and " per " in value}


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    except sa.exc.OperationalError as error:
        if os.environ.get("STENGAGE_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required but not reachable: {error}")
        pytest.skip(f"PostgreSQL not reachable: {error}")
    finally:
        engine.dispose()


def make_test_app(instance: Path, database_url: str | None = None, **overrides: Any) -> Flask:
    """A migrated, seeded app on its own database (SQLite file in ``instance`` by default)."""
    url = database_url or f"sqlite:///{instance / 'test.db'}"
    if url.startswith("postgresql"):
        _reset_postgres(url)
    os.environ["STENGAGE_INSTANCE_PATH"] = str(instance)
    app = create_app({
        "ENV_NAME": "testing",
        "DATABASE_URL": url,
        "ARGON2_PARAMS": FAST_ARGON2,
        "MAIL_OUTBOX_DIR": str(instance / "outbox"),
        "SERVER_BASE_URL": "http://localhost",
        **overrides,
    })
    with app.app_context():
        upgrade()
        seed_demo_areas()
        db.session.commit()
    return app


class ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy picks its engine by itself; in tests every query must use the test's connection."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        return self.bind if self.bind is not None else super().get_bind(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_test_app(tmp_path_factory.mktemp("instance"), TEST_DATABASE_URL)
    app.test_client_class = RequestIsolatingClient
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _isolated(request: pytest.FixtureRequest, app: Flask) -> Iterator[None]:
    """Run each test in a savepoint that is rolled back, with fresh rate limits and outbox."""
    with app.app_context():
        limiter.reset()
        page_cache().clear()  # the rows behind its pages are rolled back after each test
        Outbox(app).clear()
        # Exported files are named by row ids, which repeat once each test's rows are rolled back.
        shutil.rmtree(Path(app.instance_path) / "exports", ignore_errors=True)
        if request.node.get_closest_marker("real_commits"):
            yield
            return
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint",
             "class_": ConnectionBoundSession}
        )
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


class RequestIsolatingClient(FlaskClient):
    """Each request gets its own app context (fresh ``g``), as in production, even though the
    test itself holds one open for its factories; the test's session then re-reads the rows."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@contextmanager
def private_database_url() -> Iterator[str | None]:
    """A database of its own for an app that commits: None (a SQLite file) or a throw-away PostgreSQL one."""
    if not TEST_DATABASE_URL:
        yield None
        return
    name = f"stengage_private_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def private_database() -> Iterator[str | None]:
    """A database of its own for tests that commit (see ``private_database_url``)."""
    with private_database_url() as url:
        yield url


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A visitor who chose English, so assertions read the same on every area's pages."""
    client = app.test_client()
    client.set_cookie(LANGUAGE_COOKIE, "en")  # as the language switch leaves it
    return client


@pytest.fixture
def visitor(app: Flask) -> FlaskClient:
    """A first-time visitor: no language chosen yet."""
    return app.test_client()


@pytest.fixture
def redis_server() -> Iterator[redis.Redis]:
    """The Redis server at STENGAGE_TEST_REDIS_URL; with STENGAGE_REQUIRE_REDIS=1 its absence fails the run."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("STENGAGE_REQUIRE_REDIS"):
            pytest.fail(f"Redis is required but not reachable at {REDIS_URL}: {error}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    yield client
    client.close()


@pytest.fixture
def outbox(app: Flask) -> Outbox:
    return Outbox(app)


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_STARTED = re.compile(r'name="form_started"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, page: str = "/") -> str:
    match = _CSRF.search(client.get(page).get_data(as_text=True))
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def submit(client: FlaskClient, url: str, data: dict[str, Any] | None = None,
           page: str | None = None, **kwargs: Any) -> Any:
    """POST a form the way a browser does: with the hidden fields of the page it came from
    (the CSRF token, and the anti-spam start time where the page has one)."""
    html = client.get(page or "/").get_data(as_text=True)
    token = _CSRF.search(html)
    assert token, f"no CSRF token on {page}"
    payload: dict[str, Any] = {"csrf_token": token.group(1)}
    started = _STARTED.search(html)
    if started:
        payload["form_started"] = started.group(1)
    payload.update(data or {})
    return client.post(url, data=payload, **kwargs)


def login_as(client: FlaskClient, user: User) -> FlaskClient:
    """Log ``user`` in on ``client`` without the login form (the form has its own tests)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client

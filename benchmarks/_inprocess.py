"""The app in this process with the Flask test client: building it, logging in, counting and showing its SQL."""

from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from _common import CSRF, SUPPORT_LIMIT, app_env, apply_env


@dataclass
class Page:
    key: str
    label: str
    url: str
    client: str = "anon"  # "anon" or "resident"
    target: bool = True
    setup: Callable[[], Any] | None = None  # e.g. a different page size; returns an undo callable
    form: Callable[[], dict[str, str]] | None = None  # a POST with this form (called once per request)
    headers: dict[str, str] = field(default_factory=dict)
    post_to: Callable[[], str] | None = None  # where each POST goes, when it changes (else ``url``)

    def send(self, client: Any) -> Any:
        if self.form is None:
            return client.get(self.url, headers=self.headers)
        return client.post(self.post_to() if self.post_to else self.url, data=self.form(), headers=self.headers)


class QueryCounter:
    """``before/after_cursor_execute`` on the application's engine: statements and their time."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.statements: list[list[Any]] = []  # [statement, parameters, seconds]
        self.keep = False
        self._started = 0.0

    def before(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        self.count += 1
        if self.keep:
            self.statements.append([statement, parameters, 0.0])
        self._started = time.perf_counter()

    def after(self, *_args: Any) -> None:
        elapsed = time.perf_counter() - self._started
        self.seconds += elapsed
        if self.keep and self.statements:
            self.statements[-1][2] = elapsed

    def reset(self) -> None:
        self.count, self.seconds, self.statements = 0, 0.0, []


def build_app(db: str, page_cache: str, redis_url: str | None) -> tuple[Any, QueryCounter]:
    extra = {"STENGAGE_PAGE_CACHE": page_cache}
    if redis_url:
        extra["STENGAGE_REDIS_URL"] = redis_url
    apply_env(app_env(db, STENGAGE_RATELIMIT_SUPPORT=SUPPORT_LIMIT, **extra))
    from sqlalchemy import event

    from stengage import create_app
    from stengage.extensions import db as sa

    app = create_app()
    counter = QueryCounter()
    with app.app_context():
        event.listen(sa.engine, "before_cursor_execute", counter.before)
        event.listen(sa.engine, "after_cursor_execute", counter.after)
    return app, counter


def log_in(app: Any, email: str) -> Any:
    from stengage.devtools.bench_data import BENCH_PASSWORD

    client = app.test_client()
    page = client.get("/account/login")
    token = CSRF.search(page.get_data(as_text=True))
    if token is None:
        raise SystemExit("no CSRF token on the login page")
    answer = client.post("/account/login", data={"csrf_token": token.group(1), "email": email,
                                                 "password": BENCH_PASSWORD})
    if answer.status_code != 302:
        raise SystemExit(f"login of {email} failed: HTTP {answer.status_code}")
    client.get("/")  # takes the "welcome back" message out of the session
    return client


def with_per_page(per_page: int) -> Callable[[], Callable[[], None]]:
    """Render the list with another page size (the view uses the module's ``proposal_page``)."""

    def setup() -> Callable[[], None]:
        from stengage.proposals import queries

        original = queries.proposal_page
        queries.proposal_page = functools.partial(original, per_page=per_page)

        def undo() -> None:
            queries.proposal_page = original

        return undo

    return setup


def count_queries(app: Any, counter: QueryCounter, clients: dict[str, Any], page: Page,
                  keep: bool = False) -> tuple[int, int, list[list[Any]]]:
    undo = page.setup() if page.setup else None
    try:
        page.send(clients[page.client])
        counter.reset()
        counter.keep = keep
        response = page.send(clients[page.client])
        return counter.count, response.status_code, list(counter.statements)
    finally:
        counter.keep = False
        if undo:
            undo()


def show_sql(app: Any, counter: QueryCounter, clients: dict[str, Any], page: Page, runs: int = 7,
             plan_over_ms: float = 1.0) -> None:
    """Each statement of one request with its median time over a few requests; plans of the slow ones."""
    from stengage.extensions import db as sa

    samples = [count_queries(app, counter, clients, page, keep=True)[2] for _ in range(runs)]
    statements = samples[-1]
    print(f"\nSQL of {page.label}: {len(statements)} statements, median ms over {runs} requests")
    slow = []
    for i, (statement, params, _) in enumerate(statements):
        times = [run[i][2] * 1000 for run in samples if len(run) > i]
        ms = statistics.median(times)
        flat = " ".join(statement.split())
        print(f"  {i + 1:>2}. {ms:6.2f} ms  {flat[:300]}{' ...' if len(flat) > 300 else ''}")
        if ms >= plan_over_ms and flat.upper().startswith("SELECT"):
            slow.append((i + 1, statement, params, ms))
    if not slow:
        return
    with app.app_context():
        raw = sa.engine.raw_connection()
        try:
            postgres = sa.engine.dialect.name == "postgresql"
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
            for number, statement, params, ms in slow:
                cursor = raw.cursor()
                cursor.execute(prefix + statement, params)
                plan = [row[-1] if not postgres else row[0] for row in cursor.fetchall()]
                cursor.close()
                print(f"  plan of statement {number} ({ms:.2f} ms):")
                print("\n".join(f"      {line}" for line in plan))
        finally:
            raw.rollback()
            raw.close()

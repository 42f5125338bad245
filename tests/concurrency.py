"""Real threads and real commits for race tests: jobs released together, or held back by a change
that another transaction has made and not yet committed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from flask import Flask
from sqlalchemy import text

from stengage.extensions import db

Job = Callable[[], object]


def in_transaction(app: Flask, work: Callable[[], object]) -> Job:
    """``work`` as another request of its own would run it: its own app context and connection,
    committed when it returns, rolled back when it raises."""
    def job() -> object:
        with app.app_context():
            try:
                result = work()
                db.session.commit()
                return result
            except BaseException:
                db.session.rollback()
                raise
            finally:
                db.session.remove()
    return job


class Threads:
    """Jobs in threads; ``outcomes[i]`` is what job ``i`` raised (None when it did not)."""

    def __init__(self, jobs: Sequence[Job], together: bool = True) -> None:
        self.outcomes: list[BaseException | None] = [None] * len(jobs)
        self.results: list[object] = [None] * len(jobs)
        start = threading.Barrier(len(jobs)) if together else None

        def run(index: int, job: Job) -> None:
            if start is not None:
                start.wait()
            try:
                self.results[index] = job()
            except BaseException as error:  # reported through outcomes, never lost in the thread
                self.outcomes[index] = error

        self.threads = [threading.Thread(target=run, args=(i, job), daemon=True) for i, job in enumerate(jobs)]
        for thread in self.threads:
            thread.start()

    def join(self, timeout: float = 60) -> Threads:
        for thread in self.threads:
            thread.join(timeout=timeout)
        assert not any(t.is_alive() for t in self.threads), "a job never finished: a deadlock or a lost wake-up"
        return self


def at_once(jobs: Sequence[Job]) -> list[BaseException | None]:
    """Release every job at the same moment and wait for all of them."""
    return Threads(jobs).join().outcomes


def _lock_waiters() -> int:
    with db.engine.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'")).scalar_one()


def while_uncommitted(app: Flask, change: Callable[[], object], waiting: Sequence[Job] = (),
                      free: Sequence[Job] = ()) -> tuple[list[BaseException | None], list[BaseException | None]]:
    """Make ``change`` in a transaction and hold it open while the other jobs run.

    ``waiting`` jobs meet its locks: on PostgreSQL the change commits only once all of them are
    seen waiting for a lock, so each runs into the open change for sure. ``free`` jobs must not need
    its locks: on PostgreSQL they finish while the change is still open. (SQLite has one writer at a
    time: there every job that writes waits for the commit.)
    """
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
        change()
        db.session.flush()
        blocked = Threads(waiting, together=False)
        if postgresql:
            deadline = time.monotonic() + 30
            while _lock_waiters() < len(waiting):
                assert time.monotonic() < deadline, "the jobs never met the open change's locks"
                time.sleep(0.01)
        unblocked = Threads(free, together=False)
        if postgresql:
            unblocked.join()  # finished although the change still holds its locks
        db.session.commit()
        db.session.remove()
    return blocked.join().outcomes, unblocked.join().outcomes

"""Shared pieces of the benchmarks: where the databases live, seeding, the app's environment.

Nothing here is imported by the application or the test suite. Every database the benchmarks use
is their own: a SQLite file under ``$STENGAGE_BENCH_DIR`` (default ``/tmp/stengage-bench``) and the
PostgreSQL database ``stengage_bench`` (override with ``BENCH_PG_URL``), never the suite's ``test``.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine, make_url

REPO = Path(__file__).resolve().parent.parent
# The application measured is this checkout's, also when the venv's editable install points at another
# checkout (a worktree sharing a venv). Last on the path: PYTHONPATH still chooses another on purpose.
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))
BIN = Path(sys.executable).parent
AREA = "vienna-simmering"
BENCH_TITLE_PREFIX = "Benchmark process"
DEFAULT_SIZES = {"proposals": 10_000, "supports": 200_000, "comments": 100_000}
PG_DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/stengage_bench"
PROTECTED_PG_DATABASES = {"test", "postgres", "template0", "template1"}


# The support limit while benchmarking: high enough for load, while the limiter still runs.
SUPPORT_LIMIT = "100000 per minute"
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def bench_dir() -> Path:
    return Path(os.environ.get("STENGAGE_BENCH_DIR", "/tmp/stengage-bench"))  # noqa: S108 - own subfolder


def instance_dir(db: str) -> Path:
    return bench_dir() / db


def database_url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{instance_dir(db) / 'stengage.db'}"
    if db == "postgresql":
        return os.environ.get("BENCH_PG_URL", PG_DEFAULT_URL)
    raise SystemExit(f"unknown --db {db!r}: sqlite or postgresql")


def secret_key(db: str) -> str:
    """One random secret per benchmark instance, kept beside it: cookies made by one process of the
    benchmark (the logins) are accepted by another (gunicorn)."""
    path = instance_dir(db) / "bench-secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def app_env(db: str, **extra: str) -> dict[str, str]:
    """The environment of the measured application: production settings over plain http on 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STENGAGE_") or k == "STENGAGE_BENCH_DIR"}
    env.update({
        "STENGAGE_ENV": "production",
        "STENGAGE_SECRET_KEY": secret_key(db),
        # Plain http on 127.0.0.1: cookies must not be Secure-only (production's default).
        "STENGAGE_SESSION_COOKIE_SECURE": "false",
        "STENGAGE_REMEMBER_COOKIE_SECURE": "false",
        "STENGAGE_INSTANCE_PATH": str(instance_dir(db)),
        "STENGAGE_DATABASE_URL": database_url(db),
    })
    env.update(extra)
    return env


def apply_env(env: dict[str, str]) -> None:
    for key in [k for k in os.environ if k.startswith("STENGAGE_") and k != "STENGAGE_BENCH_DIR"]:
        del os.environ[key]
    os.environ.update(env)


def engine_for(db: str) -> Engine:
    return create_engine(database_url(db))


# --- Seeding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchData:
    db: str
    process_id: int
    process_slug: str
    proposals: int
    supports: int
    comments: int
    note: str = ""

    @property
    def list_path(self) -> str:
        return f"/areas/{AREA}/processes/{self.process_slug}"


def _flask(db: str, *args: str, quiet: bool = False) -> str:
    env = app_env(db, STENGAGE_ENV="development")
    started = time.perf_counter()
    if not quiet:
        print(f"$ flask --app wsgi {' '.join(args)}", flush=True)
    done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=REPO, env=env, check=False,
                          capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"flask {' '.join(args)} failed with exit code {done.returncode}")
    if quiet:
        return done.stdout
    lines = [line for line in done.stdout.splitlines() if line.strip() and "%" not in line]
    for line in lines[-3:]:
        print(f"  {line.strip()}")
    print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)
    return done.stdout


def find_bench(db: str, sizes: dict[str, int] | None = None) -> BenchData | None:
    """The newest benchmark process with (about) the wanted sizes, or None.

    Proposals must match exactly; supports and comments within 1 % (the load benchmark toggles a
    few supports, and restores them, but a run that was interrupted may leave some behind).
    """
    from stengage.areas.models import Area, Process
    from stengage.proposals.models import Comment, Proposal, Support

    sizes = sizes or DEFAULT_SIZES
    engine = engine_for(db)
    try:
        with engine.connect() as conn:
            try:
                rows = conn.execute(
                    select(Process.id, Process.slug).join(Area, Area.id == Process.area_id)
                    .where(Area.slug == AREA, Process.title.like(f"{BENCH_TITLE_PREFIX}%"))
                    .order_by(Process.id.desc())).all()
            except Exception:  # no schema yet
                return None
            for process_id, slug in rows:
                proposals = conn.scalar(select(func.count()).select_from(Proposal)
                                        .where(Proposal.process_id == process_id)) or 0
                supports = conn.scalar(select(func.count()).select_from(Support)
                                       .where(Support.process_id == process_id)) or 0
                comments = conn.scalar(select(func.count()).select_from(Comment).join(
                    Proposal, Proposal.id == Comment.proposal_id).where(Proposal.process_id == process_id)) or 0
                if proposals == sizes["proposals"] and abs(supports - sizes["supports"]) <= sizes["supports"] / 100 \
                        and abs(comments - sizes["comments"]) <= sizes["comments"] / 100:
                    return BenchData(db, process_id, slug, proposals, supports, comments)
    finally:
        engine.dispose()
    return None


def drop_database(db: str) -> None:
    if db == "sqlite":
        folder = instance_dir(db)
        for name in ("stengage.db", "stengage.db-wal", "stengage.db-shm"):
            (folder / name).unlink(missing_ok=True)
        shutil.rmtree(folder / "outbox", ignore_errors=True)
        return
    url = make_url(database_url(db))
    name = url.database or ""
    if name in PROTECTED_PG_DATABASES or not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"refusing to drop PostgreSQL database {name!r}; pick your own with BENCH_PG_URL")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def ensure_database(db: str) -> None:
    instance_dir(db).mkdir(parents=True, exist_ok=True)
    if db != "postgresql":
        return
    url = make_url(database_url(db))
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}) is None:
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
            print(f"created PostgreSQL database {url.database}")
    admin.dispose()


def seed(db: str, *, fresh: bool = False, sizes: dict[str, int] | None = None) -> BenchData:
    """A database with the benchmark data: reused when it is there already, rebuilt with ``fresh``."""
    sizes = sizes or DEFAULT_SIZES
    if fresh:
        drop_database(db)
    ensure_database(db)
    # Always: the application moves on, and its current code needs the current schema.
    _flask(db, "db", "upgrade", quiet=not fresh)
    found = None if fresh else find_bench(db, sizes)
    if found is not None:
        return replace(found, note=vacuum(db))
    if not fresh and _has_other_bench(db):
        raise SystemExit(f"{db}: the database holds benchmark data of other sizes; rebuild it with --fresh")
    _flask(db, "seed-demo")
    out = _flask(db, "seed-bench", "--area", AREA, "--proposals", str(sizes["proposals"]),
                 "--supports", str(sizes["supports"]), "--comments", str(sizes["comments"]))
    match = re.search(r"Process (\d+) \(([^)]+)\)", out)
    if match is None:
        raise SystemExit(f"seed-bench printed no process: {out[-500:]}")
    note = vacuum(db)
    found = find_bench(db, sizes)
    if found is None:
        raise SystemExit("seed-bench finished but its data does not have the wanted sizes")
    return replace(found, note=note)


def _has_other_bench(db: str) -> bool:
    from stengage.areas.models import Process

    engine = engine_for(db)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Process)
                               .where(Process.title.like(f"{BENCH_TITLE_PREFIX}%"))) not in (None, 0)
    except Exception:
        return False
    finally:
        engine.dispose()


def vacuum(db: str) -> str:
    """PostgreSQL: ``VACUUM (ANALYZE)``, what autovacuum gives a live site soon after a bulk load.

    Without it the visibility map is empty, so the planner avoids index-only scans (the local test
    server runs with autovacuum off). SQLite is left as the application leaves it (no ANALYZE)."""
    if db != "postgresql":
        return "SQLite as the application leaves it (no ANALYZE)"
    engine = engine_for(db)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        autovacuum = conn.scalar(text("SHOW autovacuum"))
        conn.execute(text("VACUUM (ANALYZE)"))
    engine.dispose()
    return f"PostgreSQL: VACUUM (ANALYZE) before measuring (server autovacuum={autovacuum})"


def resident_emails(db: str, data: BenchData, count: int) -> list[str]:
    """Emails of the benchmark residents that seed-bench made for this process."""
    from stengage.accounts.models import User

    engine = engine_for(db)
    with engine.connect() as conn:
        emails = list(conn.scalars(select(User.email).where(User.email.like(f"bench{data.process_id}-%"))
                                   .order_by(User.id).limit(count)))
    engine.dispose()
    return emails


def pick_proposals(db: str, data: BenchData) -> dict[str, Any]:
    """Proposals to look at: one with about 200 comments, and a spread of comment counts."""
    from stengage.proposals.models import Proposal

    engine = engine_for(db)
    picks: dict[str, Any] = {}
    with engine.connect() as conn:
        for want in (0, 10, 50, 200):
            row = conn.execute(select(Proposal.id, Proposal.comment_count)
                               .where(Proposal.process_id == data.process_id, Proposal.hidden_at.is_(None))
                               .order_by(func.abs(Proposal.comment_count - want), Proposal.id).limit(1)).one()
            picks[want] = (row.id, row.comment_count)
        row = conn.execute(select(Proposal.id, Proposal.comment_count)
                           .where(Proposal.process_id == data.process_id)
                           .order_by(Proposal.comment_count.desc(), Proposal.id).limit(1)).one()
        picks["max"] = (row.id, row.comment_count)
    engine.dispose()
    return picks


# --- CPU accounting (Linux /proc, read only) ----------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def database_name(db: str) -> str | None:
    return make_url(database_url(db)).database if db == "postgresql" else None


def _processes() -> dict[int, tuple[float, int, str]]:
    """pid -> (CPU seconds so far, parent pid, command line) of every process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2:].split()  # from "state" on
        found[int(entry.name)] = ((int(fields[11]) + int(fields[12])) / TICK, int(fields[1]), command)
    return found


def cpu_snapshot(server: int | None, db_name: str | None) -> dict[str, dict[int, float]]:
    """CPU seconds by group: ``app`` (children of the gunicorn master ``server``), ``db`` (PostgreSQL
    backends of the bench database), ``bench`` (this process, its children, the master) and ``other``."""
    groups: dict[str, dict[int, float]] = {"app": {}, "db": {}, "bench": {}, "other": {}}
    me = os.getpid()
    for pid, (seconds, parent, command) in _processes().items():
        if server is not None and parent == server:
            group = "app"
        elif db_name and command.startswith("postgres:") and f" {db_name} " in command:
            group = "db"
        elif pid in (me, server) or parent == me:
            group = "bench"
        else:
            group = "other"
        groups[group][pid] = seconds
    return groups


def cpu_used(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    return {group: sum(max(0.0, t - before[group].get(pid, 0.0)) for pid, t in after[group].items())
            for group in after}


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def machine_line() -> str:
    import platform

    return (f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; load average {load_average()}; code: {code_version()}")


def code_version() -> str:
    """The commit measured, and whether the application's files differ from it (others edit them too)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                              timeout=10, check=False).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--", ".", ":!benchmarks"], cwd=REPO,
                                 capture_output=True, text=True, timeout=10, check=False).stdout.splitlines()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return f"{head}" + (f" + {len(changed)} uncommitted files" if changed else "")


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = "+-" + "-+-".join("-" * w for w in widths) + "-+"
    print(line)
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print(line)
    for row in cells:
        print("| " + " | ".join(c.rjust(w) if _numeric(c) else c.ljust(w)
                                for c, w in zip(row, widths, strict=True)) + " |")
    print(line, flush=True)


def _numeric(cell: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d.,]+( ?(ms|/s|%))?", cell))

"""Throughput under load: gunicorn (2 sync workers) on 127.0.0.1, driven by wrk (2 threads, 8 connections).

    .venv/bin/python benchmarks/load.py --db sqlite
    .venv/bin/python benchmarks/load.py --db postgresql --seconds 10

Targets (the issue): the list page >= 300 requests/s, the proposal page (about 200 comments)
>= 200 requests/s, a support POST >= 300/s on PostgreSQL; printed next to a bare-Flask
"hello world" (benchmarks/hello.py) served and loaded the same way. Prints a table; never fails.

The support POST needs logged-in residents: they log in through the real login form of an
in-process copy of the app (same secret key, sessions are signed cookies; that copy alone has its
login rate limit off, because every login comes from 127.0.0.1). Each resident toggles its own
proposal: support, withdraw, support, ...; afterwards every support is withdrawn again.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import (
    REPO,
    SUPPORT_LIMIT,
    app_env,
    cpu_snapshot,
    cpu_used,
    database_name,
    database_url,
    machine_line,
    pick_proposals,
    print_table,
    seed,
)
from _gunicorn import WORKERS, Gunicorn
from _residents import anonymous_cookie, check_sessions, resident_sessions, restore
from _wrk import CONNECTIONS, THREADS, get_script, support_script, wrk

HERE = Path(__file__).resolve().parent
# The issue's yardstick: "a bare Flask hello world under gunicorn serves about 6,500 requests/s per
# worker" on the machine its targets were set for. The "at 6,500/s hello" column scales each row by
# 6,500 / the hello-world row of this run, as if this whole 2-worker run were that fast (the
# cautious reading: per worker, it would be twice that).
REFERENCE_HELLO_RPS = 6500

@dataclass
class Run:
    name: str
    target: float | None
    result: dict[str, Any]
    note: str = ""

    @property
    def rps(self) -> float:
        return self.result["requests"] / (self.result["duration_us"] / 1e6)


def measure(server: Gunicorn, name: str, path: str, script: str, seconds: int, warmup: int, work: Path,
            target: float | None, note: str = "", settle: Callable[[], object] | None = None) -> Run:
    """``settle`` runs between the warm-up and the measured run (the POSTs: every support withdrawn,
    so that the script's first POST per resident, a support, lands as planned)."""
    if warmup:
        wrk(server.port, path, script, warmup, work, name + "-warmup")
    if settle:
        settle()
    print(f"  {name}: {seconds} s ...", flush=True)
    before = cpu_snapshot(server.proc.pid, server.db_name)
    started = time.monotonic()
    result = wrk(server.port, path, script, seconds, work, name)
    result["cpu"] = cpu_used(before, cpu_snapshot(server.proc.pid, server.db_name))
    result["wall"] = time.monotonic() - started
    return Run(name, target, result, note)


def row(run: Run, hello_rps: float | None) -> list[Any]:
    r = run.result
    problems = r["non_2xx_3xx"] + r["connect"] + r["read"] + r["write"] + r["timeout"]
    if run.target is None:
        verdict, target = "info", "(info)"
    else:
        verdict, target = ("pass" if run.rps >= run.target and not problems else "FAIL"), f">= {run.target:.0f}/s"
    codes = " ".join(f"{k}:{v}" for k, v in sorted(r["codes"].items()))
    share = f"{100 * run.rps / hello_rps:.0f} %" if hello_rps else "100 %"
    scaled = f"{run.rps * REFERENCE_HELLO_RPS / hello_rps:.0f}" if hello_rps else "-"
    per_request = {kind: 1000 * used / max(1, r["requests"]) for kind, used in r["cpu"].items()}
    db_cpu = f"{per_request['db']:.1f}" if r["cpu"]["db"] > 0.05 else "-"
    other = f"{100 * r['cpu']['other'] / r['wall']:.0f} %"
    return [run.name, f"{run.rps:.0f}", f"{r['p50_us'] / 1000:.1f}", f"{r['p99_us'] / 1000:.1f}", r["requests"],
            codes, problems, r["set_cookie"], f"{per_request['app']:.1f}", db_cpu, other, share, scaled, target,
            verdict]


def uncached_runs(db: str, env: dict[str, str], work: Path, list_path: str, proposal_path: str, proposal_id: int,
                  comments: int, seconds: int, warmup: int) -> list[Run]:
    """The anonymous pages rendered for every request: what a visitor costs when the cache is cold."""
    server = Gunicorn("wsgi:app", REPO, {**env, "STENGAGE_PAGE_CACHE": "off"}, work, "uncached", database_name(db))
    try:
        server.wait_ready(list_path)
        cookie = anonymous_cookie(server.port, [list_path, proposal_path])
        return [measure(server, "list page 1, page cache off", list_path, get_script(cookie), seconds, warmup,
                        work, None),
                measure(server, f"proposal {proposal_id} ({comments} comments), page cache off", proposal_path,
                        get_script(cookie), seconds, warmup, work, None)]
    finally:
        server.stop()


def floor_run(db: str, env: dict[str, str], work: Path, sessions: list[dict[str, Any]], seconds: int,
              warmup: int) -> Run:
    """The residents POST to a route that does no work (benchmarks/floor.py): the support POST's ceiling."""
    server = Gunicorn("floor:app", HERE, env, work, "floor", database_name(db))
    try:
        server.wait_ready("/")
        return measure(server, "resident POST doing nothing (floor)", "/",
                       support_script(sessions, False, path="/_bench/floor"), seconds, warmup, work, None)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per endpoint (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds per endpoint (default 2)")
    parser.add_argument("--residents", type=int, default=32, help="logged-in residents for the POSTs")
    parser.add_argument("--fresh", action="store_true", help="rebuild the benchmark database first")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14",
                        help="Redis shared by the workers: page cache and rate limits (default db 14)")
    parser.add_argument("--uncached", action="store_true",
                        help="also load the anonymous pages from a server whose page cache is off")
    parser.add_argument("--resident-pages", action="store_true",
                        help="also load the list and proposal pages as a logged-in resident")
    args = parser.parse_args()
    seconds, warmup = max(1, min(args.seconds, 120)), max(0, min(args.warmup, 30))
    residents = max(THREADS * 8, min(args.residents, 400))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")

    data = seed(args.db, fresh=args.fresh)
    picks = pick_proposals(args.db, data)
    proposal_id, comments = picks[200]
    list_path = f"{data.list_path}?sort=supports"
    proposal_path = f"/proposals/{proposal_id}"
    print(f"\nload.py --db {args.db}  ({time.strftime('%Y-%m-%d %H:%M:%S')})")
    print(f"database: {database_url(args.db)}; process {data.process_id}: {data.proposals} proposals, "
          f"{data.supports} supports, {data.comments} comments; {data.note}")
    print(f"{machine_line()}; wrk and the server share these CPUs")
    print(f"gunicorn -w {WORKERS} (sync workers, access log off) on 127.0.0.1; wrk -t {THREADS} -c {CONNECTIONS} "
          f"-d {seconds}s after a {warmup} s warm-up; STENGAGE_ENV=production, cookies not Secure")
    print(f"workers share Redis ({args.redis}): the page cache (anonymous pages) and the rate limits")
    print(f"support POSTs: STENGAGE_RATELIMIT_SUPPORT={SUPPORT_LIMIT!r} (instead of '120 per minute'; the limiter "
          f"still runs), {residents} logged-in residents, each toggling support/withdraw on its own proposal")

    runs: list[Run] = []
    work = Path(tempfile.mkdtemp(prefix="stengage-load-"))
    try:
        print("logging residents in ...", flush=True)
        sessions = resident_sessions(args.db, data, residents)
        hello = Gunicorn("hello:app", HERE, app_env(args.db), work, "hello")
        try:
            hello.wait_ready("/")
            runs.append(measure(hello, "hello world (bare Flask)", "/", get_script(""), seconds, warmup, work,
                                None))
        finally:
            hello.stop()
        prefix = f"stengage-bench-{uuid.uuid4().hex[:8]}"
        env = app_env(args.db, STENGAGE_RATELIMIT_SUPPORT=SUPPORT_LIMIT, STENGAGE_REDIS_URL=args.redis,
                      STENGAGE_PAGE_CACHE="redis", STENGAGE_PAGE_CACHE_PREFIX=f"{prefix}:pages:",
                      STENGAGE_RATELIMIT_KEY_PREFIX=prefix)
        if args.uncached:
            runs += uncached_runs(args.db, env, work, list_path, proposal_path, proposal_id, comments, seconds, warmup)
        server = Gunicorn("wsgi:app", REPO, env, work, "stengage", database_name(args.db))
        try:
            server.wait_ready(list_path)
            cookie = anonymous_cookie(server.port, [list_path, proposal_path])
            check_sessions(args.db, server.port, sessions)
            runs.append(measure(server, "list ?sort=supports page 1", list_path, get_script(cookie), seconds,
                                warmup, work, 300))
            runs.append(measure(server, f"proposal {proposal_id} ({comments} comments)", proposal_path,
                                get_script(cookie), seconds, warmup, work, 200))
            if args.resident_pages:
                resident = sessions[0]["cookie"]
                runs.append(measure(server, "list page 1, resident", list_path, get_script(resident),
                                    seconds, warmup, work, 300))
                runs.append(measure(server, f"proposal {proposal_id}, resident", proposal_path,
                                    get_script(resident), seconds, warmup, work, 200))
            support_target = 300 if args.db == "postgresql" else None
            withdraw_all = functools.partial(restore, args.db, server.port, sessions)
            runs.append(measure(server, "support POST (form, 302)", "/", support_script(sessions, False),
                                seconds, warmup, work, support_target, settle=withdraw_all))
            runs.append(measure(server, "support POST (htmx fragment)", "/", support_script(sessions, True),
                                seconds, warmup, work, support_target, settle=withdraw_all))
            left = restore(args.db, server.port, sessions)
        finally:
            server.stop()
            errors = server.log.read_text(encoding="utf-8", errors="replace").strip() if server.log.exists() else ""
        runs.append(floor_run(args.db, env, work, sessions, seconds, warmup))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    hello_rps = runs[0].rps
    print("\nThroughput (requests/s over the measured seconds; latency as wrk sees it)")
    print_table(["endpoint", "requests/s", "p50 ms", "p99 ms", "requests", "HTTP codes", "errors", "new cookie",
                 "app CPU ms/req", "DB CPU ms/req", "other CPU", "vs hello", f"at {REFERENCE_HELLO_RPS:,}/s hello",
                 "target", "result"],
                [row(run, hello_rps) for run in runs])
    print("errors = non-2xx/3xx + socket errors; new cookie = responses that set a cookie (a flashed refusal "
          "would); app/DB CPU ms/req = CPU time of the gunicorn workers / of the PostgreSQL backends of the bench "
          "database during the run, per request; other CPU = what every other process on the machine used "
          "(% of one CPU; high = a busy machine, pessimistic numbers); at 6,500/s hello = requests/s x 6,500 / "
          "this run's hello world, the issue's yardstick (targets are judged on the measured requests/s); the "
          "support POST target applies to PostgreSQL only; the floor row is what a resident's POST costs before "
          "it does anything (session, user, CSRF, rate limit, redirect: benchmarks/floor.py)")
    print(f"supports of the bench residents left behind after the run: {left} (they withdraw at the end)")
    if errors:
        print("gunicorn error log (last lines):\n  " + "\n  ".join(errors.splitlines()[-10:]))
    missed = [run.name for run in runs if run.target is not None and row(run, hello_rps)[-1] != "pass"]
    print(f"{len(missed)} of {sum(run.target is not None for run in runs)} throughput targets missed"
          + (f": {', '.join(missed)}" if missed else ""))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

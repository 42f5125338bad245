"""Report and summary benchmarks: prints a table, asserts nothing.

Targets: a report over a process with 10,000 proposals, 200,000 supports and 100,000 comments
computes in under 2 s; the staff CSV summary over all areas stays under 200 MB peak memory.

    .venv/bin/python benchmarks/report_time.py [--db sqlite|postgresql] [--fresh]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = Path(os.environ.get("STENGAGE_BENCH_DIR", "/tmp/stengage-bench")) / "reports"  # noqa: S108
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/stengage_bench_reports")


def env(db: str) -> dict[str, str]:
    values = {**os.environ, "STENGAGE_ENV": "development", "STENGAGE_INSTANCE_PATH": str(BASE / db)}
    if db == "postgresql":
        values["STENGAGE_DATABASE_URL"] = PG_URL
    return values


def flask(db: str, *args: str) -> str:
    result = subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "wsgi", *args], cwd=ROOT, env=env(db),
                            capture_output=True, text=True, timeout=1800, check=True)
    return result.stdout


def analyze(db: str) -> None:
    """This server runs without autovacuum; a live one keeps statistics fresh, so measure with them."""
    if db == "postgresql":
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "stengage_bench_reports", "-c",
                        "VACUUM (ANALYZE)"], check=True, timeout=600)


def prepare(db: str, fresh: bool) -> None:
    marker = BASE / db / "seeded"
    if fresh:
        shutil.rmtree(BASE / db, ignore_errors=True)
        if db == "postgresql":
            subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c",
                            "DROP DATABASE IF EXISTS stengage_bench_reports"], check=True, timeout=60)
    if marker.exists():
        return
    (BASE / db).mkdir(parents=True, exist_ok=True)
    if db == "postgresql":
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c",
                        "CREATE DATABASE stengage_bench_reports"], check=False, timeout=60, capture_output=True)
    flask(db, "db", "upgrade")
    flask(db, "seed-demo", "--with-users")
    print(flask(db, "seed-bench", "--proposals", "10000", "--supports", "200000", "--comments", "100000").strip())
    marker.write_text("ok")


MEASURE = r"""
import json, resource, statistics, sys, time, tracemalloc
from sqlalchemy import select
from wsgi import app
from stengage.extensions import db
from stengage.accounts.models import User
from stengage.areas.models import Area, Process
from stengage.proposals.models import Proposal
from stengage.reports import content, export_files, operations
from stengage.reports.models import Report
from stengage.reports.summaries import SummaryQuery, rows

what = sys.argv[1]
with app.app_context():
    if what == "report":
        process = db.session.scalar(select(Process).where(Process.slug.like("benchmark-process%")).order_by(Process.id))
        report = db.session.scalar(select(Report).where(Report.process_id == process.id))
        admin = db.session.scalar(select(User).where(User.is_admin.is_(True)))
        if report is None:
            report = operations.create_report(admin, process.area, "Benchmark report", process=process)
            ids = list(db.session.scalars(select(Proposal.id).where(Proposal.process_id == process.id)
                                          .order_by(Proposal.id).limit(1000)))
            for n in range(5):
                theme = operations.add_theme(admin, report, f"Theme {n}")
                operations.assign(admin, theme, ids[n * 200:(n + 1) * 200], [])
            db.session.commit()
        times = []
        for _ in range(3):
            db.session.expire_all()
            started = time.perf_counter()
            operations.snapshot(report)
            times.append(time.perf_counter() - started)
        print(json.dumps({"median_s": statistics.median(times), "max_s": max(times)}))
    else:
        areas = tuple(db.session.scalars(select(Area.id)))
        tracemalloc.start()
        started = time.perf_counter()
        body = export_files.write_csv(rows(SummaryQuery(area_ids=areas)))
        elapsed = time.perf_counter() - started
        python_peak = tracemalloc.get_traced_memory()[1]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(json.dumps({"seconds": elapsed, "python_peak": python_peak, "rss_peak": rss, "bytes": len(body)}))
"""


def measure(db: str, what: str) -> dict[str, float]:
    result = subprocess.run([sys.executable, "-c", MEASURE, what], cwd=ROOT, env=env(db), capture_output=True,
                            text=True, timeout=1800, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    lines = []
    for db in dbs:
        prepare(db, args.fresh)
        analyze(db)
        report = measure(db, "report")
        summary = measure(db, "summary")
        lines.append((db, "report (10k proposals, 200k supports, 100k comments)",
                      f"{report['median_s'] * 1000:.0f} ms median", "< 2000 ms",
                      "pass" if report["median_s"] < 2 else "FAIL"))
        lines.append((db, "staff CSV summary, all areas", f"{summary['rss_peak'] / 2**20:.0f} MB peak RSS "
                      f"({summary['python_peak'] / 2**20:.1f} MB Python, {summary['seconds']:.1f} s)", "< 200 MB",
                      "pass" if summary["rss_peak"] < 200 * 2**20 else "FAIL"))
    widths = [max(len(str(line[i])) for line in [("db", "measure", "result", "target", ""), *lines]) for i in range(5)]
    header = ("db", "measure", "result", "target", "")
    for line in [header, tuple("-" * w for w in widths), *lines]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)))



if __name__ == "__main__":
    main()

"""Report and summary benchmarks: prints a table, asserts nothing.

Targets: a report over a process with 10,000 proposals, 200,000 supports and 100,000 comments
computes in under 2 s; the staff CSV summary over all areas stays under 200 MB peak memory, and so
does writing the XLSX workbook from the same rows; and
with ``--baseline`` another checkout (e.g. the code before a change) is measured in the same run,
alternately, so that "within 10 % of before" is judged on one machine state.

    .venv/bin/python benchmarks/report_time.py [--db sqlite|postgresql] [--fresh]
        [--baseline PATH_TO_OTHER_CHECKOUT] [--rounds N]

Each measurement also times a bare Flask "hello world" in the same process, and the table gives
every time as a ratio to it: the machine is shared and its speed swings.

Its databases are its own (``$STENGAGE_BENCH_DIR/reports`` and ``stengage_bench_reports``): the report
and themes it adds stay out of the data the page benchmarks measure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import _common
from _common import REPO, BenchData, app_env, print_table, seed

# Before any helper of _common looks at them: every path and URL below is this benchmark's own.
os.environ["STENGAGE_BENCH_DIR"] = str(_common.bench_dir() / "reports")
os.environ["BENCH_PG_URL"] = os.environ.get(
    "BENCH_REPORTS_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/stengage_bench_reports")


MEASURE = r"""
import json, resource, secrets, statistics, sys, time, tracemalloc
from sqlalchemy import select
from wsgi import app
from stengage.extensions import db
from stengage.accounts import operations as account_ops
from stengage.areas.models import Area, Process
from stengage.proposals.models import Proposal
from stengage.reports import content, export_files, operations
from stengage.reports.models import Report
from stengage.reports.summaries import SummaryQuery, rows

from flask import Flask

what, process_id = sys.argv[1], int(sys.argv[2])
hello = Flask("hello")
hello.add_url_rule("/", "hello", lambda: "Hello, world!")
with hello.test_client() as client:
    laps = []
    for _ in range(7):
        started = time.perf_counter()
        for _ in range(300):
            client.get("/")
        laps.append((time.perf_counter() - started) / 300)
hello_s = statistics.median(laps)
with app.app_context():
    if what == "report":
        process = db.session.get(Process, process_id)
        report = db.session.scalar(select(Report).where(Report.process_id == process.id))
        if report is None:
            admin = account_ops.find_user_by_email("report-bench@example.org") or account_ops.create_user(
                "report-bench@example.org", "Report benchmark", secrets.token_urlsafe(24), admin=True)
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
        print(json.dumps({"median_s": statistics.median(times), "max_s": max(times), "hello_s": hello_s}))
    else:
        query = SummaryQuery(area_ids=tuple(db.session.scalars(select(Area.id))))
        try:  # the metrics layer's rows; a baseline checkout from before it writes records
            from stengage.reports.summaries import summary as read_summary
        except ImportError:
            read_summary = rows
        started = time.perf_counter()  # timed without tracemalloc: it slows every Python allocation
        counted = list(read_summary(query))
        body = export_files.write_csv(counted)
        elapsed = time.perf_counter() - started
        tracemalloc.start()  # then once more for the Python peak
        export_files.write_csv(list(read_summary(query)))
        python_peak = tracemalloc.get_traced_memory()[1]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        result = {"seconds": elapsed, "python_peak": python_peak, "rss_peak": rss, "bytes": len(body),
                  "rows": len(counted), "hello_s": hello_s}
        try:
            from stengage.reports import xlsx
        except ImportError:
            xlsx = None
        if xlsx is not None:  # the workbook from the same counted rows: what writing it adds
            tracemalloc.reset_peak()
            started = time.perf_counter()
            book = xlsx.write_xlsx(counted, export_files.describe(query))
            result.update(xlsx_seconds=time.perf_counter() - started,
                          xlsx_python_peak=tracemalloc.get_traced_memory()[1],
                          xlsx_rss_peak=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                          xlsx_bytes=len(book))
        print(json.dumps(result))
"""


def measure(data: BenchData, what: str, checkout: Path = REPO) -> dict[str, Any]:
    result = subprocess.run([sys.executable, "-c", MEASURE, what, str(data.process_id)], cwd=checkout,
                            env=app_env(data.db), capture_output=True, text=True, timeout=1800, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _ratio(seconds: float, hello_s: float) -> str:
    return f"{seconds / hello_s:,.0f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--baseline", type=Path, help="another checkout, measured alternately with this one")
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds per checkout")
    args = parser.parse_args()
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    checkouts = [("this", REPO)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    rows = []
    for db in dbs:
        data = seed(db, fresh=args.fresh)
        results: dict[str, dict[str, list[dict[str, Any]]]] = {name: {"report": [], "summary": []}
                                                               for name, _ in checkouts}
        for _ in range(args.rounds):
            for name, path in checkouts:  # alternately, so both see the same machine
                for what in ("report", "summary"):
                    results[name][what].append(measure(data, what, path))
        ratios: dict[str, dict[str, float]] = {}
        for name, _ in checkouts:
            report = min(results[name]["report"], key=lambda r: r["median_s"] / r["hello_s"])
            summary = min(results[name]["summary"], key=lambda r: r["seconds"] / r["hello_s"])
            ratios[name] = {"report": report["median_s"] / report["hello_s"],
                            "summary": summary["seconds"] / summary["hello_s"]}
            hello = f"hello {report['hello_s'] * 1e6:.0f} µs"
            rows.append([db, name, "report (10k proposals, 200k supports, 100k comments)",
                         f"{report['median_s'] * 1000:.0f} ms ({hello})", _ratio(report["median_s"], report["hello_s"]),
                         "< 2000 ms", "pass" if report["median_s"] < 2 else "FAIL"])
            peak_mb = summary["rss_peak"] / 2**20
            detail = f"{summary['python_peak'] / 2**20:.1f} MB Python, {summary['seconds']:.2f} s"
            rows.append([db, name, "staff CSV summary, all areas", f"{peak_mb:.0f} MB peak RSS ({detail})",
                         _ratio(summary["seconds"], summary["hello_s"]), "< 200 MB",
                         "pass" if peak_mb < 200 else "FAIL"])
            if "xlsx_rss_peak" in summary:
                peak_mb = summary["xlsx_rss_peak"] / 2**20
                detail = (f"{summary['xlsx_python_peak'] / 2**20:.1f} MB Python, {summary['xlsx_seconds']:.2f} s "
                          f"to write {summary['rows']} rows")
                rows.append([db, name, "staff XLSX summary, all areas (after counting)",
                             f"{peak_mb:.0f} MB peak RSS ({detail})", "", "< 200 MB",
                             "pass" if peak_mb < 200 else "FAIL"])
        if args.baseline:  # measured alternately, so both saw the same machine: compare the times
            for what, key in (("report", "median_s"), ("summary", "seconds")):
                this = min(r[key] for r in results["this"][what])
                before = min(r[key] for r in results["baseline"][what])
                change = this / before - 1
                hello = ratios["this"][what] / ratios["baseline"][what] - 1
                rows.append([db, "this vs baseline", what,
                             f"{change:+.1%} (best of {args.rounds}; {hello:+.1%} as ratios to hello world)", "",
                             "within +10 %", "pass" if change <= 0.10 else "FAIL"])
    print_table(["db", "checkout", "measure", "result", "vs hello", "target", ""], rows)


if __name__ == "__main__":
    main()

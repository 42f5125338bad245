"""The embedded default over HTTP: what a person gets from `make run` with a large process.

Starts ``flask run`` (development settings, SQLite) on an instance folder that holds a seeded
database, asks each page over HTTP in turn, round after round, and prints the median and p95
time per page and the size of each answer. Targets (issue: the embedded default at scale): list
page 1, page 500, a search and the proposal with the most comments < 20 ms median; the map of
the process and each of its ``map.json`` answers < 100 KB.

    # once: an instance with the demo areas and the bulk data
    export STENGAGE_ENV=development STENGAGE_INSTANCE_PATH=/tmp/embedded
    .venv/bin/flask --app wsgi db upgrade && .venv/bin/flask --app wsgi seed-demo --if-empty
    .venv/bin/flask --app wsgi seed-bench --proposals 10000 --supports 200000 --comments 100000
    # then
    .venv/bin/python benchmarks/embedded_http.py --instance /tmp/embedded
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import BIN, REPO, print_table


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str) -> tuple[float, int, int]:
    """Milliseconds, status and size of one GET on a new connection (as a browser's first visit)."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Accept-Language": "en"})
    answer = connection.getresponse()
    body = answer.read()
    connection.close()
    return (time.perf_counter() - start) * 1000, answer.status, len(body)


def _pages(instance: Path) -> list[tuple[str, str, str]]:
    """(name, path, target) of each page, found in the instance's database."""
    db = sqlite3.connect(instance / "stengage.db")
    area, process_slug, process_id = db.execute(
        "SELECT area.slug, process.slug, process.id FROM process JOIN area ON area.id = process.area_id "
        "ORDER BY (SELECT count(*) FROM proposal WHERE proposal.process_id = process.id) DESC LIMIT 1").fetchone()
    busiest = db.execute("SELECT id, comment_count FROM proposal WHERE process_id = ? "
                         "ORDER BY comment_count DESC LIMIT 1", (process_id,)).fetchone()
    bounds = db.execute("SELECT bounds_south, bounds_west, bounds_north, bounds_east FROM area WHERE slug = ?",
                        (area,)).fetchone()
    db.close()
    base = f"/areas/{area}/processes/{process_slug}"
    south, west, north, east = bounds
    mid_lat, mid_lng = (south + north) / 2, (west + east) / 2
    return [
        ("list ?sort=supports page 1", f"{base}?sort=supports", "< 20 ms"),
        ("list ?sort=supports page 500", f"{base}?sort=supports&page=500", "< 20 ms"),
        ("search ?q=solar roof", f"{base}?q=solar+roof", "< 20 ms"),
        (f"proposal {busiest[0]} ({busiest[1]} comments)", f"/proposals/{busiest[0]}", "< 20 ms"),
        ("map page", f"{base}/map", "< 100 KB"),
        ("map.json, the whole area", f"{base}/map.json?bbox={south},{west},{north},{east}", "< 100 KB"),
        ("map.json, a quarter of it", f"{base}/map.json?bbox={south},{west},{mid_lat},{mid_lng}", "< 100 KB"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instance", type=Path, required=True, help="instance folder with a seeded stengage.db")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--checkout", type=Path, default=REPO,
                        help="serve the application of this checkout (to compare two commits on one machine)")
    args = parser.parse_args()

    port = _free_port()
    env = {**os.environ, "STENGAGE_ENV": "development", "STENGAGE_INSTANCE_PATH": str(args.instance),
           "PYTHONPATH": str(args.checkout)}
    server = subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", str(port)],
                              cwd=args.checkout, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                _get(port, "/")
                break
            except OSError:
                time.sleep(0.2)
        pages = _pages(args.instance)
        hello = [_get(port, "/favicon.ico")[0] for _ in range(args.rounds)]
        times: dict[str, list[float]] = {name: [] for name, _path, _target in pages}
        sizes: dict[str, int] = {}
        for _name, path, _target in pages:  # warm-up
            _get(port, path)
        for _ in range(args.rounds):  # pages in turn: a slow spell of the machine hits all alike
            for name, path, _target in pages:
                ms, status, size = _get(port, path)
                if status != 200:
                    sys.exit(f"{path} answered {status}")
                times[name].append(ms)
                sizes[name] = max(size, sizes.get(name, 0))
        rows = [["redirect /favicon.ico (reference)", f"{statistics.median(hello):.2f}", "", "", "(reference)", "info"]]
        for name, _path, target in pages:
            median = statistics.median(times[name])
            p95 = sorted(times[name])[int(len(times[name]) * 0.95) - 1]
            kib = sizes[name] / 1024
            ok = kib < 100 if "KB" in target else median < 20
            rows.append([name, f"{median:.2f}", f"{p95:.2f}", f"{kib:.1f} KiB", target, "pass" if ok else "FAIL"])
        print(f"embedded default over HTTP: flask run of {args.checkout}, SQLite at {args.instance}, "
              f"{args.rounds} rounds, a new connection per request")
        print_table(["page", "median ms", "p95 ms", "largest answer", "target", "result"], rows)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()

"""Server time and SQL queries per page, measured inside one process with Flask's test client.

    .venv/bin/python benchmarks/server_time.py --db sqlite
    .venv/bin/python benchmarks/server_time.py --db postgresql --profile failing

Target (the issue): with 10,000 proposals, 200,000 supports and 100,000 comments in one process, the
list sorted by supports (page 1 and page 500), a search and a proposal page with 200 comments each
render in under 20 ms median server time, with a constant number of SQL queries whatever the page
size or comment count. Prints tables; never fails (exit code 0 unless the benchmark itself breaks).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import (
    AREA,
    CSRF,
    SUPPORT_LIMIT,
    BenchData,
    cpu_snapshot,
    cpu_used,
    database_name,
    database_url,
    engine_for,
    machine_line,
    pick_proposals,
    print_table,
    resident_emails,
    seed,
)
from _inprocess import Page, QueryCounter, build_app, count_queries, log_in, show_sql, with_per_page
from _profiling import profile

TARGET_MS = 20.0


@dataclass
class Result:
    page: Page
    times_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    queries: set[int] = field(default_factory=set)
    status: set[int] = field(default_factory=set)
    bytes: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure_all(counter: QueryCounter, clients: dict[str, Any], pages: list[Page], reps: int, warmup: int,
                max_seconds: float) -> list[Result]:
    """Round robin: each round requests every page once, so a slow spell of the machine hits all pages
    alike. A page stops after ``reps`` requests or ``max_seconds`` of its own time."""
    results = [Result(page) for page in pages]
    spent = [0.0] * len(pages)
    for page in pages:
        undo = page.setup() if page.setup else None
        try:
            for _ in range(warmup):
                page.send(clients[page.client])
        finally:
            if undo:
                undo()
    for _ in range(reps):
        for i, (page, result) in enumerate(zip(pages, results, strict=True)):
            if spent[i] > max_seconds:
                continue
            undo = page.setup() if page.setup else None
            try:
                counter.reset()
                started = time.perf_counter()
                response = page.send(clients[page.client])
                elapsed = time.perf_counter() - started
            finally:
                if undo:
                    undo()
            spent[i] += elapsed
            result.times_ms.append(elapsed * 1000)
            result.sql_ms.append(counter.seconds * 1000)
            result.queries.add(counter.count)
            result.status.add(response.status_code)
            result.bytes = len(response.data)
    return results


def support_toggle(proposal_id: int) -> Callable[[], str]:
    """Support, withdraw, support, ...: every POST the opposite of the one before."""
    supported = [False]

    def url() -> str:
        verb = "withdraw-support" if supported[0] else "support"
        supported[0] = not supported[0]
        return f"/proposals/{proposal_id}/{verb}"

    return url


def unsupported_proposals(db: str, data: BenchData, email: str) -> list[int]:
    """The two most supported proposals that this resident does not support yet."""
    from sqlalchemy import select

    from stengage.accounts.models import User
    from stengage.proposals.models import Proposal, Support

    engine = engine_for(db)
    with engine.connect() as conn:
        user_id = conn.scalar(select(User.id).where(User.email == email))
        mine = select(Support.proposal_id).where(Support.user_id == user_id)
        ids = list(conn.scalars(select(Proposal.id).where(Proposal.process_id == data.process_id,
                                                          Proposal.id.not_in(mine))
                                .order_by(Proposal.support_count.desc(), Proposal.id).limit(2)))
    engine.dispose()
    return ids


def pages_for(data: BenchData, picks: dict[str, Any], support: tuple[list[int], str]
              ) -> tuple[list[Page], list[tuple[str, list[Page]]]]:
    lst = data.list_path
    (form_id, htmx_id), csrf = support
    p200, n200 = picks[200]
    pmax, nmax = picks["max"]
    timed = [
        Page("list-p1", "list ?sort=supports page 1", f"{lst}?sort=supports"),
        Page("list-p500", "list ?sort=supports page 500", f"{lst}?sort=supports&page=500"),
        Page("search", "search ?q=solar roof", f"{lst}?q=solar+roof"),
        Page("proposal-200", f"proposal {p200} ({n200} comments)", f"/proposals/{p200}"),
        Page("list-p1-resident", "list page 1, logged-in resident", f"{lst}?sort=supports", "resident"),
        Page("proposal-200-resident", f"proposal {p200} ({n200} comments), resident", f"/proposals/{p200}",
             "resident"),
        Page("list-comments", "list ?sort=comments page 1", f"{lst}?sort=comments", target=False),
        Page("list-newest", "list ?sort=newest page 1", f"{lst}?sort=newest", target=False),
        Page("list-random", "list ?sort=random page 1", f"{lst}?sort=random", target=False),
        Page("list-random-p500", "list ?sort=random page 500", f"{lst}?sort=random&page=500", target=False),
        Page("proposal-max", f"proposal {pmax} ({nmax} comments)", f"/proposals/{pmax}", target=False),
        Page("support-form", f"support POST {form_id} (form, 302), resident", f"/proposals/{form_id}/support",
             "resident", target=False, form=lambda: {"csrf_token": csrf}, post_to=support_toggle(form_id)),
        Page("support-htmx", f"support POST {htmx_id} (htmx), resident", f"/proposals/{htmx_id}/support",
             "resident", target=False, form=lambda: {"csrf_token": csrf}, post_to=support_toggle(htmx_id),
             headers={"HX-Request": "true"}),
    ]
    groups: list[tuple[str, list[Page]]] = []
    lists = [
        Page("pp5", "list page 1, 5 per page", f"{lst}?sort=supports", setup=with_per_page(5)),
        Page("pp20", "list page 1, 20 per page (default)", f"{lst}?sort=supports"),
        Page("pp100", "list page 1, 100 per page", f"{lst}?sort=supports", setup=with_per_page(100)),
        Page("p500", "list page 500, 20 per page", f"{lst}?sort=supports&page=500"),
        Page("p500pp100", "list page 100, 100 per page", f"{lst}?sort=supports&page=100",
             setup=with_per_page(100)),
        Page("search", "search ?q=solar roof, 20 per page", f"{lst}?q=solar+roof"),
        Page("search100", "search ?q=solar roof, 100 per page", f"{lst}?q=solar+roof", setup=with_per_page(100)),
    ]
    groups.append(("list, anonymous", lists))
    groups.append(("list, resident", [Page(p.key + "-r", p.label, p.url, "resident", setup=p.setup)
                                      for p in lists]))
    for client, who in (("anon", "anonymous"), ("resident", "resident")):
        groups.append((f"proposal, {who}", [
            Page(f"c{want}-{client}", f"proposal {pid} ({n} comments)", f"/proposals/{pid}", client)
            for want, (pid, n) in picks.items()]))
    return timed, groups


def _constancy(pages: list[Page], counts: list[int]) -> str:
    """Pass when the count does not grow with the page size or the thread; an empty thread may save one."""
    if len(set(counts)) == 1:
        return "pass"
    empty = [c for p, c in zip(pages, counts, strict=True) if p.label.endswith("(0 comments)")]
    rest = [c for p, c in zip(pages, counts, strict=True) if not p.label.endswith("(0 comments)")]
    if len(set(rest)) == 1 and all(c < rest[0] for c in empty):
        return f"pass ({rest[0] - max(empty)} query fewer without comments)"
    return "FAIL (count varies)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--reps", type=int, default=100, help="timed requests per page (default 100)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--max-seconds", type=float, default=15.0, help="time budget per page")
    parser.add_argument("--fresh", action="store_true", help="rebuild the benchmark database first")
    parser.add_argument("--profile", action="append", default=[], metavar="KEY",
                        help="profile a page with pyinstrument: a page key, 'failing' or 'all' (repeatable)")
    parser.add_argument("--page-cache", choices=("off", "memory"), default="off",
                        help="off (default): every request renders its page; memory: anonymous pages come "
                             "from the page cache after the first request")
    parser.add_argument("--redis", default=None, metavar="URL",
                        help="rate limits in this Redis (as with several workers) instead of in memory")
    parser.add_argument("--only", action="append", default=[], metavar="KEY",
                        help="time only these pages (repeatable) and skip the query-count table")
    parser.add_argument("--profile-reps", type=int, default=40)
    parser.add_argument("--profile-dir", type=Path, default=None)
    parser.add_argument("--show-sql", action="append", default=[], metavar="KEY",
                        help="print the SQL statements of a timed page (repeatable)")
    args = parser.parse_args()
    reps, warmup = max(5, min(args.reps, 5000)), max(0, min(args.warmup, 100))
    max_seconds = max(1.0, min(args.max_seconds, 300.0))

    data = seed(args.db, fresh=args.fresh)
    picks = pick_proposals(args.db, data)
    app, counter = build_app(args.db, args.page_cache, args.redis)
    email = resident_emails(args.db, data, 1)[0]
    clients = {"anon": app.test_client(), "resident": log_in(app, email)}
    support_ids = unsupported_proposals(args.db, data, email)
    token = CSRF.search(clients["resident"].get(f"/proposals/{support_ids[0]}").get_data(as_text=True))
    if token is None:
        raise SystemExit("no CSRF token on the proposal page")
    timed, groups = pages_for(data, picks, (support_ids, token.group(1)))
    if args.only:
        timed, groups = [p for p in timed if p.key in args.only], []

    print(f"\nserver_time.py --db {args.db}  ({time.strftime('%Y-%m-%d %H:%M:%S')})")
    print(f"database: {database_url(args.db)}; process {data.process_id}: {data.proposals} proposals, "
          f"{data.supports} supports, {data.comments} comments; area {AREA}")
    print(data.note)
    print(f"{machine_line()}; STENGAGE_ENV=production (cookies not Secure); Flask test client in one "
          f"process; {reps} timed requests per page (at most {max_seconds:.0f} s) after {warmup} warm-up")
    print(f"page cache: {args.page_cache}; rate limits: {args.redis or 'in memory'}")
    print(f"resident = logged-in verified resident {email}; support POSTs alternate support and withdraw "
          f"(STENGAGE_RATELIMIT_SUPPORT={SUPPORT_LIMIT!r} here, the limiter still runs)\n")

    cpu_before, wall_started = cpu_snapshot(None, database_name(args.db)), time.monotonic()
    from hello import app as hello_app

    clients["hello"] = hello_app.test_client()
    hello = Page("hello", "hello world (bare Flask, reference)", "/", "hello", target=False)
    results = measure_all(counter, clients, [hello, *timed], reps, warmup, max_seconds)
    busy = cpu_used(cpu_before, cpu_snapshot(None, database_name(args.db)))
    other_share = 100 * busy["other"] / max(0.001, time.monotonic() - wall_started)
    rows = []
    for r in results:
        queries = "/".join(str(q) for q in sorted(r.queries))
        expected = {302} if r.page.form is not None and not r.page.headers else {200}
        if r.page.target:
            ok = r.median < TARGET_MS and r.status == expected
            verdict = "pass" if ok else "FAIL"
            target = f"< {TARGET_MS:.0f} ms"
        else:
            verdict = "info" if r.status == expected else "FAIL"
            target = "(reference)" if r.page.client == "hello" else "(info)"
        if r.status != expected:
            verdict += f" HTTP {sorted(r.status)}"
        rows.append([r.page.label, f"{r.median:.2f}", f"{r.p95:.2f}", queries, f"{statistics.median(r.sql_ms):.2f}",
                     f"{r.bytes // 1024} KiB", len(r.times_ms), target, verdict])
    print("Server time per page (median and p95 of the whole request in the test client, pages requested in "
          "turn; SQL queries = statements per request, a/b when they differ between requests; SQL ms = median "
          "time in cursor.execute)")
    print_table(["page", "median ms", "p95 ms", "SQL queries", "SQL ms", "HTML", "n", "target", "result"], rows)
    print(f"while timing, other processes on the machine used {other_share:.0f} % of one CPU"
          + (" - a busy machine: these numbers are pessimistic" if other_share > 25 else ""))

    print("\nSQL queries per request, by page size and comment count (target: constant within each group)")
    qrows = []
    for name, pages in groups:
        counts = []
        for page in pages:
            count, status, _ = count_queries(app, counter, clients, page)
            counts.append(count)
            qrows.append([name, page.label, count, "" if status == 200 else f"HTTP {status}"])
        qrows.append([name, "-> constant?", f"{min(counts)}..{max(counts)}", _constancy(pages, counts)])
    print_table(["group", "variant", "queries", "result"], qrows)

    for key in args.show_sql:
        page = next((p for p in timed if p.key == key), None)
        if page is None:
            print(f"--show-sql: no page {key!r}; keys: {', '.join(p.key for p in timed)}")
            continue
        show_sql(app, counter, clients, page)

    wanted = set(args.profile)
    to_profile = [r for r in results
                  if r.page.client != "hello"
                  and ("all" in wanted or r.page.key in wanted
                       or ("failing" in wanted and r.page.target and r.median >= TARGET_MS))]
    out_dir = args.profile_dir or Path(app.instance_path) / "profiles"
    for r in to_profile:
        profile(app, clients, r.page, max(1, min(args.profile_reps, 1000)), out_dir, r.median)
    for proposal_id in support_ids:  # leave no support behind
        clients["resident"].post(f"/proposals/{proposal_id}/withdraw-support", data={"csrf_token": token.group(1)})
    failing = [r.page.label for r in results if r.page.target and (r.median >= TARGET_MS or r.status != {200})]
    print(f"\n{len(failing)} of {sum(r.page.target for r in results)} timed targets missed"
          + (f": {', '.join(failing)}" if failing else ""))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

"""Prepare the benchmark database: ``python benchmarks/seed.py --db sqlite|postgresql|both [--fresh]``.

Idempotent: a database that holds the benchmark data already is reused; ``--fresh`` drops it and
rebuilds it (migrations, ``seed-demo``, ``seed-bench``). SQLite lives in
``$STENGAGE_BENCH_DIR/sqlite/`` (default ``/tmp/stengage-bench``); PostgreSQL in the database
``stengage_bench`` on 127.0.0.1 (override with ``BENCH_PG_URL``).
"""

from __future__ import annotations

import argparse
import time

from _common import DEFAULT_SIZES, database_url, pick_proposals, seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the benchmark database")
    for name, default in DEFAULT_SIZES.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args()
    sizes = {name: getattr(args, name) for name in DEFAULT_SIZES}
    for db in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        started = time.perf_counter()
        data = seed(db, fresh=args.fresh, sizes=sizes)
        print(f"{db}: {database_url(db)}")
        print(f"  process {data.process_id} ({data.process_slug}): {data.proposals} proposals, "
              f"{data.supports} supports, {data.comments} comments  [{time.perf_counter() - started:.1f} s]")
        print(f"  {data.note}")
        print(f"  list: {data.list_path}")
        for want, (proposal_id, count) in pick_proposals(db, data).items():
            print(f"  proposal with ~{want} comments: /proposals/{proposal_id} ({count} comments)")


if __name__ == "__main__":
    main()

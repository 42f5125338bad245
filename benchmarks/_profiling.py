"""Profiling one benchmark page with pyinstrument: call tree, top functions, and where the time goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from _common import print_table


def profile(app: Any, clients: dict[str, Any], page: Any, reps: int, out_dir: Path, median_ms: float) -> None:
    from pyinstrument import Profiler

    undo = page.setup() if page.setup else None
    client = clients[page.client]
    try:
        page.send(client)
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(reps):
            page.send(client)
        profiler.stop()
    finally:
        if undo:
            undo()
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"{page.key}"
    tree = profiler.output_text(unicode=False, color=False, time="percent_of_total",
                                processor_options={"filter_threshold": 0.015})
    flat = profiler.output_text(unicode=False, color=False, flat=True, time="percent_of_total")
    stem.with_suffix(".txt").write_text(tree + "\n\n" + flat, encoding="utf-8")
    stem.with_suffix(".html").write_text(profiler.output_html(), encoding="utf-8")
    if profiler.last_session is not None:
        profiler.last_session.save(str(stem.with_suffix(".pyisession")))
    print(f"\n=== profile: {page.label} ({reps} requests; full text {stem}.txt, html {stem}.html, "
          f"session {stem}.pyisession for `pyinstrument --load`) ===")
    if profiler.last_session is not None:
        print("--- where the time goes: own time of each frame, by the innermost library / template / module; "
              f"ms = share x the unprofiled median ({median_ms:.2f} ms) ---")
        print_table(["bucket", "share", "~ms of the median"], breakdown(profiler.last_session, median_ms))
    print("--- call tree (share of total time, branches under 1.5 % hidden) ---")
    lines = _without_banner(tree)
    print("\n".join(lines[:90]) + ("\n  [...]" if len(lines) > 90 else ""))
    print("--- top functions by self time ---")
    print("\n".join(_without_banner(flat)[:25]))


def _without_banner(text: str) -> list[str]:
    lines = text.splitlines()
    start = next((i + 1 for i, line in enumerate(lines) if line.startswith("Profile at ")), 0)
    return [line for line in lines[start:] if line.strip()]


DRIVER_FUNCTIONS = {"execute", "executemany", "fetchall", "fetchone", "fetchmany", "Cursor.execute",
                    "Cursor.fetchall", "Cursor.fetchone", "Cursor.fetchmany", "Connection.commit",
                    "Connection.rollback"}


def _bucket(file: str, function: str) -> str | None:
    """Where a frame's own time belongs; None lets the caller's frame decide (template engines)."""
    path = file.replace("\\", "/")
    if "psycopg" in path or ("<built-in>" in path and function in DRIVER_FUNCTIONS):
        return "database driver (execute, fetch, commit)"
    if "/sqlalchemy/" in path:
        return "SQLAlchemy (build, compile, load rows)"
    if "/babel/numbers" in path or "/babel/dates" in path or function in ("short_datetime", "format_number") \
            or ("flask_babel" in path and function.startswith("format_")):
        return "Babel number and date formatting"
    if "flask_babel" in path or "/jinja2/ext.py" in path or path.endswith("/gettext.py") or "/babel/support" in path:
        return "translations (gettext, ngettext, lazy strings)"
    if "/wtforms/" in path or "/flask_wtf/" in path:
        return "WTForms (forms, fields, widgets, CSRF)"
    if function.endswith("url_for") or "/werkzeug/routing" in path:
        return "url_for and routing"
    if "/templates/" in path:
        return "template " + path.split("/templates/")[-1]
    if "/stengage/" in path:
        return "stengage/" + path.split("/stengage/")[-1]
    if "/jinja2/" in path or "/markupsafe/" in path or "/babel/" in path:
        return None
    if "site-packages/" in path:
        return path.split("site-packages/")[-1].split("/")[0].split(".")[0]
    return None


def breakdown(session: Any, median_ms: float) -> list[list[Any]]:
    """Own time of every sampled frame, put in the bucket of the innermost frame that has one."""
    totals: dict[str, float] = {}
    root = session.root_frame()
    stack = [root]
    while stack:
        frame = stack.pop()
        stack.extend(frame.children)
        own = frame.time - sum(child.time for child in frame.children)
        if own <= 0:
            continue
        bucket, walk = None, (frame.parent if frame.is_synthetic else frame)
        while walk is not None and bucket is None:
            bucket = _bucket(walk.file_path or "", walk.function or "")
            walk = walk.parent
        bucket = bucket or "Flask, Werkzeug, test client, other"
        totals[bucket] = totals.get(bucket, 0.0) + own
    whole = sum(totals.values()) or 1.0
    ordered = sorted(totals.items(), key=lambda item: -item[1])
    return [[name, f"{100 * t / whole:.1f} %", f"{median_ms * t / whole:.2f}"]
            for name, t in ordered if t / whole >= 0.005]

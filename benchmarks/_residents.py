"""Logged-in bench residents and anonymous visitors' cookies for the load runs; the support POST's
before/after checks."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

from _common import CSRF, BenchData, app_env, apply_env, engine_for, resident_emails
from _gunicorn import request
from _wrk import COOKIE, USER_AGENT


def anonymous_cookie(port: int, paths: list[str]) -> str:
    """A returning visitor's cookie (shuffle seed and CSRF token set), as a browser sends it."""
    cookie = ""
    for _ in range(2):
        for path in paths:
            status, headers, _ = request(port, "GET", path, {"Cookie": f"{COOKIE}={cookie}"} if cookie else {})
            if status != 200:
                raise SystemExit(f"GET {path}: HTTP {status}")
            match = re.search(rf"{COOKIE}=([^;]+)", headers.get("set-cookie", ""))
            if match:
                cookie = match.group(1)
    return cookie


def resident_sessions(db: str, data: BenchData, count: int) -> list[dict[str, Any]]:
    """Residents logged in through the login form of an in-process app, each with a proposal that
    it does not support yet (among the most supported ones, one proposal per resident)."""
    from sqlalchemy import select

    from stengage import create_app
    from stengage.accounts.models import User
    from stengage.devtools.bench_data import BENCH_PASSWORD
    from stengage.proposals.models import Proposal, Support

    apply_env(app_env(db))
    app = create_app({"RATELIMIT_ENABLED": False})
    emails = resident_emails(db, data, count)
    engine = engine_for(db)
    with engine.connect() as conn:
        users = dict(conn.execute(select(User.email, User.id).where(User.email.in_(emails))).all())
        top = list(conn.scalars(select(Proposal.id).where(Proposal.process_id == data.process_id)
                                .order_by(Proposal.support_count.desc(), Proposal.id).limit(count * 4)))
        taken = set(conn.execute(select(Support.user_id, Support.proposal_id).where(
            Support.user_id.in_(list(users.values())), Support.proposal_id.in_(top))).all())
    engine.dispose()
    free = list(top)
    plan = []
    for email in emails:
        pid = next(p for p in free if (users[email], p) not in taken)
        free.remove(pid)
        plan.append((email, users[email], pid))

    def log_in(entry: tuple[str, int, int]) -> dict[str, Any]:
        email, user_id, pid = entry
        client = app.test_client()
        environ = {"REMOTE_ADDR": "127.0.0.1"}
        headers = {"User-Agent": USER_AGENT}
        page = client.get("/account/login", environ_base=environ, headers=headers).get_data(as_text=True)
        token = CSRF.search(page)
        answer = client.post("/account/login", environ_base=environ, headers=headers, data={
            "csrf_token": token.group(1) if token else "", "email": email, "password": BENCH_PASSWORD})
        if answer.status_code != 302:
            raise SystemExit(f"login of {email} failed: HTTP {answer.status_code}")
        # The list page puts the shuffle seed into the session: afterwards the cookie stays the same.
        client.get(f"{data.list_path}?sort=supports", environ_base=environ, headers=headers)
        page = client.get(f"/proposals/{pid}", environ_base=environ, headers=headers).get_data(as_text=True)
        token = CSRF.search(page)
        cookie = client.get_cookie(COOKIE)
        if token is None or cookie is None:
            raise SystemExit(f"no session or CSRF token for {email}")
        return {"email": email, "user_id": user_id, "proposal_id": pid, "cookie": cookie.value,
                "csrf": token.group(1)}

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(log_in, plan))


def support_pairs(db: str, sessions: list[dict[str, Any]]) -> int:
    from sqlalchemy import func, select, tuple_

    from stengage.proposals.models import Support

    engine = engine_for(db)
    with engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(Support).where(
            tuple_(Support.user_id, Support.proposal_id).in_([(s["user_id"], s["proposal_id"]) for s in sessions])))
    engine.dispose()
    return count or 0


def post_support(port: int, session: dict[str, Any], withdraw: bool) -> tuple[int, dict[str, str]]:
    verb = "withdraw-support" if withdraw else "support"
    body = f"csrf_token={quote(session['csrf'])}"
    status, headers, _ = request(port, "POST", f"/proposals/{session['proposal_id']}/{verb}", {
        "Cookie": f"{COOKIE}={session['cookie']}", "Content-Type": "application/x-www-form-urlencoded"}, body)
    return status, headers


def check_sessions(db: str, port: int, sessions: list[dict[str, Any]]) -> None:
    """The cookies work on gunicorn: logged in, no new cookie, a support lands and is withdrawn."""
    first = sessions[0]
    status, headers, body = request(port, "GET", f"/proposals/{first['proposal_id']}",
                                    {"Cookie": f"{COOKIE}={first['cookie']}"})
    if status != 200 or "/account/logout" not in body or "set-cookie" in headers:
        raise SystemExit(f"session check failed: HTTP {status}, logged in {'/account/logout' in body}, "
                         f"new cookie {'set-cookie' in headers}")
    before = support_pairs(db, sessions[:1])
    status, headers = post_support(port, first, withdraw=False)
    added = support_pairs(db, sessions[:1]) - before
    status2, headers2 = post_support(port, first, withdraw=True)
    removed = support_pairs(db, sessions[:1])
    if (status, status2) != (302, 302) or "set-cookie" in headers or "set-cookie" in headers2 \
            or added != 1 or removed != 0:
        raise SystemExit(f"support check failed: HTTP {status}/{status2}, added {added}, left {removed}, "
                         f"cookie changed {'set-cookie' in headers or 'set-cookie' in headers2}")


def restore(db: str, port: int, sessions: list[dict[str, Any]]) -> int:
    """Every resident withdraws again; requests wrk left in flight may land late, so up to 3 rounds."""
    left = support_pairs(db, sessions)
    for _ in range(3):
        if left == 0:
            break
        time.sleep(1)
        for session in sessions:
            post_support(port, session, withdraw=True)
        left = support_pairs(db, sessions)
    return left

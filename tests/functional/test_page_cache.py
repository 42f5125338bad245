"""Anonymous visitors get shared pages from the cache, never stale ones and never someone else's."""

import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from stengage.areas.models import Phase
from stengage.core.i18n import LANGUAGE_COOKIE
from stengage.core.page_cache import STATUS_HEADER, PageCache
from stengage.db import utc_now
from stengage.extensions import db
from stengage.proposals.models import Proposal
from tests import factories
from tests.conftest import REDIS_URL, login_as, make_test_app, submit

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
QUEUE = "/areas/vienna-simmering/moderation"
ROOT = Path(__file__).resolve().parents[2]


def _url(process):
    return f"/areas/{process.area.slug}/processes/{process.slug}"


def _twice(client, url):
    first, second = client.get(url), client.get(url)
    return first, second


def _committed_proposal(**fields):
    process = factories.process()
    proposal = factories.proposal(process, **fields)
    db.session.commit()
    return process, proposal


def test_a_second_anonymous_visitor_gets_the_page_from_the_cache(app, client):
    process, proposal = _committed_proposal(title="Benches along the Simmeringer Haide")
    first = client.get(_url(process))
    other = app.test_client()
    other.set_cookie(LANGUAGE_COOKIE, "en")
    again = other.get(_url(process))
    assert first.headers[STATUS_HEADER] == "miss" and again.headers[STATUS_HEADER] == "hit"
    for response in (first, again):
        assert response.status_code == 200 and "Benches along the Simmeringer Haide" in response.text
        assert response.headers["Content-Security-Policy"] and response.headers["Cache-Control"] == "no-cache"
    assert client.get(f"/proposals/{proposal.id}").headers[STATUS_HEADER] == "miss"
    assert client.get(f"/proposals/{proposal.id}").headers[STATUS_HEADER] == "hit"


def test_every_visitor_gets_a_token_of_their_own_that_works(app, client):
    process, _ = _committed_proposal()
    other = app.test_client()
    tokens = [CSRF.search(c.get(_url(process)).text).group(1) for c in (client, other)]
    placeholder = app.extensions["stengage_page_cache"].csrf_placeholder
    assert tokens[0] != tokens[1] and placeholder not in tokens
    answer = other.post("/account/language", data={"csrf_token": tokens[1], "locale": "fr", "next": _url(process)})
    assert answer.status_code == 302
    french = other.get(_url(process))
    assert french.headers[STATUS_HEADER] == "miss" and 'lang="fr"' in french.text
    assert 'lang="en"' in client.get(_url(process)).text


def test_a_support_a_comment_and_a_hidden_proposal_show_at_once(client):
    process, proposal = _committed_proposal(title="Solar roof on the school")
    page = f"/proposals/{proposal.id}"
    _twice(client, page)
    _twice(client, _url(process))

    resident = factories.resident()
    db.session.commit()
    login_as(client, resident)
    assert submit(client, f"{page}/support", page=page).status_code == 302
    assert submit(client, f"{page}/comments", {"body": "Yes, and on the gym too.", "alignment": "in_favour"},
                  page=page).status_code == 302
    client.post("/account/logout", data={"csrf_token": CSRF.search(client.get(page).text).group(1)})
    client.get("/")  # the logout message is shown once
    client.set_cookie(LANGUAGE_COOKIE, "en")  # logging out forgot the visitor's choice

    fresh = client.get(page)
    assert fresh.headers[STATUS_HEADER] == "miss"
    assert "Yes, and on the gym too." in fresh.text
    assert re.search(r"<strong>1</strong>\s*support\b", fresh.text)

    login_as(client, factories.moderator())
    db.session.commit()
    submit(client, f"{QUEUE}/proposal/{proposal.id}/hide", {"reason": "Duplicate"}, page=QUEUE)
    with client.session_transaction() as session:
        session.clear()
    assert "Solar roof on the school" not in client.get(_url(process)).text
    assert client.get(page).status_code == 404


def test_logged_in_residents_and_flash_messages_are_never_cached(app, client):
    process, _ = _committed_proposal()
    _twice(app.test_client(), _url(process))
    resident = factories.resident(name="Rosa Resident")
    db.session.commit()
    login_as(client, resident)
    for _ in range(2):
        own = client.get(_url(process))
        assert STATUS_HEADER not in own.headers and "Log out" in own.text
        assert own.headers["Cache-Control"] == "no-store"

    client.post("/account/logout", data={"csrf_token": CSRF.search(own.text).group(1)})
    farewell = client.get("/")
    assert STATUS_HEADER not in farewell.headers and "You are logged out" in farewell.text
    stranger = app.test_client().get("/")
    assert "You are logged out" not in stranger.text and "Rosa Resident" not in stranger.text


def test_a_cached_process_page_turns_over_when_the_next_phase_begins(client):
    process = factories.process(phase="before", features=("support",))
    soon = utc_now() + timedelta(seconds=2)
    process.phases = [Phase(title="Supporting", starts_at=soon, ends_at=soon + timedelta(days=5),
                            opens_support=True)]
    factories.proposal(process)
    db.session.commit()
    area_url = f"/areas/{process.area.slug}"
    # Before: the process page announces the phase, the area's list says it has not opened yet.
    pages = {_url(process): ("starts on", "Support the proposals you want"),
             area_url: ("Not open yet", "Now: Supporting")}
    for url, (now_text, later_text) in pages.items():
        client.get(url)
        cached = client.get(url)
        assert cached.headers[STATUS_HEADER] == "hit" and now_text in cached.text and later_text not in cached.text
    time.sleep(max(0.0, (soon - utc_now()).total_seconds()) + 1.2)
    for url, (now_text, later_text) in pages.items():
        after = client.get(url)
        assert after.headers[STATUS_HEADER] == "miss" and later_text in after.text and now_text not in after.text


def test_sorting_at_random_keeps_each_visitors_own_order(client):
    process, _ = _committed_proposal()
    for _ in range(2):
        assert STATUS_HEADER not in client.get(f"{_url(process)}?sort=random").headers


# Two workers in one process of their own (Flask-Limiter keeps one storage per process), sharing a
# database and Redis; a third worker whose Redis is down.
WORKERS_SCRIPT = """
import json, sys
from pathlib import Path
from stengage.extensions import db
from stengage.proposals.models import Proposal
from tests import factories
from tests.conftest import login_as, make_test_app, submit
instance, url, prefix = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
shared = dict(REDIS_URL=url, PAGE_CACHE="redis", PAGE_CACHE_PREFIX=prefix + ":pages:", RATELIMIT_KEY_PREFIX=prefix)
worker_a, worker_b = make_test_app(instance, **shared), make_test_app(instance, **shared)
with worker_a.app_context():
    proposal = factories.proposal(factories.process(), title="Cargo bikes for Freiham")
    resident = factories.resident()
    db.session.commit()
    page = f"/proposals/{proposal.id}"
visitor = worker_b.test_client()
seen = [visitor.get(page).headers.get("X-Page-Cache") for _ in range(2)]
supporter = login_as(worker_a.test_client(), resident)
posted = submit(supporter, f"{page}/support", page=page).status_code
after = visitor.get(page)
down = make_test_app(instance, REDIS_URL="redis://127.0.0.1:9", PAGE_CACHE="redis",
                     RATELIMIT_STORAGE_URI="memory://").test_client().get(page)
print(json.dumps({"seen": seen, "posted": posted, "after": after.headers.get("X-Page-Cache"),
                  "one_support": "<strong>1</strong>" in after.text, "down": down.status_code,
                  "down_cache": down.headers.get("X-Page-Cache"), "down_title": "Cargo bikes" in down.text}))
"""


@pytest.mark.real_commits
def test_workers_share_pages_and_their_invalidation_through_redis(redis_server, tmp_path):
    prefix = f"stengage-test-{uuid.uuid4().hex[:8]}"
    result = subprocess.run([sys.executable, "-c", WORKERS_SCRIPT, str(tmp_path), REDIS_URL, prefix],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "STENGAGE_TEST_DATABASE_URL": ""})
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["seen"] == ["miss", "hit"]  # the second request came from the cache worker B filled
    assert outcome["posted"] == 302
    assert outcome["after"] == "miss" and outcome["one_support"]  # worker A's support reached worker B
    # Redis unreachable: the page is still served, just not from a cache.
    assert outcome["down"] == 200 and outcome["down_cache"] is None and outcome["down_title"]
    keys = redis_server.keys(f"{prefix}*")
    assert keys, "the page cache wrote nothing to Redis"
    redis_server.delete(*keys)


@pytest.mark.real_commits
def test_a_write_between_reading_the_area_and_asking_the_cache_is_not_stored_stale(tmp_path, monkeypatch):
    """SQLite reads from a snapshot taken at the request's first query (the URL's area): a page must
    not be rendered from that snapshot under a version bumped after it."""
    app = make_test_app(tmp_path, PAGE_CACHE="memory")
    with app.app_context():
        process = factories.process()
        proposal = factories.proposal(process, title="Old title of the idea")
        db.session.commit()
        url, proposal_id = _url(process), proposal.id
    lookup = PageCache.lookup
    written = []

    def lookup_after_a_concurrent_write(self, key):
        if not written:
            written.append(True)

            def writer():
                with app.app_context():
                    db.session.get(Proposal, proposal_id).title = "New title of the idea"
                    db.session.commit()

            thread = threading.Thread(target=writer)
            thread.start()
            thread.join()
        return lookup(self, key)

    monkeypatch.setattr(PageCache, "lookup", lookup_after_a_concurrent_write)
    client = app.test_client()
    client.set_cookie(LANGUAGE_COOKIE, "en")
    for _ in range(2):
        page = client.get(url)
        assert "New title of the idea" in page.text and "Old title of the idea" not in page.text
    assert page.headers[STATUS_HEADER] == "hit"


def test_only_the_common_list_views_are_stored(client):
    process, _ = _committed_proposal()
    for shared in ("?sort=newest", "?page=2&sort=comments"):
        assert [client.get(_url(process) + shared).headers[STATUS_HEADER] for _ in range(2)] == ["miss", "hit"]
    for personal in ("?q=bench", "?utm_source=newsletter", "?page=21", "?category=mobility"):
        assert STATUS_HEADER not in client.get(_url(process) + personal).headers


def test_a_head_request_leaves_no_page_behind(client):
    process, _ = _committed_proposal()
    assert client.head(_url(process), headers={"Referer": "http://localhost/account/register"}).status_code == 200
    page = client.get(_url(process))
    assert page.headers[STATUS_HEADER] == "miss"
    assert f'name="next" value="{_url(process)}"' in page.text


def test_logins_and_follows_leave_the_shared_pages_in_place(app, client):
    process, proposal = _committed_proposal()
    resident = factories.resident(email="rosa@example.org")
    db.session.commit()
    assert [r.headers[STATUS_HEADER] for r in _twice(app.test_client(), _url(process))] == ["miss", "hit"]
    visitor = app.test_client()
    assert submit(visitor, "/account/login", {"email": "rosa@example.org", "password": factories.PASSWORD},
                  page="/account/login").status_code == 302
    assert submit(visitor, f"/proposals/{proposal.id}/follow", page=f"/proposals/{proposal.id}").status_code == 302
    db.session.refresh(resident)
    assert resident.last_login_at is not None  # the login did write
    assert app.test_client().get(_url(process)).headers[STATUS_HEADER] == "hit"

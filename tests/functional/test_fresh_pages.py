"""After every public write, an anonymous visitor's cached page shows the change at once.

Each test makes one write, through its real HTTP endpoint, as the role that makes it, between two
looks of an anonymous visitor at a page stored in the page cache. The app is built for this module
with real commits (no savepoint around the test: the commit itself is what must tell the cache),
on a database of its own, once for each cache backend (``memory``, and ``redis`` when Redis runs).

The writes go through the small helpers right below, one per write, so that a route that moves
or splits changes one helper, not the tests.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from stengage.accounts.models import User
from stengage.areas.models import Process
from stengage.core.audit import AuditEntry
from stengage.core.i18n import LANGUAGE_COOKIE
from stengage.core.page_cache import STATUS_HEADER
from stengage.db import utc_now
from stengage.extensions import db
from stengage.moderation import merging
from stengage.moderation import operations as moderation_ops
from stengage.moderation.merging import MERGE_VERB
from stengage.proposals import supports
from stengage.proposals.models import Proposal
from stengage.reports import operations as report_ops
from stengage.reports.models import Report
from tests import factories
from tests.conftest import REDIS_URL, login_as, make_test_app, private_database_url, submit

pytestmark = pytest.mark.real_commits

QUEUE = "/areas/vienna-simmering/moderation"

# --- The writes, one helper each, as a browser sends them ----------------------------------------


def support(client: FlaskClient, proposal_id: int) -> Any:
    page = f"/proposals/{proposal_id}"
    return submit(client, f"{page}/support", page=page)


def withdraw_support(client: FlaskClient, proposal_id: int) -> Any:
    page = f"/proposals/{proposal_id}"
    return submit(client, f"{page}/withdraw-support", page=page)


def post_comment(client: FlaskClient, proposal_id: int, body: str) -> Any:
    page = f"/proposals/{proposal_id}"
    return submit(client, f"{page}/comments", {"body": body, "alignment": "in_favour"}, page=page)


def vote_on_comment(client: FlaskClient, comment_id: int, proposal_id: int) -> Any:
    return submit(client, f"/comments/{comment_id}/vote", {"value": "up"}, page=f"/proposals/{proposal_id}")


def edit_proposal(client: FlaskClient, proposal_id: int, title: str, body: str) -> Any:
    url = f"/proposals/{proposal_id}/edit"
    return submit(client, url, {"title": title, "body": body, "category": "mobility", "address": "",
                                "latitude": "", "longitude": "", "check_similar": "0"},
                  page=url, content_type="multipart/form-data")


def edit_comment(client: FlaskClient, comment_id: int, body: str) -> Any:
    url = f"/comments/{comment_id}/edit"
    return submit(client, url, {"body": body, "alignment": "neutral"}, page=url)


def delete_comment(client: FlaskClient, comment_id: int, proposal_id: int) -> Any:
    return submit(client, f"/comments/{comment_id}/delete", page=f"/proposals/{proposal_id}")


def flag(client: FlaskClient, kind: str, target_id: int) -> Any:
    return submit(client, "/flags", {"target_type": kind, "target_id": str(target_id), "reason": "spam"})


def hide(client: FlaskClient, kind: str, target_id: int, reason: str) -> Any:
    return submit(client, f"{QUEUE}/{kind}/{target_id}/hide", {"reason": reason}, page=QUEUE)


def show(client: FlaskClient, kind: str, target_id: int) -> Any:
    return submit(client, f"{QUEUE}/{kind}/{target_id}/unhide", {"reason": ""}, page=QUEUE)


def answer(client: FlaskClient, proposal_id: int, status: str, text: str) -> Any:
    page = f"/proposals/{proposal_id}/triage"
    return submit(client, f"{page}/status", {"status": status, "answer": text}, page=page)


def merge(client: FlaskClient, keep_id: int, duplicate_id: int) -> Any:
    url = f"/proposals/{keep_id}/merge"
    return submit(client, url, {"duplicates": [str(duplicate_id)], "into": "this"}, page=url)


def undo_merge(client: FlaskClient, entry_id: int) -> Any:
    return submit(client, f"/audit/{entry_id}/undo-merge", page="/audit")


def publish_report(client: FlaskClient, area_slug: str, report_slug: str, changelog: str) -> Any:
    reports = f"/areas/{area_slug}/reports/{report_slug}"
    return submit(client, f"{reports}/publish", {"publish-changelog": changelog}, page=f"{reports}/workspace")


LANGUAGES = ("en", "de", "fr", "es", "it", "bg")


def change_phases(client: FlaskClient, process: dict[str, Any], phases: list[dict[str, Any]]) -> Any:
    """Save the process form with ``phases`` (title, starts, ends, opens) in place of its phases."""
    url = f"/areas/{process['area_slug']}/processes/{process['slug']}/edit"
    today = utc_now().date()
    # Titles in every language, whatever the area's own is.
    data = {**{f"title_texts-{language}": process["process_title"] for language in LANGUAGES},
            "starts_on": (today - timedelta(days=30)).isoformat(),
            "ends_on": (today + timedelta(days=60)).isoformat(), "supports_per_resident": "",
            "support_threshold": "3", "edit_window_hours": "24", "comments_need_verification": "y"}
    for n, phase in enumerate(phases):
        data |= {f"phases-{n}-title_texts-{language}": phase["title"] for language in LANGUAGES}
        data |= {f"phases-{n}-starts_at": f"{phase['starts']}T00:00",
                 f"phases-{n}-ends_at": f"{phase['ends']}T00:00"}
        data |= {f"phases-{n}-opens_{feature}": "y" for feature in phase["opens"]}
    return submit(client, url, data, page=url)


# --- The site, and the anonymous visitor ----------------------------------------------------------


def _require_redis() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("STENGAGE_REQUIRE_REDIS"):
            pytest.fail(f"Redis is required but not reachable at {REDIS_URL}: {error}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")


@pytest.fixture(scope="module", params=["memory", "redis"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A cache-on app whose requests commit for real, on a database of its own."""
    backend = request.param
    settings: dict[str, Any] = {"PAGE_CACHE": backend}
    if backend == "redis":
        _require_redis()
        prefix = f"stengage-fresh-{uuid.uuid4().hex[:8]}"
        settings |= {"REDIS_URL": REDIS_URL, "PAGE_CACHE_PREFIX": f"{prefix}:pages:", "RATELIMIT_KEY_PREFIX": prefix}
    with private_database_url() as url:
        app = make_test_app(tmp_path_factory.mktemp(f"fresh-{backend}"), url, **settings)
        yield app
        if backend == "redis":  # leave Redis as it was found
            pages = app.extensions["stengage_page_cache"].backend.client
            for key in pages.scan_iter(f"{prefix}*"):
                pages.delete(key)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def made(site: Flask) -> Iterator[Any]:
    """Run ``made(lambda: ...)`` to create rows in the site's database and commit them."""

    def make(build: Any) -> Any:
        with site.app_context():
            result = build()
            db.session.commit()
            return result

    yield make


def _visitor(site: Flask) -> FlaskClient:
    visitor = site.test_client()
    visitor.set_cookie(LANGUAGE_COOKIE, "en")
    return visitor


def _as(site: Flask, user_id: int) -> FlaskClient:
    client = site.test_client()
    with site.app_context():
        login_as(client, db.session.get(User, user_id))
    client.set_cookie(LANGUAGE_COOKIE, "en")
    return client


def _cached(visitor: FlaskClient, url: str) -> str:
    """The page as the cache keeps it: asked twice, the second answer came from the cache."""
    first, second = visitor.get(url), visitor.get(url)
    assert first.status_code == 200 and second.headers.get(STATUS_HEADER) == "hit", url
    return second.text


def _now(visitor: FlaskClient, url: str, status: int = 200) -> str:
    page = visitor.get(url)
    assert page.status_code == status, url
    return page.text


def _supports_on(visitor: FlaskClient, url: str, *, cached: bool = False) -> int | None:
    """The support count the page shows (None: it shows none); ``cached``: as the cache keeps it."""
    match = re.search(r"<strong>(\d+)</strong>\s*supports?\b", _cached(visitor, url) if cached else _now(visitor, url))
    return int(match.group(1)) if match else None


def _world(**process_fields: Any) -> dict[str, Any]:
    process = factories.process(**process_fields)
    proposal = factories.proposal(process, title=f"Shade trees {uuid.uuid4().hex[:6]}")
    return {"process": process.id, "proposal": proposal.id, "author": proposal.author_id,
            "list": f"/areas/{process.area.slug}/processes/{process.slug}", "page": f"/proposals/{proposal.id}",
            "title": proposal.title, "area_slug": process.area.slug, "slug": process.slug,
            "process_title": process.title}


# --- Residents' writes ------------------------------------------------------------------------------


def test_a_support_shows_at_once(site, made):
    world = made(_world)
    resident = made(lambda: factories.resident().id)
    visitor = _visitor(site)
    assert _supports_on(visitor, world["page"], cached=True) == 0
    _cached(visitor, world["list"])
    assert support(_as(site, resident), world["proposal"]).status_code == 302
    assert _supports_on(visitor, world["page"]) == 1
    assert re.search(r"<strong>1</strong>\s*support\b", _now(visitor, world["list"]))


def test_a_withdrawn_support_shows_at_once(site, made):
    world = made(_world)

    def supporter() -> int:
        person = factories.resident()
        supports.support(person, db.session.get(Proposal, world["proposal"]))
        return person.id

    resident = made(supporter)
    visitor = _visitor(site)
    assert _supports_on(visitor, world["page"], cached=True) == 1
    assert withdraw_support(_as(site, resident), world["proposal"]).status_code == 302
    assert _supports_on(visitor, world["page"]) == 0


def test_a_comment_shows_at_once(site, made):
    world = made(_world)
    resident = made(lambda: factories.resident().id)
    visitor = _visitor(site)
    assert "Plane trees, please" not in _cached(visitor, world["page"])
    assert post_comment(_as(site, resident), world["proposal"], "Plane trees, please").status_code == 302
    assert "Plane trees, please" in _now(visitor, world["page"])


def _commented(body: str = "Cherry trees would be nicer") -> dict[str, Any]:
    world = _world()
    comment = factories.comment(db.session.get(Proposal, world["proposal"]), body=body)
    return {**world, "comment": comment.id, "commenter": comment.author_id}


def _upvotes_on(visitor: FlaskClient, url: str, comment_id: int, *, cached: bool = False) -> int | None:
    """The up-votes shown with the comment (None: the page does not show the comment's votes)."""
    html = _cached(visitor, url) if cached else _now(visitor, url)
    # The up arrow, then (past any hidden label) the count.
    count = re.search(rf'id="comment-{comment_id}".*?(?:&#9650;|\u25b2)(?:<[^>]*>|[^\d<])*(\d+)', html, re.S)
    return int(count.group(1)) if count else None


def test_a_comment_vote_shows_at_once(site, made):
    world = made(_commented)
    resident = made(lambda: factories.resident().id)
    visitor = _visitor(site)
    assert _upvotes_on(visitor, world["page"], world["comment"], cached=True) == 0
    assert vote_on_comment(_as(site, resident), world["comment"], world["proposal"]).status_code == 302
    assert _upvotes_on(visitor, world["page"], world["comment"]) == 1


def test_an_edited_proposal_shows_at_once(site, made):
    world = made(_world)
    visitor = _visitor(site)
    _cached(visitor, world["page"])
    _cached(visitor, world["list"])
    assert edit_proposal(_as(site, world["author"]), world["proposal"], "Plane trees on the square",
                         "Plane trees give the most shade.").status_code == 302
    assert "Plane trees on the square" in _now(visitor, world["page"])
    assert "Plane trees on the square" in _now(visitor, world["list"])


def test_an_edited_comment_shows_at_once(site, made):
    world = made(_commented)
    visitor = _visitor(site)
    assert "Cherry trees would be nicer" in _cached(visitor, world["page"])
    assert edit_comment(_as(site, world["commenter"]), world["comment"], "Lime trees smell best").status_code == 302
    page = _now(visitor, world["page"])
    assert "Lime trees smell best" in page and "Cherry trees would be nicer" not in page


def test_a_deleted_comment_leaves_at_once(site, made):
    world = made(_commented)
    visitor = _visitor(site)
    assert "Cherry trees would be nicer" in _cached(visitor, world["page"])
    assert delete_comment(_as(site, world["commenter"]), world["comment"], world["proposal"]).status_code == 302
    assert "Cherry trees would be nicer" not in _now(visitor, world["page"])


def test_a_proposal_hidden_by_flags_leaves_at_once(site, made):
    world = made(_world)
    flaggers = made(lambda: [factories.resident().id for _ in range(3)])
    for resident in flaggers[:2]:  # reports alone change nothing anyone sees
        assert flag(_as(site, resident), "proposal", world["proposal"]).status_code == 302
    visitor = _visitor(site)
    assert world["title"] in _cached(visitor, world["list"])
    _cached(visitor, world["page"])
    assert flag(_as(site, flaggers[2]), "proposal", world["proposal"]).status_code == 302  # the third hides it
    assert world["title"] not in _now(visitor, world["list"])
    _now(visitor, world["page"], 404)


# --- Moderators' and staff's writes --------------------------------------------------------------


def test_a_hidden_proposal_leaves_at_once(site, made):
    world = made(_world)
    moderator = made(lambda: factories.moderator().id)
    visitor = _visitor(site)
    assert world["title"] in _cached(visitor, world["list"])
    _cached(visitor, world["page"])
    assert hide(_as(site, moderator), "proposal", world["proposal"], "Duplicate").status_code == 302
    assert world["title"] not in _now(visitor, world["list"])
    _now(visitor, world["page"], 404)


def test_a_shown_again_proposal_returns_at_once(site, made):
    world = made(_world)

    def hidden_by_a_moderator() -> int:
        moderator = factories.moderator()
        proposal = db.session.get(Proposal, world["proposal"])
        moderation_ops.hide(moderator, proposal, proposal.process.area, "Checking")
        return moderator.id

    moderator = made(hidden_by_a_moderator)
    visitor = _visitor(site)
    assert world["title"] not in _cached(visitor, world["list"])
    assert show(_as(site, moderator), "proposal", world["proposal"]).status_code == 302
    assert world["title"] in _now(visitor, world["list"])
    assert world["title"] in _now(visitor, world["page"])


def test_a_status_answer_shows_at_once(site, made):
    world = made(_world)
    clerk = made(lambda: factories.staff().id)
    visitor = _visitor(site)
    assert "The city will plant them in spring." not in _cached(visitor, world["page"])
    assert answer(_as(site, clerk), world["proposal"], "under_review",
                  "The city will plant them in spring.").status_code == 302
    assert "The city will plant them in spring." in _now(visitor, world["page"])


def _duplicates() -> dict[str, Any]:
    world = _world()
    process = db.session.get(Process, world["process"])
    duplicate = factories.proposal(process, title=f"{world['title']} again")
    supports.support(factories.resident(), duplicate)
    return {**world, "duplicate": duplicate.id, "duplicate_page": f"/proposals/{duplicate.id}",
            "moderator": factories.moderator().id}


def test_a_merge_shows_at_once(site, made):
    world = made(_duplicates)
    visitor = _visitor(site)
    assert _supports_on(visitor, world["page"], cached=True) == 0
    assert "This proposal was merged" not in _cached(visitor, world["duplicate_page"])
    assert merge(_as(site, world["moderator"]), world["proposal"], world["duplicate"]).status_code == 302
    assert _supports_on(visitor, world["page"]) == 1
    assert "This proposal was merged" in _now(visitor, world["duplicate_page"])


def test_an_undone_merge_shows_at_once(site, made):
    def merged() -> dict[str, Any]:
        world = _duplicates()
        keep, duplicate = db.session.get(Proposal, world["proposal"]), db.session.get(Proposal, world["duplicate"])
        merging.merge(db.session.get(User, world["moderator"]), [duplicate], keep, None)
        db.session.flush()
        entry = db.session.scalar(select(AuditEntry.id).where(AuditEntry.verb == MERGE_VERB)
                                  .order_by(AuditEntry.id.desc()).limit(1))
        return {**world, "entry": entry}

    world = made(merged)
    visitor = _visitor(site)
    assert "This proposal was merged" in _cached(visitor, world["duplicate_page"])
    assert _supports_on(visitor, world["page"], cached=True) == 1
    assert undo_merge(_as(site, world["moderator"]), world["entry"]).status_code == 302
    assert "This proposal was merged" not in _now(visitor, world["duplicate_page"])
    assert _supports_on(visitor, world["page"]) == 0


def test_a_published_report_shows_at_once(site, made):
    # The report's page is rendered for each visitor today (no cached page shows reports); this
    # holds it to the same promise the day it is cached.
    def drafted() -> dict[str, Any]:
        world = _world()
        moderator = factories.moderator()
        process = db.session.get(Process, world["process"])
        report = report_ops.create_report(moderator, process.area, f"What we heard {uuid.uuid4().hex[:6]}",
                                          process=process)
        report_ops.add_theme(moderator, report, "Shade")
        report_ops.publish(moderator, report, "The first version")
        return {**world, "report": report.slug, "moderator": moderator.id,
                "report_page": f"/areas/{process.area.slug}/reports/{report.slug}"}

    world = made(drafted)
    visitor = _visitor(site)
    before = _now(visitor, world["report_page"])
    assert "The first version" in before and "Trees all along the street" not in before
    assert publish_report(_as(site, world["moderator"]), world["area_slug"], world["report"],
                          "Trees all along the street").status_code == 302
    assert "Trees all along the street" in _now(visitor, world["report_page"])
    with site.app_context():
        report = db.session.scalar(select(Report).where(Report.slug == world["report"]))
        assert [v.number for v in report.versions] == [1, 2]


def test_a_phase_change_shows_at_once(site, made):
    world = made(lambda: {**_world(features=("propose", "comment")), "admin": factories.user(admin=True).id})
    visitor = _visitor(site)
    area_page = f"/areas/{world['area_slug']}"
    before = _cached(visitor, world["list"])
    assert "Now: Supporting the best" not in before
    assert "Now: Supporting the best" not in _cached(visitor, area_page)
    today = utc_now().date()
    assert change_phases(_as(site, world["admin"]), world, [
        {"title": "Ideas", "starts": today - timedelta(days=20), "ends": today - timedelta(days=1),
         "opens": ("propose", "comment")},
        {"title": "Supporting the best", "starts": today - timedelta(days=1), "ends": today + timedelta(days=20),
         "opens": ("support",)},
    ]).status_code == 302
    assert "Supporting the best" in _now(visitor, world["list"])
    assert "Now: Supporting the best" in _now(visitor, area_page)

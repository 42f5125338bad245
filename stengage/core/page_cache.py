"""Rendered public pages for anonymous visitors, kept until the content changes.

A proposal list or a proposal page looks the same to every anonymous visitor who asks for it in the
same language, so it is rendered once and served from the cache until any public content changes.

- **Invalidation by version.** Every committed transaction that wrote to a public table bumps one
  content version (after the commit, so a page rendered from older rows always carries an older
  version). Each cached page remembers the version it was rendered under and is served only while
  that is still the current one. One round trip (MGET) fetches both.
- **Time.** Pages also expire: after ``PAGE_CACHE_SECONDS`` at most, and a view may ask for less
  (a process page expires when its next phase begins).
- **What is shared.** Only anonymous GETs without flash messages, and only for the arguments a view
  allows (lists: their sort orders and first pages; searches, filters and made-up arguments are
  rendered for their visitor), so the number of stored pages stays bounded.
- **Personal parts.** The one per-visitor value on such pages, the CSRF token of the language
  switcher, is rendered as a secret placeholder and filled in for each visitor; a page that
  produced any other token is not stored.
- **Backends.** ``PAGE_CACHE``: ``redis`` (shared by every worker and command; the default when
  ``REDIS_URL`` is set), ``memory`` (one process that alone writes: it cannot hear of writes made
  by other workers or by CLI commands) or ``off`` (the default without Redis).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, cast

import redis
from flask import Flask, Response, current_app, g, has_app_context, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from stengage.config import ConfigError
from stengage.core.i18n import select_locale
from stengage.core.inputs import parse_number
from stengage.db import utc_now
from stengage.extensions import db

log = logging.getLogger(__name__)

VERSION_KEY = "content-version"
STATUS_HEADER = "X-Page-Cache"
# Writes to these tables change nothing an anonymous visitor sees (private, internal or bookkeeping).
PRIVATE_TABLES = frozenset({
    "notification", "export_job", "api_token", "letter_code_batch", "letter_code", "proposal_note",
    "audit_entry", "report_follow", "follow", "flag", "membership",
})
# Columns of public tables that no page shows (a login stamps last_login_at, for one).
PRIVATE_COLUMNS = {
    "user": frozenset({"last_login_at", "session_version", "password_hash", "email", "pending_email",
                       "email_confirmed_at", "locale", "notify_by_email"}),
}
# List pages are shared for these arguments only: the views most visitors see, a bounded number of
# them (a search or any made-up argument is rendered for its visitor and not stored).
MAX_SHARED_PAGE = 20
F = TypeVar("F", bound=Callable[..., Any])


class RedisPages:
    """Shared by every worker: the version is an atomic INCR, pages expire by themselves."""

    def __init__(self, url: str, prefix: str) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self.prefix = prefix

    def get_version_and_page(self, key: str) -> tuple[int, bytes | None]:
        version, page = self.client.mget(self.prefix + VERSION_KEY, self.prefix + key)
        return int(version or 0), page

    def put(self, key: str, page: bytes, seconds: int) -> None:
        self.client.set(self.prefix + key, page, ex=seconds)

    def bump(self) -> None:
        self.client.incr(self.prefix + VERSION_KEY)


class MemoryPages:
    """One process only: the most recently stored pages, up to a number."""

    def __init__(self, max_pages: int) -> None:
        self.max_pages = max_pages
        self.version = 0
        self.pages: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self.lock = threading.Lock()

    def get_version_and_page(self, key: str) -> tuple[int, bytes | None]:
        with self.lock:
            entry = self.pages.get(key)
            if entry is None or entry[0] < time.monotonic():
                return self.version, None
            return self.version, entry[1]

    def put(self, key: str, page: bytes, seconds: int) -> None:
        with self.lock:
            self.pages[key] = (time.monotonic() + seconds, page)
            self.pages.move_to_end(key)
            while len(self.pages) > self.max_pages:
                self.pages.popitem(last=False)

    def bump(self) -> None:
        with self.lock:
            self.version += 1
            self.pages.clear()


class PageCache:
    """The cache of one application: its backend, the content version, the switch."""

    def __init__(self, app: Flask) -> None:
        self.max_seconds = int(app.config["PAGE_CACHE_SECONDS"])
        # Stands for each visitor's CSRF token in stored pages. Derived from the secret key: the same
        # in every worker, and unknown to anyone who could otherwise write it into a proposal.
        digest = hmac.new(str(app.config["SECRET_KEY"]).encode(), b"page-cache-csrf", hashlib.sha256)
        self.csrf_placeholder = f"csrf-{digest.hexdigest()[:32]}"
        self.mode = _mode(app)
        self.backend: RedisPages | MemoryPages | None = None
        if self.mode == "redis":
            self.backend = RedisPages(app.config["REDIS_URL"], app.config["PAGE_CACHE_PREFIX"])
        elif self.mode == "memory":
            self.backend = MemoryPages(int(app.config["PAGE_CACHE_MEMORY_PAGES"]))

    @property
    def enabled(self) -> bool:
        return self.backend is not None

    def lookup(self, key: str) -> tuple[int, str | None]:
        """The current content version, and the page stored under ``key`` if it is still current.

        A version of -1 means the cache could not be asked: render, and store nothing.
        """
        assert self.backend is not None
        try:
            version, stored = self.backend.get_version_and_page(key)
        except Exception:  # a cache that is down serves nothing and breaks nothing
            log.warning("page cache: lookup failed", exc_info=True)
            return -1, None
        if stored is not None:
            rendered_under, _, page = stored.partition(b"\n")
            if rendered_under == str(version).encode():
                return version, page.decode()
        return version, None

    def store(self, key: str, version: int, html: str, seconds: int) -> None:
        assert self.backend is not None
        try:
            self.backend.put(key, f"{version}\n{html}".encode(), max(1, min(seconds, self.max_seconds)))
        except Exception:
            log.exception("page cache: store failed")

    def bump(self) -> None:
        """Invalidate every cached page (called after a commit that changed public content)."""
        if self.backend is None:
            return
        try:
            self.backend.bump()
        except Exception:
            log.exception("page cache: could not bump the content version")

    clear = bump  # a new version leaves every stored page behind


def _mode(app: Flask) -> str:
    wanted = str(app.config.get("PAGE_CACHE") or "auto").lower()
    if wanted == "auto":
        return "redis" if app.config.get("REDIS_URL") else "off"
    if wanted not in ("redis", "memory", "off"):
        raise ConfigError(f"STENGAGE_PAGE_CACHE must be auto, redis, memory or off, not {wanted!r}.")
    if wanted == "redis" and not app.config.get("REDIS_URL"):
        raise ConfigError("STENGAGE_PAGE_CACHE=redis needs STENGAGE_REDIS_URL.")
    return wanted


def page_cache() -> PageCache:
    return cast(PageCache, current_app.extensions["stengage_page_cache"])


# --- Serving ---------------------------------------------------------------------------------


def _visitor_may_share(allowed_args: Callable[[], bool]) -> bool:
    """An anonymous GET whose page holds nothing of the visitor's own, with shareable arguments."""
    return (request.method in ("GET", "HEAD") and not current_user.is_authenticated
            and "_flashes" not in session and allowed_args())


def no_arguments() -> bool:
    return not request.args


def list_arguments() -> bool:
    """A list's sort order (not the per-visitor random one) and one of its first pages."""
    for name, value in request.args.items(multi=True):
        if name == "sort" and value in ("supports", "comments", "newest"):
            continue
        if name == "page" and parse_number(value, high=MAX_SHARED_PAGE) is not None:
            continue
        return False
    return True


def _key() -> str:
    # The language an anonymous visitor gets follows from the session, the URL and the browser alone;
    # every part is one of a few values (no host or header of the visitor's choosing).
    htmx = "htmx" if request.headers.get("HX-Request") == "true" else ""
    parts = [request.full_path, select_locale(), htmx]
    return "page:" + hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def expire_at(moment: datetime | None) -> None:
    """The page being rendered goes out of date at ``moment`` (e.g. when a phase begins); None: never."""
    if moment is not None:
        seconds = int((moment - utc_now()).total_seconds()) + 1
        g.page_cache_seconds = min(seconds, g.get("page_cache_seconds", 1 << 30))


def _with_token(html: str, cache: PageCache) -> str:
    return html.replace(cache.csrf_placeholder, generate_csrf())


def _serve(html: str, cache: PageCache, status: str) -> Response:
    response = make_response(_with_token(html, cache))
    response.headers[STATUS_HEADER] = status
    return response


def cached_page(view: F | None = None, *, shared_when: Callable[[], bool] = no_arguments) -> Any:
    """Serve the view's page from the cache for anonymous visitors; render and store it on a miss.

    ``shared_when`` says whether the request's arguments make a page worth sharing (default: none).
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            cache = page_cache()
            if not cache.enabled or not _visitor_may_share(shared_when):
                return view(*args, **kwargs)
            key = _key()
            version, html = cache.lookup(key)
            if html is not None:
                return _serve(html, cache, "hit")
            # Rows read before the version was looked up (the URL's area, in a SQLite read
            # transaction) must not be rendered under it: start from a fresh snapshot.
            db.session.rollback()
            g.page_cache_rendering = True
            try:
                result = view(*args, **kwargs)
            finally:
                g.page_cache_rendering = False
            field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
            if not isinstance(result, str):
                return result
            # Stored from GETs only (a HEAD answer may be built differently), never when something
            # rendered a real token (a form of its own), nor when the cache could not be asked.
            if request.method == "GET" and field not in g and version >= 0:
                cache.store(key, version, result, g.get("page_cache_seconds", cache.max_seconds))
                return _serve(result, cache, "miss")
            return _with_token(result, cache)

        return cast(F, wrapper)

    return decorate(view) if view is not None else decorate


def csrf_token_for_page() -> str:
    """The templates' ``csrf_token()``: a placeholder while a shared page is rendered."""
    if g.get("page_cache_rendering"):
        return page_cache().csrf_placeholder
    return generate_csrf()


# --- Invalidation ----------------------------------------------------------------------------


def public_content_changed(session: Session) -> None:
    """Declare that this transaction changed what anonymous visitors see: every cached page is
    left behind once it commits. Writes through the ORM are noticed by themselves; a statement
    run on the session's connection (a hand-tuned path) must say so with this call."""
    session.info["public_content_changed"] = True


def _mark_if_public(session: Session, table_name: str | None) -> None:
    if table_name not in PRIVATE_TABLES:
        public_content_changed(session)


def _changes_only_private_columns(obj: object, table_name: str | None) -> bool:
    private = PRIVATE_COLUMNS.get(table_name or "")
    if not private:
        return False
    state = inspect(obj)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    return changed <= private


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    if session.info.get("public_content_changed"):
        return
    # Before the flush is done, the session still lists what it wrote and each attribute's history.
    for obj in (*session.new, *session.dirty, *session.deleted):
        table_name = getattr(getattr(obj, "__table__", None), "name", None)
        if obj in session.dirty and _changes_only_private_columns(obj, table_name):
            continue
        _mark_if_public(session, table_name)
        if session.info.get("public_content_changed"):
            return


def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        _mark_if_public(state.session, getattr(table, "name", None))


def _after_commit(session: Session) -> None:
    if session.info.pop("public_content_changed", False) and has_app_context():
        cache = current_app.extensions.get("stengage_page_cache")
        if cache is not None:
            cache.bump()


def _after_rollback(session: Session) -> None:
    session.info.pop("public_content_changed", None)


_listening = False


def _listen_once() -> None:
    global _listening
    if _listening:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _on_execute)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
    _listening = True


def init_page_cache(app: Flask) -> None:
    app.extensions["stengage_page_cache"] = PageCache(app)
    # Flask-WTF offers csrf_token() both ways; a later context processor wins over its own.
    app.jinja_env.globals["csrf_token"] = csrf_token_for_page
    app.context_processor(lambda: {"csrf_token": csrf_token_for_page})
    _listen_once()

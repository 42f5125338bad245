"""Every route of ``app.url_map``, with every method it allows, as an anonymous visitor and as an
admin: what is no number (``²``, an Arabic-Indic digit, NUL, a huge number, ``-1``, nothing) in any
path part or in any number a view reads from the query string is a 4xx answer (JSON under
``/api``), never a 500; what a form field may carry is never a 500 either.

How it walks:

- It runs on an app of its own (built once for the module, its data committed; on PostgreSQL in a
  database of its own), with CSRF checks and rate limits off, so that every POST reaches its view
  (the CSRF check and the limits have tests of their own) and no 429 hides what the view does.
- Path parts: each part of each rule in turn gets each bad value while the other parts name real
  rows, so the request gets as far into the view as it can. A bad id is a 4xx; a bad text part
  (a slug, a token) a 4xx or a redirect that says why (an expired link).
- Query strings: which arguments a view reads is learnt by asking it: a GET with real path parts
  records every name the view looks up in ``request.args`` (directly or through a form). Then each
  of those names gets each bad value, alone and beside real values of the others. A number that
  the view read is a 4xx; any other argument may be ignored but never answers a 500.
- Form fields: learnt the same way from ``request.form`` (a POST with one unknown field, and real
  values where a field means something only beside others: an item with its action), then each
  gets a NUL, a line break in an address, other digits, a huge and a negative number. This walk
  runs last: its POSTs may change the walker's rows.
- An anonymous visitor sent to the login form before a view reads anything was refused too.
- A failure names the route, the method, the role and every input that went wrong, with the line
  of stengage that raised.
"""

from __future__ import annotations

import os
import re
import tempfile
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.wrappers import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.utils import cached_property

from stengage import create_app
from stengage.accounts.models import User
from stengage.api.models import ApiToken
from stengage.core.audit import AuditEntry
from stengage.extensions import db
from stengage.reports import operations as report_ops
from stengage.reports.models import ExportJob, ThemeItem
from tests import factories
from tests.conftest import GENEROUS_LIMITS, make_test_app, private_database_url

pytestmark = pytest.mark.real_commits

# What is no number, as it travels in a URL (the NUL byte already quoted).
# U+0661 is an Arabic-Indic 1: most tables have a row 1 that a view reading it as 1 would show.
BAD_VALUES = {"superscript-two": "²", "arabic-indic-one": "\u0661", "nul": "%00",
              "huge": "99999999999999999999", "negative": "-1", "empty": ""}
SAMPLED = ("superscript-two", "nul")
# Query arguments that carry a number (ids, pages, sizes, versions); a bad one is a 4xx.
NUMBER_ARGUMENTS = frozenset({"page", "per_page", "comments", "reply", "v", "from", "to", "id"})
# Any other argument (a search, a filter, an id of a filter) may mean anything, but never a 500. A NUL
# is refused before any view (core.inputs) and an empty value is no value: three values do.
OTHER_ARGUMENT_VALUES = {k: BAD_VALUES[k] for k in ("superscript-two", "huge", "negative")}
# A field of a repeated form part (the phases of a process) is read like its first one.
REPEATED_FIELD = re.compile(r"-[1-9][0-9]*-")
ROLES = ("anonymous", "admin")
PART = re.compile(r"<(?:[^<>]*?:)?(\w+)>")
NAMED_PART = re.compile(r"<(?:(\w+)[^<>]*?:)?(\w+)>")


# --- The walker's own app -------------------------------------------------------------------------


class _Recorder:
    """The names a view asked for in ``request.args`` and in ``request.form`` during one request."""

    names: set[str] = set()
    form_names: set[str] = set()


class RecordingArgs(ImmutableMultiDict):  # type: ignore[type-arg]
    into = "names"

    def _note(self, key: Any) -> None:
        getattr(_Recorder, self.into).add(key)

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:
        self._note(key)
        return super().get(key, default, type) if type else super().get(key, default)

    def getlist(self, key: Any, type: Any = None) -> Any:
        self._note(key)
        return super().getlist(key, type)

    def __getitem__(self, key: Any) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return super().__contains__(key)


class RecordingForm(RecordingArgs):
    into = "form_names"


class RecordingRequest(Request):
    @cached_property
    def args(self) -> RecordingArgs:  # type: ignore[override]
        return RecordingArgs(super().args)

    def _load_form_data(self) -> None:
        # Whichever is read first (``form`` or ``files``, as Flask-WTF does) parses the body.
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form is not None and not isinstance(form, RecordingForm):
            self.__dict__["form"] = RecordingForm(form)


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The app, its admin, and a real value for every path part of every rule."""
    with private_database_url() as url:
        app = make_test_app(tmp_path_factory.mktemp("walker"), url, WTF_CSRF_ENABLED=False,
                            PAGE_CACHE="off", **GENEROUS_LIMITS)
        app.request_class = RecordingRequest
        with app.app_context():
            valid = _seed()
            admin_id = valid.pop("_admin")
            db.session.commit()
        yield {"app": app, "admin_id": admin_id, "valid": valid}
        with app.app_context():
            db.engine.dispose()


def _seed() -> dict[str, Any]:
    admin = factories.user(admin=True, name="Ada Admin")
    resident = factories.resident(name="Rudi Resident")
    process = factories.process()
    proposal = factories.proposal(process, author=resident, title="Benches on the Enkplatz")
    comment = factories.comment(proposal)
    factories.comment(proposal, parent=comment)
    report = report_ops.create_report(admin, process.area, "What Simmering said", process=process)
    theme = report_ops.add_theme(admin, report, "Benches")
    report_ops.assign(admin, theme, [proposal.id], [])
    item = db.session.scalar(sa.select(ThemeItem.id).where(ThemeItem.theme_id == theme.id))
    report_ops.publish(admin, report, "First")
    report_ops.publish(admin, report, "Second")
    token = ApiToken(user_id=admin.id, name="walker", token_hash=uuid.uuid4().hex * 2)
    job = ExportJob(owner_id=admin.id, format="csv", params={})
    db.session.add_all([token, job])
    db.session.flush()
    entry = db.session.scalar(sa.select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    return {
        "_admin": admin.id,
        "area_slug": process.area.slug, "slug": process.area.slug, "process_slug": process.slug,
        "report_slug": report.slug, "theme_id": theme.id, "item_id": item, "number": "1", "fmt": "json",
        "proposal_id": proposal.id, "comment_id": comment.id, "target_id": proposal.id,
        "kind": "proposal", "action": "redact", "user_id": resident.id,
        "membership_id": resident.memberships[0].id, "change": "grant", "decision": "approve",
        "token_id": token.id, "job_id": job.id, "entry_id": entry, "notification_id": 1, "notice_id": 1,
        "token": "not-a-token", "step": "close", "name": "no-such-image.webp", "filename": "css/stengage.css",
        # Forms whose fields mean something only beside others (an item with its action): real values.
        "forms": {
            "reports.assign": {"assign-theme": theme.id},
            "verification.approve_residency": {"membership_id": resident.memberships[0].id, "note": "Checked"},
            "verification.decline_residency": {"membership_id": resident.memberships[0].id, "note": "Checked"},
            "moderation.flag": {"target_type": "proposal", "target_id": proposal.id},
        },
        # Real values of query arguments (the walk varies one and keeps the others real).
        "?type": "proposal", "?id": proposal.id, "?area": process.area.slug, "?reply": comment.id,
        "?comments": 1, "?page": 1, "?per_page": 5, "?v": 1, "?from": 1, "?to": 2,
    }


# --- Walking ----------------------------------------------------------------------------------


def _rules() -> list[tuple[str, str, str]]:
    """Every (rule, endpoint, method), read from an app that is built for nothing else."""
    before = os.environ.get("STENGAGE_INSTANCE_PATH")
    with tempfile.TemporaryDirectory() as instance:
        os.environ["STENGAGE_INSTANCE_PATH"] = instance
        try:
            app = create_app({"ENV_NAME": "testing", "DATABASE_URL": "sqlite://"})
        finally:
            if before is None:
                del os.environ["STENGAGE_INSTANCE_PATH"]
            else:
                os.environ["STENGAGE_INSTANCE_PATH"] = before
    return sorted((rule.rule, rule.endpoint, method) for rule in app.url_map.iter_rules()
                  for method in sorted(rule.methods or ()))


RULES = _rules()


def _path(rule: str, values: dict[str, Any], bad: tuple[str, str] | None = None) -> str:
    def part(match: re.Match[str]) -> str:
        name = match.group(1)
        if bad is not None and name == bad[0]:
            return bad[1]
        assert name in values, f"the walker knows no real value for <{name}> in {rule}: add one to _seed()"
        return quote(str(values[name]), safe="/")

    return PART.sub(part, rule)


def _raised(error: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/stengage/" in f.filename]
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno} `{frames[-1].line}`" if frames else ""
    first_line = (str(error).splitlines() or [""])[0]  # a database error goes on with its SQL
    return f"raised {type(error).__name__}: {first_line}{where}"


class Walker:
    def __init__(self, walk: dict[str, Any], method: str, role: str) -> None:
        self.app: Flask = walk["app"]
        self.valid: dict[str, Any] = walk["valid"]
        self.admin_id: int = walk["admin_id"]
        self.method, self.role = method, role
        self.problems: list[str] = []

    def request(self, url: str, data: dict[str, str] | None = None) -> tuple[int, Any]:
        client = self.app.test_client()
        if self.role == "admin":
            with self.app.app_context():  # as of now: a logout or a new password ends older sessions
                session_id = db.session.get(User, self.admin_id).get_id()
            with client.session_transaction() as session:
                session["_user_id"] = session_id
                session["_fresh"] = True
        _Recorder.names, _Recorder.form_names = set(), set()
        try:
            response = client.open(url, method=self.method, data=data)
        except HTTPException as error:  # pragma: no cover - the app turns these into answers
            return error.code or 500, None
        # Flask-Login's "log in first" (with a next=), not a page that sends people to log in anyway.
        if self.role == "admin" and response.headers.get("Location", "").startswith("/account/login?next="):
            self.problems.append(f"{url}: the admin was sent to the login form (the walk lost its admin)")
        return response.status_code, response

    def check(self, url: str, label: str, *, expect: str = "no-500", if_read: str | None = None,
              data: dict[str, str] | None = None) -> None:
        """``expect``: "4xx" (a number that is no number), "refusal" (a 4xx, or a redirect that
        says why, as an expired link does), or only "no-500". With ``if_read``, the expectation
        holds only if the view read that query argument (an argument it ignores harms nothing)."""
        try:
            status, response = self.request(url, data)
        except Exception as error:  # propagated in testing: the visitor would get a 500
            self.problems.append(f"{label}: {url} {_raised(error)}")
            return
        if if_read is not None and if_read not in _Recorder.names:
            expect = "no-500"
        if status >= 500:
            self.problems.append(f"{label}: {url} answered {status}")
            return
        if url.startswith("/api/") and status >= 400 and response is not None and not response.is_json:
            self.problems.append(f"{label}: {url} answered {status} as {response.mimetype}, not JSON")
        refused = 400 <= status < 500 or self._sent_to_login(status, response)
        if expect == "refusal":
            refused = refused or 300 <= status < 400
        if expect != "no-500" and not refused:
            self.problems.append(f"{label}: {url} answered {status}, not a {expect}")

    def report(self, what: str) -> None:
        """Fail with every input that went wrong (the list alone: no traceback of the walker)."""
        if self.problems:
            pytest.fail(what + "\n" + "\n".join(self.problems), pytrace=False)

    def _sent_to_login(self, status: int, response: Any) -> bool:
        return (self.role == "anonymous" and status in (302, 303) and response is not None
                and response.headers.get("Location", "").split("?")[0].endswith("/account/login"))


@pytest.mark.parametrize(("rule", "endpoint", "method"), RULES, ids=[f"{m} {r}" for r, _e, m in RULES])
@pytest.mark.parametrize("role", ROLES)
def test_no_number_in_a_path_part_is_ever_a_500(walk, rule, endpoint, method, role):
    walker = Walker(walk, method, role)
    adapter = walker.app.url_map.bind("localhost")
    numbers = {name for kind, name in NAMED_PART.findall(rule) if kind == "int"}
    # HEAD runs GET's view and OPTIONS none: two values tell whether they answer as GET does.
    values = BAD_VALUES if method not in ("HEAD", "OPTIONS") else {k: BAD_VALUES[k] for k in SAMPLED}
    for name in PART.findall(rule):
        for label, value in values.items():
            url = _path(rule, walker.valid, (name, value))
            # Nothing in the last part may name another page (``/reports/`` is the list of reports).
            try:
                other = adapter.match(url, method=method)[0] != endpoint
            except HTTPException:
                other = False
            # OPTIONS is answered by Flask before any view; it only must not fail.
            expect = "no-500" if other or method == "OPTIONS" else "4xx" if name in numbers else "refusal"
            walker.check(url, f"<{name}>={label}", expect=expect)
    walker.report(f"{method} {rule} as {role}:")


GETS = [(r, e, m) for r, e, m in RULES if m == "GET" and e != "static"]


def _learn_arguments(walker: Walker, base: str) -> tuple[list[str], dict[str, str]]:
    """The arguments the view at ``base`` reads, and real values for those that have one (asked
    twice: a view may read more once the first ones make sense, as /flags does with ?type=&id=)."""
    query: dict[str, str] = {}
    read: set[str] = set()
    for _ in range(2):
        walker.check(f"{base}?{urlencode(query)}" if query else base, "real values")
        read |= {n for n in _Recorder.names if isinstance(n, str)}
        query = {n: str(walker.valid["?" + n]) for n in read if "?" + n in walker.valid}
    return sorted(read), query


@pytest.mark.parametrize(("rule", "endpoint", "method"), GETS, ids=[r for r, _e, _m in GETS])
@pytest.mark.parametrize("role", ROLES)
def test_no_number_in_the_query_string_is_ever_a_500(walk, rule, endpoint, method, role):
    walker = Walker(walk, method, role)
    base = _path(rule, walker.valid)
    read, real = _learn_arguments(walker, base)
    for name in read:
        others = urlencode({n: v for n, v in real.items() if n != name})
        # Alone, and beside real values of the others (one may hide another: ?reply= wins over
        # ?comments=; ?id= means something only with a ?type=).
        for query in {"", others + "&"} if others else {""}:
            for label, value in (BAD_VALUES if name in NUMBER_ARGUMENTS else OTHER_ARGUMENT_VALUES).items():
                walker.check(f"{base}?{query}{name}={value}", f"?{name}={label}",
                             expect="4xx" if name in NUMBER_ARGUMENTS else "no-500", if_read=name)
    walker.report(f"GET {rule} as {role} (reads {', '.join(read)}):")


def test_the_walker_reaches_the_views_that_read_numbers(walk):
    """The query-string walk learns what each view reads: it must see the known readers read."""
    walker = Walker(walk, "GET", "admin")
    assert walker.request("/admin/")[0] == 200  # the admin is logged in: the pages behind the login are walked
    seen = {}
    for url in ("/proposals/{proposal_id}", "/areas/{area_slug}/processes/{process_slug}",
                "/api/v1/areas/{slug}/processes/{process_slug}/proposals",
                "/areas/{area_slug}/reports/{report_slug}/diff"):
        walker.request(url.format(**walker.valid))
        seen[url.split("/")[-1]] = _Recorder.names & NUMBER_ARGUMENTS
    assert {"comments", "reply"} <= seen["{proposal_id}"]
    assert "page" in seen["{process_slug}"]
    assert {"page", "per_page"} <= seen["proposals"]
    assert {"from", "to"} <= seen["diff"]
    poster = Walker(walk, "POST", "admin")
    poster.request(f"/proposals/{walker.valid['proposal_id']}/comments", {"walker": "1"})
    assert {"body", "parent_id"} <= _Recorder.form_names


def test_an_id_written_in_other_digits_names_no_page(walk):
    """``/proposals/٣`` is no address of proposal 3 (Werkzeug's ``<int:>`` read any Unicode digit)."""
    walker = Walker(walk, "GET", "anonymous")
    other_digits = str(walker.valid["proposal_id"]).translate({ord("0") + d: 0x0660 + d for d in range(10)})
    assert walker.request(f"/proposals/{walker.valid['proposal_id']}")[0] == 200
    assert walker.request(f"/proposals/{quote(other_digits)}")[0] == 404
    status, response = walker.request(f"/api/v1/proposals/{quote(other_digits)}")
    assert status == 404 and response.json == {"error": "Not Found", "status": 404}


def test_a_page_number_is_checked_on_every_page(walk):
    """``page`` and ``per_page`` mean the same everywhere, also where a view leaves them to
    Flask-SQLAlchemy's ``paginate()`` (which passed a huge one on to the database: a 500)."""
    admin = Walker(walk, "GET", "admin")
    for url in ("/admin/?page=99999999999999999999", "/audit?page=-1", "/?page=²", "/moderation?per_page=٣"):
        status, response = admin.request(url)
        assert status == 400 and "must be a whole number from 1 to" in response.text, url
    status, response = admin.request("/api/v1/areas?per_page=")
    assert status == 400 and response.is_json
    assert admin.request("/admin/?page=2")[0] == 200 and admin.request("/?page=1")[0] == 200


POSTS = [(r, e, m) for r, e, m in RULES if m == "POST"]
# What a form field may carry that no field means: a NUL, a line break in an address (a ``next``),
# digits that are no ASCII digits, a number beyond any id, a negative one.
FORM_VALUES = {"nul": "\x00", "line-break-address": "/\n/elsewhere.example", "superscript-two": "²",
               "huge": "99999999999999999999", "negative": "-1"}


@pytest.mark.parametrize(("rule", "endpoint", "method"), POSTS, ids=[r for r, _e, _m in POSTS])
@pytest.mark.parametrize("role", ROLES)
def test_nothing_sent_in_a_form_field_is_ever_a_500(walk, rule, endpoint, method, role):
    """Each field a view reads (learnt as for the query string, from a POST of no known field or of
    the real values of ``_seed``'s "forms") gets each value: a form error, a 4xx or a redirect,
    never a 500. (Runs last: these POSTs may change rows.)"""
    walker = Walker(walk, method, role)
    url = _path(rule, walker.valid)
    real = {k: str(v) for k, v in walker.valid["forms"].get(endpoint, {}).items()}
    # An empty body is no form submitted: WTForms would read nothing.
    walker.check(url, "real values", data={"walker": "1", **real})
    read = sorted(n for n in _Recorder.form_names
                  if isinstance(n, str) and n != "walker" and not REPEATED_FIELD.search(n))
    for name in read:
        for label, value in FORM_VALUES.items():
            walker.check(url, f"{name}={label}", data={**real, name: value})
    walker.report(f"POST {rule} as {role} (reads {', '.join(read)}):")

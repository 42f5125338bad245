"""Browser journeys: a live server on its own database, driven by Debian's Chromium.

With ``STENGAGE_REQUIRE_BROWSER=1`` (CI) a missing browser fails the run instead of skipping.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import make_server

from tests.conftest import make_test_app
from tests.e2e import html_checker
from tests.mailbox import Outbox

CHROMIUM = os.environ.get("STENGAGE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "tests" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _unavailable(reason: str) -> None:
    if os.environ.get("STENGAGE_REQUIRE_BROWSER"):
        pytest.fail(f"browser tests are required: {reason}")
    pytest.skip(reason)


class LiveServer:
    def __init__(self, instance: Path) -> None:
        # Journeys log in many times from one address; the limits themselves are tested elsewhere.
        self.app = make_test_app(instance, RATELIMIT_LOGIN="100 per minute")
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.app.config["SERVER_BASE_URL"] = self.url
        self.outbox = Outbox(self.app)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(tmp_path_factory.mktemp("e2e")) as server:
        yield server


@pytest.fixture(scope="session")
def nu_checker() -> Iterator[html_checker.HtmlChecker]:
    missing = html_checker.available()
    if missing:
        _unavailable(missing)
    checker = html_checker.HtmlChecker()
    _checker[:] = [checker]
    yield checker
    checker.close()


# The Nu HTML Checker of the session, and the last document each open page received from the
# server, as the server sent it.
_checker: list[html_checker.HtmlChecker] = []
_documents: dict[int, Any] = {}


def track_documents(page: Any) -> None:
    """Remember each document the page receives, for ``assert_valid_html``."""
    def remember(response: Any) -> None:
        if response.request.resource_type == "document" and response.frame == page.main_frame \
                and response.status < 300 and response.headers.get("content-type", "").startswith("text/html"):
            _documents[id(page)] = response

    page.on("response", remember)
    page.on("close", lambda _page: _documents.pop(id(page), None))


@pytest.fixture(scope="session")
def browser(nu_checker: html_checker.HtmlChecker) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    if not AXE.exists():
        _unavailable(f"axe-core is not vendored at {AXE} (run make vendor)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    track_documents(page)
    yield page
    context.close()


def assert_accessible(page: Any, name: str) -> None:
    """Run axe-core on the current page: no WCAG 2.1 A/AA violation. Also keep a screenshot."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")  # same origin: the CSP allows it
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    # Headings in order is a best-practice rule in axe, but WCAG 1.3.1 / 2.4.6 want it too.
    headings = page.evaluate("() => axe.run(document, {runOnly: {type: 'rule', values: ['heading-order']}})")
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}"
        for v in [*result["violations"], *headings["violations"]]
    ]
    assert problems == [], f"axe found problems on {name} ({page.url}):\n" + "\n".join(problems)
    assert_valid_html(page, name)


def assert_valid_html(page: Any, name: str) -> None:
    """The Nu HTML Checker finds no error in the markup the server sent for the current page."""
    document = _documents.get(id(page))
    assert document is not None, f"no document was received for {name}"
    try:
        html = document.text()
    except PlaywrightError:  # the browser has let the body go (the page went on meanwhile): ask again
        html = page.context.request.get(document.url).text()
    errors = _checker[0].errors(html)
    assert errors == [], f"the Nu HTML Checker found errors on {name} ({document.url}):\n" + "\n".join(errors)


def log_in(page: Any, email: str, password: str | None = None) -> None:
    """Log in through the form (by field ids, so it works in every language)."""
    from tests.factories import PASSWORD

    page.goto("/account/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password or PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.locator(".flash-success").wait_for()


def log_out(page: Any) -> None:
    page.locator("form[action='/account/logout'] button").click()


def fill_proposal(page: Any, title: str, description: str, category: str,
                  place: tuple[str, str] | None = None) -> None:
    """Fill the propose form as a resident does; a place is typed as coordinates (no map needed)."""
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill(description)
    page.get_by_label("Category").select_option(category)
    if place is not None:
        page.locator("details.coordinates summary").click()
        page.get_by_label("Latitude").fill(place[0])
        page.get_by_label("Longitude").fill(place[1])

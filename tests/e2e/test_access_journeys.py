"""The resident journey without JavaScript and by keyboard alone; every page at phone width."""

import re

import pytest

from stengage.extensions import db
from tests import factories
from tests.e2e.conftest import SCREENSHOTS, assert_accessible, fill_proposal, log_in, log_out, track_documents
from tests.images import jpeg_with_gps

pytestmark = [pytest.mark.e2e, pytest.mark.real_commits]
PASSWORD = "kettle-on-the-simmering-balcony"


@pytest.fixture(scope="module")
def scene(live_server):
    with live_server.app.app_context():
        process = factories.process(title="Simmering without scripts")
        other = factories.proposal(process, title="Benches on Enkplatz")
        neighbour = factories.resident(email="neighbour.nojs@example.org", name="Nora", locale="en")
        code = factories.letter_codes(count=1)[0]
        names = {"process": f"/areas/vienna-simmering/processes/{process.slug}", "other": other.id,
                 "code": code, "neighbour": neighbour.email}
        db.session.commit()
        db.session.remove()
    return names


@pytest.fixture
def no_js_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    track_documents(page)
    yield page
    context.close()


def test_the_whole_resident_journey_works_without_javascript(no_js_page, scene, live_server, tmp_path):
    page = no_js_page
    page.goto("/account/register")
    page.get_by_label("Email address").fill("nojs@example.org")
    page.get_by_label("Display name").fill("Nika")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/check-your-mail")
    page.goto(live_server.outbox.link(live_server.outbox.last(to="nojs@example.org"), "/account/confirm/"))
    log_in(page, "nojs@example.org", PASSWORD)

    # Verify with the code from a letter; choose English first (Vienna's pages start in German).
    page.get_by_label("Language").select_option("en")
    page.get_by_role("button", name="Change language").click()
    page.goto("/areas/vienna-simmering/verify")
    page.get_by_label("Code from your letter").fill(scene["code"].lower())
    page.get_by_role("button", name="Use code").click()
    page.wait_for_url("**/areas/vienna-simmering")
    assert "letter" in page.content()

    # Publish with a place (coordinates, no map) and a photo.
    photo = tmp_path / "square.jpg"
    photo.write_bytes(jpeg_with_gps())
    page.goto(scene["process"] + "/propose")
    fill_proposal(page, "Drinking fountain on Enkplatz", "Summers are hot; a fountain would help.", "public_space",
                  place=("48.1705", "16.4225"))
    page.get_by_label("Photos (optional, up to 3)").set_input_files(str(photo))
    page.get_by_role("button", name=re.compile("Publish")).click()
    if page.get_by_role("button", name="Publish anyway").count():  # similar titles were shown first
        assert "Benches on Enkplatz" in page.content() and "Your photos are kept" in page.content()
        page.get_by_role("button", name="Publish anyway").click()
    page.wait_for_url("**/proposals/*")
    assert page.locator(".gallery img").count() == 1
    own = page.url
    assert "Drinking fountain on Enkplatz" in page.content() and "48.17050" in page.content()

    # Support another proposal, comment and follow, all as plain forms.
    page.goto(f"/proposals/{scene['other']}")
    page.get_by_role("button", name="Support this proposal").click()
    assert page.get_by_role("button", name="Withdraw my support").count() == 1
    page.get_by_label("Your comment").fill("Yes, with shade please.")
    page.get_by_role("button", name="Post comment").click()
    assert "Yes, with shade please." in page.content()
    page.get_by_role("button", name="Stop following").wait_for()  # commenting follows the proposal

    # The neighbour replies; Nika reads the notification.
    log_out(page)
    log_in(page, scene["neighbour"], factories.PASSWORD)
    page.goto(f"/proposals/{scene['other']}")
    page.get_by_role("link", name="Reply").first.click()
    page.get_by_label("Your comment").fill("Shade from the chestnut trees, maybe.")
    page.get_by_role("button", name="Post reply").click()
    log_out(page)
    log_in(page, "nojs@example.org", PASSWORD)
    page.get_by_role("link", name=re.compile("Notifications")).click()
    page.get_by_role("link", name=re.compile("Nora replied to your comment")).click()
    assert "chestnut trees" in page.content()

    # Switch to German and back.
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Change language").click()
    assert page.locator("html").get_attribute("lang") == "de"
    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Sprache wechseln").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(own)
    assert "Drinking fountain on Enkplatz" in page.content()


def _tab_to(page, matches, limit=80):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(matches):
            return
    raise AssertionError(f"keyboard focus never reached: {matches}")


def _focus(page, selector):
    """Tab until ``selector`` has the focus, as a keyboard user would."""
    _tab_to(page, f"document.activeElement && document.activeElement.matches({selector!r})")


def _press(page, label):
    """Tab to the button or link with this text and press Enter."""
    _tab_to(page, f"document.activeElement && document.activeElement.textContent.trim() === {label!r}")
    page.keyboard.press("Enter")


def test_the_resident_journey_by_keyboard_alone(page, scene, live_server):
    page.goto("/account/register")
    _focus(page, "#email")
    page.keyboard.type("keys@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("Kira Keys")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/check-your-mail")
    page.goto(live_server.outbox.link(live_server.outbox.last(to="keys@example.org"), "/account/confirm/"))
    _focus(page, "#email")
    page.keyboard.type("keys@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.locator(".flash-success").wait_for()

    # English, chosen with the keyboard from the switcher (Vienna's pages start in German).
    _focus(page, "#language-select")
    page.keyboard.press("Home")  # English is the first language offered
    page.keyboard.press("Tab")
    with page.expect_navigation():  # the switch posts and comes back; wait for the page it returns
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "en"

    with live_server.app.app_context():
        code = factories.letter_codes(count=1)[0]
        db.session.commit()
        db.session.remove()
    page.goto("/areas/vienna-simmering/verify")
    _focus(page, "#lc-code")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_url("**/areas/vienna-simmering")

    page.goto(scene["process"] + "/propose")
    _focus(page, "#title")
    page.keyboard.type("Ramp at the tram stop")
    page.keyboard.press("Tab")
    page.keyboard.type("A ramp for prams and wheelchairs.")
    _focus(page, "#category")
    page.keyboard.type("Mobility")
    _focus(page, "#address")
    page.keyboard.type("Tram stop Enkplatz")
    _press(page, "Publish proposal")
    if page.get_by_role("button", name="Publish anyway").count():
        _press(page, "Publish anyway")
    page.wait_for_url("**/proposals/*")
    assert "Ramp at the tram stop" in page.content()

    page.goto(f"/proposals/{scene['other']}")
    _press(page, "Support this proposal")
    page.get_by_role("button", name="Withdraw my support").wait_for()
    _focus(page, "#body")
    page.keyboard.type("Typed without a mouse.")
    _press(page, "Post comment")
    page.locator(".comment", has_text="Typed without a mouse.").wait_for()

    with live_server.app.app_context():
        from sqlalchemy import select

        from stengage.proposals import operations
        from stengage.proposals.models import Comment, Proposal

        mine = db.session.scalar(select(Comment).where(Comment.body == "Typed without a mouse."))
        neighbour = db.session.scalar(select(factories.User).where(factories.User.email == scene["neighbour"]))
        with live_server.app.test_request_context(base_url=live_server.url):
            operations.add_comment(neighbour, db.session.get(Proposal, scene["other"]), "Answer for Kira",
                                   factories.Alignment.NEUTRAL, parent=mine)
        db.session.commit()
        db.session.remove()
    page.goto("/")
    _press(page, "Notifications 1 unread")
    page.wait_for_url("**/notifications/")
    _tab_to(page, "document.activeElement && document.activeElement.textContent.includes('replied to your comment')")
    page.keyboard.press("Enter")
    page.locator(".replies .comment", has_text="Answer for Kira").wait_for()

    # The skip link is the first stop on every page and leads to the content.
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id === 'content'")


PAGES = ["/", "/areas/vienna-simmering", "/account/register", "/account/login", "/accessibility",
         "/areas/vienna-simmering/activity"]


@pytest.mark.parametrize("width", [320, 375, 640])  # 640: a 1280-pixel screen at 200 % zoom
def test_pages_fit_a_phone_screen(browser, live_server, scene, width):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 740},
                                  locale="en-GB")
    page = context.new_page()
    track_documents(page)
    try:
        for path in [*PAGES, scene["process"], f"/proposals/{scene['other']}"]:
            page.goto(path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
            name = "phone-" + (path.strip("/").replace("/", "-") or "home") + f"-{width}"
            if width in (375, 640):
                assert_accessible(page, name)
            else:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    finally:
        context.close()

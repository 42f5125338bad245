"""A new resident registers, confirms from the outbox, logs in and verifies in Vienna Simmering."""


import pytest

from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.real_commits]

EMAIL = "browser.resident@example.org"
PASSWORD = "sunflowers-along-the-simmeringer-hauptstrasse"


def test_register_confirm_log_in_and_verify_by_postcode(page, live_server):
    page.goto("/")
    assert page.locator("h1").inner_text() == "Shape the smart neighbourhood you live in"
    assert page.get_by_role("link", name="Simmering").is_visible()
    assert_accessible(page, "home")

    page.get_by_role("link", name="Register").click()
    assert_accessible(page, "register")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Display name").fill("Berta Browser")
    page.get_by_label("Password").fill("password1234")
    page.get_by_role("button", name="Create account").click()
    error = page.locator("#password-error")
    assert "too common or too easy to guess" in error.inner_text()
    assert page.get_by_label("Password").get_attribute("aria-invalid") == "true"
    assert_accessible(page, "register-error")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/account/check-your-mail")
    assert_accessible(page, "check-mail")

    mail = live_server.outbox.last(to=EMAIL)
    link = live_server.outbox.link(mail, "/account/confirm/")
    page.goto(link)
    page.wait_for_url("**/account/login")
    assert "is confirmed" in page.locator(".flash").inner_text()
    assert_accessible(page, "login")

    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert "Welcome, Berta Browser." in page.locator(".flash").inner_text()  # her first login

    # She registered in English: Vienna's pages keep her language (a visitor without one gets German).
    page.get_by_role("link", name="Simmering").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page, "area-vienna")
    page.locator("a[href$='/areas/vienna-simmering/verify']").click()
    assert_accessible(page, "verify")
    postcode = page.get_by_role("textbox", name="Your postcode")
    postcode.fill("1120")
    page.locator("form[action$='/verify/postcode'] button").click()
    assert "1120" in page.locator("#pc-postcode-error").inner_text()
    assert postcode.get_attribute("aria-invalid") == "true"
    assert_accessible(page, "verify-error")

    postcode.fill("1110")
    page.locator("form[action$='/verify/postcode'] button").click()
    page.wait_for_url("**/areas/vienna-simmering")
    assert page.locator("aside .badge-ok").count() == 1
    assert_accessible(page, "area-vienna-verified")

    page.locator("a[href='/account/profile']").first.click()
    assert "Simmering" in page.locator(".membership-list").inner_text()
    assert_accessible(page, "profile")

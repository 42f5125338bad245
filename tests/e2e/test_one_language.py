"""One language per person, in a real browser: a resident, a moderator, a staff member and an admin who
chose English read English on every page of every area, and those who chose German read German; the
browser itself asks for the other language (Accept-Language), which must not matter.

Every page is checked by axe-core and the Nu HTML Checker (``assert_accessible``)."""

import pytest
from flask_babel import force_locale, gettext

from stengage.accounts.models import MembershipRole
from stengage.extensions import db
from tests import factories
from tests.e2e.conftest import assert_accessible, log_in, track_documents

pytestmark = pytest.mark.e2e

AREA_PAGES = ["/", "/areas/vienna-simmering", "/areas/lyon-confluence", "/areas/munich-neuaubing-westkreuz-freiham",
              "/areas/sofia", "/areas/venice", "/areas/santiago-de-compostela", "/compare", "/accessibility"]
# Words of the page chrome every page shows, and which must read in the person's language.
CHROME = ["Skip to main content", "Change language", "My account"]


def _people(language: str) -> dict[str, object]:
    """One person per role who chose ``language``, and the content their pages show."""
    process = factories.process()  # Vienna Simmering
    proposal = factories.proposal(process, title=f"Benches for the square ({language})")
    resident = factories.resident(email=f"resident.{language}@example.org", locale=language)
    moderator = factories.moderator(email=f"moderator.{language}@example.org", locale=language)
    staff = factories.staff(email=f"staff.{language}@example.org", locale=language)
    factories.membership(staff, "lyon-confluence", role=MembershipRole.STAFF)
    admin = factories.user(email=f"admin.{language}@example.org", locale=language, admin=True)
    db.session.commit()
    process_url = f"/areas/vienna-simmering/processes/{process.slug}"
    return {
        resident.email: [*AREA_PAGES, process_url, f"/proposals/{proposal.id}", "/account/profile",
                         "/notifications/", "/areas/vienna-simmering/reports/"],
        moderator.email: ["/moderation", "/areas/vienna-simmering/moderation", f"/proposals/{proposal.id}/triage",
                          "/audit", "/areas/vienna-simmering/residents"],
        staff.email: ["/staff/summaries", "/staff/compare", "/areas/lyon-confluence"],
        admin.email: ["/admin/", "/admin/areas"],
    }


@pytest.mark.parametrize(("language", "browser_language"), [("en", "de-DE"), ("de", "en-GB")])
def test_every_page_speaks_the_language_the_person_chose(browser, live_server, language, browser_language):
    with live_server.app.app_context():
        people = _people(language)
        with force_locale(language):
            expected = [gettext(text) for text in CHROME]
        with force_locale("de" if language == "en" else "en"):
            foreign = [gettext(text) for text in CHROME]
    assert expected != foreign
    visited = 0
    for email, urls in people.items():
        context = browser.new_context(base_url=live_server.url, locale=browser_language,
                                      viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        track_documents(page)
        log_in(page, email)
        for url in urls:
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            assert page.locator("html").get_attribute("lang") == language, url
            text = page.locator("body").inner_text()
            for word, other in zip(expected, foreign, strict=True):
                assert word in text or word in page.content(), (url, word)
                assert other not in text, (url, other)
            assert_accessible(page, f"one-language-{language}-{email.split('@')[0]}-{visited}")
            visited += 1
        context.close()
    assert visited >= 20

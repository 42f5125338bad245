"""City staff prepare a process as a draft, show it through its preview link, publish it with three
phases and a PDF attachment; residents read it in English and in German."""

import re

import pytest

from stengage.extensions import db
from tests import factories
from tests.e2e.conftest import assert_accessible, log_in, log_out
from tests.functional.test_process_attachments import pdf_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.real_commits]

AREA = "/areas/vienna-simmering"


@pytest.fixture(scope="module")
def people(live_server):
    with live_server.app.app_context():
        factories.staff(email="clerk.journey@example.org", locale="en")
        factories.resident(email="reader.en@example.org", locale="en")
        factories.resident(email="reader.de@example.org", locale="de")
        db.session.commit()
        db.session.remove()


def test_staff_prepare_preview_and_publish_a_process_residents_read_it_in_their_language(page, people):
    log_in(page, "clerk.journey@example.org")
    page.goto(f"{AREA}/processes/new")
    assert_accessible(page, "process-new")
    page.fill("#title_texts-de", "Grünes Simmering")
    page.fill("#title_texts-en", "Green Simmering")
    page.fill("#description_texts-de", "Mehr **Bäume** für die Straßen.")
    page.fill("#description_texts-en", "More **trees** for the streets.")
    # The usual shape has four phases; this process has three: one goes, without JavaScript's help.
    page.get_by_role("button", name="Remove phase 4").click()
    assert page.locator('input[name$="-starts_at"]').count() == 3
    assert page.input_value("#title_texts-en") == "Green Simmering"  # nothing typed was lost
    page.get_by_role("button", name="Save process").first.click()
    assert "Only staff can see it until you publish it" in page.content()
    process_url = page.url
    assert_accessible(page, "process-draft")

    # A draft is not on the public area page.
    log_out(page)
    page.goto(AREA)
    assert "Green Simmering" not in page.content() and "Grünes Simmering" not in page.content()

    log_in(page, "clerk.journey@example.org")
    page.goto(process_url)
    page.get_by_role("button", name="Make a preview link").click()
    preview_url = page.locator("a.preview-link").get_attribute("href")
    assert re.search(r"/process-preview/[\w-]{20,}$", preview_url)
    log_out(page)
    page.goto(preview_url)
    assert "not public yet" in page.content() and "Green Simmering" in page.content()
    assert_accessible(page, "process-preview")

    log_in(page, "clerk.journey@example.org")
    page.goto(process_url)
    page.get_by_role("link", name="Attachments").click()
    assert_accessible(page, "process-attachments")
    page.set_input_files("#file", files=[{"name": "lageplan.pdf", "mimeType": "application/pdf",
                                          "buffer": pdf_bytes(2)}])
    page.fill("#title_texts-de", "Lageplan")
    page.fill("#title_texts-en", "Site plan")
    page.get_by_role("button", name="Attach", exact=True).click()
    assert "The attachment is added." in page.content()
    page.goto(process_url)
    page.get_by_role("button", name="Publish").click()
    assert "The process is published" in page.content()
    log_out(page)

    log_in(page, "reader.en@example.org")
    page.goto(AREA)
    assert page.get_by_role("link", name="Green Simmering").count() == 1
    assert_accessible(page, "area-en")
    page.get_by_role("link", name="Green Simmering").click()
    assert page.locator("h1").inner_text() == "Green Simmering"
    assert page.locator(".prose strong").first.inner_text() == "trees"
    assert page.locator(".timeline-step").count() == 3
    assert page.locator(".timeline-title").first.inner_text() == "Information"
    with page.expect_download() as download:
        page.get_by_role("link", name="Site plan").click()
    assert download.value.suggested_filename == "site-plan.pdf"
    assert_accessible(page, "process-en")
    log_out(page)

    log_in(page, "reader.de@example.org")
    page.goto(process_url)
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("h1").inner_text() == "Grünes Simmering"
    assert page.locator(".prose strong").first.inner_text() == "Bäume"
    assert page.get_by_role("link", name="Lageplan").count() == 1
    assert_accessible(page, "process-de")
    page.goto("/pages/help")
    assert page.locator("h1").inner_text() == "Hilfe"
    assert_accessible(page, "help-de")

"""A clerk generates letter codes: the CSV is saved and the page then lists the new batch."""

import uuid

import pytest

from stengage.extensions import db
from tests import factories
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.real_commits]


def test_generating_codes_saves_the_file_and_lists_the_batch(page, live_server):
    email = f"clerk.{uuid.uuid4().hex[:8]}@example.org"
    with live_server.app.app_context():
        factories.staff(email=email, locale="en")
        db.session.commit()
        db.session.remove()
    log_in(page, email)
    page.goto("/areas/vienna-simmering/letter-codes")
    page.get_by_label("Number of codes").fill("3")
    page.get_by_label("Label (optional)").fill("Letters to Enkplatz 4")
    with page.expect_download() as saved:
        page.get_by_role("button", name="Generate and download CSV").click()
    rows = saved.value.path().read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(rows) == 1 + 3  # a header and three codes
    page.get_by_text("Letters to Enkplatz 4").wait_for()  # the page reloaded and lists the batch

    # A refused form is shown with its message, and nothing is made.
    page.get_by_label("Number of codes").fill("0")
    page.get_by_role("button", name="Generate and download CSV").click()
    page.locator(".field-errors").first.wait_for()
    assert page.get_by_text("Letters to Enkplatz 4").count() == 1

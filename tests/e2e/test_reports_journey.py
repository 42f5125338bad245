"""A Munich moderator builds and publishes a report; staff export and compare; anyone reads it."""

import pytest

from stengage.extensions import db
from stengage.proposals.models import Alignment
from tests import factories
from tests.e2e.conftest import assert_accessible, log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.real_commits]


@pytest.fixture
def scene(live_server):
    with live_server.app.app_context():
        process = factories.process("munich-neuaubing-westkreuz-freiham", title="Smart lighting")
        residents = [factories.resident("munich-neuaubing-westkreuz-freiham", locale="en") for _ in range(6)]
        for i in range(6):
            factories.proposal(process, author=residents[i], title=f"LED street lights on road {i}",
                               body="street lights led dim night energy")
            factories.proposal(process, author=residents[i], title=f"Bike parking at station {i}",
                               body="bike parking station cycling secure")
        target = factories.proposal(process, author=residents[0], title="Lights in the underpass")
        comment = factories.comment(target, author=residents[1], body="The underpass is too dark at night",
                                    alignment=Alignment.IN_FAVOUR)
        factories.moderator("munich-neuaubing-westkreuz-freiham", email="mod.munich@example.org", locale="en")
        factories.staff("munich-neuaubing-westkreuz-freiham", email="staff.munich@example.org", locale="en")
        names = {"process": process.slug, "comment": comment.id, "proposal": target.id}
        db.session.commit()
        db.session.remove()
    return names


def test_build_publish_revise_export_compare_and_read(page, scene, live_server):
    area = "/areas/munich-neuaubing-westkreuz-freiham"
    log_in(page, "mod.munich@example.org")
    page.goto(f"{area}/reports/new")
    assert_accessible(page, "report-new")
    page.get_by_label("Title").fill("Smart lighting: what residents said")
    page.get_by_label("Process").select_option(scene["process"])
    page.get_by_role("button", name="Create report").click()
    page.get_by_role("link", name="Suggest themes from the texts").click()
    assert_accessible(page, "report-suggestions")
    section = page.locator("article.suggestion", has_text="lights").first
    section.get_by_label("Theme title").fill("Theme 1")
    section.get_by_role("button", name="Accept as theme").click()
    page.locator(".flash-success").wait_for()
    # The second theme is made by hand, and filled in bulk from the unassigned list.
    page.goto(f"{area}/reports")
    page.get_by_role("link", name="Workspace").click()
    page.get_by_label("Theme", exact=True).fill("Theme 2")
    page.get_by_role("button", name="Add theme").click()
    page.locator(".flash-success").wait_for()
    for box in page.get_by_role("checkbox", name="Bike parking").all():
        box.check()
    page.get_by_label("Put the ticked contributions in").select_option(label="Theme 2")
    page.get_by_role("button", name="Add to theme").click()
    page.locator(".flash-success").wait_for()
    assert_accessible(page, "report-workspace")
    page.get_by_role("link", name="Theme 1").click()
    page.get_by_label("Synthesis").fill("Residents ask for **brighter** but dimmable lights.")
    page.get_by_role("button", name="Save theme").click()
    page.locator(".flash-success").wait_for()
    page.get_by_role("link", name="Smart lighting: what residents said").click()
    page.get_by_role("button", name="Publish version 1").click()
    page.wait_for_url("**/reports/smart-lighting-what-residents-said")
    assert "Version 1" in page.content()
    assert_accessible(page, "report-v1")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename.endswith("-v1.pdf")

    # A hidden comment changes the next version only.
    page.goto(f"/proposals/{scene['proposal']}")
    comment = page.locator(f"#comment-{scene['comment']}")
    comment.get_by_placeholder("Reason (shown to the author)").fill("Off topic")
    comment.get_by_role("button", name="Hide").click()
    page.goto(f"{area}/reports/smart-lighting-what-residents-said/workspace")
    page.get_by_label("What changed since the last version").fill("One comment was hidden.")
    page.get_by_role("button", name="Publish version 2").click()
    page.get_by_role("link", name="What changed since v1").click()
    assert_accessible(page, "report-diff")
    changes = page.content()
    assert "participation.comments" not in changes  # labels, never keys
    # v1's single comment was about one resident: withheld, shown as such, never as 0.
    total = page.get_by_role("row", name="Participation All Comments", exact=False).first
    assert total.inner_text().split("\t")[3:5] == ["not shown", "0"]
    # The theme's one comment was one person's: withheld in v1 too, and no change is computed from it.
    theme_row = page.get_by_role("row", name="Themes Theme 1 Comments not shown")
    assert theme_row.inner_text().split("\t")[3:] == ["not shown", "0", "—"]
    # The team may look at exact figures, marked as not for publication.
    page.goto(f"{area}/reports/smart-lighting-what-residents-said?v=1")
    page.get_by_role("link", name="Show exact figures (not for publication)").click()
    assert "not for publication" in page.content()
    assert_accessible(page, "report-exact")
    log_out(page)

    # City staff export the lighthouse cities and compare.
    log_in(page, "staff.munich@example.org")
    page.get_by_role("link", name="Summaries").click()
    assert_accessible(page, "staff-summaries")
    for fmt in ("CSV", "XLSX (Excel)"):
        page.goto("/staff/summaries")
        page.get_by_label(fmt).check()
        page.get_by_role("button", name="Prepare the file").click()
        page.get_by_role("link", name="Download").wait_for()
        with page.expect_download() as download:
            page.get_by_role("link", name="Download").click()
        assert download.value.suggested_filename.endswith(".csv" if fmt == "CSV" else ".xlsx")
    assert_accessible(page, "staff-job")
    page.goto("/staff/compare")
    assert_accessible(page, "staff-compare")
    log_out(page)

    # Anyone reads both versions, what each figure counts, and the same data from the API.
    page.goto(f"{area}/reports/smart-lighting-what-residents-said?v=1")
    page.locator("main a[href='/figures/']").click()  # in the area's language for a visitor
    page.wait_for_url("**/figures/")
    assert page.locator("th[scope=row]").count() >= 10
    assert_accessible(page, "data-dictionary")
    page.goto(f"{area}/reports/smart-lighting-what-residents-said?v=1")
    assert "Version 1" in page.content()
    page.goto(f"{area}/reports/smart-lighting-what-residents-said?v=2")
    assert "One comment was hidden." in page.content()
    api = page.request.get(f"/api/v1{area}/reports/smart-lighting-what-residents-said/versions/2")
    [total] = [f for f in api.json()["content"]["figures"] if f["breakdown"] == "participation"]
    assert api.ok and total["values"]["comments"] == 0 and total["withheld"] == {}

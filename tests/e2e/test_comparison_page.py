"""A visitor from a follower city compares the areas, in English and in French, and downloads the figures."""

import csv
import io

import pytest

from stengage.extensions import db
from stengage.proposals.models import Category
from tests import factories
from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.real_commits]


@pytest.fixture(scope="module")
def scene(live_server):
    """Munich: residents propose about refurbishment and renewables; one alone about street lighting (withheld)."""
    with live_server.app.app_context():
        where = "munich-neuaubing-westkreuz-freiham"
        process = factories.process(where, title="Sanierung im Westkreuz")
        for category, people in ((Category.REFURBISHMENT, 7), (Category.RENEWABLE_ENERGY, 6)):
            for _ in range(people):
                factories.proposal(process, author=factories.resident(where), category=category)
        factories.proposal(process, author=factories.resident(where), category=Category.STREET_LIGHTING)
        db.session.commit()
        db.session.remove()
    return where


def _cell(page, area: str, category: str) -> str:
    return page.locator(f"tr[data-area='{area}'] td[data-category='{category}']").inner_text().strip()


def test_compare_the_areas_in_two_languages_and_download_the_figures(page, scene):
    page.goto("/")
    page.get_by_role("link", name="Compare the areas").click()
    page.wait_for_url("**/compare")
    assert_accessible(page, "compare-en")
    assert page.get_by_role("img", name="Proposals, all categories, by area").is_visible()
    # Street lighting in Munich is about one resident: not shown, never 0, with the reason a link away.
    assert _cell(page, scene, "street_lighting").startswith("not shown")
    page.locator(f"tr[data-area='{scene}'] td[data-category='street_lighting'] a.note-ref").click()
    assert page.url.endswith("#note-few")

    # Per 1,000 residents, chosen with the form (no script needed): Munich has 30,000.
    page.get_by_label("Per 1,000 residents").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/compare?measure=proposals&scale=per_1000")
    assert_accessible(page, "compare-en-per-1000")
    lines = {(r["area"], r["category"], r["measure"]): r
             for r in csv.DictReader(io.StringIO(page.request.get("/compare.csv").text()))}
    assert lines[(scene, "street_lighting", "proposals")]["note"] == "few"
    for category in ("all", "refurbishment", "renewable_energy", "street_lighting", "housing"):
        line = lines[(scene, category, "proposals")]
        assert _cell(page, scene, category) == line["per_1000"] or (
            line["per_1000"] == "" and _cell(page, scene, category).startswith("not shown"))
    assert lines[(scene, "all", "proposals")]["per_1000"] != ""
    assert "population is not known" in page.locator("tr[data-area='sofia']").inner_text()

    # The same page in French, through the language switcher.
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_url("**/compare?measure=proposals&scale=per_1000")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert_accessible(page, "compare-fr-per-1000")
    page.locator("#measure-residents").check()
    page.locator("#scale-absolute").check()
    page.locator("form.compare-form button[type=submit]").click()
    page.wait_for_url("**/compare?measure=residents&scale=absolute")
    assert_accessible(page, "compare-fr-residents")
    assert _cell(page, scene, "street_lighting").startswith("non affiché")
    with page.expect_download() as download:
        page.locator("a[href='/compare.csv']").click()
    assert download.value.suggested_filename == "stengage-comparison.csv"

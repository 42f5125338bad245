"""A reader saves a published report's HTML file and opens it from disk, offline: it is styled,
valid and accessible, prints whole, and loads nothing; its links lead back to the platform. The
PDF they download speaks their language."""

import pytest

from stengage.extensions import db
from stengage.reports import operations as report_ops
from tests import factories, pdfs
from tests.e2e.conftest import AXE, WCAG_TAGS

pytestmark = [pytest.mark.e2e, pytest.mark.real_commits]


@pytest.fixture(scope="module")
def published(live_server):
    with live_server.app.app_context():
        process = factories.process(title="Warmth from waste heat")
        ideas = [factories.proposal(process, title=f"Waste heat for block {i}", body="heat") for i in range(3)]
        factories.comment(ideas[0], body="The bakery's heat could warm the school")
        moderator = factories.moderator(locale="en")
        report = report_ops.create_report(moderator, process.area, "Waste heat: what residents said", process=process)
        theme = report_ops.add_theme(moderator, report, "Heat networks",
                                     f"See [the first idea](/proposals/{ideas[0].id}).")
        report_ops.assign(moderator, theme, [p.id for p in ideas], [])
        report_ops.publish(moderator, report, "")
        url = f"/areas/vienna-simmering/reports/{report.slug}"
        db.session.commit()
        db.session.remove()
    return url


def test_the_saved_html_file_works_offline(page, published, live_server, nu_checker, tmp_path):
    page.goto(published)
    language = page.evaluate("document.documentElement.lang")
    with page.expect_download() as download:
        page.locator("a[href$='/v1.html']").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    html = saved.read_text(encoding="utf-8")
    assert nu_checker.errors(html) == []

    offline = page.context.browser.new_context(offline=True)
    try:
        reader = offline.new_page()
        requested: list[str] = []
        reader.on("request", lambda request: requested.append(request.url))
        reader.goto(saved.as_uri())
        assert requested == [saved.as_uri()]  # the file itself, and nothing else
        assert reader.evaluate("document.documentElement.lang") == language
        # The inlined print stylesheet is in force: headings in the report's green.
        assert reader.evaluate("getComputedStyle(document.querySelector('h1')).color") == "rgb(7, 61, 46)"
        assert reader.locator("svg.chart").count() == 2
        links = reader.evaluate("[...document.querySelectorAll('[href], [src]')].map(e => e.href || e.src)")
        assert links and all(link.startswith(f"{live_server.url}/") for link in links), links
        # On screen the tables behind the charts open on demand; printed, everything shows.
        hidden = reader.locator("details > :not(summary)").first
        assert not hidden.is_visible()
        reader.emulate_media(media="print")
        assert hidden.is_visible()
        reader.emulate_media(media="screen")
        reader.add_script_tag(path=str(AXE))
        result = reader.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
        assert [v["id"] for v in result["violations"]] == []
    finally:
        offline.close()

    with page.expect_download() as download:
        page.locator("a[href$='/v1.pdf']").click()
    facts = pdfs.read(download.value.path().read_bytes())
    assert facts.lang == language and facts.marked and facts.ua_part == "1"

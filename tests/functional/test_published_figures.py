"""What a report publishes: one definition per figure, the disclosure rule everywhere, exact figures
for the team only, and versions published before the rule still readable."""

import json

from sqlalchemy import select

from stengage.db import utc_now
from stengage.extensions import db
from stengage.proposals import supports
from stengage.proposals.models import Alignment
from stengage.reports import operations as report_ops
from stengage.reports.figures import figures
from stengage.reports.models import ReportVersion
from stengage.reports.summaries import SummaryQuery, summary
from tests import factories
from tests.conftest import login_as


def _small_theme():
    """A theme about three residents: one author and two supporters."""
    process = factories.process(title="Quiet street")
    author = factories.resident()
    cycling = factories.proposal(process, author=author, title="Safe cycling on the bridge")
    for _ in range(2):
        supports.support(factories.resident(), cycling)
    busy = [factories.proposal(process, title=f"Solar roof {i}") for i in range(6)]
    for proposal in busy:
        for _ in range(3):
            supports.support(factories.resident(), proposal)
    moderator = factories.moderator()
    report = report_ops.create_report(moderator, process.area, "What the street said", process=process)
    theme = report_ops.add_theme(moderator, report, "Safe cycling")
    report_ops.assign(moderator, theme, [cycling.id], [])
    report_ops.publish(moderator, report, "")
    return report, theme, moderator


def test_a_small_theme_is_not_shown_in_public_but_its_team_sees_exact_figures(client):
    report, _theme, moderator = _small_theme()
    url = f"/areas/vienna-simmering/reports/{report.slug}"
    public = client.get(url).get_data(as_text=True)
    start = public.index('id="theme-')
    article = public[start:public.index("</article>", start)]
    assert "Safe cycling" in article and "not shown" in article
    assert '<data value="2">' not in article  # the two supporters
    assert "fewer than 5 residents" in public
    assert client.get(f"{url}?exact=1").get_data(as_text=True).count("Not for publication") == 0  # visitors: ignored

    login_as(client, moderator)
    exact = client.get(f"{url}?exact=1").get_data(as_text=True)
    start = exact.index('id="theme-')
    assert '<data value="2">' in exact[start:exact.index("</article>", start)]
    assert "not for publication" in exact


def test_every_output_of_a_version_withholds_the_same_figures(client):
    report, _theme, _moderator = _small_theme()
    base = f"/areas/vienna-simmering/reports/{report.slug}/v1"
    document = json.loads(client.get(f"{base}.json").data)
    [row] = [f for f in document["figures"] if f["breakdown"] == "theme"]
    assert row["values"]["supporters"] is None and row["withheld"]["supporters"] == "few"
    assert "comments" not in document["themes"][0]  # no id list that would tell a withheld count
    api = client.get(f"/api/v1/areas/vienna-simmering/reports/{report.slug}/versions/1").get_json()
    assert api["content"]["figures"] == document["figures"]
    lines = [line.split(",") for line in client.get(f"{base}.csv").get_data(as_text=True).splitlines()]
    theme_lines = [cells for cells in lines if cells[0] == "Themes"]
    assert theme_lines and all(cells[3] == "" and cells[5].startswith("Not shown") for cells in theme_lines)


def test_a_version_published_before_residents_were_counted_still_reads(client):
    report, theme, moderator = _small_theme()
    old_style = {  # the snapshot format of the first versions
        "report": {"id": report.id, "title": report.title, "area": "vienna-simmering", "process": None,
                   "period": None},
        "participation": {"registered": 30, "verified": {"low": 3, "substantial": 0, "high": 0},
                          "active_residents": 25, "proposals": 7, "supports": 20, "comments": 0,
                          "weeks": [{"week": "2026-W10", "proposals": 7, "supports": 20, "comments": 0}]},
        "categories": {"mobility": {"proposals": [1, 2], "supports": 20, "comments": 0}},
        "themes": [{"id": theme.id, "title": "Safe cycling", "synthesis": "", "proposals": [1],
                    "unique_supporters": 2, "comments": [], "alignment": {"in_favour": 0, "against": 0, "neutral": 0},
                    "top_proposals": [{"id": 1, "title": "Safe cycling", "supports": 2}], "quotes": []}],
        "outcomes": {"published": [{"id": 1, "title": "Safe cycling", "answer_html": ""}]},
        "comment_languages": {}, "proposal_languages": {"en": 7}, "proposal_titles": {"1": "Safe cycling"},
    }
    db.session.add(ReportVersion(report=report, number=2, changelog="older format", snapshot=old_style,
                                 published_at=utc_now(), published_by_id=moderator.id))
    db.session.flush()
    figs = figures(old_style)
    assert figs.row("participation").value("proposals") == 7  # totals keep showing
    # Breakdowns whose residents were not recorded are not published at all (so none can be subtracted).
    assert figs.row("category", "mobility") is None and figs.row("theme", str(theme.id)) is None
    page = client.get(f"/areas/vienna-simmering/reports/{report.slug}?v=2").get_data(as_text=True)
    assert "recorded how many residents each figure is about" in page and '<data value="7">' in page
    assert client.get(f"/areas/vienna-simmering/reports/{report.slug}/diff?from=1&to=2").status_code == 200


def test_a_theme_counts_the_same_in_the_report_and_in_the_summary():
    process = factories.process(title="Bridges")
    ideas = [factories.proposal(process, title=f"Bridge {i}") for i in range(3)]
    elsewhere = factories.proposal(process, title="Unrelated")
    residents = [factories.resident() for _ in range(6)]
    for resident in residents:
        supports.support(resident, ideas[0])
    on_theme = [factories.comment(ideas[1], author=r, alignment=Alignment.AGAINST) for r in residents[:3]]
    placed = factories.comment(elsewhere, author=residents[4], alignment=Alignment.IN_FAVOUR)
    moderator = factories.moderator()
    report = report_ops.create_report(moderator, process.area, "Bridges", process=process)
    theme = report_ops.add_theme(moderator, report, "Bridges")
    report_ops.assign(moderator, theme, [p.id for p in ideas], [placed.id])
    version = report_ops.publish(moderator, report, "")
    in_report = figures(version.snapshot, exact=True).row("theme", str(theme.id))
    [in_summary] = [r for r in summary(SummaryQuery(area_ids=(process.area_id,)), ("theme",))]
    assert in_report.values["comments"] == len(on_theme) + 1 == in_summary.values["comments"]
    assert in_report.values["supports"] == 6 == in_summary.values["supports"]
    assert in_report.residents == in_summary.residents


def test_registered_residents_leave_out_blocked_accounts():
    from stengage.reports.counting import membership_row

    before = membership_row(factories.area().id).values["registered"]
    factories.resident()
    blocked = factories.resident()
    blocked.blocked_at = utc_now()
    db.session.flush()
    assert membership_row(factories.area().id).values["registered"] == before + 1


def test_the_data_dictionary_speaks_the_readers_language(visitor):
    page = visitor.get("/figures/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="de"' in page and "Unique supporters" not in page
    rows = visitor.get("/figures/dictionary.csv", headers={"Accept-Language": "en"}).get_data(as_text=True).splitlines()
    assert rows[0] == "kind,key,name,definition,unit,counts"
    assert any(line.startswith("measure,supporters,Unique supporters,") for line in rows)
    assert db.session.scalar(select(ReportVersion)) is None


def test_the_diff_compares_an_earlier_version_with_a_later_one(client):
    report, _theme, moderator = _small_theme()
    report_ops.publish(moderator, report, "Second look.")
    base = f"/areas/vienna-simmering/reports/{report.slug}/diff"
    page = client.get(f"{base}?to=2").get_data(as_text=True)  # from: the version before
    assert "Changes from v1 to v2" in page
    for query in ("?from=2&to=1", "?from=2&to=2", "?to=1"):
        response = client.get(base + query)
        assert response.status_code == 400
        assert "Compare an earlier version (from) with a later one (to)." in response.get_data(as_text=True)


def test_the_summary_does_not_tell_what_a_report_leaves_for_the_other_processes():
    """A process report tells its categories; the area's summary tells the area's. Their difference
    is the rest of the area: one person's one idea in another process must not show through it."""
    from stengage.proposals.models import Category

    busy = factories.process(title="Busy")
    people = [factories.resident() for _ in range(8)]
    for person in people[:6]:
        idea = factories.proposal(busy, author=person, category=Category.RENEWABLE_ENERGY)
        for supporter in people:
            supports.support(supporter, idea)
    moderator = factories.moderator()
    report_ops.publish(moderator, report_ops.create_report(moderator, busy.area, "Busy", process=busy), "")
    lone = factories.resident()
    factories.proposal(factories.process(title="Quiet"), author=lone, category=Category.RENEWABLE_ENERGY)

    rows = {row.id: row for row in summary(SummaryQuery(area_ids=(busy.area_id,)))}
    renewable = rows[("category", "vienna-simmering", "renewable_energy")]
    assert renewable.values["proposals"] == 7 and renewable.value("proposals") is None  # 7 - 6 = the lone idea
    assert rows[("area", "vienna-simmering")].value("residents") is None  # 9 - 8 = the lone resident

"""Governance reports: workspace, suggestions, traceable figures, frozen versions and their diff."""

import json

from sqlalchemy import func, select

from stengage.extensions import db
from stengage.moderation import operations as moderation_ops
from stengage.proposals import supports
from stengage.proposals.models import Alignment, Comment, Support
from stengage.reports import operations as report_ops
from stengage.reports.figures import diff, figures
from stengage.reports.models import Report
from tests import factories
from tests.conftest import login_as, submit


def _world():
    process = factories.process(title="Munich lights")
    solar = [factories.proposal(process, title=f"Solar roof on block {i}", body="solar panels roof energy")
             for i in range(4)]
    bikes = [factories.proposal(process, title=f"Bike lane on street {i}", body="bike lane cycling safety")
             for i in range(4)]
    residents = [factories.resident() for _ in range(6)]
    for resident in residents[:4]:
        for proposal in solar[:3]:  # a resident supporting three proposals of a theme counts once
            supports.support(resident, proposal)
    supports.support(residents[5], bikes[0])
    comments = [factories.comment(solar[0], author=residents[4], body="Great solar idea for the roof",
                                  alignment=Alignment.IN_FAVOUR),
                factories.comment(solar[1], body="Too expensive solar panels", alignment=Alignment.AGAINST),
                factories.comment(bikes[0], body="Safer cycling for the kids", alignment=Alignment.IN_FAVOUR)]
    return process, solar, bikes, residents, comments


def _report(process, moderator):
    return report_ops.create_report(moderator, process.area, "What Simmering said", process=process)


def test_the_workspace_builds_themes_and_every_figure_recounts_from_the_data(client):
    process, solar, _bikes, _residents, comments = _world()
    moderator = factories.moderator()
    login_as(client, moderator)
    new = "/areas/vienna-simmering/reports/new"
    response = submit(client, new, {"title": "What Simmering said", "process_slug": process.slug}, page=new)
    assert response.status_code == 302
    report = db.session.scalar(select(Report))
    workspace = response.headers["Location"]
    base = workspace.rsplit("/", 1)[0]
    submit(client, f"{base}/themes", {"theme-title": "Solar energy",
                                      "theme-synthesis": "Residents want **solar** roofs."}, page=workspace)
    theme = report.themes[0]
    submit(client, f"{base}/assign", {"assign-theme": str(theme.id), "assign-proposals": [str(p.id) for p in solar],
                                      "assign-comments": [str(comments[2].id)]}, page=workspace)
    page = client.get(workspace).get_data(as_text=True)
    assert "50.0 %" in page  # half of the proposals are in a theme
    filtered = client.get(f"{workspace}?q=bike").get_data(as_text=True)
    assert "Bike lane on street 0" in filtered and "Too expensive solar panels" not in filtered

    data = report_ops.snapshot(report)
    [solar_theme] = data["themes"]
    exact = figures(data, exact=True)
    theme_row, total = exact.row("theme", str(theme.id)), exact.row("participation")
    supporters = set(db.session.scalars(select(Support.user_id).where(Support.proposal_id.in_([p.id for p in solar]))))
    assert exact.value(theme_row, "supporters") == len(supporters) == 4
    assert solar_theme["proposals"] == sorted(p.id for p in solar)
    assert set(solar_theme["comments"]) == {comments[0].id, comments[1].id, comments[2].id}
    assert [exact.value(theme_row, m) for m in ("in_favour", "against", "neutral")] == [2, 1, 0]
    assert exact.value(total, "supports") == db.session.scalar(select(func.count(Support.id)))
    assert exact.value(total, "comments") == 3 and exact.value(total, "proposals") == 8
    assert exact.value(exact.row("category", "mobility"), "supports") == 13
    assert "<strong>solar</strong>" in solar_theme["synthesis_html"]


def test_quotes_resolve_to_their_comment(client):
    process, _solar, _bikes, _residents, comments = _world()
    moderator = factories.moderator()
    report = _report(process, moderator)
    theme = report_ops.add_theme(moderator, report, "Solar")
    report_ops.assign(moderator, theme, [], [comments[0].id])
    report_ops.set_quote(moderator, theme.items[0], True)
    version = report_ops.publish(moderator, report, "")
    [quote] = version.snapshot["themes"][0]["quotes"]
    comment = db.session.get(Comment, quote["comment"])
    assert quote["text"] == comment.body and quote["proposal"] == comment.proposal_id
    page = client.get(f"/areas/vienna-simmering/reports/{report.slug}").get_data(as_text=True)
    assert f"/comments/{comment.id}" in page


def test_published_versions_are_frozen_and_the_diff_shows_what_changed(client, outbox):
    process, solar, _bikes, residents, comments = _world()
    moderator = factories.moderator()
    report = _report(process, moderator)
    theme = report_ops.add_theme(moderator, report, "Solar")
    report_ops.assign(moderator, theme, [p.id for p in solar], [])
    v1 = report_ops.publish(moderator, report, "")
    follower = factories.resident()
    report_ops.follow(follower, report)
    frozen = json.dumps(v1.snapshot, sort_keys=True)

    moderation_ops.hide(moderator, comments[1], factories.area(), "insult")
    supports.support(residents[5], solar[3])
    assert json.dumps(db.session.get(type(v1), v1.id).snapshot, sort_keys=True) == frozen

    login_as(client, moderator)
    url = f"/areas/vienna-simmering/reports/{report.slug}/workspace"
    publish = f"/areas/vienna-simmering/reports/{report.slug}/publish"
    page = submit(client, publish, {"publish-changelog": ""}, page=url).get_data(as_text=True)
    assert "Say what changed since the last version." in page
    submit(client, publish, {"publish-changelog": "A hidden comment; a new support."}, page=url)
    v2 = report.versions[-1]
    assert v2.number == 2
    theme_row = figures(v2.snapshot, exact=True).row("theme", str(theme.id))
    assert theme_row.values["against"] == 0 and theme_row.values["supporters"] == 5
    changes = {(c["item"], c["measure"]): (c["old"], c["new"])
               for c in diff(figures(v1.snapshot), figures(v2.snapshot))}
    assert changes[("Solar", "Unique supporters")] == (None, 5)  # four people: withheld in v1
    assert ("Solar", "Comments against") not in changes  # by fewer than 5 people: withheld in both
    diff_page = client.get(f"/areas/vienna-simmering/reports/{report.slug}/diff?from=1&to=2").get_data(as_text=True)
    assert "Unique supporters" in diff_page and "not shown" in diff_page
    assert "theme.Solar" not in diff_page and "unique_supporters" not in diff_page  # labels, not keys
    v1_page = client.get(f"/areas/vienna-simmering/reports/{report.slug}?v=1").get_data(as_text=True)
    assert "Version 1" in v1_page
    assert any(m["To"] == follower.email for m in outbox.messages())


def test_downloads_of_a_version(client):
    process, _solar, *_ = _world()
    moderator = factories.moderator()
    report = _report(process, moderator)
    report_ops.publish(moderator, report, "")
    base = f"/areas/vienna-simmering/reports/{report.slug}/v1"
    pdf = client.get(f"{base}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    document = json.loads(client.get(f"{base}.json").data)
    [total] = [f for f in document["figures"] if f["breakdown"] == "participation"]
    assert total["values"]["proposals"] == 8 and "proposals" not in total["withheld"]
    csv_text = client.get(f"{base}.csv").get_data(as_text=True)
    assert csv_text.startswith("Breakdown,Item,Figure,Value,Unit,Note")
    assert "Participation,All,Proposals,8,proposals,,participation,,proposals" in csv_text
    assert "<h1>What Simmering said</h1>" in client.get(f"{base}.html").get_data(as_text=True)
    assert client.get(f"/areas/vienna-simmering/reports/{report.slug}/v9.pdf").status_code == 404
    assert client.get(f"/areas/vienna-simmering/reports/{report.slug}/vabc.pdf").status_code == 404


def test_pdfs_are_made_by_a_background_job_with_progress(client):
    from stengage.reports import jobs
    from stengage.reports.models import JobState

    process, *_ = _world()
    moderator = factories.moderator()
    report = _report(process, moderator)
    version = report_ops.publish(moderator, report, "")
    job = jobs.start_report_pdf(moderator.id, version, "en")
    job.state, job.progress, job.started_at = JobState.RUNNING, 20, factories.utc_now()
    db.session.flush()
    url = f"/areas/vienna-simmering/reports/{report.slug}/v1.pdf"
    waiting = client.get(url)
    assert waiting.status_code == 202 and "Preparing the PDF of version 1" in waiting.get_data(as_text=True)
    assert 'value="20"' in waiting.get_data(as_text=True)
    job.state = JobState.QUEUED
    db.session.flush()
    jobs.run(job.id)
    ready = client.get(url)
    assert ready.status_code == 200 and ready.data.startswith(b"%PDF")


def test_suggestions_group_similar_texts_deterministically_and_decisions_are_logged(client):
    from stengage.core.audit import AuditEntry
    from stengage.reports import suggestions

    process, _solar, _bikes, *_ = _world()
    for i in range(6):
        factories.proposal(process, title=f"Solar panels for school {i}", body="solar panels roof energy")
        factories.proposal(process, title=f"Cycling lane to park {i}", body="bike lane cycling safety")
    moderator = factories.moderator()
    report = _report(process, moderator)
    first, second = suggestions.suggest(report), suggestions.suggest(report)
    assert first == second and len(first) >= 2
    login_as(client, moderator)
    url = f"/areas/vienna-simmering/reports/{report.slug}/suggestions"
    page = client.get(url).get_data(as_text=True)
    assert first[0].title in page
    submit(client, f"{url}/accept", {"key": first[0].key, "title": "Renamed theme"}, page=url)
    submit(client, f"{url}/reject", {"key": first[1].key}, page=url)
    assert [t.title for t in report.themes] == ["Renamed theme"]
    assert len(report.themes[0].items) == first[0].size
    verbs = set(db.session.scalars(select(AuditEntry.verb).where(AuditEntry.target_type == "report")))
    assert {"suggestion.accept", "suggestion.reject"} <= verbs
    remaining = {s.key for s in suggestions.suggest(report)}
    assert first[0].key not in remaining and first[1].key not in remaining


def test_residents_and_other_areas_moderators_cannot_reach_workspaces_or_drafts(client):
    process, *_ = _world()
    report = _report(process, factories.moderator())
    for who in (factories.resident(), factories.moderator("lyon-confluence"), factories.staff("lyon-confluence")):
        login_as(client, who)
        assert client.get(f"/areas/vienna-simmering/reports/{report.slug}/workspace").status_code == 403
        assert client.get(f"/areas/vienna-simmering/reports/{report.slug}/suggestions").status_code == 403
        assert client.get("/areas/vienna-simmering/reports/new").status_code == 403
        # A draft has no public version, and its preview is for the team only.
        assert client.get(f"/areas/vienna-simmering/reports/{report.slug}").status_code == 404
        assert client.get(f"/areas/vienna-simmering/reports/{report.slug}?preview=1").status_code == 404
        assert report.slug not in client.get("/areas/vienna-simmering/reports/").get_data(as_text=True)
    login_as(client, factories.staff())
    assert client.get(f"/areas/vienna-simmering/reports/{report.slug}?preview=1").status_code == 200


def test_area_reports_over_a_period(client):
    _world()
    login_as(client, factories.staff())
    url = "/areas/vienna-simmering/reports/new"
    page = submit(client, url, {"title": "Year", "process_slug": "", "period_start": "2026-12-31",
                                "period_end": "2026-01-01"}, page=url).get_data(as_text=True)
    assert "The period must not end before it starts." in page
    page = submit(client, url, {"title": "Year", "process_slug": "", "period_start": "0001-01-01",
                                "period_end": "9999-12-31"}, page=url).get_data(as_text=True)
    assert "Until: enter a date in the years 2000 to 2100." in page
    assert db.session.scalar(select(Report).where(Report.title == "Year")) is None
    page = submit(client, url, {"title": "No scope", "process_slug": ""}, page=url).get_data(as_text=True)
    assert "Choose a process, or a period for the whole area." in page
    response = submit(client, url, {"title": "Year", "process_slug": "", "period_start": "2026-01-01",
                                    "period_end": "2030-12-31"}, page=url)
    assert response.status_code == 302
    report = db.session.scalar(select(Report).where(Report.title == "Year"))
    assert figures(report_ops.snapshot(report)).row("participation").value("proposals") == 8


def test_a_draft_cannot_be_followed_by_anyone_who_cannot_see_it(client):
    from stengage.reports.models import ReportFollow

    process, *_ = _world()
    moderator = factories.moderator()
    report = _report(process, moderator)
    follow = f"/areas/vienna-simmering/reports/{report.slug}/follow"
    for who in (factories.resident(), factories.moderator("lyon-confluence")):
        login_as(client, who)
        # The answer is the same as for a report that does not exist: the draft stays unknown.
        assert submit(client, follow, page="/areas/vienna-simmering/reports/").status_code == 404
        assert submit(client, "/areas/vienna-simmering/reports/nothing-here/follow",
                      page="/areas/vienna-simmering/reports/").status_code == 404
    assert db.session.scalar(select(func.count(ReportFollow.id))) == 0
    report_ops.publish(moderator, report, "")
    resident = factories.resident()
    login_as(client, resident)
    assert submit(client, follow, page="/areas/vienna-simmering/reports/").status_code == 302
    assert db.session.scalar(select(ReportFollow.user_id)) == resident.id


def test_each_theme_verb_has_its_own_form_and_is_logged(client):
    from stengage.core.audit import AuditEntry

    process, solar, _bikes, _residents, comments = _world()
    moderator = factories.moderator()
    report = _report(process, moderator)
    theme = report_ops.add_theme(moderator, report, "Solar")
    report_ops.assign(moderator, theme, [solar[0].id], [comments[0].id])
    proposal_item, comment_item = sorted(theme.items, key=lambda i: i.comment_id or 0)
    login_as(client, moderator)
    page = f"/areas/vienna-simmering/reports/{report.slug}/themes/{theme.id}"
    assert submit(client, f"{page}/items/{comment_item.id}/quote", page=page).status_code == 302
    assert comment_item.is_quote
    submit(client, f"{page}/items/{proposal_item.id}/quote", page=page)
    assert "Only comments can be quoted." in client.get(page).get_data(as_text=True)
    submit(client, f"{page}/items/{comment_item.id}/unquote", page=page)
    assert not comment_item.is_quote
    submit(client, f"{page}/items/{proposal_item.id}/remove", page=page)
    assert [i.id for i in theme.items] == [comment_item.id]
    assert submit(client, f"{page}/items/999999/remove", page=page).status_code == 404
    assert submit(client, f"{page}/delete", page=page).status_code == 302
    assert report.themes == []
    verbs = list(db.session.scalars(select(AuditEntry.verb).where(AuditEntry.target_type == "theme")
                                    .order_by(AuditEntry.id)))
    assert verbs[-4:] == ["theme.quote", "theme.unquote", "theme.unassign", "theme.delete"]


def test_what_is_no_number_is_refused_and_never_read_as_another(client):
    process, solar, *_ = _world()
    moderator = factories.moderator()
    report = _report(process, moderator)
    theme = report_ops.add_theme(moderator, report, "Solar")
    report_ops.publish(moderator, report, "")
    base = f"/areas/vienna-simmering/reports/{report.slug}"
    for bad in ("²", "٣", "-1", "99999999999", ""):
        assert client.get(f"{base}?v={bad}").status_code == 400, bad
        assert client.get(f"{base}/diff?from={bad}&to=1").status_code == 400, bad
    assert client.get(f"{base}/v².json").status_code == 404
    assert client.get(f"{base}/v\u0661.json").status_code == 404
    login_as(client, moderator)
    workspace = f"{base}/workspace"
    for theme_id, proposal_id in (("٣", str(solar[0].id)), (str(theme.id), "²"), ("", str(solar[0].id))):
        response = submit(client, f"{base}/assign", {"assign-theme": theme_id, "assign-proposals": [proposal_id]},
                          page=workspace)
        assert response.status_code == 200, (theme_id, proposal_id)
        text = response.get_data(as_text=True)
        assert "not a valid choice" in text or "Choose the theme" in text
    assert theme.items == []


def test_following_and_unfollowing_a_published_report(client):
    from stengage.reports.models import ReportFollow

    process, *_ = _world()
    moderator = factories.moderator()
    report = _report(process, moderator)
    report_ops.publish(moderator, report, "")
    login_as(client, factories.resident())
    page = f"/areas/vienna-simmering/reports/{report.slug}"
    submit(client, f"{page}/follow", page=page)
    assert "Stop following this report" in client.get(page).get_data(as_text=True)
    submit(client, f"{page}/unfollow", page=page)
    assert db.session.scalar(select(func.count(ReportFollow.id))) == 0


def test_a_workspace_form_with_a_mistake_comes_back_with_its_message_and_a_working_filter(client):
    process, *_ = _world()
    moderator = factories.moderator()
    report = _report(process, moderator)
    login_as(client, moderator)
    workspace = f"/areas/vienna-simmering/reports/{report.slug}/workspace"
    answer = submit(client, f"/areas/vienna-simmering/reports/{report.slug}/themes",
                    {"theme-title": "", "theme-synthesis": "kept"}, page=workspace)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Please check the form" in page and "kept</textarea>" in page
    assert f'action="{workspace}" class="search-form"' in page  # filtering from here stays on the workspace
    assert report.themes == []


def test_the_workspace_says_how_many_are_unassigned_when_it_lists_only_some(client, monkeypatch):
    from stengage.reports import content

    process, *_ = _world()
    moderator = factories.moderator()
    report = _report(process, moderator)
    real = content.unassigned

    def many(report, query=""):  # 1,806 proposals and 1,200 comments wait for a theme
        proposals, comments = real(report, query)
        return (proposals * 226)[:1806], (comments * 400)[:1200]

    monkeypatch.setattr(content, "unassigned", many)
    login_as(client, moderator)
    workspace = f"/areas/vienna-simmering/reports/{report.slug}/workspace"
    page = client.get(workspace).get_data(as_text=True)
    assert "1,806 proposals, showing 300" in page and "1,200 comments, showing 300" in page
    report_ops.add_theme(moderator, report, "Solar", "")
    page = client.get(workspace).get_data(as_text=True)
    assert "<legend>1,806 proposals, showing 300</legend>" in page
    assert "<legend>1,200 comments, showing 300</legend>" in page
    assert "300 proposals" not in page

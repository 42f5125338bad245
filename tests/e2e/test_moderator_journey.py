"""Residents report a comment; a Vienna moderator hides it, blocks its author, answers and merges."""

import pytest

from stengage.areas.models import Area
from stengage.extensions import db
from stengage.moderation import operations as moderation_ops
from stengage.moderation.models import FlagReason
from stengage.proposals import supports
from tests import factories
from tests.e2e.conftest import assert_accessible, log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.real_commits]


@pytest.fixture
def scene(live_server):
    with live_server.app.app_context():
        process = factories.process(title="Simmering streets")
        proposal = factories.proposal(process, title="Night bus N71 every 15 minutes")
        dupe_a = factories.proposal(process, title="Bike lane on Simmeringer Hauptstrasse")
        dupe_b = factories.proposal(process, title="Bike lane along Simmeringer Hauptstrasse")
        troll = factories.resident(name="Troll", locale="en")
        comment = factories.comment(proposal, author=troll, body="You are all idiots")
        supporter = factories.resident(locale="en")
        for target in (proposal, dupe_a, dupe_b):
            supports.support(supporter, target)
        supports.support(factories.resident(), dupe_b)
        factories.resident(email="reporter.e2e@example.org", name="Rita", locale="en")
        area = db.session.get(Area, process.area_id)
        for _ in range(2):
            moderation_ops.flag(factories.resident(), comment, area, FlagReason.OFFENSIVE)
        factories.moderator(email="mod.e2e@example.org", name="Mira", locale="en")
        names = {"proposal": proposal.id, "dupe_a": dupe_a.id, "dupe_b": dupe_b.id, "comment": comment.id}
        db.session.commit()
        db.session.remove()
    return names


def test_report_hide_block_answer_merge_and_audit(page, scene):
    # The third report hides the comment for everyone.
    log_in(page, "reporter.e2e@example.org")
    page.goto(f"/proposals/{scene['proposal']}")
    page.locator(f"#comment-{scene['comment']}").get_by_role("link", name="Report").click()
    assert_accessible(page, "report-form")
    page.get_by_label("Offensive or hateful").check()
    page.get_by_role("button", name="Send report").click()
    page.locator(".flash-success", has_text="will look at it").wait_for()
    assert "You are all idiots" not in page.content()
    log_out(page)

    log_in(page, "mod.e2e@example.org")
    page.get_by_role("link", name="Moderation").click()
    assert_accessible(page, "moderation-overview")
    page.get_by_role("link", name="Simmering").click()
    assert "You are all idiots" in page.content() and "3 reports" in page.content()
    assert_accessible(page, "moderation-queue")
    item = page.locator(f"#comment-{scene['comment']}")
    item.get_by_placeholder("Reason (shown to the person)").fill("Repeated insults")
    item.get_by_role("button", name="Block the author in Simmering").click()
    page.locator(".flash-success", has_text="is blocked in Simmering").wait_for()
    item = page.locator(f"#comment-{scene['comment']}")
    item.get_by_placeholder("Reason (shown to the author)").fill("Insults are not allowed")
    item.get_by_role("button", name="Hide").click()
    page.locator(".flash-success", has_text="Hidden").wait_for()
    assert "No open reports" in page.content()
    page.goto(f"/proposals/{scene['proposal']}")
    assert "Insults are not allowed" in page.content()

    # Answer the proposal: under review, then accepted.
    page.get_by_role("link", name="Triage").click()
    assert_accessible(page, "triage")
    answers = (("under_review", "We are checking the timetable."),
               ("accepted", "From March the N71 runs every 15 minutes."))
    for status, answer in answers:
        page.get_by_label("New status").select_option(status)
        page.get_by_label("Official answer").fill(answer)
        page.get_by_role("button", name="Publish status and answer").click()
        page.locator(".flash-success").wait_for()
    page.goto(f"/proposals/{scene['proposal']}")
    assert "From March the N71 runs every 15 minutes." in page.content()

    # Merge the two bike-lane duplicates.
    page.goto(f"/proposals/{scene['dupe_a']}/merge")
    assert_accessible(page, "merge")
    page.get_by_label("Bike lane along Simmeringer Hauptstrasse").check()
    page.get_by_role("button", name="Merge").click()
    page.wait_for_url(f"**/proposals/{scene['dupe_a']}")
    assert "2" in page.locator(".support-count strong").inner_text()

    page.goto("/audit")
    assert_accessible(page, "audit")
    content = page.content()
    for verb in ("comment.auto_hide", "user.block_in_area", "comment.hide", "proposal.status", "proposal.merge"):
        assert verb in content

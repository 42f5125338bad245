"""The team's pages pass axe in another language too: a moderator and a clerk who read German."""

import pytest

from stengage.extensions import db
from stengage.moderation import operations as moderation_ops
from stengage.moderation.models import FlagReason
from stengage.reports import operations as report_ops
from tests import factories
from tests.e2e.conftest import assert_accessible, log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.real_commits]


@pytest.fixture(scope="module")
def scene(live_server):
    with live_server.app.app_context():
        process = factories.process(title="Straßenbeleuchtung")
        proposal = factories.proposal(process, title="Hellere Unterführung")
        comment = factories.comment(proposal, body="Zu dunkel in der Nacht")
        area = factories.area()
        moderation_ops.flag(factories.resident(), comment, area, FlagReason.OFFENSIVE)
        moderator = factories.moderator(email="mod.de@example.org", locale="de")
        factories.staff(email="staff.de@example.org", locale="de")
        report = report_ops.create_report(moderator, area, "Bericht", process=process)
        report_ops.publish(moderator, report, "")
        names = {"proposal": proposal.id, "report": report.slug, "process": process.slug}
        db.session.commit()
        db.session.remove()
    return names


def test_moderator_and_staff_pages_in_german(page, scene):
    log_in(page, "mod.de@example.org")
    area = "/areas/vienna-simmering"
    for path in ("/moderation", f"{area}/moderation", f"/proposals/{scene['proposal']}/triage",
                 f"/proposals/{scene['proposal']}/merge", "/audit", f"{area}/reports/",
                 f"{area}/reports/{scene['report']}/workspace", f"{area}/reports/{scene['report']}/suggestions",
                 f"{area}/reports/{scene['report']}", f"{area}/processes/{scene['process']}/edit"):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == "de"
        assert_accessible(page, "de" + path.replace("/", "-"))
    log_out(page)
    log_in(page, "staff.de@example.org")
    for path in ("/staff/summaries", "/staff/compare", "/staff/tokens/", f"{area}/letter-codes"):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == "de"
        assert_accessible(page, "de" + path.replace("/", "-"))

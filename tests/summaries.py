"""An area whose engagement city staff summarise (shared by the summary tests)."""

from stengage.proposals import supports
from stengage.reports import operations as report_ops
from stengage.reports.summaries import SummaryQuery
from tests import factories


def busy_area():
    """Eight residents take part in one process (five ideas, five commenters), six in another
    (one idea, five supporters); a third process has only one resident's idea."""
    process = factories.process(title="Busy")
    residents = [factories.resident(name=f"Resident Name {i}", email=f"resident{i}@mail.example.org")
                 for i in range(8)]
    proposals = [factories.proposal(process, author=residents[i], title=f"Idea {i}") for i in range(5)]
    for resident in residents:
        supports.support(resident, proposals[0])
    for resident in residents[1:6]:
        factories.comment(proposals[0], author=resident, body="A comment")
    lively = factories.process(title="Lively")
    lively_idea = factories.proposal(lively, author=residents[7])
    for resident in residents[2:7]:
        supports.support(resident, lively_idea)
    quiet = factories.process(title="Quiet")
    factories.proposal(quiet, author=residents[0])
    moderator = factories.moderator()
    report = report_ops.create_report(moderator, process.area, "Report", process=process)
    theme = report_ops.add_theme(moderator, report, "=HYPERLINK(\"http://evil.example\")")
    report_ops.assign(moderator, theme, [p.id for p in proposals], [])
    report_ops.publish(moderator, report, "")
    return process, quiet, residents


def summary_query(**fields):
    return SummaryQuery(area_ids=(factories.area().id,), **fields)

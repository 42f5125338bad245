"""The files of a published report version: a PDF per language, each prepared once by its own job."""

from sqlalchemy import select

from stengage.extensions import db
from stengage.reports import jobs
from stengage.reports import operations as report_ops
from stengage.reports.models import ExportJob, JobState
from tests import factories, pdfs
from tests.conftest import login_as


def _published(publisher=None):
    process = factories.process(title="Simmering energy")
    solar = [factories.proposal(process, title=f"Solar roof on block {i}", body="solar panels") for i in range(3)]
    comment = factories.comment(solar[0], body="Great solar idea for the roof")
    publisher = publisher or factories.moderator()
    report = report_ops.create_report(publisher, process.area, "What Simmering said", process=process)
    theme = report_ops.add_theme(publisher, report, "Solar roofs",
                                 f"Residents ask for **shade**; see [the first idea](/proposals/{solar[0].id}).")
    report_ops.assign(publisher, theme, [p.id for p in solar], [comment.id])
    version = report_ops.publish(publisher, report, "")
    return report, version, f"/areas/vienna-simmering/reports/{report.slug}/v1"


def _in(client, locale):
    with client.session_transaction() as session:
        session["locale"] = locale
    return client


def test_a_pdf_being_prepared_in_one_language_does_not_hold_up_another(client):
    report, version, base = _published()
    german = jobs.start_report_pdf(report.created_by_id, version, "de")
    german.state, german.progress, german.started_at = JobState.RUNNING, 20, factories.utc_now()
    db.session.flush()
    waiting = _in(client, "de").get(f"{base}.pdf")
    assert waiting.status_code == 202 and 'value="20"' in waiting.get_data(as_text=True)
    english = _in(client, "en").get(f"{base}.pdf")
    assert english.status_code == 200 and pdfs.read(english.data).lang == "en"
    assert _in(client, "de").get(f"{base}.pdf").status_code == 202  # still the German job's own page
    german.state = JobState.QUEUED
    db.session.flush()
    jobs.run(german.id)
    ready = _in(client, "de").get(f"{base}.pdf")
    assert ready.status_code == 200 and pdfs.read(ready.data).lang == "de"
    pdf_jobs = db.session.scalars(select(ExportJob).where(ExportJob.format == "pdf")).all()
    assert sorted(job.params["locale"] for job in pdf_jobs) == ["de", "en"]


def test_a_visitors_pdf_download_is_not_a_staff_members_export(client, visitor):
    clerk = factories.staff()
    _report, _version, base = _published(publisher=clerk)
    assert visitor.get(f"{base}.pdf").status_code == 200  # no Redis: made at once, by a job the publisher owns
    job = db.session.scalar(select(ExportJob).where(ExportJob.format == "pdf"))
    assert job.owner_id == clerk.id and job.state == JobState.DONE
    login_as(client, clerk)
    page = client.get("/staff/summaries").get_data(as_text=True)
    assert f"/staff/jobs/{job.id}" not in page and "PDF" not in page
    assert client.get(f"/staff/jobs/{job.id}").status_code == 404
    assert client.get(f"/staff/jobs/{job.id}/download").status_code == 404

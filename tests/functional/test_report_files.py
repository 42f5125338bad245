"""The files of a published report version as a city publishes them: an HTML file that stands alone,
and a tagged PDF per language, each prepared once by its own job."""

import logging
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from stengage.core.i18n import LANGUAGE_COOKIE
from stengage.extensions import db
from stengage.reports import jobs
from stengage.reports import operations as report_ops
from stengage.reports.models import ExportJob, JobState
from tests import factories, pdfs
from tests.conftest import login_as

BASE_URL = "http://localhost/"  # SERVER_BASE_URL of the test app


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
    client.set_cookie(LANGUAGE_COOKIE, locale)
    return client


class _Document(HTMLParser):
    """What a browser would load or follow from the file."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.lang: str | None = None
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        self.urls += [value or "" for name, value in attrs if name in ("href", "src", "srcset", "action", "poster")]
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def test_the_html_file_stands_alone_in_the_readers_language(client):
    _report, version, base = _published()
    # Whatever host the request names, the file links to the platform's configured address.
    response = _in(client, "de").get(f"{base}.html", base_url="http://intruder.example")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "attachment" in response.headers["Content-Disposition"]
    html = response.get_data(as_text=True)
    document = _Document()
    document.feed(html)
    assert document.lang == "de" and "Beteiligung" in html
    assert "link" not in document.tags and "script" not in document.tags and "img" not in document.tags
    assert document.urls and all(url.startswith(BASE_URL) for url in document.urls), document.urls
    first_idea = min(version.snapshot["themes"][0]["proposals"])
    synthesis = version.snapshot["themes"][0]["synthesis_html"]
    assert f'href="/proposals/{first_idea}"' in synthesis  # as the moderator wrote it: relative
    assert f'href="{BASE_URL}proposals/{first_idea}"' in html  # in the file: absolute
    assert "intruder" not in html
    style = "".join(document.styles)
    assert "size: A4" in style and "break-after: avoid" in style and "url(" not in style
    assert '"Seite " counter(page) " von " counter(pages)' in style
    assert '"Simmering · Vienna"' in style  # the running header names the area
    assert "<svg" in html and "Beiträge pro Woche</title>" in html  # charts inline, with their titles


def test_the_pdf_is_tagged_and_in_each_readers_language(client, caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    _report, version, base = _published()
    files = {}
    for locale in ("de", "en"):
        response = _in(client, locale).get(f"{base}.pdf")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        files[locale] = pdfs.read(response.data)
    german, english = files["de"], files["en"]
    for locale, facts in files.items():
        assert facts.marked and facts.lang == locale and facts.ua_part == "1"
        assert facts.title == "What Simmering said v1 · Simmering · Vienna"
        assert {"Document", "H1", "H2", "H3", "Table", "TH", "TD", "Figure", "L", "LI", "Link"} <= set(facts.tags)
        assert len(facts.figure_alts) == 2 and all(facts.figure_alts), facts.figure_alts
    assert "Beteiligung" in german.text and "Seite 1 von" in german.pages[0]
    assert german.figure_alts[0] == "Beiträge pro Woche"
    assert "Participation" in english.text and "Page 1 of" in english.pages[0]
    assert english.figure_alts[0] == "Contributions per week"
    assert "Beteiligung" not in english.text and "Participation" not in german.text
    assert "veröffentlicht am" in german.text  # the date as German readers write it
    # One stored file per language.
    # The renderer met nothing it could not use or tag (an image without alternative text, a rule).
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    names = sorted(path.name for path in jobs.export_dir().iterdir())
    assert names == [f"report-version-{version.id}-de.pdf", f"report-version-{version.id}-en.pdf"]


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


@pytest.mark.real_commits
def test_rq_workers_render_each_language_in_a_fresh_app(tmp_path, private_database, redis_server, monkeypatch):
    from rq import Queue, SimpleWorker

    from tests.conftest import REDIS_URL, make_test_app

    app = make_test_app(tmp_path, private_database, REDIS_URL=REDIS_URL)
    monkeypatch.setenv("STENGAGE_ENV", "testing")  # the worker makes its own app on the same database
    monkeypatch.setenv("STENGAGE_DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    with app.app_context():
        _report, version, _base = _published()
        started = {locale: jobs.start_report_pdf(version.published_by_id, version, locale) for locale in ("de", "fr")}
        for job in started.values():
            jobs.start(job)
        db.session.commit()  # enqueued once committed
        db.session.rollback()  # the worker needs the database to itself (SQLite)
        SimpleWorker([Queue(jobs.QUEUE_NAME, connection=redis_server)], connection=redis_server).work(burst=True)
        db.session.expire_all()
        for locale, words in (("de", "veröffentlicht am"), ("fr", "publiée le")):
            path, _job = jobs.report_pdf(version, locale)
            assert path is not None and db.session.get(ExportJob, started[locale].id).state == JobState.DONE
            facts = pdfs.read(path.read_bytes())
            assert facts.lang == locale and words in facts.text and facts.marked
        db.engine.dispose()

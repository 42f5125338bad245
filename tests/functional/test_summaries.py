"""City-staff engagement summaries: anonymised, suppressed, formula-safe, deterministic, in jobs."""

import csv
import io
import json
import os
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from stengage.accounts.models import User
from stengage.db import utc_now
from stengage.extensions import db
from stengage.reports import export_files, jobs, xlsx
from stengage.reports.models import ExportJob, JobState
from stengage.reports.summaries import SummaryQuery, rows, summary
from tests import factories
from tests.conftest import login_as, submit
from tests.summaries import busy_area, summary_query


def test_rows_are_counted_and_small_cells_suppressed():
    process, quiet, _residents = busy_area()
    data = list(rows(summary_query()))
    busy = next(r for r in data if r["table"] == "area_process" and r["process"] == process.slug)
    assert (busy["proposals"], busy["supports"], busy["comments"], busy["residents"]) == (5, 8, 5, 8)
    small = next(r for r in data if r["table"] == "area_process" and r["process"] == quiet.slug)
    assert small["suppressed"] and small["reason"] == "few"
    assert small["proposals"] is None and small["residents"] is None
    # Lively's one idea is one author's: withheld. Its supports are withheld too, so that Quiet's
    # cannot be worked out as the area's total minus the others.
    # The area's proposals (7) minus the published report of Busy (5) would tell the other two
    # processes' two ideas: withheld. Its supports (13 - 8 = 5 elsewhere) may be shown.
    area = next(r for r in data if r["table"] == "area")
    assert (area["proposals"], area["supports"]) == (None, 13)
    processes = {r["process"]: r for r in data if r["table"] == "area_process"}
    assert [r["proposals"] for r in processes.values()].count(None) == 2
    assert [r["supports"] for r in processes.values()].count(None) == 2 and processes[process.slug]["supports"] == 8
    assert any(r["table"] == "week" for r in data) and any(r["table"] == "theme" for r in data)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_exports_carry_no_personal_data_and_neutralise_formulas(fmt):
    busy_area()
    data = summary(summary_query())
    body = {"csv": lambda: export_files.write_csv(data),
            "xlsx": lambda: xlsx.write_xlsx(data, export_files.describe(summary_query())),
            "json": lambda: export_files.write_json(data, summary_query().key())}[fmt]()
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(body))
        cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    elif fmt == "csv":
        cells = [c for row in csv.reader(io.StringIO(body.decode())) for c in row]
    else:
        cells = [json.dumps(r) for r in json.loads(body)["rows"]]
    text = "\n".join(cells)
    for user in db.session.scalars(select(User)):
        assert user.email not in text and user.display_name not in text
    assert "127.0.0.1" not in text
    if fmt != "json":
        theme_cells = [c for c in cells if "HYPERLINK" in c]
        assert theme_cells and all(c.startswith("'=") for c in theme_cells)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_the_same_data_gives_byte_identical_files(fmt):
    busy_area()
    writer = {"csv": export_files.write_csv,
              "xlsx": lambda d: xlsx.write_xlsx(d, export_files.describe(summary_query())),
              "json": lambda d: export_files.write_json(d, summary_query().key())}[fmt]
    first, second = writer(summary(summary_query())), writer(summary(summary_query()))
    assert first == second and export_files.checksum(first) == export_files.checksum(second)


def test_staff_export_a_summary_as_a_job_and_download_it(client):
    busy_area()
    clerk = factories.staff()
    login_as(client, clerk)
    response = submit(client, "/staff/summaries", {"areas": ["vienna-simmering"], "format": "xlsx"},
                      page="/staff/summaries")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ready" in page and "100 %" in page
    job = db.session.scalar(select(ExportJob))
    download = client.get(f"/staff/jobs/{job.id}/download")
    assert download.status_code == 200 and download.headers["X-Content-SHA256"] == job.checksum
    assert export_files.checksum(download.data) == job.checksum
    assert "Data dictionary" in load_workbook(io.BytesIO(download.data)).sheetnames

    # Links are bound to their owner and expire.
    login_as(client, factories.staff())
    assert client.get(f"/staff/jobs/{job.id}/download").status_code == 404
    login_as(client, clerk)
    job.expires_at = utc_now() - timedelta(seconds=1)
    db.session.flush()
    assert client.get(f"/staff/jobs/{job.id}/download").status_code == 404


def test_a_job_killed_midway_leaves_nothing_to_download_and_runs_again(client, app):
    busy_area()
    clerk = factories.staff()
    job = jobs.create(clerk, "csv", summary_query())
    job.state, job.progress = JobState.RUNNING, 60
    job.started_at = utc_now() - timedelta(hours=1)
    db.session.flush()
    (jobs.export_dir() / f".summary-{job.id}.csv.part").write_bytes(b"half a fi")
    login_as(client, clerk)
    page = client.get(f"/staff/jobs/{job.id}").get_data(as_text=True)
    assert "stopped before it was complete" in page
    assert client.get(f"/staff/jobs/{job.id}/download").status_code == 404
    submit(client, f"/staff/jobs/{job.id}/rerun", page=f"/staff/jobs/{job.id}")
    db.session.refresh(job)
    assert job.state == JobState.DONE
    assert client.get(f"/staff/jobs/{job.id}/download").data.startswith(b"table,area")


def test_bad_export_requests_get_a_message(client):
    login_as(client, factories.staff())
    page = submit(client, "/staff/summaries", {"areas": ["atlantis"], "format": "pdf", "start": "yesterday"},
                  page="/staff/summaries").get_data(as_text=True)
    for message in ("Choose at least one area.", "Choose CSV, XLSX or JSON.", "Enter dates as YYYY-MM-DD."):
        assert message in page
    assert db.session.scalar(select(ExportJob)) is None


def test_dates_out_of_range_or_backwards_are_refused_before_any_job(client):
    busy_area()
    login_as(client, factories.staff())
    page = submit(client, "/staff/summaries", {"areas": ["vienna-simmering"], "format": "csv",
                                               "start": "0001-01-01", "end": "9999-12-31"},
                  page="/staff/summaries").get_data(as_text=True)
    assert "From: enter a date in the years 2000 to 2100." in page
    assert "Until: enter a date in the years 2000 to 2100." in page
    page = submit(client, "/staff/summaries", {"areas": ["vienna-simmering"], "format": "csv",
                                               "start": "2026-12-31", "end": "2026-01-01"},
                  page="/staff/summaries").get_data(as_text=True)
    assert "The period must not end before it starts." in page
    assert db.session.scalar(select(ExportJob)) is None
    response = submit(client, "/staff/summaries", {"areas": ["vienna-simmering"], "format": "csv",
                                                   "start": "2000-01-01", "end": "2100-12-31"},
                      page="/staff/summaries")
    assert response.status_code == 302
    assert db.session.scalar(select(ExportJob)).state == JobState.DONE


@pytest.mark.parametrize("who", ["resident", "moderator", "moderator_lyon"])
def test_residents_and_moderators_cannot_reach_staff_exports(client, who):
    user = {"resident": factories.resident, "moderator": factories.moderator,
            "moderator_lyon": lambda: factories.moderator("lyon-confluence")}[who]()
    login_as(client, user)
    for path in ("/staff/summaries", "/staff/dictionary.csv"):
        assert client.get(path).status_code == 403


@pytest.mark.real_commits
def test_exports_run_on_rq_workers_when_redis_is_configured(tmp_path, private_database):
    import redis
    from rq import Queue, SimpleWorker

    from tests.conftest import make_test_app

    url = os.environ.get("STENGAGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("STENGAGE_REQUIRE_REDIS"):
            pytest.fail(f"Redis is required but not reachable at {url}")
        pytest.skip("Redis not reachable")
    app = make_test_app(tmp_path, private_database, REDIS_URL=url)
    os.environ["STENGAGE_ENV"], old_env = "testing", os.environ.get("STENGAGE_ENV")
    os.environ["STENGAGE_DATABASE_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        with app.app_context():
            clerk = factories.staff()
            job = jobs.export_summary(clerk, "json", SummaryQuery(area_ids=(factories.area().id,)))
            db.session.commit()  # enqueued once committed, never before
            assert db.session.get(ExportJob, job.id).state == JobState.QUEUED  # not run inline
            assert not jobs.is_interrupted(job)  # waiting for a worker is not being lost
            db.session.rollback()  # the worker needs the database to itself (SQLite)
            connection = redis.Redis.from_url(url)
            SimpleWorker([Queue(jobs.QUEUE_NAME, connection=connection)], connection=connection).work(burst=True)
            db.session.expire_all()
            done = db.session.get(ExportJob, job.id)
            assert done.state == JobState.DONE and done.checksum
            db.engine.dispose()
    finally:
        os.environ.pop("STENGAGE_DATABASE_URL", None)
        if old_env is None:
            os.environ.pop("STENGAGE_ENV", None)
        else:
            os.environ["STENGAGE_ENV"] = old_env


def test_export_columns_are_fixed_and_the_dictionary_speaks_the_clerks_language(client):
    busy_area()
    login_as(client, factories.staff(locale="de"))
    response = submit(client, "/staff/summaries", {"areas": ["vienna-simmering"], "format": "csv"},
                      page="/staff/summaries")
    job = db.session.get(ExportJob, int(response.headers["Location"].rsplit("/", 1)[1]))
    header = client.get(f"/staff/jobs/{job.id}/download").get_data(as_text=True).splitlines()[0]
    assert header.split(",")[:2] == ["table", "area"]  # fixed column names in every language
    assert "Projektgebiet (feste Kennung" in client.get("/staff/dictionary.csv").get_data(as_text=True)


def test_an_export_whose_worker_is_gone_shows_as_stopped_and_runs_again_at_once(client):
    busy_area()
    clerk = factories.staff()
    job = jobs.create(clerk, "csv", summary_query())
    # The process that ran it was killed a few minutes ago, in the middle of the work.
    job.state, job.progress = JobState.RUNNING, 60
    job.started_at = utc_now() - timedelta(minutes=5)
    db.session.flush()
    login_as(client, clerk)
    page = client.get(f"/staff/jobs/{job.id}").get_data(as_text=True)
    assert "stopped before it was complete" in page and "Run it again" in page
    assert "stopped" in client.get("/staff/summaries").get_data(as_text=True)
    submit(client, f"/staff/jobs/{job.id}/rerun", page=f"/staff/jobs/{job.id}")
    db.session.refresh(job)
    assert job.state == JobState.DONE
    assert client.get(f"/staff/jobs/{job.id}/download").data.startswith(b"table,area")


def test_an_export_whose_rq_worker_stopped_beating_can_be_run_again(app, redis_server, monkeypatch):
    from rq import Queue
    from rq.job import Job, JobStatus

    monkeypatch.setitem(app.config, "REDIS_URL", os.environ.get("STENGAGE_TEST_REDIS_URL",
                                                                "redis://127.0.0.1:6379/15"))
    job = jobs.create(factories.staff(), "csv", summary_query())
    jobs.start(job)
    assert Queue(jobs.QUEUE_NAME, connection=redis_server).count == 0  # nothing before the commit
    db.session.commit()
    try:
        rq_job = Job.fetch(job.params["rq_job"], connection=redis_server)
        assert rq_job.get_status() == JobStatus.QUEUED and not jobs.can_rerun(job)
        rq_job.set_status(JobStatus.STARTED)
        rq_job.heartbeat(utc_now() - timedelta(seconds=20), ttl=600)
        assert not jobs.can_rerun(job)  # a worker is on it
        rq_job.heartbeat(utc_now() - timedelta(minutes=5), ttl=600)
        assert jobs.is_interrupted(job) and jobs.shown_state(job) == JobState.FAILED and jobs.can_rerun(job)
        rq_job.set_status(JobStatus.FAILED)
        assert jobs.can_rerun(job)
        rq_job.delete()
        assert jobs.can_rerun(job)  # lost with its Redis
    finally:
        Queue(jobs.QUEUE_NAME, connection=redis_server).empty()


def test_staff_find_the_api_tokens_from_the_summaries(client):
    login_as(client, factories.staff())
    assert 'href="/staff/tokens/"' in client.get("/staff/summaries").get_data(as_text=True)


def test_the_public_dictionary_tells_a_zero_from_a_withheld_figure(client):
    page = client.get("/figures/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "A 0 means that nobody took part there, and it is published as 0" in page
    assert "“not shown” means that the figure is withheld" in page

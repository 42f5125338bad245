"""Background exports: RQ workers on Redis when STENGAGE_REDIS_URL is set, inline otherwise.

A job writes its file under a temporary name and renames it when complete, so a job killed
midway leaves nothing downloadable. A job whose worker is gone (RQ says it failed or lost it, or its
heartbeat stopped; inline, the request that ran it ended long ago) counts as stopped and can be run
again at once. Files belong to their owner and expire.

A job is a boundary of its own: run inline, it commits each of its steps (and with the first one
whatever the request that started it wrote); on a worker it is enqueued only once that request's
transaction has committed, so the worker always finds its row.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from stengage.accounts.models import User
from stengage.core import audit
from stengage.core.i18n import use_area_defaults
from stengage.core.operations import Refused
from stengage.core.urls import external_url
from stengage.db import utc_now
from stengage.extensions import db
from stengage.reports import export_files
from stengage.reports.models import ExportJob, JobState, ReportVersion
from stengage.reports.summaries import SummaryQuery, summary

DOWNLOAD_LIFETIME = timedelta(hours=24)
# RQ workers beat every 30 seconds while a job runs; an inline job runs within one request.
WORKER_SILENT_AFTER = timedelta(minutes=2)
QUEUE_NAME = "stengage"
_TO_ENQUEUE = "stengage_jobs_to_enqueue"


def export_dir() -> Path:
    path = Path(current_app.config.get("EXPORT_DIR") or Path(current_app.instance_path) / "exports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def create(owner: User, fmt: str, query: SummaryQuery, locale: str = "en") -> ExportJob:
    if fmt not in export_files.SUMMARY_FORMATS:
        raise ValueError(fmt)
    job = ExportJob(owner_id=owner.id, format=fmt, params={**query.key(), "locale": locale},
                    state=JobState.QUEUED, progress=0)
    db.session.add(job)
    db.session.flush()
    return job


def export_summary(actor: User, fmt: str, query: SummaryQuery, locale: str = "en") -> ExportJob:
    """A staff member asks for a summary file: the job is made, logged and started."""
    job = create(actor, fmt, query, locale)
    audit.record(db.session, actor_id=actor.id, verb="summary.export", target_type="export_job", target_id=job.id,
                 area_id=query.area_ids[0] if len(query.area_ids) == 1 else None,
                 after={"format": fmt, **query.key()})
    start(job)
    return job


def start(job: ExportJob) -> None:
    """Have ``job`` run: at once in this process when there is no Redis, else on an RQ worker as
    soon as the current transaction commits (nothing is enqueued if it rolls back)."""
    redis_url = current_app.config.get("REDIS_URL")
    if not redis_url:
        run(job.id)
        return
    rq_id = f"export-{job.id}-{os.urandom(4).hex()}"  # ids repeat in test databases; RQ's must not
    job.params = {**job.params, "rq_job": rq_id}
    db.session.flush()
    db.session.info.setdefault(_TO_ENQUEUE, []).append((redis_url, job.id, rq_id))


def _enqueue(redis_url: str, job_id: int, rq_id: str) -> None:
    from redis import Redis
    from rq import Queue

    Queue(QUEUE_NAME, connection=Redis.from_url(redis_url)).enqueue(
        "stengage.reports.jobs.run_in_worker", job_id, job_id=rq_id, job_timeout=3600)


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    for redis_url, job_id, rq_id in session.info.pop(_TO_ENQUEUE, []):
        try:
            _enqueue(redis_url, job_id, rq_id)
        except Exception:  # Redis away: the job shows as stopped and can be run again
            current_app.logger.exception("export job %s could not be enqueued", job_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_TO_ENQUEUE, None)


def _query(params: dict[str, object]) -> SummaryQuery:
    return SummaryQuery(area_ids=tuple(params["areas"]), process_ids=tuple(params["processes"]),  # type: ignore[arg-type]
                        start=date.fromisoformat(params["start"]) if params.get("start") else None,  # type: ignore[arg-type]
                        end=date.fromisoformat(params["end"]) if params.get("end") else None)  # type: ignore[arg-type]


def _step(job: ExportJob, progress: int, state: JobState | None = None) -> None:
    job.progress = progress
    if state is not None:
        job.state = state
    db.session.commit()


def run(job_id: int) -> None:
    job = db.session.get(ExportJob, job_id)
    if job is None or job.state == JobState.DONE:
        return
    job.started_at, job.error = utc_now(), None
    _step(job, 5, JobState.RUNNING)
    try:
        if job.format == "pdf":
            name, body = _report_pdf(job)
        else:
            name, body = _summary_file(job)
        _step(job, 90)
        temporary = export_dir() / f".{name}.part"
        temporary.write_bytes(body)
        temporary.rename(export_dir() / name)  # only a complete file ever has the final name
        job.file_name, job.checksum = name, export_files.checksum(body)
        job.finished_at = utc_now()
        # Summaries are personal downloads that expire; a published version's PDF is public and lasting.
        job.expires_at = None if job.format == "pdf" else job.finished_at + DOWNLOAD_LIFETIME
        _step(job, 100, JobState.DONE)
    except Exception as error:
        db.session.rollback()
        job = db.session.get(ExportJob, job_id)
        job.state, job.error = JobState.FAILED, type(error).__name__
        db.session.commit()
        current_app.logger.exception("export job %s failed", job_id)


def _summary_file(job: ExportJob) -> tuple[str, bytes]:
    query = _query(job.params)
    # Headers, names and notes in the language of whoever asked; the CSV's column names stay fixed.
    with force_locale(job.params.get("locale") or "en"):
        data = summary(query)
        _step(job, 60)
        if job.format == "csv":
            body = export_files.write_csv(data)
        elif job.format == "xlsx":
            from stengage.reports import xlsx  # openpyxl is slow to import: only jobs that write a workbook do

            # When the figures were counted is the job's own time, so a file says it and its bytes repeat.
            about = export_files.describe(query, counted=job.started_at,
                                          dictionary_url=external_url("figures.dictionary"))
            body = xlsx.write_xlsx(data, about)
        else:
            body = export_files.write_json(data, query.key())
    return f"summary-{job.id}.{job.format}", body


def _report_pdf(job: ExportJob) -> tuple[str, bytes]:
    from stengage.reports.printing import render_pdf

    version = db.session.get(ReportVersion, job.params["report_version"])
    locale = pdf_locale(job)
    _step(job, 20)
    # Links against the platform's address; words, numbers and dates in the reader's language,
    # times in the area's zone.
    with current_app.test_request_context(base_url=current_app.config["SERVER_BASE_URL"]):
        use_area_defaults(version.report.area)
        with force_locale(locale):
            body = render_pdf(version)
    return pdf_name(version, locale), body


def pdf_locale(job: ExportJob) -> str:
    return str(job.params.get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"])


def pdf_name(version: ReportVersion, locale: str) -> str:
    return f"report-version-{version.id}-{locale}.pdf"


def report_pdf(version: ReportVersion, locale: str) -> tuple[Path | None, ExportJob | None]:
    """The version's PDF in ``locale`` when ready, else the latest job preparing it (None when
    there is none). Each language has its own file and jobs: one never waits for another."""
    path = export_dir() / pdf_name(version, locale)
    if path.is_file():
        return path, None
    job = db.session.scalar(select(ExportJob).where(
        ExportJob.format == "pdf", ExportJob.params["report_version"].as_integer() == version.id,
        ExportJob.params["locale"].as_string() == locale)
        .order_by(ExportJob.id.desc()).limit(1))
    return None, job


def start_report_pdf(owner_id: int, version: ReportVersion, locale: str) -> ExportJob:
    """A job to make the version's PDF in ``locale``. Its owner (who published the version) is who
    answers for it; it is no personal export of theirs (``recent_exports`` lists summaries only)."""
    job = ExportJob(owner_id=owner_id, format="pdf", params={"report_version": version.id, "locale": locale},
                    state=JobState.QUEUED)
    db.session.add(job)
    db.session.flush()
    return job


def recent_exports(owner: User, limit: int = 10) -> list[ExportJob]:
    """A staff member's own summary files, newest first (not the PDFs of versions they published)."""
    return list(db.session.scalars(select(ExportJob).where(
        ExportJob.owner_id == owner.id, ExportJob.format.in_(export_files.SUMMARY_FORMATS))
        .order_by(ExportJob.id.desc()).limit(limit)))


def run_in_worker(job_id: int) -> None:
    """Entry point for RQ workers: a fresh app, one job."""
    from stengage import create_app

    app = create_app()
    with app.app_context():
        run(job_id)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _rq_says_gone(redis_url: str, rq_id: str) -> bool | None:
    """RQ's word on a job: gone (failed, stopped, lost, or its worker stopped beating), still
    there (waiting or running), or None when Redis cannot be asked."""
    from redis import Redis
    from redis.exceptions import RedisError
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    try:
        rq_job = Job.fetch(rq_id, connection=Redis.from_url(redis_url, socket_timeout=2,
                                                            socket_connect_timeout=2))
        status = rq_job.get_status(refresh=False)
    except NoSuchJobError:
        return True  # expired or lost with its Redis
    except RedisError:
        return None
    if status == JobStatus.STARTED:
        beat = rq_job.last_heartbeat or rq_job.started_at
        return beat is None or utc_now() - _aware(beat) > WORKER_SILENT_AFTER
    # Finished in RQ while the row still says otherwise: the job died before recording its end.
    return status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED, JobStatus.FINISHED)


def is_interrupted(job: ExportJob) -> bool:
    """Queued or running, but nothing runs it any more: its worker is gone."""
    if job.state not in (JobState.RUNNING, JobState.QUEUED):
        return False
    redis_url, rq_id = current_app.config.get("REDIS_URL"), job.params.get("rq_job")
    if redis_url and rq_id:
        gone = _rq_says_gone(redis_url, str(rq_id))
        if gone is not None:
            return gone
    # Inline, a job runs within the request that started it; a worker beats while it runs.
    return utc_now() - _aware(job.started_at or job.created_at) > WORKER_SILENT_AFTER


def shown_state(job: ExportJob) -> JobState:
    """The state to show: a job whose worker is gone has failed."""
    return JobState.FAILED if is_interrupted(job) else job.state


def can_rerun(job: ExportJob) -> bool:
    return job.state == JobState.FAILED or is_interrupted(job)


def rerun(actor: User, job: ExportJob) -> None:
    """Run a failed or interrupted job again (its unfinished file was never given its name)."""
    if job.owner_id != actor.id:
        raise Refused(gettext("Only who asked for an export can run it again."))
    if not can_rerun(job):
        raise Refused(gettext("This export is still running or finished."))
    job.state, job.progress, job.error, job.started_at = JobState.QUEUED, 0, None, None
    db.session.flush()
    audit.record(db.session, actor_id=actor.id, verb="summary.rerun", target_type="export_job", target_id=job.id)
    start(job)


def downloadable_path(job: ExportJob, user: User) -> Path | None:
    """The finished file, for its owner, before it expires; otherwise None."""
    if job.owner_id != user.id or job.state != JobState.DONE or not job.file_name:
        return None
    if job.expires_at is None or job.expires_at <= utc_now():
        return None
    path = export_dir() / job.file_name
    return path if path.is_file() else None

"""Background exports: RQ workers on Redis when STENGAGE_REDIS_URL is set, inline otherwise.

A job writes its file under a temporary name and renames it when complete, so a job killed
midway leaves nothing downloadable; it can be run again. Files belong to their owner and expire.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from stengage.accounts.models import User
from stengage.db import utc_now
from stengage.extensions import db
from stengage.reports import export_files
from stengage.reports.models import ExportJob, JobState, ReportVersion
from stengage.reports.summaries import SummaryQuery, rows

DOWNLOAD_LIFETIME = timedelta(hours=24)
STALE_AFTER = timedelta(minutes=15)
QUEUE_NAME = "stengage"


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


def dispatch(job_id: int) -> None:
    """Call after the job's row is committed."""
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        from redis import Redis
        from rq import Queue

        Queue(QUEUE_NAME, connection=Redis.from_url(redis_url)).enqueue(
            "stengage.reports.jobs.run_in_worker", job_id, job_id=f"export-{job_id}-{os.urandom(4).hex()}",
            job_timeout=3600)
    else:
        run(job_id)


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
    data = list(rows(query))
    _step(job, 60)
    with force_locale(job.params.get("locale") or "en"):  # headers in the language of whoever asked
        if job.format == "csv":
            body = export_files.write_csv(data)
        elif job.format == "xlsx":
            body = export_files.write_xlsx(data)
        else:
            body = export_files.write_json(data, query.key())
    return f"summary-{job.id}.{job.format}", body


def _report_pdf(job: ExportJob) -> tuple[str, bytes]:
    from stengage.reports.printing import render_pdf

    version = db.session.get(ReportVersion, job.params["report_version"])
    _step(job, 20)
    with current_app.test_request_context(base_url=current_app.config["SERVER_BASE_URL"]):
        body = render_pdf(version)
    return pdf_name(version), body


def pdf_name(version: ReportVersion) -> str:
    return f"report-version-{version.id}.pdf"


def report_pdf(version: ReportVersion) -> tuple[Path | None, ExportJob | None]:
    """The version's PDF when ready, else the job that prepares it (created when there is none)."""
    path = export_dir() / pdf_name(version)
    if path.is_file():
        return path, None
    job = db.session.scalar(select(ExportJob).where(
        ExportJob.format == "pdf", ExportJob.params["report_version"].as_integer() == version.id)
        .order_by(ExportJob.id.desc()).limit(1))
    return None, job


def start_report_pdf(owner_id: int, version: ReportVersion) -> ExportJob:
    job = ExportJob(owner_id=owner_id, format="pdf", params={"report_version": version.id}, state=JobState.QUEUED)
    db.session.add(job)
    db.session.flush()
    return job


def run_in_worker(job_id: int) -> None:
    """Entry point for RQ workers: a fresh app, one job."""
    from stengage import create_app

    app = create_app()
    with app.app_context():
        run(job_id)


def is_interrupted(job: ExportJob) -> bool:
    started = job.started_at or job.created_at
    return job.state in (JobState.RUNNING, JobState.QUEUED) and utc_now() - started > STALE_AFTER


def can_rerun(job: ExportJob) -> bool:
    return job.state == JobState.FAILED or is_interrupted(job)


def downloadable_path(job: ExportJob, user: User) -> Path | None:
    """The finished file, for its owner, before it expires; otherwise None."""
    if job.owner_id != user.id or job.state != JobState.DONE or not job.file_name:
        return None
    if job.expires_at is None or job.expires_at <= utc_now():
        return None
    path = export_dir() / job.file_name
    return path if path.is_file() else None

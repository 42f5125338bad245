"""The files of a published version (JSON, CSV, HTML at once; PDF by a background job)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext

from stengage.core.exports import safe_cell
from stengage.reports import jobs
from stengage.reports.export_files import FORMATS
from stengage.reports.figures import of_version
from stengage.reports.metrics import BREAKDOWNS, MEASURES
from stengage.reports.models import ExportJob, ReportVersion
from stengage.reports.presentation import public_document
from stengage.reports.printing import render_html, render_pdf

VERSION_FORMATS = ("html", "pdf", "csv", "json")
_MIMETYPES = {**FORMATS, "html": "text/html"}


@dataclass(frozen=True)
class VersionFile:
    """A version's file: its bytes, or the path of the stored PDF, or the job still preparing it."""

    name: str
    mimetype: str
    body: bytes | None = None
    path: Path | None = None
    preparing: ExportJob | None = None


def version_file(version: ReportVersion, fmt: str, locale: str) -> VersionFile:
    """The file in ``fmt``; HTML and PDF in ``locale``, the reader's language (the current one)."""
    if fmt not in VERSION_FORMATS:
        raise ValueError(fmt)
    report = version.report
    name = f"{report.area.slug}-{report.slug}-v{version.number}.{fmt}"
    mimetype = _MIMETYPES[fmt]
    if fmt == "json":
        body = json.dumps(public_document(version), ensure_ascii=False, sort_keys=True,
                          indent=2).encode()
    elif fmt == "csv":
        body = figures_csv(version)
    elif fmt == "html":
        body = render_html(version).encode()
    else:
        return _pdf(version, name, locale)
    return VersionFile(name, mimetype, body=body)


def figures_csv(version: ReportVersion) -> bytes:
    """A tidy table: one figure per line, labelled in the reader's language beside stable keys;
    a withheld figure is an empty value with the reason in the note."""
    figs = of_version(version)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([gettext("Breakdown"), gettext("Item"), gettext("Figure"), gettext("Value"), gettext("Unit"),
                     gettext("Note"), "breakdown", "item", "figure"])
    for row, measure, value in figs.cells():
        metric = MEASURES[measure]
        note = figs.why(row) if value is None else ""
        writer.writerow([safe_cell(str(cell)) for cell in (BREAKDOWNS[row.table].label, row.label, metric.label)]
                        + [safe_cell(value), safe_cell(str(metric.unit)), safe_cell(note),
                           row.table, safe_cell("/".join(row.key)), measure])
    return out.getvalue().encode("utf-8")


def _pdf(version: ReportVersion, name: str, locale: str) -> VersionFile:
    """The stored PDF in ``locale``; else a job prepares it (started when none runs; inline it is
    made at once). Jobs for other languages neither block nor stand in for this one."""
    mimetype = _MIMETYPES["pdf"]
    path, job = jobs.report_pdf(version, locale)
    if path is not None:
        return VersionFile(name, mimetype, path=path)
    owner_id = version.published_by_id or version.report.created_by_id
    if owner_id is None:  # nobody left to own a job: render it now
        return VersionFile(name, mimetype, body=render_pdf(version))
    if job is None or jobs.can_rerun(job):
        jobs.start(jobs.start_report_pdf(owner_id, version, locale))
        path, job = jobs.report_pdf(version, locale)
        if path is not None:  # made at once (no Redis: jobs run inline)
            return VersionFile(name, mimetype, path=path)
    return VersionFile(name, mimetype, preparing=job)

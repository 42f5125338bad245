"""The print-quality PDF of a published version (WeasyPrint), rendered in a background job."""

from __future__ import annotations

from flask import current_app, render_template

from stengage.reports.models import ReportVersion
from stengage.reports.presentation import version_context


def render_html(version: ReportVersion) -> str:
    report = version.report
    return render_template("reports/print.html", report=report, area=report.area, version=version,
                           **version_context(version.snapshot))


def render_pdf(version: ReportVersion) -> bytes:
    from PIL import ImageFile
    from weasyprint import HTML

    html = render_html(version)
    pdf = HTML(string=html, base_url=f"{current_app.static_folder}/").write_pdf()
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # WeasyPrint's import turns it on; uploads must stay strict
    return pdf

"""PDF attachments of a process: real PDFs only, size-capped, titled per language, served as downloads."""

import io

import pytest
from pypdf import PdfWriter
from sqlalchemy import select

from stengage.areas.attachments import ProcessAttachment
from stengage.areas.models import ProcessState
from stengage.core.audit import AuditEntry
from stengage.extensions import db
from tests import factories
from tests.conftest import login_as, submit
from tests.participation import process_url


def pdf_bytes(pages: int = 2) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _attach(client, process, data: bytes, name: str = "plan.pdf", **titles):
    url = f"{process_url(process)}/attachments"
    fields = {"title_texts-de": "Lageplan", "title_texts-en": "Site plan", **titles,
              "file": (io.BytesIO(data), name)}
    return submit(client, url, fields, page=url, content_type="multipart/form-data")


def test_staff_attach_a_pdf_that_readers_download_in_their_language(client):
    process = factories.process()
    login_as(client, factories.staff())
    assert _attach(client, process, pdf_bytes(3)).status_code == 302
    attachment = db.session.scalar(select(ProcessAttachment).where(ProcessAttachment.process_id == process.id))
    assert attachment.pages == 3 and attachment.title_texts == {"de": "Lageplan", "en": "Site plan"}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.verb == "process.attachment_add"))
    assert entry.after["pages"] == 3

    submit(client, "/account/language", {"locale": "en", "next": "/"})
    page = client.get(process_url(process)).get_data(as_text=True)
    assert f'href="/process-files/{attachment.id}"' in page and "Site plan" in page and "3 pages" in page
    download = client.get(f"/process-files/{attachment.id}")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == 'attachment; filename="site-plan.pdf"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.data.startswith(b"%PDF-")

    url = f"{process_url(process)}/attachments"
    attachment_id = attachment.id
    submit(client, f"{url}/{attachment_id}/remove", {}, page=url)
    assert db.session.scalar(select(ProcessAttachment.id).where(ProcessAttachment.process_id == process.id)) is None
    assert client.get(f"/process-files/{attachment_id}").status_code == 404
    assert db.session.scalar(select(AuditEntry.verb).where(AuditEntry.verb == "process.attachment_remove"))


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "empty.pdf", "Choose a PDF file to attach."),
    (b"<html><script>alert(1)</script></html>", "page.pdf", "This is not a PDF file."),
    (b"%PDF-1.7\n this is not really a PDF", "broken.pdf", "This PDF file cannot be read"),
    (b"GIF89a" + b"\0" * 50, "image.pdf", "This is not a PDF file."),
])
def test_files_that_are_not_real_pdfs_are_refused_and_nothing_is_kept(client, data, name, message):
    process = factories.process()
    login_as(client, factories.staff())
    response = _attach(client, process, data, name)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(ProcessAttachment.id).where(ProcessAttachment.process_id == process.id)) is None


def test_a_pdf_over_the_size_cap_is_refused(client, app):
    process = factories.process()
    login_as(client, factories.staff())
    app.config["PROCESS_ATTACHMENT_MAX_BYTES"] = 1024 * 1024
    try:
        big = pdf_bytes(1) + b"%" + b"x" * (1024 * 1024)
        response = _attach(client, process, big)
    finally:
        app.config.pop("PROCESS_ATTACHMENT_MAX_BYTES")
    assert "The file is larger than 1 MB." in response.get_data(as_text=True)


def test_a_drafts_attachment_is_only_for_staff_and_the_preview_link(client):
    process = factories.process()
    process.state = ProcessState.DRAFT
    staff = factories.staff()
    login_as(client, staff)
    _attach(client, process, pdf_bytes())
    submit(client, f"{process_url(process)}/preview-link", {}, page=process_url(process))
    db.session.refresh(process)
    attachment = process.attachments[0]
    assert client.get(f"/process-files/{attachment.id}").status_code == 200
    with client.session_transaction() as session:
        session.clear()
    assert client.get(f"/process-files/{attachment.id}").status_code == 404
    preview = client.get(f"/process-preview/{process.preview_token}").get_data(as_text=True)
    assert f"/process-files/{attachment.id}?preview={process.preview_token}" in preview
    assert client.get(f"/process-files/{attachment.id}?preview={process.preview_token}").status_code == 200
    assert client.get(f"/process-files/{attachment.id}?preview=wrong-token-wrong-token").status_code == 404


@pytest.mark.parametrize("who", ["resident", "moderator"])
def test_residents_and_moderators_cannot_attach(client, who):
    process = factories.process()
    login_as(client, getattr(factories, who)())
    assert client.get(f"{process_url(process)}/attachments").status_code == 403

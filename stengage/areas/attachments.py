"""PDF attachments of a process: validated as real PDFs, size-capped, stored as uploads are, listed on
the process page with a title per language, and served as downloads that are never run as anything else."""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from flask import current_app
from flask_babel import gettext
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from stengage.areas.models import Process
from stengage.core import audit
from stengage.core.localized import Localized
from stengage.core.operations import Refused
from stengage.core.storage import StorageError, get_storage
from stengage.db import Base, utc_now
from stengage.extensions import db

log = logging.getLogger(__name__)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 20


class Actor(Protocol):
    id: int


class ProcessAttachment(Localized, Base):
    __tablename__ = "process_attachment"

    localized_fields = ("title",)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    file_name: Mapped[str] = mapped_column(String(40), unique=True)
    size: Mapped[int]
    pages: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    process: Mapped[Process] = relationship(backref=backref(
        "attachments", order_by="ProcessAttachment.id", cascade="all, delete-orphan", passive_deletes=True,
        lazy="selectin"))

    @property
    def content_language(self) -> str:
        return self.process.area.default_locale


def max_bytes() -> int:
    return int(current_app.config.get("PROCESS_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def check_pdf(data: bytes) -> int:
    """The number of pages of a real PDF within the size cap; Refused with a clear message otherwise."""
    if not data:
        raise Refused(gettext("Choose a PDF file to attach."), field="file")
    if len(data) > max_bytes():
        raise Refused(gettext("The file is larger than %(num)d MB.", num=max_bytes() // (1024 * 1024)),
                      field="file")
    if not data.startswith(b"%PDF-"):
        raise Refused(gettext("This is not a PDF file."), field="file")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as error:
        log.info("PDF attachment refused: %s", error)
        raise Refused(gettext("This PDF file cannot be read; it may be damaged."), field="file") from None
    if pages < 1:
        raise Refused(gettext("This PDF file has no pages."), field="file")
    return pages


def add_attachment(actor: Actor, process: Process, data: bytes, titles: Mapping[str, str]) -> ProcessAttachment:
    pages = check_pdf(data)
    if len(process.attachments) >= MAX_ATTACHMENTS:
        raise Refused(gettext("A process has at most %(num)d attachments.", num=MAX_ATTACHMENTS), field="file")
    with db.session.no_autoflush:
        attachment = ProcessAttachment(process=process, file_name="", size=len(data), pages=pages)
        db.session.add(attachment)
        attachment.set_texts("title", titles)
    if not attachment.title:
        raise Refused(gettext("Write this in at least one language."), field="title_texts")
    try:
        attachment.file_name = get_storage().save(data, "pdf")
    except (StorageError, OSError):
        log.exception("Storing a PDF attachment failed")
        raise Refused(gettext("The file could not be stored. Please try again later.")) from None
    db.session.flush()
    audit.record(db.session, actor_id=actor.id, verb="process.attachment_add", target_type="process",
                 target_id=process.id, target_label=process.title, area_id=process.area_id,
                 after={"title": attachment.title, "size": attachment.size, "pages": pages})
    return attachment


def remove_attachment(actor: Actor, attachment: ProcessAttachment) -> str:
    """Remove the attachment's row; the caller deletes the stored file after the commit (its name is returned)."""
    process = attachment.process
    name = attachment.file_name
    audit.record(db.session, actor_id=actor.id, verb="process.attachment_remove", target_type="process",
                 target_id=process.id, target_label=process.title, area_id=process.area_id,
                 before={"title": attachment.title, "size": attachment.size})
    process.attachments.remove(attachment)
    db.session.flush()
    return name

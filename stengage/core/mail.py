"""One mail interface: messages are queued during an operation and delivered after commit.

Backends: ``file`` (default) writes each message as an ``.eml`` file to the outbox folder;
``smtp`` sends it through the configured server. Mail is rendered in the recipient's language.
"""

from __future__ import annotations

import smtplib
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from sqlalchemy import event
from sqlalchemy.orm import Session

from stengage.core.i18n import for_reader
from stengage.db import utc_now

if TYPE_CHECKING:
    from stengage.accounts.models import User
    from stengage.areas.models import Area

_QUEUE_KEY = "stengage_mail_queue"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    locale: str


class MailBackend(Protocol):
    def send(self, mail: Mail) -> None: ...


def build_message(mail: Mail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain="stengage.localhost")
    msg.set_content(mail.text)
    msg.add_alternative(mail.html, subtype="html")
    msg["Content-Language"] = mail.locale  # after set_content, which resets Content-* headers
    return msg


class FileBackend:
    """Writes every message to ``<outbox>/<time>-<id>.eml`` (local demo and tests read it)."""

    def __init__(self, outbox: Path, sender: str) -> None:
        self.outbox = outbox
        self.sender = sender

    def send(self, mail: Mail) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        name = f"{utc_now():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
        tmp = self.outbox / f".{name}.tmp"
        tmp.write_bytes(bytes(build_message(mail, self.sender)))
        tmp.rename(self.outbox / name)  # readers never see half a file


class SMTPBackend:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def send(self, mail: Mail) -> None:
        c = self.config
        with smtplib.SMTP(c["MAIL_SMTP_HOST"], int(c["MAIL_SMTP_PORT"]), timeout=30) as smtp:
            if c["MAIL_SMTP_STARTTLS"]:
                smtp.starttls()
            if c["MAIL_SMTP_USERNAME"]:
                smtp.login(c["MAIL_SMTP_USERNAME"], c["MAIL_SMTP_PASSWORD"] or "")
            smtp.send_message(build_message(mail, c["MAIL_SENDER"]))


def init_mail(app: Flask) -> None:
    backend: MailBackend
    if app.config["MAIL_BACKEND"] == "smtp":
        backend = SMTPBackend(app.config)
    else:
        outbox = Path(app.config["MAIL_OUTBOX_DIR"] or Path(app.instance_path) / "outbox")
        app.config["MAIL_OUTBOX_DIR"] = str(outbox)
        backend = FileBackend(outbox, app.config["MAIL_SENDER"])
    app.extensions["stengage_mail"] = backend


def compose(to: str, template: str, locale: str, subject: Any, **context: Any) -> Mail:
    """Render ``templates/mail/<template>.txt`` and ``.html`` in ``locale`` (an address with no
    account behind it; a person's mail goes through ``compose_for``)."""
    with force_locale(locale):
        return _render(to, template, locale, subject, context)


def compose_for(user: User, template: str, subject: Any, *, address: str | None = None,
                area: Area | None = None, **context: Any) -> Mail:
    """The mail ``templates/mail/<template>`` for ``user``, in their language and time zone
    (``core.i18n``: their choice, the language they registered in, their area's).

    ``address`` overrides their address (a confirmation sent to a new one); ``area`` is the area
    the mail is about, for a person the rule has nothing else for. ``user`` (and ``area``, when given)
    are in the templates' context."""
    context = {"user": user, **({"area": area} if area is not None else {}), **context}
    with for_reader(user, area) as (locale, _zone):
        return _render(address or user.email, template, locale, subject, context)


def _render(to: str, template: str, locale: str, subject: Any, context: dict[str, Any]) -> Mail:
    return Mail(
        to=to,
        subject=str(subject),
        text=render_template(f"mail/{template}.txt", **context),
        html=render_template(f"mail/{template}.html", **context),
        locale=locale,
    )


def queue(session: Session, mail: Mail) -> None:
    """Deliver ``mail`` once the session's transaction commits; drop it on rollback."""
    backend = current_app.extensions["stengage_mail"]
    session.info.setdefault(_QUEUE_KEY, []).append((backend, mail))


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    pending = session.info.pop(_QUEUE_KEY, [])
    for backend, mail in pending:
        try:
            backend.send(mail)
        except Exception:  # a mail failure must not undo a committed action
            current_app.logger.exception("mail to %s could not be delivered", mail.to)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_QUEUE_KEY, None)

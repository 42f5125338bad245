"""Both mail backends deliver the same message: plain text and HTML, in the recipient's language."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from stengage.core.mail import FileBackend, Mail, SMTPBackend

MAIL = Mail(to="resident@example.org", subject="Bestätigen Sie Ihre E-Mail-Adresse",
            text="Hallo Berta,\nbitte bestätigen.", html="<p>Hallo Berta,</p>", locale="de")


class Collector:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, _server, _session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server():
    collector = Collector()
    with socket.socket() as probe:  # aiosmtpd needs a concrete port to check it is up
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, collector
    controller.stop()


def _check(message) -> None:
    assert message["To"] == "resident@example.org"
    assert message["Subject"] == "Bestätigen Sie Ihre E-Mail-Adresse"
    assert message["Content-Language"] == "de"
    assert message.get_body(preferencelist=("plain",)).get_content().startswith("Hallo Berta")
    assert "<p>Hallo Berta,</p>" in message.get_body(preferencelist=("html",)).get_content()


def test_smtp_backend_sends_text_and_html(smtp_server):
    controller, collector = smtp_server
    SMTPBackend({"MAIL_SMTP_HOST": "127.0.0.1", "MAIL_SMTP_PORT": controller.port,
                 "MAIL_SMTP_STARTTLS": False, "MAIL_SMTP_USERNAME": None, "MAIL_SMTP_PASSWORD": None,
                 "MAIL_SENDER": "stengage <no-reply@example.org>"}).send(MAIL)
    [message] = collector.messages
    _check(message)


def test_file_backend_writes_one_complete_eml_file(tmp_path):
    FileBackend(tmp_path / "outbox", "stengage <no-reply@example.org>").send(MAIL)
    [file] = (tmp_path / "outbox").iterdir()
    assert file.suffix == ".eml"
    _check(email.message_from_bytes(file.read_bytes(), policy=email.policy.default))

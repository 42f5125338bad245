"""Reading the ``.eml`` files the file mail backend writes, as a person reading mail would."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

from flask import Flask

_LINK = re.compile(r"https?://[^\s<>\"']+")


class Outbox:
    def __init__(self, app: Flask) -> None:
        self.path = Path(app.config["MAIL_OUTBOX_DIR"])

    def clear(self) -> None:
        if self.path.exists():
            for file in self.path.glob("*.eml"):
                file.unlink()

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        if not self.path.exists():
            return []
        found = []
        for file in sorted(self.path.glob("*.eml")):
            message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
            if to is None or message["To"] == to:
                found.append(message)
        return found

    def last(self, to: str | None = None) -> EmailMessage:
        messages = self.messages(to)
        assert messages, f"no mail to {to or 'anyone'} in {self.path}"
        return messages[-1]

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("html",)).get_content()

    def link(self, message: EmailMessage, containing: str) -> str:
        links = [link for link in _LINK.findall(self.text(message)) if containing in link]
        assert links, f"no link containing {containing!r} in {message['Subject']!r}"
        return links[0]

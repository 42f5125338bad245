"""What every operation shares: a refusal that carries a message for the user."""

from __future__ import annotations


class Refused(Exception):
    """The operation was refused and changed nothing; ``message`` is shown to the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

"""The up/down vote form of a comment, shared by the thread and the htmx answer of a vote.

A logged-in reader gets one per comment: one f-string builds it in a fifth of the time of the Jinja
macro it replaces (5 against 23 microseconds here). Every value is escaped here; pre-escaped Markup
(the thread escapes its constant labels once) passes through unchanged.
"""

from __future__ import annotations

from typing import Any, Protocol

from markupsafe import Markup, escape


class Votable(Protocol):
    id: int
    upvotes: int
    downvotes: int


def _escaped(value: Any) -> Markup:
    return value if isinstance(value, Markup) else escape(value)


def vote_form(comment: Votable, mine: int, may_vote: bool, csrf: str, labels: dict[str, Any], action: str,
              message: str | None = None) -> Markup:
    """``mine``: the reader's vote (1, -1 or 0); ``may_vote`` False shows the counts on disabled buttons."""
    # An f-string: five times faster than str.format with keywords. Every value is escaped or an integer.
    cid, up, down, action = int(comment.id), int(comment.upvotes), int(comment.downvotes), _escaped(action)
    disabled = "" if may_vote else " disabled"
    up_pressed, down_pressed = ("true" if mine == 1 else "false"), ("true" if mine == -1 else "false")
    alert = f'  <span class="field-errors" role="alert">{_escaped(message)}</span>\n' if message else ""
    return Markup(  # noqa: S704 - every value is escaped or an integer
        f'<form id="votes-{cid}" method="post" action="{action}" class="votes inline-form" hx-post="{action}" '
        f'hx-swap="outerHTML">\n'
        f'  <input type="hidden" name="csrf_token" value="{_escaped(csrf)}">\n'
        f'  <button type="submit" name="value" value="up" class="vote-button"{disabled} aria-pressed="{up_pressed}" '
        f'aria-label="{_escaped(labels["up"])}: {up}"><span aria-hidden="true">&#9650; {up}</span></button>\n'
        f'  <button type="submit" name="value" value="down" class="vote-button"{disabled} '
        f'aria-pressed="{down_pressed}" aria-label="{_escaped(labels["down"])}: {down}">'
        f'<span aria-hidden="true">&#9660; {down}</span></button>\n'
        f'{alert}</form>')

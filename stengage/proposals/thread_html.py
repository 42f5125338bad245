"""The hand-tuned parts of a discussion page, kept only because they pay.

A page of a discussion shows up to about 250 comments, and for a logged-in reader each one carries
a vote form, a reply link and a report link. The Jinja macro ``vote_form``
(``templates/proposals/_comment_macros.html``) writes a form in about 28 microseconds, this one in
about 10; ``url_for`` encodes each of the two links with a query string in about 16, here about 1,
because what is the same for every comment (the CSRF token, the labels, the start of both links)
is worked out once per page. Measured with ``benchmarks/server_time.py --only proposal-200-resident``
(the proposal with 204 comments, for a resident): the macro and ``url_for`` for these add about a
quarter to the page's server time.

The macro stays the reference: the htmx answer of a vote renders it, and
``tests/functional/test_comments.py`` checks that both write the same form. Every value written
here is an integer or escaped; the vote address still comes from ``url_for`` for each comment.
"""

from __future__ import annotations

from typing import Protocol

from flask import url_for
from markupsafe import Markup, escape


class Votable(Protocol):
    id: int
    upvotes: int
    downvotes: int


class ThreadHtml:
    """Links and vote forms for the comments of one page of a proposal's discussion."""

    def __init__(self, proposal_id: int, here: str, csrf: str | None, vote_labels: dict[str, str]) -> None:
        """``here``: the discussion page a report returns to; ``csrf``: the page's CSRF token (None
        for a visitor, who gets no forms)."""
        self._reply = url_for("proposals.proposal", proposal_id=proposal_id) + "?reply="
        self._report = url_for("moderation.flag", type="comment", next=here) + "&id="
        self._csrf = escape(csrf or "")
        self._up, self._down = escape(vote_labels["up"]), escape(vote_labels["down"])

    def reply_url(self, comment_id: int) -> str:
        """The proposal page with the form to answer this comment."""
        return f"{self._reply}{int(comment_id)}#comment-form"

    def report_url(self, comment_id: int) -> str:
        """The form to report this comment to the moderators."""
        return f"{self._report}{int(comment_id)}"

    def vote_form(self, comment: Votable, mine: int, may_vote: bool) -> Markup:
        """The macro ``vote_form(comment, mine, may_vote, csrf)``, without a message."""
        cid, up, down = int(comment.id), int(comment.upvotes), int(comment.downvotes)
        action = escape(url_for("comments.vote", comment_id=cid))
        disabled = "" if may_vote else " disabled"
        up_pressed, down_pressed = ("true" if mine == 1 else "false"), ("true" if mine == -1 else "false")
        return Markup(  # noqa: S704 - every value is an integer or escaped
            f'<form id="votes-{cid}" method="post" action="{action}" class="votes inline-form" data-hx-post="{action}"'
            f' data-hx-swap="outerHTML">\n'
            f'  <input type="hidden" name="csrf_token" value="{self._csrf}">\n'
            f'  <button type="submit" name="value" value="up" class="vote-button"{disabled}'
            f' aria-pressed="{up_pressed}" aria-label="{self._up}: {up}"><span aria-hidden="true">&#9650; {up}</span>'
            f'</button>\n'
            f'  <button type="submit" name="value" value="down" class="vote-button"{disabled}'
            f' aria-pressed="{down_pressed}" aria-label="{self._down}: {down}"><span aria-hidden="true">&#9660; {down}'
            f'</span></button>\n'
            f'</form>')

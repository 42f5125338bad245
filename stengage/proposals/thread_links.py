"""The reply and report links every comment of a thread carries, built once per page.

Hand-tuned, and kept only because it pays: both links carry a query string, and ``url_for``
encodes one in about 15 microseconds, twice per comment, for every logged-in reader. Here each
address is built by ``url_for`` once per page and a comment adds only its id, a whole number that
needs no encoding. Measured with ``benchmarks/server_time.py --only proposal-200-resident`` (the
proposal with 204 comments, for a resident): about a fifth of the page's server time. Every other
address of the thread comes from ``url_for`` for each comment.
"""

from __future__ import annotations

from flask import url_for


class ThreadLinks:
    """``reply(id)`` and ``report(id)`` for the comments of one proposal's discussion page."""

    def __init__(self, proposal_id: int, here: str) -> None:
        """``here``: the discussion page a report returns to."""
        self._reply = url_for("proposals.proposal", proposal_id=proposal_id) + "?reply="
        self._report = url_for("moderation.flag", type="comment", next=here) + "&id="

    def reply(self, comment_id: int) -> str:
        """The proposal page with the form to answer this comment."""
        return f"{self._reply}{int(comment_id)}#comment-form"

    def report(self, comment_id: int) -> str:
        """The form to report this comment to the moderators."""
        return f"{self._report}{int(comment_id)}"

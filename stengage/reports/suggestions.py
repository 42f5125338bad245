"""Theme suggestions: the contributions no theme holds yet, grouped by their words (``grouping.py``).

No external service; the same data always gives the same suggestions (fixed seeds, sorted input),
and a suggestion's key depends only on its members, so a decision about it is remembered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from sqlalchemy import and_, select

from stengage.accounts.models import User
from stengage.core.audit import AuditEntry
from stengage.extensions import db
from stengage.proposals.models import Comment, Proposal
from stengage.reports.content import proposal_scope, unassigned
from stengage.reports.grouping import Contribution, group_texts
from stengage.reports.models import Report

MAX_TEXTS = 20_000
LOOSE = 0.2  # a member whose fit is below this shares few of its group's words
VERDICT_ORDER = {"strong": 0, "fair": 1, "weak": 2}


@dataclass(frozen=True)
class Suggestion:
    key: str
    title: str  # a short label: the group's two or three most characteristic words
    terms: tuple[str, ...]
    proposal_ids: tuple[int, ...]
    comment_ids: tuple[int, ...]
    cohesion: float = 0.0  # 0-1: how much the members share the group's words
    verdict: str = "fair"  # "strong", "fair" or "weak"
    fits: tuple[tuple[str, int, float], ...] = ()  # ("p" or "c", id, fit 0-1), best fitting first

    @property
    def size(self) -> int:
        return len(self.proposal_ids) + len(self.comment_ids)

    @property
    def loose(self) -> tuple[tuple[str, int, float], ...]:
        """Members that share few of the group's words, least fitting first."""
        return tuple(sorted((m for m in self.fits if m[2] < LOOSE), key=lambda m: (m[2], m[0], m[1])))

    def best_proposals(self, count: int = 5) -> list[int]:
        return [member_id for kind, member_id, _fit in self.fits if kind == "p"][:count]


def _key(proposals: list[int], comments: list[int]) -> str:
    raw = ",".join(map(str, proposals)) + "|" + ",".join(map(str, comments))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def decided_keys(report: Report) -> set[str]:
    """Suggestions a moderator accepted or rejected already: they are not offered again."""
    rows = db.session.scalars(select(AuditEntry.after).where(
        AuditEntry.target_type == "report", AuditEntry.target_id == report.id,
        AuditEntry.verb.in_(["suggestion.accept", "suggestion.reject"])))
    return {row["key"] for row in rows if row and "key" in row}


def contributions(report: Report) -> tuple[list[Contribution], set[int], set[str]]:
    """Every visible text of the report's scope (a comment with its proposal's title), the indexes of
    those no theme holds yet, and the names of everyone who wrote in the scope: names are no theme."""
    proposals, comments = unassigned(report)
    open_proposals = {p.id for p in proposals}
    open_comments = {c.id for c in comments}
    scope = proposal_scope(report)
    people: set[str] = set()
    texts = []
    for pid, title, body, name in db.session.execute(
            select(Proposal.id, Proposal.title, Proposal.body, User.display_name)
            .join(User, User.id == Proposal.author_id).where(*scope)):
        people.add(name)
        texts.append(Contribution("p", pid, title, body))
    for cid, body, context, name, shown in db.session.execute(
            select(Comment.id, Comment.body, Proposal.title, User.display_name,
                   and_(Comment.hidden_at.is_(None), Comment.deleted_at.is_(None)))
            .join(Proposal, Proposal.id == Comment.proposal_id).join(User, User.id == Comment.author_id)
            .where(*scope)):
        people.add(name)
        if shown:
            texts.append(Contribution("c", cid, "", body, context))
    texts.sort(key=lambda t: (t.kind != "p", t.id))
    texts = texts[:MAX_TEXTS]
    waiting = {i for i, t in enumerate(texts) if t.id in (open_proposals if t.kind == "p" else open_comments)}
    return texts, waiting, people


def suggest(report: Report, max_themes: int = 12) -> list[Suggestion]:
    """Group the contributions no theme holds yet into suggested themes: strong ones first.

    The groups are found among all the texts of the report's scope and offer only what no theme holds
    yet: accepting or rejecting one suggestion leaves the others as they were."""
    texts, waiting, people = contributions(report)
    if len(waiting) < 2:
        return []
    decided = decided_keys(report)
    suggestions = []
    for group in group_texts(texts, people=people, locale=report.area.default_locale, max_groups=max_themes,
                             offered=waiting):
        members = [(texts[i].kind, texts[i].id, fit) for i, fit in zip(group.members, group.fits, strict=True)]
        proposal_ids = sorted(member_id for kind, member_id, _fit in members if kind == "p")
        comment_ids = sorted(member_id for kind, member_id, _fit in members if kind == "c")
        key = _key(proposal_ids, comment_ids)
        if key in decided:
            continue
        fits = tuple(sorted(members, key=lambda m: (-m[2], m[0], m[1])))
        suggestions.append(Suggestion(key, group.label, group.terms, tuple(proposal_ids), tuple(comment_ids),
                                      group.cohesion, group.verdict, fits))
    return distinct_titles(sorted(suggestions, key=lambda s: (VERDICT_ORDER[s.verdict], -s.size, s.key)))


def _label(terms: tuple[str, ...]) -> str:
    words = ", ".join(terms)
    return words[:1].upper() + words[1:]


def distinct_titles(offered: list[Suggestion]) -> list[Suggestion]:
    """No two suggestions under the same title: a later one takes more of its words, else a number."""
    seen: set[str] = set()
    result = []
    for suggestion in offered:
        title = suggestion.title
        more = 4
        while title.casefold() in seen and more <= len(suggestion.terms):
            title = _label(suggestion.terms[:more])
            more += 1
        number = 2
        base = title
        while title.casefold() in seen:
            title = f"{base} ({number})"
            number += 1
        seen.add(title.casefold())
        result.append(suggestion if title == suggestion.title else replace(suggestion, title=title))
    return result


def shown_texts(offered: list[Suggestion], loose_shown: int = 10) -> tuple[dict[int, str], dict[int, str]]:
    """Titles of the proposals and excerpts of the comments the page lists: each suggestion's best
    fitting proposals and its loosest members."""
    proposal_ids = {pid for s in offered for pid in s.best_proposals()}
    proposal_ids |= {member_id for s in offered for kind, member_id, _fit in s.loose[:loose_shown] if kind == "p"}
    comment_ids = {member_id for s in offered for kind, member_id, _fit in s.loose[:loose_shown] if kind == "c"}
    titles = dict(db.session.execute(select(Proposal.id, Proposal.title).where(
        Proposal.id.in_(proposal_ids))).all()) if proposal_ids else {}
    bodies = db.session.execute(select(Comment.id, Comment.body).where(
        Comment.id.in_(comment_ids))).all() if comment_ids else []
    excerpts = {cid: body if len(body) <= 140 else body[:139].rstrip() + "…" for cid, body in bodies}
    return titles, excerpts

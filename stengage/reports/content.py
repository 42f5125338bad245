"""What a report says, computed from the data: participation, categories, themes, outcomes.

The result is plain JSON (numbers, texts, ids), so a published version stores it as its frozen
snapshot, and every figure carries the ids of the contributions it counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, union

from stengage.accounts.models import Membership
from stengage.db import on_days
from stengage.extensions import db
from stengage.proposals.models import Comment, Proposal, Support
from stengage.proposals.queries import listed_proposals
from stengage.reports.models import Report, ThemeItem
from stengage.reports.summaries import utc_day


def proposal_scope(report: Report) -> list[ColumnElement[bool]]:
    """Visible, still standing proposals of the report's process, or of its area in its period."""
    conditions = [Proposal.area_id == report.area_id, *listed_proposals()]
    if report.process_id is not None:
        conditions.append(Proposal.process_id == report.process_id)
    else:
        conditions += on_days(Proposal.created_at, report.period_start, report.period_end)
    return conditions


def compute(report: Report) -> dict[str, Any]:
    """Every figure is counted by the database from the raw rows (never from stored counters)."""
    scope = proposal_scope(report)
    proposals = db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.category, Proposal.status, Proposal.official_answer_html,
               Proposal.language).where(*scope).order_by(Proposal.id)).all()
    in_scope = select(Proposal.id).where(*scope).scalar_subquery()
    visible_comment = [Comment.proposal_id.in_(in_scope), Comment.hidden_at.is_(None), Comment.deleted_at.is_(None)]

    def count(stmt: Any) -> int:
        return int(db.session.scalar(stmt) or 0)

    # Comments per day and language in one pass: the weeks, the languages and the total.
    comment_day = utc_day(Comment.created_at)
    comment_days = db.session.execute(select(comment_day, Comment.language, func.count()).where(*visible_comment)
                                      .group_by(comment_day, Comment.language)).all()
    languages: Counter[str] = Counter()
    for _day, language, n in comment_days:
        languages[language] += n
    comments_total = sum(languages.values())
    people = union(select(Proposal.author_id.label("who")).where(*scope),
                   select(Support.user_id).where(Support.proposal_id.in_(in_scope)),
                   select(Comment.author_id).where(*visible_comment)).subquery()
    active = count(select(func.count()).select_from(people))

    members = db.session.execute(select(Membership.assurance_level, func.count()).where(
        Membership.area_id == report.area_id).group_by(Membership.assurance_level)).all()
    verified = {str(level): n for level, n in members if level is not None}

    # Counted per day by the database (cheap), then summed into ISO weeks here.
    weeks: dict[str, dict[str, int]] = defaultdict(lambda: {"proposals": 0, "supports": 0, "comments": 0})
    per_day: list[tuple[str, str, int]] = [("comments", day, n) for day, _language, n in comment_days]
    for kind, column, stmt in (
            ("proposals", Proposal.created_at, select(Proposal.created_at).where(*scope)),
            ("supports", Support.created_at, select(Support.created_at).where(Support.proposal_id.in_(in_scope)))):
        day = utc_day(column)
        per_day += [(kind, label, n) for label, n in db.session.execute(
            stmt.with_only_columns(day, func.count()).group_by(day))]
    for kind, label, n in per_day:
        year, week, _ = date.fromisoformat(str(label)[:10]).isocalendar()
        weeks[f"{year}-W{week:02d}"][kind] += n

    support_per_proposal = dict(db.session.execute(select(Support.proposal_id, func.count()).where(
        Support.proposal_id.in_(in_scope)).group_by(Support.proposal_id)).all())
    supports_total = sum(support_per_proposal.values())
    comments_per_proposal = dict(db.session.execute(select(Comment.proposal_id, func.count()).where(
        *visible_comment).group_by(Comment.proposal_id)).all())
    categories: dict[str, dict[str, Any]] = {}
    for p in proposals:
        entry = categories.setdefault(str(p.category), {"proposals": [], "supports": 0, "comments": 0})
        entry["proposals"].append(p.id)
        entry["supports"] += support_per_proposal.get(p.id, 0)
        entry["comments"] += comments_per_proposal.get(p.id, 0)

    by_id = {p.id: p for p in proposals}
    items_by_theme: dict[int, list[ThemeItem]] = defaultdict(list)
    for item in db.session.scalars(select(ThemeItem).where(ThemeItem.report_id == report.id)):
        items_by_theme[item.theme_id].append(item)
    themes = [_theme(theme, items_by_theme[theme.id], by_id, support_per_proposal, scope)
              for theme in report.themes]

    outcomes: dict[str, list[dict[str, Any]]] = {}
    for p in proposals:
        outcomes.setdefault(str(p.status), []).append(
            {"id": p.id, "title": p.title, "answer_html": p.official_answer_html or ""})

    return {
        "report": {"id": report.id, "title": report.title, "area": report.area.slug,
                   "process": report.process.slug if report.process else None,
                   "period": [report.period_start.isoformat(), report.period_end.isoformat()]
                   if report.period_start else None},
        "participation": {
            "registered": sum(n for _level, n in members),
            "verified": {level: verified.get(level, 0) for level in ("low", "substantial", "high")},
            "active_residents": active, "proposals": len(proposals), "supports": supports_total,
            "comments": comments_total,
            "weeks": [{"week": week, **weeks[week]} for week in sorted(weeks)],
        },
        "categories": {name: categories[name] for name in sorted(categories)},
        "themes": themes,
        "outcomes": {status: outcomes[status] for status in sorted(outcomes)},
        "comment_languages": dict(sorted(languages.items())),
        "proposal_languages": dict(sorted(Counter(p.language for p in proposals).items())),
        "proposal_titles": {str(p.id): p.title for p in proposals},
    }


def _theme(theme: Any, items: list[ThemeItem], by_id: dict[int, Any], support_per_proposal: dict[int, int],
           scope: list[ColumnElement[bool]]) -> dict[str, Any]:
    proposal_ids = sorted(i.proposal_id for i in items if i.proposal_id in by_id)
    direct = [i.comment_id for i in items if i.comment_id is not None]
    shown = [Comment.hidden_at.is_(None), Comment.deleted_at.is_(None)]
    # Two narrow queries (by the proposal index, then by id) rather than one with an OR.
    comments = db.session.execute(select(Comment.id, Comment.alignment).where(
        Comment.proposal_id.in_(proposal_ids), *shown)).all() if proposal_ids else []
    if direct:
        comments += db.session.execute(select(Comment.id, Comment.alignment).join(
            Proposal, Proposal.id == Comment.proposal_id).where(Comment.id.in_(direct), *shown, *scope)).all()
    comments = list(dict(comments).items())
    split = Counter(str(alignment) for _cid, alignment in comments)
    supporters = db.session.scalar(select(func.count(func.distinct(Support.user_id))).where(
        Support.proposal_id.in_(proposal_ids))) if proposal_ids else 0
    top = sorted(proposal_ids, key=lambda pid: (-support_per_proposal.get(pid, 0), pid))[:3]
    visible_ids = {cid for cid, _alignment in comments}
    quoted = [i.comment_id for i in items if i.is_quote and i.comment_id in visible_ids]
    quotes = db.session.execute(select(Comment.id, Comment.proposal_id, Comment.body).where(
        Comment.id.in_(quoted)).order_by(Comment.id)).all() if quoted else []
    return {
        "id": theme.id, "title": theme.title, "synthesis": theme.synthesis, "proposals": proposal_ids,
        "unique_supporters": int(supporters or 0), "comments": sorted(visible_ids),
        "alignment": {a: split.get(a, 0) for a in ("in_favour", "against", "neutral")},
        "top_proposals": [{"id": pid, "title": by_id[pid].title, "supports": support_per_proposal.get(pid, 0)}
                          for pid in top],
        "quotes": [{"comment": cid, "proposal": pid, "text": body} for cid, pid, body in quotes],
    }


def coverage(report: Report, content: dict[str, Any]) -> dict[str, float]:
    """Share of proposals, comments and supports the themes cover (the workspace's progress)."""
    participation = content["participation"]
    proposals = {pid for t in content["themes"] for pid in t["proposals"]}
    comments = {cid for t in content["themes"] for cid in t["comments"]}
    supports = db.session.scalar(select(func.count(Support.id)).where(Support.proposal_id.in_(proposals))) \
        if proposals else 0

    def share(part: int, whole: int) -> float:
        return round(100 * part / whole, 1) if whole else 0.0

    return {"proposals": share(len(proposals), participation["proposals"]),
            "comments": share(len(comments), participation["comments"]),
            "supports": share(supports or 0, participation["supports"])}


def unassigned(report: Report, text: str = "") -> tuple[list[Any], list[Any]]:
    """Proposals and comments of the report's scope that no theme holds yet (optionally containing ``text``)."""
    scope = proposal_scope(report)
    words = text.lower().split()[:5]
    proposal_text = [func.lower(Proposal.title + " " + Proposal.body).contains(w, autoescape=True) for w in words]
    comment_text = [func.lower(Comment.body).contains(w, autoescape=True) for w in words]
    assigned_p = select(ThemeItem.proposal_id).where(ThemeItem.report_id == report.id,
                                                     ThemeItem.proposal_id.is_not(None))
    assigned_c = select(ThemeItem.comment_id).where(ThemeItem.report_id == report.id,
                                                    ThemeItem.comment_id.is_not(None))
    proposals = db.session.execute(select(Proposal.id, Proposal.title, Proposal.support_count).where(
        *scope, *proposal_text, Proposal.id.not_in(assigned_p))
        .order_by(Proposal.support_count.desc(), Proposal.id)).all()
    comments = db.session.execute(
        select(Comment.id, Comment.body, Comment.alignment, Comment.proposal_id)
        .join(Proposal, and_(Proposal.id == Comment.proposal_id, *scope))
        .where(Comment.hidden_at.is_(None), Comment.deleted_at.is_(None), *comment_text,
               Comment.id.not_in(assigned_c))
        .order_by(Comment.id)).all()
    return list(proposals), list(comments)

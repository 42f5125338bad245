"""What a report says, computed from the data: participation, categories, themes, outcomes.

The result is plain JSON (numbers, texts, ids), so a published version stores it as its frozen
snapshot, and every figure carries the ids of the contributions it counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select

from stengage.accounts.models import Membership
from stengage.extensions import db
from stengage.proposals.models import Comment, Proposal, ProposalStatus, Support
from stengage.reports.models import Report, ThemeItem

EXCLUDED = (ProposalStatus.WITHDRAWN, ProposalStatus.MERGED)


def proposal_scope(report: Report) -> list[ColumnElement[bool]]:
    """Visible, still standing proposals of the report's process, or of its area in its period."""
    conditions = [Proposal.area_id == report.area_id, Proposal.hidden_at.is_(None), Proposal.status.not_in(EXCLUDED)]
    if report.process_id is not None:
        conditions.append(Proposal.process_id == report.process_id)
    else:
        start = datetime.combine(report.period_start, time.min, UTC)
        end = datetime.combine(report.period_end + timedelta(days=1), time.min, UTC)
        conditions += [Proposal.created_at >= start, Proposal.created_at < end]
    return conditions


def _week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def compute(report: Report) -> dict[str, Any]:
    scope = proposal_scope(report)
    proposals = db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.category, Proposal.status, Proposal.support_count,
               Proposal.author_id, Proposal.created_at, Proposal.official_answer_html)
        .where(*scope).order_by(Proposal.id)).all()
    supports = db.session.execute(select(Support.proposal_id, Support.user_id, Support.created_at)
                                  .join(Proposal, Proposal.id == Support.proposal_id).where(*scope)).all()
    comments = db.session.execute(
        select(Comment.id, Comment.proposal_id, Comment.author_id, Comment.alignment, Comment.created_at,
               Comment.body, Comment.language)
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .where(*scope, Comment.hidden_at.is_(None), Comment.deleted_at.is_(None)).order_by(Comment.id)).all()

    members = db.session.execute(select(Membership.assurance_level, func.count()).where(
        Membership.area_id == report.area_id).group_by(Membership.assurance_level)).all()
    verified = {str(level): count for level, count in members if level is not None}
    active = {p.author_id for p in proposals} | {s.user_id for s in supports} | {c.author_id for c in comments}

    weeks: dict[str, Counter[str]] = defaultdict(Counter)
    for p in proposals:
        weeks[_week(p.created_at)]["proposals"] += 1
    for s in supports:
        weeks[_week(s.created_at)]["supports"] += 1
    for c in comments:
        weeks[_week(c.created_at)]["comments"] += 1

    comments_by_proposal: dict[int, list[Any]] = defaultdict(list)
    for c in comments:
        comments_by_proposal[c.proposal_id].append(c)
    supporters_by_proposal: dict[int, set[int]] = defaultdict(set)
    for s in supports:
        supporters_by_proposal[s.proposal_id].add(s.user_id)

    categories: dict[str, dict[str, Any]] = {}
    for p in proposals:
        entry = categories.setdefault(str(p.category), {"proposals": [], "supports": 0, "comments": 0})
        entry["proposals"].append(p.id)
        entry["supports"] += len(supporters_by_proposal[p.id])
        entry["comments"] += len(comments_by_proposal[p.id])

    by_id = {p.id: p for p in proposals}
    comment_by_id = {c.id: c for c in comments}
    items_by_theme: dict[int, list[ThemeItem]] = defaultdict(list)
    for item in db.session.scalars(select(ThemeItem).where(ThemeItem.report_id == report.id)):
        items_by_theme[item.theme_id].append(item)
    themes = []
    for theme in report.themes:
        items = items_by_theme[theme.id]
        theme_proposals = sorted(i.proposal_id for i in items if i.proposal_id in by_id)
        direct_comments = {i.comment_id for i in items if i.comment_id in comment_by_id}
        theme_comments = sorted(direct_comments | {c.id for pid in theme_proposals for c in comments_by_proposal[pid]})
        split = Counter(str(comment_by_id[cid].alignment) for cid in theme_comments)
        supporters = set().union(*(supporters_by_proposal[pid] for pid in theme_proposals))
        top = sorted(theme_proposals, key=lambda pid: (-len(supporters_by_proposal[pid]), pid))[:3]
        quotes = [{"comment": i.comment_id, "proposal": comment_by_id[i.comment_id].proposal_id,
                   "text": comment_by_id[i.comment_id].body} for i in items
                  if i.is_quote and i.comment_id in comment_by_id]
        themes.append({
            "id": theme.id, "title": theme.title, "synthesis": theme.synthesis,
            "proposals": theme_proposals, "unique_supporters": len(supporters), "comments": theme_comments,
            "alignment": {a: split.get(a, 0) for a in ("in_favour", "against", "neutral")},
            "top_proposals": [{"id": pid, "title": by_id[pid].title, "supports": len(supporters_by_proposal[pid])}
                              for pid in top],
            "quotes": sorted(quotes, key=lambda q: q["comment"]),
        })

    outcomes: dict[str, list[dict[str, Any]]] = {}
    for p in proposals:
        outcomes.setdefault(str(p.status), []).append(
            {"id": p.id, "title": p.title, "answer_html": p.official_answer_html or ""})
    languages = Counter(c.language for c in comments)

    return {
        "report": {"id": report.id, "title": report.title, "area": report.area.slug,
                   "process": report.process.slug if report.process else None,
                   "period": [report.period_start.isoformat(), report.period_end.isoformat()]
                   if report.period_start else None},
        "participation": {
            "registered": sum(count for _level, count in members),
            "verified": {level: verified.get(level, 0) for level in ("low", "substantial", "high")},
            "active_residents": len(active),
            "proposals": len(proposals), "supports": len(supports), "comments": len(comments),
            "weeks": [{"week": week, **{k: weeks[week].get(k, 0) for k in ("proposals", "supports", "comments")}}
                      for week in sorted(weeks)],
        },
        "categories": {name: categories[name] for name in sorted(categories)},
        "themes": themes,
        "outcomes": {status: outcomes[status] for status in sorted(outcomes)},
        "comment_languages": dict(sorted(languages.items())),
        "proposal_titles": {str(p.id): p.title for p in proposals},
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

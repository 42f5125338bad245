"""What a report says, computed from the data: rows of figures, themes, outcomes.

The result is plain JSON (rows of exact figures with the residents they are about, texts, ids), so a
published version stores it as its frozen snapshot. ``figures`` reads any version's snapshot back as
rows and applies the disclosure rule; outputs format those rows and never count.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select

from stengage.extensions import db
from stengage.proposals.models import Comment, Proposal, Support
from stengage.reports.counting import Cut, Scope, count, membership_row
from stengage.reports.metrics import Row
from stengage.reports.models import Report, ThemeItem


def proposal_scope(report: Report) -> list[ColumnElement[bool]]:
    """Visible, still standing proposals of the report's process, or of its area in its period."""
    return report_scope(report).proposals()


def report_scope(report: Report) -> Scope:
    if report.process_id is not None:
        return Scope(area_ids=(report.area_id,), process_ids=(report.process_id,))
    return Scope(area_ids=(report.area_id,), proposal_days=(report.period_start, report.period_end))


TOP_PROPOSALS = 3
FORMAT = 2  # snapshots since figures carry the residents they are about


REPORT_CUTS = {
    "participation": Cut(()),
    "week": Cut(("week",)),
    "category": Cut(("category",)),
    "status": Cut(("status",)),
    "proposal_language": Cut(("language",), ("proposal",)),
    "comment_language": Cut(("language",), ("comment",)),
}


def compute(report: Report) -> dict[str, Any]:
    """What the report says now: its rows of figures (counted by ``counting``, exact) and its texts.

    Published, this is frozen as the version's snapshot; the disclosure rule is applied whenever it
    is shown, so the rule (and k) hold for every version and every output."""
    scope = report_scope(report)
    proposals = db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.category, Proposal.status, Proposal.official_answer_html)
        .where(*scope.proposals()).order_by(Proposal.id)).all()
    by_id = {p.id: p for p in proposals}
    items_by_theme: dict[int, list[ThemeItem]] = defaultdict(list)
    for item in db.session.scalars(select(ThemeItem).where(ThemeItem.report_id == report.id)):
        items_by_theme[item.theme_id].append(item)
    groups = [(str(theme.id), sorted(i.proposal_id for i in items_by_theme[theme.id] if i.proposal_id in by_id),
               sorted(i.comment_id for i in items_by_theme[theme.id] if i.comment_id is not None))
              for theme in report.themes]
    counted = count(scope, REPORT_CUTS, groups)
    rows = [*counted.rows, membership_row(report.area_id)]

    themes = []
    top_ids: set[int] = set()
    supports = defaultdict(int, counted.supports_by_proposal)
    for theme, (key, proposal_ids, _direct) in zip(report.themes, groups, strict=True):
        top = sorted(proposal_ids, key=lambda pid: (-supports[pid], pid))[:TOP_PROPOSALS]
        top_ids.update(top)
        comment_ids = counted.group_comments[key]
        shown = set(comment_ids)
        quoted = [i.comment_id for i in items_by_theme[theme.id] if i.is_quote and i.comment_id in shown]
        quotes = db.session.execute(select(Comment.id, Comment.proposal_id, Comment.body).where(
            Comment.id.in_(quoted)).order_by(Comment.id)).all() if quoted else []
        themes.append({"id": theme.id, "title": theme.title, "synthesis": theme.synthesis,
                       "proposals": proposal_ids, "comments": comment_ids, "top_proposals": top,
                       "quotes": [{"comment": cid, "proposal": pid, "text": body} for cid, pid, body in quotes]})
    # A named proposal's supports: each support is one resident.
    rows += [Row("proposal", (str(pid),), {"supports": supports[pid]}, supports[pid]) for pid in sorted(top_ids)]

    categories: dict[str, list[int]] = defaultdict(list)
    outcomes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in proposals:
        categories[str(p.category)].append(p.id)
        outcomes[str(p.status)].append({"id": p.id, "title": p.title, "answer_html": p.official_answer_html or ""})
    return {
        "format": FORMAT,
        "report": {"id": report.id, "title": report.title, "area": report.area.slug,
                   "process": report.process.slug if report.process else None,
                   "period": [report.period_start.isoformat(), report.period_end.isoformat()]
                   if report.period_start else None},
        "rows": [row.as_json() for row in rows],
        "categories": {name: categories[name] for name in sorted(categories)},
        "themes": themes,
        "outcomes": {status: outcomes[status] for status in sorted(outcomes)},
        "proposal_titles": {str(p.id): p.title for p in proposals},
    }


def coverage(report: Report, content: dict[str, Any]) -> dict[str, float]:
    """Share of proposals, comments and supports the themes cover (the workspace's progress)."""
    participation = next((r["values"] for r in content["rows"] if r["table"] == "participation"),
                         {"proposals": 0, "comments": 0, "supports": 0})
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

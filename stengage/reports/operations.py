"""Building a report: themes, assigning contributions, quotes, publishing frozen versions."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from stengage.accounts.models import User
from stengage.areas.models import Area, Process
from stengage.areas.operations import unique_slug
from stengage.core import audit, mail
from stengage.core.markdown import render
from stengage.core.operations import Refused
from stengage.core.urls import external_url
from stengage.db import insert_ignore, utc_now
from stengage.extensions import db
from stengage.proposals.models import Comment, Proposal
from stengage.reports import content
from stengage.reports.models import Report, ReportFollow, ReportVersion, Theme, ThemeItem
from stengage.reports.permissions import can_build_reports, can_read_report


def area_reports(area: Area) -> list[Report]:
    """The area's reports, newest first, each with its versions' numbers and dates (not their contents)."""
    return list(db.session.scalars(
        select(Report).where(Report.area_id == area.id).order_by(Report.created_at.desc(), Report.id.desc())
        .options(selectinload(Report.versions).load_only(ReportVersion.number, ReportVersion.published_at))))


def _require(actor: User, area: Area | int) -> None:
    if not can_build_reports(actor, area):
        raise Refused(gettext("Only the moderators and staff of this area build its reports."))


def create_report(actor: User, area: Area, title: str, process: Process | None = None,
                  period: tuple[date, date] | None = None) -> Report:
    _require(actor, area)
    if process is None and period is None:
        raise Refused(gettext("Choose a process, or a period for the whole area."), field="process_slug")
    if process is not None and process.area_id != area.id:
        raise Refused(gettext("The process belongs to another area."), field="process_slug")
    if period is not None and period[0] > period[1]:
        raise Refused(gettext("The period must not end before it starts."), field="period_end")
    report = Report(area=area, process=process, slug=unique_slug(Report, area, title), title=title.strip(),
                    created_by_id=actor.id, period_start=period[0] if period else None,
                    period_end=period[1] if period else None)
    db.session.add(report)
    db.session.flush()
    audit.record(db.session, actor_id=actor.id, verb="report.create", target_type="report", target_id=report.id,
                 target_label=report.title, area_id=area.id)
    return report


def add_theme(actor: User, report: Report, title: str, synthesis: str = "") -> Theme:
    _require(actor, report.area_id)
    if not title.strip():
        raise Refused(gettext("Give the theme a title."), field="title")
    position = (db.session.scalar(select(func.max(Theme.position)).where(Theme.report_id == report.id)) or 0) + 1
    theme = Theme(report=report, title=title.strip()[:150], synthesis=synthesis, position=position)
    db.session.add(theme)
    db.session.flush()
    audit.record(db.session, actor_id=actor.id, verb="theme.create", target_type="theme", target_id=theme.id,
                 target_label=theme.title, area_id=report.area_id)
    return theme


def edit_theme(actor: User, theme: Theme, title: str, synthesis: str, position: int | None = None) -> None:
    _require(actor, theme.report.area_id)
    if not title.strip():
        raise Refused(gettext("Give the theme a title."), field="title")
    before = {"title": theme.title, "synthesis": theme.synthesis, "position": theme.position}
    theme.title, theme.synthesis = title.strip()[:150], synthesis
    if position is not None:
        theme.position = position
    db.session.flush()
    audit.record(db.session, actor_id=actor.id, verb="theme.edit", target_type="theme", target_id=theme.id,
                 target_label=theme.title, area_id=theme.report.area_id, before=before,
                 after={"title": theme.title, "synthesis": theme.synthesis, "position": theme.position})


def delete_theme(actor: User, theme: Theme) -> None:
    _require(actor, theme.report.area_id)
    audit.record(db.session, actor_id=actor.id, verb="theme.delete", target_type="theme", target_id=theme.id,
                 target_label=theme.title, area_id=theme.report.area_id)
    db.session.delete(theme)
    db.session.flush()


def assign(actor: User, theme: Theme, proposal_ids: list[int], comment_ids: list[int]) -> int:
    """Put contributions into ``theme``; one already in another theme of the report moves here."""
    report = theme.report
    _require(actor, report.area_id)
    in_scope_p = set(db.session.scalars(select(Proposal.id).where(
        Proposal.id.in_(proposal_ids), *content.proposal_scope(report)))) if proposal_ids else set()
    in_scope_c = set(db.session.scalars(select(Comment.id).join(Proposal, Proposal.id == Comment.proposal_id).where(
        Comment.id.in_(comment_ids), *content.proposal_scope(report)))) if comment_ids else set()
    if set(proposal_ids) - in_scope_p or set(comment_ids) - in_scope_c:
        raise Refused(gettext("Some of the chosen contributions do not belong to this report."))
    if in_scope_p:
        db.session.execute(delete(ThemeItem).where(ThemeItem.report_id == report.id,
                                                   ThemeItem.proposal_id.in_(in_scope_p)))
    if in_scope_c:
        db.session.execute(delete(ThemeItem).where(ThemeItem.report_id == report.id,
                                                   ThemeItem.comment_id.in_(in_scope_c)))
    added = 0
    for pid in sorted(in_scope_p):
        added += insert_ignore(db.session, ThemeItem, {"report_id": report.id, "theme_id": theme.id,
                                                       "proposal_id": pid, "is_quote": False},
                               ["report_id", "proposal_id"])
    for cid in sorted(in_scope_c):
        added += insert_ignore(db.session, ThemeItem, {"report_id": report.id, "theme_id": theme.id,
                                                       "comment_id": cid, "is_quote": False},
                               ["report_id", "comment_id"])
    audit.record(db.session, actor_id=actor.id, verb="theme.assign", target_type="theme", target_id=theme.id,
                 target_label=theme.title, area_id=report.area_id,
                 after={"proposals": sorted(in_scope_p), "comments": sorted(in_scope_c)})
    return added


def _item_record(actor: User, item: ThemeItem, verb: str) -> None:
    theme = item.theme
    audit.record(db.session, actor_id=actor.id, verb=verb, target_type="theme", target_id=theme.id,
                 target_label=theme.title, area_id=theme.report.area_id,
                 after={"proposal": item.proposal_id} if item.proposal_id else {"comment": item.comment_id})


def unassign(actor: User, item: ThemeItem) -> None:
    _require(actor, item.theme.report.area_id)
    _item_record(actor, item, "theme.unassign")
    db.session.delete(item)
    db.session.flush()


def set_quote(actor: User, item: ThemeItem, is_quote: bool) -> None:
    _require(actor, item.theme.report.area_id)
    if item.comment_id is None:
        raise Refused(gettext("Only comments can be quoted."))
    item.is_quote = is_quote
    db.session.flush()
    _item_record(actor, item, "theme.quote" if is_quote else "theme.unquote")


def snapshot(report: Report) -> dict[str, Any]:
    data = content.compute(report)
    for theme in data["themes"]:
        theme["synthesis_html"] = render(theme["synthesis"])
    return data


def publish(actor: User, report: Report, changelog: str) -> ReportVersion:
    """Freeze what the report says now as the next version, public at a stable address."""
    _require(actor, report.area_id)
    if report.versions and not changelog.strip():
        raise Refused(gettext("Say what changed since the last version."), field="changelog")
    number = (db.session.scalar(select(func.max(ReportVersion.number)).where(ReportVersion.report_id == report.id))
              or 0) + 1
    version = ReportVersion(report=report, number=number, changelog=changelog.strip(), snapshot=snapshot(report),
                            published_at=utc_now(), published_by_id=actor.id)
    db.session.add(version)
    db.session.flush()
    audit.record(db.session, actor_id=actor.id, verb="report.publish", target_type="report", target_id=report.id,
                 target_label=f"{report.title} v{number}", area_id=report.area_id, after={"version": number},
                 reason=changelog or None)
    _notify_followers(report, version)
    return version


def _notify_followers(report: Report, version: ReportVersion) -> None:
    followers = db.session.scalars(select(User).join(ReportFollow, ReportFollow.user_id == User.id).where(
        ReportFollow.report_id == report.id, User.blocked_at.is_(None)))
    link = external_url("reports.report", area_slug=report.area.slug, report_slug=report.slug, v=version.number)
    for user in followers:
        mail.queue(db.session, mail.compose_for(
            user, "report_published", _l("A new version of “%(title)s” is published", title=report.title[:80]),
            area=report.area, report=report, version=version, link=link))


def follow(user: User, report: Report) -> bool:
    """``user`` is told by mail of each new version; a draft can be followed only by who can see it."""
    if not can_read_report(user, report):
        raise Refused(gettext("This report is not published yet."))
    return bool(insert_ignore(db.session, ReportFollow, {"report_id": report.id, "user_id": user.id,
                                                         "created_at": utc_now()}, ["report_id", "user_id"]))


def unfollow(user: User, report: Report) -> None:
    db.session.execute(delete(ReportFollow).where(ReportFollow.report_id == report.id,
                                                  ReportFollow.user_id == user.id))


def accept_suggestion(actor: User, report: Report, suggestion: Any, title: str, synthesis: str = "") -> Theme:
    """Make a theme of a suggestion (renamed or edited as the moderator wishes); logged."""
    theme = add_theme(actor, report, title or suggestion.title, synthesis)
    assign(actor, theme, list(suggestion.proposal_ids), list(suggestion.comment_ids))
    audit.record(db.session, actor_id=actor.id, verb="suggestion.accept", target_type="report",
                 target_id=report.id, target_label=theme.title, area_id=report.area_id,
                 after={"key": suggestion.key, "suggested": suggestion.title, "title": theme.title,
                        "theme": theme.id})
    return theme


def reject_suggestion(actor: User, report: Report, suggestion: Any) -> None:
    _require(actor, report.area_id)
    audit.record(db.session, actor_id=actor.id, verb="suggestion.reject", target_type="report",
                 target_id=report.id, target_label=suggestion.title, area_id=report.area_id,
                 after={"key": suggestion.key, "suggested": suggestion.title})

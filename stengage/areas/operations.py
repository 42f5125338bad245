"""Creating and changing processes and their phases (the caller checks who may)."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from flask_babel import force_locale, gettext
from sqlalchemy import select

from stengage.areas.models import Area, Phase, Process, ProcessState
from stengage.core import audit
from stengage.core.localized import enabled_languages
from stengage.core.operations import Refused
from stengage.db import utc_now
from stengage.extensions import db


class Actor(Protocol):
    id: int


@dataclass(frozen=True)
class PhaseDraft:
    title: str
    starts_at: datetime  # aware
    ends_at: datetime
    opens_propose: bool = False
    opens_support: bool = False
    opens_comment: bool = False
    # Every language's name and description; the name alone stands for the area's language otherwise.
    title_texts: Mapping[str, str] = field(default_factory=dict)
    description_texts: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProcessDraft:
    title: str
    description: str
    starts_on: date
    ends_on: date
    supports_per_resident: int | None
    support_threshold: int
    edit_window_hours: int
    comments_need_verification: bool
    phases: tuple[PhaseDraft, ...]
    title_texts: Mapping[str, str] = field(default_factory=dict)
    description_texts: Mapping[str, str] = field(default_factory=dict)


def local_to_utc(area: Area, moment: datetime) -> datetime:
    """A wall-clock time entered for the area, as an aware UTC datetime."""
    return moment.replace(tzinfo=ZoneInfo(area.timezone)).astimezone(ZoneInfo("UTC"))


def utc_to_local(area: Area, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(area.timezone)).replace(tzinfo=None)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "process"


def unique_slug(model: Any, area: Area, title: str) -> str:
    """A slug from the title, numbered (-2, -3, ...) when the area has a ``model`` row with it already."""
    base = slugify(title)
    taken = set(db.session.scalars(select(model.slug).where(model.area_id == area.id, model.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def default_phases(area: Area, start: date) -> tuple[PhaseDraft, ...]:
    """Information, proposals, supports, results: the usual shape of a process, editable."""
    def at(days: int) -> datetime:
        return local_to_utc(area, datetime.combine(start + timedelta(days=days), datetime.min.time()))

    def named(message: str) -> dict[str, str]:
        names = {}
        for language in enabled_languages():
            with force_locale(language):
                names[language] = gettext(message)
        return names

    return (
        PhaseDraft(gettext("Information"), at(0), at(7), opens_comment=True, title_texts=named("Information")),
        PhaseDraft(gettext("Proposals"), at(7), at(35), opens_propose=True, opens_comment=True,
                   title_texts=named("Proposals")),
        PhaseDraft(gettext("Supports"), at(35), at(56), opens_support=True, opens_comment=True,
                   title_texts=named("Supports")),
        PhaseDraft(gettext("Results"), at(56), at(70), title_texts=named("Results")),
    )


MAX_PHASES = 40


def _check(draft: ProcessDraft) -> None:
    if not draft.phases:
        raise Refused(gettext("A process needs at least one phase."), field="phases")
    if draft.ends_on < draft.starts_on:
        raise Refused(gettext("The last day must not be before the first day."), field="ends_on")
    if len(draft.phases) > MAX_PHASES:
        raise Refused(gettext("A process has at most %(num)d phases.", num=MAX_PHASES), field="phases")
    for number, phase in enumerate(draft.phases, start=1):
        if phase.ends_at <= phase.starts_at:
            raise Refused(gettext("Phase %(num)d: the phase must end after it starts.", num=number),
                          field="phases")
    spans = sorted((p.starts_at, p.ends_at, n) for n, p in enumerate(draft.phases, start=1))
    for (_, end, first), (start, _, second) in itertools.pairwise(spans):
        if start < end:
            raise Refused(gettext("Phases must not overlap: phase %(first)d and phase %(second)d do.",
                                  first=first, second=second), field="phases")


def _apply(process: Process, draft: ProcessDraft) -> None:
    process.set_texts("title", draft.title_texts or {process.content_language: draft.title})
    process.set_texts("description", draft.description_texts or {process.content_language: draft.description})
    process.starts_on, process.ends_on = draft.starts_on, draft.ends_on
    process.supports_per_resident = draft.supports_per_resident
    process.support_threshold = draft.support_threshold
    process.edit_window_hours = draft.edit_window_hours
    process.comments_need_verification = draft.comments_need_verification
    process.phases = [Phase(title=p.title.strip(), starts_at=p.starts_at, ends_at=p.ends_at,
                            opens_propose=p.opens_propose, opens_support=p.opens_support,
                            opens_comment=p.opens_comment) for p in draft.phases]
    for phase, wanted in zip(process.phases, draft.phases, strict=True):
        phase.process = process
        phase.set_texts("title", wanted.title_texts or {process.content_language: wanted.title})
        phase.set_texts("description", wanted.description_texts)


def _summary(process: Process) -> dict[str, object]:
    return {
        "title": process.title, "titles": process.title_texts,
        "starts_on": process.starts_on.isoformat(), "ends_on": process.ends_on.isoformat(),
        "supports_per_resident": process.supports_per_resident, "support_threshold": process.support_threshold,
        "edit_window_hours": process.edit_window_hours,
        "comments_need_verification": process.comments_need_verification,
        "phases": [[p.title, p.starts_at.isoformat(), p.ends_at.isoformat(), [f.value for f in p.features]]
                   for p in process.phases],
    }


def create_process(actor: Actor, area: Area, draft: ProcessDraft) -> Process:
    _check(draft)
    # A new process is a draft: its area's staff and admins see it (and whoever has its preview
    # link) until it is published.
    process = Process(area=area, slug=unique_slug(Process, area, draft.title), created_by_id=actor.id,
                      created_at=utc_now(), state=ProcessState.DRAFT)
    _apply(process, draft)
    db.session.add(process)
    db.session.flush()
    audit.record(db.session, actor_id=actor.id, verb="process.create", target_type="process",
                 target_id=process.id, target_label=process.title, area_id=area.id, after=_summary(process))
    return process


def update_process(actor: Actor, process: Process, draft: ProcessDraft) -> Process:
    _check(draft)
    before = _summary(process)
    _apply(process, draft)
    db.session.flush()
    audit.record(db.session, actor_id=actor.id, verb="process.update", target_type="process",
                 target_id=process.id, target_label=process.title, area_id=process.area_id,
                 before=before, after=_summary(process))
    return process


def update_area_settings(actor: Actor, area: Area, auto_hide_flags: int) -> None:
    """Set how many distinct verified residents' reports hide content until a moderator decides."""
    before = {"auto_hide_flags": area.auto_hide_flags}
    area.auto_hide_flags = auto_hide_flags
    db.session.flush()
    audit.record(db.session, actor_id=actor.id, verb="area.settings", target_type="area", target_id=area.id,
                 target_label=area.name, area_id=area.id, before=before, after={"auto_hide_flags": auto_hide_flags})

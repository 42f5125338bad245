"""A process's lifecycle: draft → published → closed → archived, and the draft's preview link.

Each step is one operation (the caller checks who may): it checks the step is allowed from the
process's state, changes it, flushes and writes an audit entry. Deleting is offered for drafts
only: a process that was public holds residents' proposals and the reports made of them, so it is
archived instead.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import text

from stengage.areas.models import Process, ProcessState
from stengage.core import audit
from stengage.core.operations import Refused
from stengage.extensions import db


class Actor(Protocol):
    id: int


@dataclass(frozen=True)
class Step:
    """One lifecycle action: its name (the audit verb's second part), from where to where."""

    name: str
    sources: tuple[ProcessState, ...]
    target: ProcessState
    label: object  # lazy text for the button
    destructive: bool = False


STEPS: dict[str, Step] = {step.name: step for step in (
    Step("publish", (ProcessState.DRAFT,), ProcessState.PUBLISHED, _l("Publish")),
    Step("unpublish", (ProcessState.PUBLISHED,), ProcessState.DRAFT, _l("Back to draft"), destructive=True),
    Step("close", (ProcessState.PUBLISHED,), ProcessState.CLOSED, _l("Close"), destructive=True),
    Step("reopen", (ProcessState.CLOSED,), ProcessState.PUBLISHED, _l("Reopen")),
    Step("archive", (ProcessState.CLOSED,), ProcessState.ARCHIVED, _l("Archive"), destructive=True),
    Step("unarchive", (ProcessState.ARCHIVED,), ProcessState.CLOSED, _l("Take out of the archive")),
)}

STATE_LABELS = {
    ProcessState.DRAFT: _l("Draft"),
    ProcessState.PUBLISHED: _l("Published"),
    ProcessState.CLOSED: _l("Closed"),
    ProcessState.ARCHIVED: _l("Archived"),
}


def steps_from(process: Process) -> list[Step]:
    """The steps offered on a process in its state (none that could not succeed)."""
    steps = [step for step in STEPS.values() if process.state in step.sources]
    if process.state is ProcessState.PUBLISHED and process_has_proposals(process):
        steps = [step for step in steps if step.name != "unpublish"]
    return steps


def process_has_proposals(process: Process) -> bool:
    # Proposals live in a room above this one: asked by table name, never imported.
    return db.session.execute(text("SELECT 1 FROM proposal WHERE process_id = :id LIMIT 1"),
                              {"id": process.id}).first() is not None


def _log(actor: Actor, process: Process, verb: str, before: dict[str, object] | None,
         after: dict[str, object] | None, reason: str | None = None) -> None:
    audit.record(db.session, actor_id=actor.id, verb=f"process.{verb}", target_type="process",
                 target_id=process.id, target_label=process.title, area_id=process.area_id,
                 before=before, after=after, reason=reason)


def change_state(actor: Actor, process: Process, step_name: str) -> Process:
    step = STEPS.get(step_name)
    if step is None:
        raise Refused(gettext("There is no such step for a process."))
    if process.state not in step.sources:
        raise Refused(gettext("This step is not possible while the process is in the state “%(state)s”.",
                              state=STATE_LABELS[process.state]))
    if step.name == "unpublish" and process_has_proposals(process):
        raise Refused(gettext("Residents have made proposals in this process: it cannot become a draft again. "
                              "Close it instead."))
    if step.name == "publish" and not process.phases:
        raise Refused(gettext("A process needs at least one phase before it is published."))
    before = process.state
    process.state = step.target
    if step.target is not ProcessState.DRAFT:
        process.preview_token = None  # the public page replaces the preview
    db.session.flush()
    _log(actor, process, step.name, {"state": before.value}, {"state": step.target.value})
    return process


def delete_draft(actor: Actor, process: Process) -> None:
    if process.state is not ProcessState.DRAFT:
        raise Refused(gettext("Only a draft can be deleted; close and archive a public process instead."))
    if process_has_proposals(process):
        raise Refused(gettext("This draft holds proposals: it cannot be deleted."))
    _log(actor, process, "delete", {"state": process.state.value, "title": process.title, "slug": process.slug},
         None)
    db.session.delete(process)
    db.session.flush()


def renew_preview(actor: Actor, process: Process) -> str:
    """A new secret preview link for a draft; an earlier link stops working."""
    if process.state is not ProcessState.DRAFT:
        raise Refused(gettext("Only a draft has a preview link; this process is public."))
    had = process.preview_token is not None
    process.preview_token = secrets.token_urlsafe(32)
    db.session.flush()
    _log(actor, process, "preview_renew" if had else "preview_create", None, None)
    return process.preview_token


def revoke_preview(actor: Actor, process: Process) -> None:
    if process.preview_token is None:
        raise Refused(gettext("This process has no preview link."))
    process.preview_token = None
    db.session.flush()
    _log(actor, process, "preview_revoke", None, None)

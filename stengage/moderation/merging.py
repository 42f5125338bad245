"""Merging duplicates into one proposal, and undoing a merge from its audit entry.

Supporters of the sources become supporters of the target, each once. The sources keep their own
supports and comments (readable, marked merged, linking to the target), so an undo restores the
exact state: it removes exactly the supports the merge added and gives the sources back their status.
"""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import delete, select

from stengage.accounts.models import User
from stengage.core import audit
from stengage.core.audit import AuditEntry
from stengage.core.markdown import render
from stengage.core.operations import Refused
from stengage.db import utc_now
from stengage.extensions import db
from stengage.moderation import permissions as can
from stengage.proposals import notifications
from stengage.proposals import operations as proposal_ops
from stengage.proposals.models import Follow, Origin, Proposal, ProposalStatus, Support

MERGEABLE = frozenset({ProposalStatus.PUBLISHED, ProposalStatus.UNDER_REVIEW})
MERGE_VERB, UNMERGE_VERB = "proposal.merge", "proposal.unmerge"


def _lock(ids: list[int]) -> None:
    """Lock every proposal involved, always in id order, so concurrent merges cannot deadlock.

    FOR NO KEY UPDATE, like supports: rows that refer to these proposals can still be inserted.
    """
    db.session.execute(select(Proposal.id).where(Proposal.id.in_(sorted(ids))).order_by(Proposal.id)
                       .with_for_update(key_share=True))


def merge(moderator: User, sources: list[Proposal], target: Proposal | None = None,
          new: proposal_ops.ProposalDraft | None = None) -> Proposal:
    """Merge ``sources`` into ``target``, or into a new proposal made from ``new``."""
    if not sources:
        raise Refused(gettext("Choose the duplicates to merge."))
    process = sources[0].process
    if not can.can_moderate(moderator, process.area_id):
        raise Refused(gettext("Only the moderators of this area can merge proposals."))
    everything = [*sources, *([target] if target else [])]
    if any(p.process_id != process.id for p in everything):
        raise Refused(gettext("Only proposals of the same process can be merged."))
    if target is not None and target.id in {s.id for s in sources}:
        raise Refused(gettext("A proposal cannot be merged into itself."))
    if len({s.id for s in sources}) + (1 if target else 0) < 2:
        raise Refused(gettext("Choose at least two proposals to merge."))
    if any(p.status not in MERGEABLE for p in everything):
        raise Refused(gettext("Only open proposals can be merged; withdrawn, decided or merged ones cannot."))
    created = target is None
    if target is None:
        if new is None or not new.title.strip():
            raise Refused(gettext("Give the new proposal a title and a description."), field="title")
        origin = Origin.CITY if all(s.origin == Origin.CITY for s in sources) else Origin.RESIDENT
        target = Proposal(process=process, area_id=process.area_id, author=moderator, origin=origin,
                          title=new.title.strip(), body=new.body, body_html=render(new.body), category=new.category)
        db.session.add(target)
        db.session.flush()
    _lock([target.id, *[s.id for s in sources]])
    source_ids = sorted({s.id for s in sources})

    already = select(Support.user_id).where(Support.proposal_id == target.id)
    newcomers = list(db.session.scalars(
        select(Support.user_id).where(Support.proposal_id.in_(source_ids), Support.user_id.not_in(already))
        .distinct().order_by(Support.user_id)))
    now = utc_now()
    if newcomers:
        db.session.execute(Support.__table__.insert(), [
            {"proposal_id": target.id, "user_id": uid, "process_id": process.id, "created_at": now}
            for uid in newcomers])
        proposal_ops.change_count(target, "support_count", len(newcomers))
    followers = set(db.session.scalars(select(Follow.user_id).where(Follow.proposal_id.in_(source_ids))))
    for user_id in sorted(followers | set(newcomers)):
        proposal_ops.follow(db.session.get(User, user_id), target)

    previous = []
    for source in sorted(sources, key=lambda s: s.id):
        previous.append({"id": source.id, "status": source.status.value})
        source.status, source.merged_into_id = ProposalStatus.MERGED, target.id
    db.session.flush()
    audit.record(db.session, actor_id=moderator.id, verb=MERGE_VERB, target_type="proposal", target_id=target.id,
                 target_label=target.title, area_id=process.area_id,
                 before={"sources": previous},
                 after={"target": target.id, "created_target": created, "sources": source_ids,
                        "added_supporters": newcomers})
    for source in sources:
        notifications.status_changed(source, moderator)
    return target


def undo_merge(moderator: User, entry: AuditEntry) -> None:
    """Put everything back as it was before the merge recorded in ``entry``."""
    if entry.verb != MERGE_VERB or not entry.after:
        raise Refused(gettext("This entry is not a merge."))
    if not can.can_moderate(moderator, entry.area_id):
        raise Refused(gettext("Only the moderators of this area can undo a merge."))
    if is_undone(entry):
        raise Refused(gettext("This merge was undone already."))
    target = db.session.get(Proposal, entry.after["target"])
    sources = {s["id"]: s["status"] for s in entry.before["sources"]}
    _lock([*sources, *([target.id] if target else [])])
    for source_id, status in sources.items():
        source = db.session.get(Proposal, source_id)
        if source is not None and source.status == ProposalStatus.MERGED:
            source.status, source.merged_into_id = ProposalStatus(status), None
    if target is not None:
        if entry.after["created_target"]:
            db.session.delete(target)
        else:
            added = entry.after["added_supporters"]
            removed = db.session.execute(delete(Support).where(
                Support.proposal_id == target.id, Support.user_id.in_(added))).rowcount if added else 0
            proposal_ops.change_count(target, "support_count", -removed)
    db.session.flush()
    audit.record(db.session, actor_id=moderator.id, verb=UNMERGE_VERB, target_type="proposal",
                 target_id=entry.target_id, target_label=entry.target_label, area_id=entry.area_id,
                 before=entry.after, after={"merge_entry": entry.id, "sources": list(sources)})


def undone_merges(entries: list[AuditEntry]) -> set[int]:
    """Which of these merge entries were undone (one query for a whole page of the audit log)."""
    if not entries:
        return set()
    undos = db.session.scalars(select(AuditEntry.after).where(
        AuditEntry.verb == UNMERGE_VERB, AuditEntry.target_id.in_({e.target_id for e in entries})))
    undone = {after.get("merge_entry") for after in undos if after}
    return {e.id for e in entries if e.id in undone}


def is_undone(entry: AuditEntry) -> bool:
    return entry.id in undone_merges([entry])

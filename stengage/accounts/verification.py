"""Residency verification: postcode declaration, letter codes and moderator approval."""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from stengage.accounts import notices
from stengage.accounts.models import (
    METHOD_LEVEL,
    LetterCode,
    LetterCodeBatch,
    Membership,
    MembershipRole,
    NoticeKind,
    User,
    VerificationMethod,
)
from stengage.areas.models import Area, normalise_postcode
from stengage.core import audit
from stengage.core.moments import as_utc, zone_label
from stengage.core.operations import Refused
from stengage.db import utc_now
from stengage.extensions import db

# Crockford's base32: no I, L, O or U, so codes survive being read aloud and retyped.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS, CODE_GROUP_LENGTH = 3, 4  # XXXX-XXXX-XXXX, 60 bits


def _membership(user: User, area: Area) -> Membership:
    membership = user.membership_in(area)
    if membership is None:
        membership = Membership(user=user, area=area)
        db.session.add(membership)
    return membership


def _require_confirmed(user: User) -> None:
    if not user.is_confirmed:
        raise Refused(gettext("Please confirm your email address before verifying your residency."))


def _mark_verified(membership: Membership, method: VerificationMethod, *,
                   verifier: User | None = None, note: str | None = None) -> None:
    """Record a verification unless the member already holds an equal or higher level."""
    level = METHOD_LEVEL[method]
    if membership.is_verified_at_least(level):
        raise Refused(gettext("You are already verified in %(area)s at this level or higher.",
                              area=membership.area.name))
    membership.verification_method = method
    membership.assurance_level = level
    membership.verified_at = utc_now()
    membership.verified_by_id = verifier.id if verifier else None
    membership.verification_note = note
    membership.approval_requested_at = None


def declare_postcode(user: User, area: Area, postcode: str) -> Membership:
    _require_confirmed(user)
    wanted = normalise_postcode(postcode)
    if not wanted or not area.has_postcode(wanted):
        raise Refused(gettext("%(postcode)s is not a postcode of %(area)s.",
                              postcode=postcode.strip()[:16], area=area.name), field="postcode")
    membership = _membership(user, area)
    _mark_verified(membership, VerificationMethod.POSTCODE)
    membership.declared_postcode = wanted
    db.session.flush()
    return membership


# --- Letter codes ----------------------------------------------------------------------------


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH))
    return "-".join(raw[i:i + CODE_GROUP_LENGTH] for i in range(0, len(raw), CODE_GROUP_LENGTH))


def normalise_code(value: str) -> str:
    cleaned = value.upper().translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    return "".join(ch for ch in cleaned if ch in CODE_ALPHABET)


def hash_code(value: str) -> str:
    return hashlib.sha256(normalise_code(value).encode()).hexdigest()


def generate_letter_codes(actor: User, area: Area, count: int, valid_days: int,
                          label: str = "") -> tuple[LetterCodeBatch, list[str]]:
    """Create ``count`` codes; the plain codes are returned once, for printing, and never stored."""
    batch = LetterCodeBatch(area=area, created_by=actor, size=count, label=label.strip(),
                            expires_at=utc_now() + timedelta(days=valid_days))
    db.session.add(batch)
    db.session.flush()
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(new_code())
    plain = sorted(codes)
    db.session.execute(
        LetterCode.__table__.insert(),
        [{"batch_id": batch.id, "area_id": area.id, "code_hash": hash_code(c)} for c in plain],
    )
    audit.record(db.session, actor_id=actor.id, verb="letter_codes.generate",
                 target_type="letter_code_batch", target_id=batch.id, target_label=batch.label,
                 area_id=area.id, after={"size": count, "valid_days": valid_days})
    return batch, plain


LETTER_CODE_COLUMNS = ("code", "area", "valid_until", "batch")


def letter_codes_csv(area: Area, batch: LetterCodeBatch, codes: list[str]) -> bytes:
    """The codes of a new batch as a spreadsheet file, for the mail merge of the letters. The column
    names are merge fields: the same in every interface language, so one letter template serves all."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LETTER_CODE_COLUMNS)
    # The letters go to the area's residents: its time zone, named, in one spelling for every language.
    until = as_utc(batch.expires_at).astimezone(ZoneInfo(area.timezone))
    valid_until = f"{until:%Y-%m-%d %H:%M} {zone_label(until)}"
    for code in codes:
        writer.writerow([code, area.slug, valid_until, batch.id])
    return out.getvalue().encode("utf-8-sig")  # the BOM lets spreadsheet programs read UTF-8


def redeem_letter_code(user: User, area: Area, code: str) -> Membership:
    _require_confirmed(user)
    refused = Refused(gettext("This code is not valid for %(area)s, has expired or was already used.",
                              area=area.name), field="code")
    now = utc_now()
    letter_code = db.session.scalar(
        select(LetterCode).where(LetterCode.code_hash == hash_code(code),
                                 LetterCode.area_id == area.id)
    )
    if letter_code is None or letter_code.used_at is not None or letter_code.batch.expires_at <= now:
        raise refused
    membership = _membership(user, area)
    _mark_verified(membership, VerificationMethod.LETTER_CODE)
    # Claim the code in one conditional UPDATE: of two simultaneous redemptions only one wins.
    claimed = db.session.execute(
        update(LetterCode)
        .where(LetterCode.id == letter_code.id, LetterCode.used_at.is_(None))
        .values(used_at=now, used_by_id=user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise refused
    db.session.flush()
    return membership


# --- Moderator approval ----------------------------------------------------------------------


def request_approval(user: User, area: Area, message: str) -> Membership:
    _require_confirmed(user)
    membership = _membership(user, area)
    if membership.is_verified_at_least(METHOD_LEVEL[VerificationMethod.MODERATOR_APPROVAL]):
        raise Refused(gettext("You are already verified in %(area)s at this level or higher.",
                              area=area.name))
    if membership.approval_requested_at is not None:
        raise Refused(gettext("Your request is already waiting for a moderator."))
    membership.approval_requested_at = utc_now()
    membership.approval_request_message = message.strip() or None
    db.session.flush()
    notices.tell(_reviewers(area), NoticeKind.RESIDENCY_REQUEST, area,
                 _l("A residency request in %(area)s", area=area.name), about=user, resident=user,
                 message=membership.approval_request_message)
    return membership


def _reviewers(area: Area) -> list[User]:
    """Who hears of a residency request: the area's moderators, who review them."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.area_id == area.id, Membership.role == MembershipRole.MODERATOR, User.blocked_at.is_(None))
    ))


def approve_residency(moderator: User, membership: Membership, note: str) -> None:
    if membership.user_id == moderator.id:
        raise Refused(gettext("You cannot approve your own residency."))
    before = _verification_state(membership)
    _mark_verified(membership, VerificationMethod.MODERATOR_APPROVAL, verifier=moderator,
                   note=note.strip())
    db.session.flush()
    area = membership.area
    notices.tell([membership.user], NoticeKind.RESIDENCY_APPROVED, area,
                 _l("You are a verified resident of %(area)s", area=area.name))
    audit.record(db.session, actor_id=moderator.id, verb="residency.approve", target_type="user",
                 target_id=membership.user_id, target_label=membership.user.display_name,
                 area_id=membership.area_id, before=before,
                 after=_verification_state(membership), reason=note)


def decline_residency(moderator: User, membership: Membership, note: str) -> None:
    if membership.approval_requested_at is None:
        raise Refused(gettext("There is no pending request to decline."))
    membership.approval_requested_at = None
    db.session.flush()
    area = membership.area
    notices.tell([membership.user], NoticeKind.RESIDENCY_DECLINED, area,
                 _l("Your residency request in %(area)s", area=area.name), note=note.strip())
    audit.record(db.session, actor_id=moderator.id, verb="residency.decline", target_type="user",
                 target_id=membership.user_id, target_label=membership.user.display_name,
                 area_id=membership.area_id, reason=note)


def pending_approvals(area: Area) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership)
        .where(Membership.area_id == area.id, Membership.approval_requested_at.is_not(None))
        .order_by(Membership.approval_requested_at)
    ))


def _verification_state(membership: Membership) -> dict[str, str | None]:
    return {
        "method": membership.verification_method.value if membership.verification_method else None,
        "level": membership.assurance_level.value if membership.assurance_level else None,
    }

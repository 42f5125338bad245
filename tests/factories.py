"""Factories for every model, flushing into the test's session."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from stengage.accounts.models import (
    METHOD_LEVEL,
    Membership,
    MembershipRole,
    User,
    VerificationMethod,
)
from stengage.accounts.passwords import hash_password
from stengage.accounts.verification import generate_letter_codes
from stengage.areas.models import Area, Phase, Process
from stengage.core.markdown import render
from stengage.db import utc_now
from stengage.extensions import db
from stengage.proposals.models import Alignment, Category, Comment, Proposal

PASSWORD = "quiet-harbour-lantern-47"
_numbers = itertools.count(1)


def area(slug: str = "vienna-simmering") -> Area:
    found = db.session.scalar(select(Area).where(Area.slug == slug))
    assert found is not None, slug
    return found


def user(*, email: str | None = None, name: str | None = None, confirmed: bool = True,
         admin: bool = False, password: str = PASSWORD, **fields: Any) -> User:
    n = next(_numbers)
    made = User(
        email=email or f"person{n}@example.org",
        display_name=name or f"Person {n}",
        password_hash=hash_password(password),
        email_confirmed_at=utc_now() if confirmed else None,
        is_admin=admin,
        **fields,
    )
    db.session.add(made)
    db.session.flush()
    return made


def membership(member: User, where: Area | str = "vienna-simmering", *,
               role: MembershipRole = MembershipRole.RESIDENT,
               verified_by: VerificationMethod | None = None) -> Membership:
    target = area(where) if isinstance(where, str) else where
    made = Membership(user=member, area=target, role=role)
    if verified_by is not None:
        made.verification_method = verified_by
        made.assurance_level = METHOD_LEVEL[verified_by]
        made.verified_at = utc_now()
    db.session.add(made)
    db.session.flush()
    return made


def resident(where: str = "vienna-simmering",
             verified_by: VerificationMethod | None = VerificationMethod.POSTCODE,
             **fields: Any) -> User:
    member = user(**fields)
    membership(member, where, verified_by=verified_by)
    return member


def moderator(where: str = "vienna-simmering", **fields: Any) -> User:
    member = user(**fields)
    membership(member, where, role=MembershipRole.MODERATOR)
    return member


def staff(where: str = "vienna-simmering", **fields: Any) -> User:
    member = user(**fields)
    membership(member, where, role=MembershipRole.STAFF)
    return member


def letter_codes(where: str = "vienna-simmering", count: int = 3, valid_days: int = 30,
                 by: User | None = None) -> list[str]:
    _batch, codes = generate_letter_codes(by or staff(where), area(where), count, valid_days)
    return codes


# --- Participation ---------------------------------------------------------------------------


def process(where: str = "vienna-simmering", phase: str = "open", *, supports_per_resident: int | None = None,
            threshold: int = 3, comments_need_verification: bool = True, edit_window_hours: int = 24,
            features: tuple[str, ...] = ("propose", "support", "comment"), title: str | None = None) -> Process:
    """A process whose single phase is before, open or after now, opening ``features``."""
    now = utc_now()
    start, end = {
        "before": (now + timedelta(days=1), now + timedelta(days=10)),
        "open": (now - timedelta(days=1), now + timedelta(days=10)),
        "after": (now - timedelta(days=10), now - timedelta(days=1)),
    }[phase]
    n = next(_numbers)
    made = Process(area=area(where), slug=f"process-{n}", title=title or f"Process {n}",
                   starts_on=(now - timedelta(days=20)).date(), ends_on=(now + timedelta(days=20)).date(),
                   supports_per_resident=supports_per_resident, support_threshold=threshold,
                   edit_window_hours=edit_window_hours, comments_need_verification=comments_need_verification)
    made.phases = [Phase(title="Phase", starts_at=start, ends_at=end, **{f"opens_{f}": True for f in features})]
    db.session.add(made)
    db.session.flush()
    return made


def proposal(in_process: Process, author: User | None = None, *, title: str | None = None, body: str = "An idea.",
             category: Category = Category.MOBILITY, **fields: Any) -> Proposal:
    n = next(_numbers)
    made = Proposal(process=in_process, area_id=in_process.area_id,
                    author=author or resident(in_process.area.slug), title=title or f"Proposal {n}", body=body,
                    body_html=render(body), category=category, **fields)
    db.session.add(made)
    db.session.flush()
    return made


def comment(on: Proposal, author: User | None = None, *, body: str = "A comment.", parent: Comment | None = None,
            alignment: Alignment = Alignment.NEUTRAL, **fields: Any) -> Comment:
    made = Comment(proposal_id=on.id, author=author or resident(on.process.area.slug), body=body,
                   body_html=render(body), alignment=alignment, parent_id=parent.id if parent else None,
                   root_id=parent.root_id if parent else None, depth=parent.depth + 1 if parent else 1, **fields)
    db.session.add(made)
    if made.deleted_at is None and made.hidden_at is None:
        on.comment_count += 1  # the stored counter stays right, as the operations keep it
    db.session.flush()
    if parent is None:
        made.root_id = made.id  # its own conversation, as the add-comment operation does it
        db.session.flush()
    return made

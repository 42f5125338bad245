"""Factories for every model, flushing into the test's session."""

from __future__ import annotations

import itertools
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
from stengage.areas.models import Area
from stengage.db import utc_now
from stengage.extensions import db

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

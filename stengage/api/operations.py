"""Staff API tokens: made, revoked and recognised here; only a token's SHA-256 is ever stored."""

from __future__ import annotations

import hashlib
import secrets

from flask_babel import gettext
from sqlalchemy import select

from stengage.accounts.models import User
from stengage.api.models import ApiToken
from stengage.core import audit
from stengage.core.operations import Refused
from stengage.db import utc_now
from stengage.extensions import db
from stengage.reports.permissions import can_export_summaries

LONGEST_SECRET = 200


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``actor``; the secret is returned once and never stored."""
    if not can_export_summaries(actor):
        raise Refused(gettext("Only city staff can make API tokens."))
    name = name.strip()[:80]
    if not name:
        raise Refused(gettext("Give the token a name, e.g. the tool that will use it."), field="name")
    secret = secrets.token_urlsafe(32)
    token = ApiToken(user_id=actor.id, name=name, token_hash=_digest(secret))
    db.session.add(token)
    db.session.flush()
    audit.record(db.session, actor_id=actor.id, verb="api_token.create", target_type="api_token",
                 target_id=token.id, target_label=name)
    return token, secret


def revoke_token(actor: User, token: ApiToken) -> None:
    """The token stops working at once; revoking it again changes nothing."""
    if token.user_id != actor.id:
        raise Refused(gettext("Only its owner can revoke a token."))
    if token.revoked_at is not None:
        return
    token.revoked_at = utc_now()
    db.session.flush()
    audit.record(db.session, actor_id=actor.id, verb="api_token.revoke", target_type="api_token",
                 target_id=token.id, target_label=token.name)


def token_owner(secret: str) -> User | None:
    """Whose working token ``secret`` is (stamping it as used), or None."""
    if not secret or len(secret) > LONGEST_SECRET:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret),
                                                     ApiToken.revoked_at.is_(None)))
    if token is None or not token.user.is_active:
        return None
    token.last_used_at = utc_now()
    return token.user


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))

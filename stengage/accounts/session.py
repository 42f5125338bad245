"""Flask-Login wiring: a session is valid only while its user's session version is current."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from stengage.accounts.models import User
from stengage.core.inputs import parse_number
from stengage.extensions import db

# One query, built once: the memberships answer every role and verification question of the request.
_USER_WITH_MEMBERSHIPS = select(User).options(joinedload(User.memberships)).where(User.id == bindparam("user_id"))


def load_user(session_id: str) -> User | None:
    raw_user_id, _, raw_version = session_id.partition(":")
    user_id, version = parse_number(raw_user_id), parse_number(raw_version)
    if user_id is None or version is None:
        return None
    user = db.session.execute(_USER_WITH_MEMBERSHIPS, {"user_id": user_id}).unique().scalar_one_or_none()
    if user is None or user.session_version != version or user.blocked_at is not None:
        return None
    return user


def init_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)

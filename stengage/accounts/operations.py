"""Account verbs: register, confirm, authenticate, reset, profile, email, password, roles, blocking.

Operations take the acting user explicitly, flush, write audit entries and queue mail; the
caller commits. A refusal raises ``Refused`` and changes nothing. Where a request fails its aim
but something must still be kept, the operation says so in its result instead of raising (see
``EmailConfirmation``), so the boundary commits it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from stengage.accounts import emails
from stengage.accounts.models import EmailNotifications, Membership, MembershipRole, User
from stengage.accounts.passwords import (
    burn_verification_time,
    hash_password,
    password_problem,
    verify_password,
)
from stengage.areas.models import Area
from stengage.core import audit
from stengage.core.i18n import supported_languages, valid_timezone
from stengage.core.operations import Refused
from stengage.core.tokens import read_token
from stengage.db import utc_now
from stengage.extensions import db


def find_user_by_email(address: str) -> User | None:
    try:
        normalised = emails.normalise_email(address)
    except emails.InvalidEmail:
        return None
    return _holder_of(normalised)


def _holder_of(normalised_address: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalised_address))


def _check_password(password: str, user_inputs: list[str]) -> None:
    problem = password_problem(password, user_inputs)
    if problem:
        raise Refused(problem, field="password")


def register(email: str, display_name: str, password: str, locale: str | None) -> User | None:
    """Create an unconfirmed account and mail a confirmation link.

    ``locale`` is the language the person registers in: theirs until they choose one.

    When the address is taken, nothing is created and its owner is told by mail instead:
    the visitor sees the same answer either way, so nobody learns who has an account.
    """
    address = emails.normalise_email(email)
    _check_password(password, [address, display_name])
    password_hash = hash_password(password)  # before the look-up: both answers take as long
    existing = _holder_of(address)
    if existing is not None:
        emails.queue_already_registered(existing)
        return None
    user = User(email=address, display_name=display_name.strip(),
                password_hash=password_hash, registered_locale=locale)
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:  # registered concurrently with the same address
        return None
    emails.queue_confirmation(user, address)
    return user


@dataclass(frozen=True)
class EmailConfirmation:
    """What following a confirmation link did.

    ``problem`` says why the address was not taken although the link was genuine: the pending
    change is dropped then, and that is kept (the caller commits it like any result).
    """

    user: User
    problem: str | None = None


def confirm_email(token: str) -> EmailConfirmation:
    """Confirm the address a link was sent to; a link that is no genuine one is refused."""
    payload = read_token("confirm-email", token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    invalid = Refused(gettext("This confirmation link is invalid or has expired. "
                              "Log in to get a new one."))
    if payload is None:
        raise invalid
    user = db.session.get(User, payload.get("uid"))
    if user is None:
        raise invalid
    address = payload.get("email")
    if address == user.email:
        if user.email_confirmed_at is None:
            user.email_confirmed_at = utc_now()
        return EmailConfirmation(user)
    if address != user.pending_email:
        raise invalid
    if _holder_of(address) is not None:
        # Someone registered the address meanwhile: this change can never happen, so it is
        # forgotten rather than left pending.
        user.pending_email = None
        return EmailConfirmation(user, gettext("That email address now belongs to another account."))
    old_address = user.email
    user.email, user.pending_email = address, None
    user.email_confirmed_at = utc_now()
    emails.queue_notice(user, "email_changed", _l("Your email address was changed"),
                        address=old_address, new_address=address)
    return EmailConfirmation(user)


def resend_confirmation(user: User) -> None:
    if not user.is_confirmed:
        emails.queue_confirmation(user, user.email)


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; unknown emails take as long as known ones."""
    user = find_user_by_email(email)
    if user is None:
        burn_verification_time(password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if user.blocked_at is not None:
        return None
    return user


@dataclass(frozen=True)
class Login:
    user: User
    first: bool  # the account's first login


def log_in(email: str, password: str) -> Login | None:
    """Check the credentials and note the time of the login; None when they don't open an account."""
    user = authenticate(email, password)
    if user is None:
        return None
    first = user.last_login_at is None
    user.last_login_at = utc_now()
    return Login(user, first)


def end_all_sessions(user: User) -> None:
    """Every session cookie issued so far, on any device, stops working."""
    user.session_version = User.session_version + 1
    db.session.flush()
    db.session.refresh(user, ["session_version"])


def request_password_reset(email: str) -> None:
    user = find_user_by_email(email)
    if user is not None and user.blocked_at is None:
        emails.queue_password_reset(user)


def user_for_reset_token(token: str) -> User | None:
    payload = read_token("reset-password", token, current_app.config["RESET_TOKEN_MAX_AGE"])
    if payload is None:
        return None
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.password_hash[-16:] != payload.get("pw"):
        return None
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    if user is None:
        raise Refused(gettext("This reset link is invalid, expired or already used. "
                              "Ask for a new one."))
    _set_password(user, new_password)
    if user.email_confirmed_at is None:  # the link proved they read this mailbox
        user.email_confirmed_at = utc_now()
    return user


def _set_password(user: User, new_password: str) -> None:
    _check_password(new_password, [user.email, user.display_name])
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    emails.queue_notice(user, "password_changed", _l("Your password was changed"))


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise Refused(gettext("Your current password is not correct."), field="current_password")
    _set_password(user, new_password)


def update_profile(user: User, display_name: str, locale: str | None,
                   notify_by_email: EmailNotifications | None = None, timezone: str | None = None) -> None:
    """Save the profile; an empty language or time zone means "automatic" (core.i18n decides)."""
    if locale and locale not in supported_languages():
        raise Refused(gettext("Please choose one of the offered languages."), field="locale")
    if timezone and not valid_timezone(timezone):
        raise Refused(gettext("Please choose one of the offered time zones."), field="timezone")
    user.display_name = display_name.strip()
    user.locale = locale or None
    user.timezone = timezone or None
    if notify_by_email is not None:
        user.notify_by_email = notify_by_email


def choose_language(user: User, locale: str) -> None:
    """The language switch, for a logged-in person: their choice, stored."""
    if locale not in supported_languages():
        raise Refused(gettext("Please choose one of the offered languages."))
    user.locale = locale


def change_email(user: User, current_password: str, new_email: str) -> None:
    """Mail a confirmation link to the new address; the change happens when it is followed."""
    if not verify_password(user.password_hash, current_password):
        raise Refused(gettext("Your current password is not correct."), field="current_password")
    address = emails.normalise_email(new_email)
    if address == user.email:
        raise Refused(gettext("This is already your email address."), field="email")
    user.pending_email = address
    taken = _holder_of(address)
    if taken is not None:
        # Same answer as for a free address; the owner of that mailbox hears about it.
        emails.queue_already_registered(taken)
        return
    emails.queue_confirmation(user, address)


# --- Administration -------------------------------------------------------------------------


def grant_role(actor: User, user: User, area: Area, role: MembershipRole, reason: str) -> Membership:
    membership = user.membership_in(area)
    before = {"role": membership.role.value} if membership else None
    if membership is None:
        membership = Membership(user=user, area=area, role=role)
        db.session.add(membership)
    elif membership.role == role:
        raise Refused(gettext("%(name)s already has this role in %(area)s.",
                              name=user.display_name, area=area.name))
    else:
        membership.role = role
    db.session.flush()
    audit.record(db.session, actor_id=actor.id, verb="role.grant", target_type="user",
                 target_id=user.id, target_label=user.display_name, area_id=area.id,
                 before=before, after={"role": role.value}, reason=reason)
    return membership


def revoke_role(actor: User, membership: Membership, reason: str) -> None:
    """Moderators and staff go back to being residents; their verification stays."""
    if membership.role == MembershipRole.RESIDENT:
        raise Refused(gettext("Residents have no role to revoke."))
    before = {"role": membership.role.value}
    membership.role = MembershipRole.RESIDENT
    db.session.flush()
    audit.record(db.session, actor_id=actor.id, verb="role.revoke", target_type="user",
                 target_id=membership.user_id, target_label=membership.user.display_name,
                 area_id=membership.area_id, before=before,
                 after={"role": MembershipRole.RESIDENT.value}, reason=reason)


def set_admin(actor: User, user: User, is_admin: bool, reason: str) -> None:
    if actor.id == user.id and not is_admin:
        raise Refused(gettext("You cannot remove your own admin role."))
    if user.is_admin == is_admin:
        return
    user.is_admin = is_admin
    if not is_admin:
        end_all_sessions(user)
    audit.record(db.session, actor_id=actor.id, verb="admin.grant" if is_admin else "admin.revoke",
                 target_type="user", target_id=user.id, target_label=user.display_name,
                 before={"is_admin": not is_admin}, after={"is_admin": is_admin}, reason=reason)


def block_user(actor: User, user: User, reason: str) -> None:
    if actor.id == user.id:
        raise Refused(gettext("You cannot block yourself."))
    if user.blocked_at is not None:
        raise Refused(gettext("%(name)s is already blocked.", name=user.display_name))
    user.blocked_at, user.blocked_reason = utc_now(), audit.neutralise(reason)
    end_all_sessions(user)
    audit.record(db.session, actor_id=actor.id, verb="user.block", target_type="user",
                 target_id=user.id, target_label=user.display_name,
                 before={"blocked": False}, after={"blocked": True}, reason=reason)


def unblock_user(actor: User, user: User, reason: str) -> None:
    if user.blocked_at is None:
        raise Refused(gettext("%(name)s is not blocked.", name=user.display_name))
    user.blocked_at, user.blocked_reason = None, None
    audit.record(db.session, actor_id=actor.id, verb="user.unblock", target_type="user",
                 target_id=user.id, target_label=user.display_name,
                 before={"blocked": True}, after={"blocked": False}, reason=reason)


def create_user(email: str, display_name: str, password: str, *, admin: bool = False,
                confirmed: bool = True) -> User:
    """For the CLI: an account that can log in at once."""
    address = emails.normalise_email(email)
    _check_password(password, [address, display_name])
    if _holder_of(address) is not None:
        raise Refused(gettext("An account with this email address already exists."))
    user = User(email=address, display_name=display_name.strip(),
                password_hash=hash_password(password), is_admin=admin,
                email_confirmed_at=utc_now() if confirmed else None)
    db.session.add(user)
    db.session.flush()
    audit.record(db.session, actor_id=None, verb="user.create", target_type="user",
                 target_id=user.id, target_label=user.display_name,
                 after={"is_admin": admin}, reason="created from the command line")
    return user

"""Email address normalisation and the account mails (confirm, reset, notices)."""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l

from stengage.accounts.models import User
from stengage.core import mail
from stengage.core.tokens import make_token
from stengage.core.urls import external_url
from stengage.extensions import db


class InvalidEmail(ValueError):
    pass


def normalise_email(raw: str) -> str:
    """One spelling per mailbox: NFKC, case-folded, IDNA domain.

    Full-width letters and capitals fold to plain lower case, so variants can't register twice.
    """
    folded = unicodedata.normalize("NFKC", raw).strip().casefold()
    try:
        checked = validate_email(folded, check_deliverability=False,
                                 test_environment=current_app.testing)
    except EmailNotValidError as error:
        raise InvalidEmail(str(error)) from None
    return checked.normalized.casefold()


def _locale_of(user: User) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def queue_confirmation(user: User, address: str) -> None:
    token = make_token("confirm-email", {"uid": user.id, "email": address})
    mail.queue(db.session, mail.compose(
        address, "confirm_email", _locale_of(user), _l("Confirm your email address"),
        user=user, link=external_url("accounts.confirm_email", token=token),
    ))


def queue_already_registered(user: User) -> None:
    mail.queue(db.session, mail.compose(
        user.email, "already_registered", _locale_of(user), _l("Someone tried to register with your email address"),
        user=user, login_link=external_url("accounts.login"),
        reset_link=external_url("accounts.reset_request"),
    ))


def queue_password_reset(user: User) -> None:
    # The token is bound to the current hash, so it stops working once the password changes.
    token = make_token("reset-password", {"uid": user.id, "pw": user.password_hash[-16:]})
    mail.queue(db.session, mail.compose(
        user.email, "reset_password", _locale_of(user), _l("Reset your password"),
        user=user, link=external_url("accounts.reset_password", token=token),
    ))


def queue_notice(
    user: User, template: str, subject: object, address: str | None = None, **context: object
) -> None:
    mail.queue(db.session, mail.compose(
        address or user.email, template, _locale_of(user), subject, user=user, **context,
    ))

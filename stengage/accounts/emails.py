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


def queue_confirmation(user: User, address: str) -> None:
    token = make_token("confirm-email", {"uid": user.id, "email": address})
    mail.queue(db.session, mail.compose_for(
        user, "confirm_email", _l("Confirm your email address"), address=address,
        link=external_url("accounts.confirm_email", token=token),
    ))


def queue_already_registered(user: User) -> None:
    mail.queue(db.session, mail.compose_for(
        user, "already_registered", _l("Someone tried to register with your email address"),
        login_link=external_url("accounts.login"),
        reset_link=external_url("accounts.reset_request"),
    ))


def queue_password_reset(user: User) -> None:
    # The token is bound to the current hash, so it stops working once the password changes.
    token = make_token("reset-password", {"uid": user.id, "pw": user.password_hash[-16:]})
    mail.queue(db.session, mail.compose_for(
        user, "reset_password", _l("Reset your password"),
        link=external_url("accounts.reset_password", token=token),
    ))


def queue_notice(
    user: User, template: str, subject: object, address: str | None = None, **context: object
) -> None:
    mail.queue(db.session, mail.compose_for(user, template, subject, address=address, **context))

"""Password hashing (argon2id) and the password policy: length and guessability, no composition rules."""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext
from zxcvbn import zxcvbn

# Guessability is judged on the first characters only: zxcvbn grows quadratically with length,
# and any password this long that starts strongly is strong.
_GUESS_CHECK_CHARS = 64
_MIN_ZXCVBN_SCORE = 3


def _hasher() -> PasswordHasher:
    params = current_app.config.get("ARGON2_PARAMS") or {}
    return PasswordHasher(**params)  # argon2id by default


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return _hasher().hash(normalise(password))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, normalise(password))
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH: dict[str, str] = {}


def burn_verification_time(password: str) -> None:
    """Spend as long as a real check, so unknown emails answer as slowly as known ones."""
    key = repr(current_app.config.get("ARGON2_PARAMS"))
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hash_password("stengage-timing-equaliser")
    verify_password(_DUMMY_HASH[key], password)


def password_problem(password: str, user_inputs: list[str] | None = None) -> str | None:
    """Why this password is refused, in the user's language, or None when it is fine."""
    password = normalise(password)
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    maximum = current_app.config["PASSWORD_MAX_LENGTH"]
    if len(password) < minimum:
        return gettext("Use at least %(num)d characters.", num=minimum)
    if len(password) > maximum:
        return gettext("Use at most %(num)d characters.", num=maximum)
    inputs = [part for value in (user_inputs or []) for part in _input_parts(value)]
    result = zxcvbn(password[:_GUESS_CHECK_CHARS], user_inputs=inputs)
    if result["score"] < _MIN_ZXCVBN_SCORE:
        return gettext(
            "This password is too common or too easy to guess. "
            "A few unrelated words make a strong password that is easy to remember."
        )
    return None


def _input_parts(value: str) -> list[str]:
    value = value.lower()
    return [value, *value.replace("@", " ").replace(".", " ").split()]

"""Configuration: defaults -> config class -> STENGAGE_* environment.

Every setting can be overridden from the environment with the ``STENGAGE_`` prefix,
e.g. ``STENGAGE_DATABASE_URL`` or ``STENGAGE_SECRET_KEY`` (values are parsed as JSON
when they look like JSON, so ``STENGAGE_MAIL_SMTP_PORT=587`` arrives as an int).
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any


class ConfigError(RuntimeError):
    """The configuration cannot start the application."""


class BaseConfig:
    ENV_NAME = "base"
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None  # default: SQLite in the instance folder
    REDIS_URL: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}

    # Sessions and cookies
    SESSION_COOKIE_NAME = "stengage_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    SEND_HSTS = True

    # Uploads and requests
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024

    # Internationalisation
    LANGUAGES = ("en", "de", "fr", "es", "it", "bg")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    # Mail: "file" writes .eml files to MAIL_OUTBOX_DIR; "smtp" sends through MAIL_SMTP_*.
    MAIL_BACKEND = "file"
    MAIL_OUTBOX_DIR: str | None = None  # default: <instance>/outbox
    MAIL_SENDER = "stengage <no-reply@stengage.localhost>"
    MAIL_SMTP_HOST = "localhost"
    MAIL_SMTP_PORT = 25
    MAIL_SMTP_USERNAME: str | None = None
    MAIL_SMTP_PASSWORD: str | None = None
    MAIL_SMTP_STARTTLS = False

    # Accounts
    PASSWORD_MIN_LENGTH = 12
    PASSWORD_MAX_LENGTH = 1024
    EMAIL_TOKEN_MAX_AGE = int(timedelta(days=2).total_seconds())
    RESET_TOKEN_MAX_AGE = int(timedelta(hours=2).total_seconds())

    # Verification
    LETTER_CODE_DEFAULT_DAYS = 60
    LETTER_CODE_MAX_BATCH = 2000

    # Published figures: a count about fewer than this many residents is withheld (reports/disclosure.py).
    DISCLOSURE_MIN_RESIDENTS = 5

    # Rate limits (Flask-Limiter syntax)
    RATELIMIT_ENABLED = True
    # A refusal carries Retry-After (core.errors); X-RateLimit-* on every response would cost storage round trips.
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_LOGIN = "5 per minute"  # failed logins to one account from one address
    RATELIMIT_LOGIN_ADDRESS = "30 per minute"  # failed logins from one address
    RATELIMIT_REGISTER = "10 per hour"
    RATELIMIT_RESET = "5 per 15 minutes"
    RATELIMIT_VERIFY = "5 per 15 minutes"
    RATELIMIT_SUPPORT = "120 per minute"
    RATELIMIT_COMMENT = "10 per minute"
    RATELIMIT_FLAG = "30 per hour"  # reports of abuse, per person
    # Posting (proposals and comments), per person and per network address.
    RATELIMIT_POSTING_USER = "30 per hour"
    RATELIMIT_POSTING_IP = "120 per hour"

    # Anti-spam: forms sent faster than this after they were shown are refused.
    ANTISPAM_MIN_SECONDS = 3

    # A proposal's discussion is shown in pages of whole conversations, about this many comments each.
    COMMENTS_PER_PAGE = 200

    # Rendered pages for anonymous visitors (stengage.core.page_cache): auto = Redis when REDIS_URL
    # is set, else off; or redis / memory (a single process) / off.
    PAGE_CACHE = "auto"
    PAGE_CACHE_SECONDS = 300
    PAGE_CACHE_MEMORY_PAGES = 500
    PAGE_CACHE_PREFIX = "stengage:pages:"

    # Public site address used in mails sent outside a request (CLI, jobs)
    SERVER_BASE_URL = "http://127.0.0.1:5000"


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    SECRET_KEY = "dev-only-secret-key-do-not-use-in-production"  # noqa: S105
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    SEND_HSTS = False


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    ANTISPAM_MIN_SECONDS = 0  # the anti-spam tests set it themselves
    SECRET_KEY = "testing-secret-key"  # noqa: S105
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    SEND_HSTS = False
    SERVER_NAME = None
    # The whole suite runs with the page cache on, so every test also checks that writes invalidate it.
    PAGE_CACHE = "memory"


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def select_config(name: str | None) -> type[BaseConfig]:
    name = name or os.environ.get("STENGAGE_ENV", "production")
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigError(
            f"Unknown STENGAGE_ENV {name!r}; choose one of {', '.join(CONFIGS)}."
        ) from None

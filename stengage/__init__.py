"""stengage: co-creating smart-city measures with the residents of the Smarter Together areas."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, request

from stengage.config import ConfigError, select_config
from stengage.core.boundary import Stengage, init_boundary
from stengage.core.inputs import init_input_guard
from stengage.db import (
    DatabaseIdConverter,
    configure_postgresql,
    configure_sqlite,
    starts_in_autocommit,
    write_intent,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def create_app(config: str | dict[str, Any] | None = None) -> Flask:
    """Build the application: config -> extensions -> blueprints -> errors -> cli."""
    app = Stengage(
        __name__,
        instance_path=os.environ.get("STENGAGE_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.url_map.converters["int"] = DatabaseIdConverter
    _load_config(app, config)
    _init_extensions(app)
    _init_request_hooks(app)
    _register_blueprints(app)

    from stengage.core.errors import init_error_pages

    init_error_pages(app)
    init_boundary(app)

    from stengage.cli import register_commands

    register_commands(app)
    return app


def _load_config(app: Flask, config: str | dict[str, Any] | None) -> None:
    overrides = config if isinstance(config, dict) else {}
    name = config if isinstance(config, str) else overrides.get("ENV_NAME")
    app.config.from_object(select_config(name))
    app.config.from_prefixed_env("STENGAGE")
    app.config.update(overrides)

    if not app.config.get("SECRET_KEY"):
        raise ConfigError(
            "STENGAGE_SECRET_KEY is not set. Outside development and testing stengage needs a "
            "long random secret, e.g. STENGAGE_SECRET_KEY=$(python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))')"
        )
    per_page = app.config.get("COMMENTS_PER_PAGE")
    if not isinstance(per_page, int) or isinstance(per_page, bool) or per_page < 1:
        raise ConfigError(f"STENGAGE_COMMENTS_PER_PAGE must be a whole number of at least 1, not {per_page!r}.")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    url = app.config.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'stengage.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if app.config.get("REDIS_URL"):
        app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
    else:
        app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")


def _init_extensions(app: Flask) -> None:
    from stengage.core.i18n import select_locale, select_timezone
    from stengage.core.mail import init_mail
    from stengage.core.page_cache import init_page_cache
    from stengage.core.security import init_security_headers
    from stengage.core.storage import init_storage
    from stengage.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
        elif db.engine.dialect.name == "postgresql":
            configure_postgresql(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories=str(PROJECT_ROOT / "stengage" / "translations"))
    limiter.init_app(app)
    init_mail(app)
    init_storage(app)
    init_security_headers(app)
    init_page_cache(app)

    from stengage.accounts.session import init_login

    init_login(app, login_manager)


def _register_blueprints(app: Flask) -> None:
    from stengage.accounts.admin_views import bp as admin_bp
    from stengage.accounts.verification_views import bp as verification_bp
    from stengage.accounts.views import bp as accounts_bp
    from stengage.api.token_views import tokens_bp
    from stengage.api.views import bp as api_bp
    from stengage.areas.lifecycle_views import bp as process_lifecycle_bp
    from stengage.areas.process_views import bp as process_editor_bp
    from stengage.areas.views import bp as areas_bp
    from stengage.areas.views import init_area_context
    from stengage.moderation.views import bp as moderation_bp
    from stengage.proposals.comment_views import bp as comments_bp
    from stengage.proposals.list_views import bp as processes_bp
    from stengage.proposals.notification_views import bp as notifications_bp
    from stengage.proposals.views import bp as proposals_bp
    from stengage.reports.comparison_views import bp as comparison_bp
    from stengage.reports.dictionary_views import bp as figures_bp
    from stengage.reports.staff_views import bp as staff_bp
    from stengage.reports.views import bp as reports_bp
    from stengage.templating import init_templating

    app.register_blueprint(areas_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(verification_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(process_editor_bp)
    app.register_blueprint(process_lifecycle_bp)
    app.register_blueprint(processes_bp)
    app.register_blueprint(proposals_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(figures_bp)
    app.register_blueprint(comparison_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(tokens_bp)
    init_area_context(app)
    init_templating(app)


def _init_request_hooks(app: Flask) -> None:
    init_input_guard(app)  # first of all: nothing else may read a path or query with control characters

    # Registered first so it runs before any URL preprocessor touches the database.
    @app.url_value_preprocessor
    def _declare_write_intent(endpoint: str | None, _values: dict[str, Any] | None) -> None:
        # SQLite: only unsafe methods (and GETs that write) lock for writing when they begin.
        view = app.view_functions.get(endpoint or "")
        write_intent.set(request.method not in SAFE_METHODS or getattr(view, "writes_on_get", False))
        starts_in_autocommit.set(getattr(view, "autocommit_until_needed", False))

    @app.teardown_request
    def _forget_write_intent(_error: BaseException | None) -> None:
        write_intent.set(True)  # whatever runs after a request (jobs, commands) may write
        starts_in_autocommit.set(False)


__all__ = ["ConfigError", "create_app"]

"""Alembic environment: runs inside the Flask app so it uses the app's database URL."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

import stengage.models  # noqa: F401  (registers every table on the metadata)
from stengage.db import UTCDateTime, include_object
from stengage.extensions import db

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _render_item(type_, obj, autogen_context):
    """Write our column types as plain SQLAlchemy ones, so migrations never import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs):
    options = {
        "compare_type": True,
        "render_as_batch": True,  # SQLite alters tables by copying them
        "include_object": include_object,
        "render_item": _render_item,
        **current_app.extensions["migrate"].configure_args,
        **kwargs,
    }
    context.configure(target_metadata=db.metadata, **options)


def run_migrations_offline() -> None:
    _configure(url=str(db.engine.url), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it; foreign keys must be off while it does, and
            # are checked once afterwards. (Raw connection: the PRAGMA is ignored inside a transaction.)
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.rollback()
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
            if problems:
                raise RuntimeError(f"migration left broken foreign keys: {problems[:10]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

"""Alembic environment: runs inside the Flask app so it uses the app's database URL."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

import stengage.models  # noqa: F401  (registers every table on the metadata)
from stengage.extensions import db

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _configure(**kwargs):
    options = {
        "compare_type": True,
        "render_as_batch": True,  # SQLite alters tables by copying them
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
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

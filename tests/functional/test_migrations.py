"""Migrations build exactly the schema the models describe, and downgrade cleanly."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from stengage.db import include_object
from stengage.extensions import db
from tests.conftest import make_test_app


def test_the_migrated_schema_matches_the_models(app):
    options = {"compare_type": True, "include_object": include_object}
    context = MigrationContext.configure(db.session.connection(), opts=options)
    assert compare_metadata(context, db.metadata) == []


@pytest.mark.real_commits
def test_downgrade_to_nothing_and_upgrade_again(tmp_path, private_database):
    app = make_test_app(tmp_path, private_database)
    with app.app_context():
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert {"user", "area", "membership", "audit_entry"} <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()

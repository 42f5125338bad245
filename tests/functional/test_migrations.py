"""Migrations build exactly the schema the models describe, downgrade cleanly, sort in the order they
apply, and the database itself refuses rows that contradict each other."""

import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint, inspect
from sqlalchemy.exc import IntegrityError

from stengage.areas.demo import seed_demo_areas
from stengage.db import include_object
from stengage.extensions import db
from stengage.proposals.models import Proposal, ProposalStatus, Support
from stengage.reports.models import Report
from stengage.reports.operations import create_report
from tests import factories
from tests.conftest import make_test_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
FILE_NAME = re.compile(r"^(\d{8}_\d{4})_([0-9a-f]+)_\w+\.py$")
PREVIOUS_REVISION = "b81c2e5d7a90"  # the last one before foreign key indexes and consistency


def _scripts(directory: Path = MIGRATIONS) -> ScriptDirectory:
    config = Config(str(directory / "alembic.ini"))
    config.set_main_option("script_location", str(directory))
    return ScriptDirectory.from_config(config)


def test_the_migrated_schema_matches_the_models(app):
    options = {"compare_type": True, "include_object": include_object}
    context = MigrationContext.configure(db.session.connection(), opts=options)
    assert compare_metadata(context, db.metadata) == []


def test_every_foreign_key_column_is_indexed():
    """Deleting a user, proposal or process must not scan the tables that refer to it."""
    uncovered = []
    for table in db.metadata.sorted_tables:
        leading = {index.columns[0].name for index in table.indexes if index.columns}
        leading |= {next(iter(c.columns)).name for c in table.constraints
                    if isinstance(c, UniqueConstraint | PrimaryKeyConstraint) and c.columns}
        for key in table.foreign_key_constraints:
            if key.column_keys[0] not in leading:
                uncovered.append(f"{table.name}.{key.column_keys[0]} -> {key.referred_table.name}")
    assert uncovered == []


def test_migration_file_names_sort_in_the_order_they_apply():
    scripts = _scripts()
    assert len(scripts.get_heads()) == 1, "one line of migrations, no branches"
    in_order = list(reversed(list(scripts.walk_revisions("base", "heads"))))
    names = [Path(script.path).name for script in in_order]
    assert all(FILE_NAME.match(name) for name in names), names
    assert [FILE_NAME.match(name).group(2) for name in names] == [script.revision for script in in_order]
    assert sorted(names) == names
    assert sorted(path.name for path in (MIGRATIONS / "versions").glob("*.py")) == names  # none left over


def test_a_new_migration_is_named_by_the_date_and_time_it_was_written(tmp_path):
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    script = _scripts(copy).generate_revision("0123456789ab", "Add something new", head="head")
    name = Path(script.path).name
    assert re.match(r"^20\d{6}_[0-2]\d[0-5]\d_0123456789ab_add_something_new\.py$", name), name
    assert script.down_revision == _scripts().get_current_head()


# --- The database refuses contradicting rows ---------------------------------------------------


def _refused(make) -> bool:
    try:
        with db.session.begin_nested():
            make()
            db.session.flush()
    except IntegrityError:
        return True
    return False


def test_a_proposal_cannot_claim_another_area_than_its_process(app):
    process = factories.process("vienna-simmering")
    lyon = factories.area("lyon-confluence")
    proposal = factories.proposal(process)
    assert _refused(lambda: setattr(proposal, "area_id", lyon.id))
    db.session.refresh(proposal)
    assert proposal.area_id == process.area_id


def test_a_support_counts_in_its_proposals_process(app):
    proposal = factories.proposal(factories.process())
    other = factories.process()
    resident = factories.resident()
    assert _refused(lambda: db.session.add(
        Support(proposal_id=proposal.id, user_id=resident.id, process_id=other.id)))
    db.session.add(Support(proposal_id=proposal.id, user_id=resident.id, process_id=proposal.process_id))
    db.session.flush()


def test_a_reply_stays_in_the_discussion_of_its_parent(app):
    process = factories.process()
    first, second = factories.proposal(process), factories.proposal(process)
    parent = factories.comment(first)
    assert _refused(lambda: factories.comment(second, parent=parent))
    assert factories.comment(first, parent=parent).depth == 2


def test_only_a_merged_proposal_points_to_its_merge_target(app):
    process = factories.process()
    target, source = factories.proposal(process), factories.proposal(process)
    assert _refused(lambda: setattr(source, "merged_into_id", target.id))  # still published
    db.session.refresh(source)
    assert _refused(lambda: (setattr(source, "status", ProposalStatus.MERGED),
                             setattr(source, "merged_into_id", source.id)))
    db.session.refresh(source)
    source.status, source.merged_into_id = ProposalStatus.MERGED, target.id
    db.session.flush()
    # The target may go; the merged proposal stays, merged, without its pointer.
    db.session.delete(target)
    db.session.flush()
    db.session.expire_all()
    kept = db.session.get(Proposal, source.id)
    assert (kept.status, kept.merged_into_id) == (ProposalStatus.MERGED, None)


def test_a_report_covers_a_process_of_its_own_area(app):
    vienna_process = factories.process("vienna-simmering")
    lyon = factories.area("lyon-confluence")
    moderator = factories.moderator("lyon-confluence")
    assert _refused(lambda: db.session.add(Report(area_id=lyon.id, process_id=vienna_process.id,
                                                  slug="elsewhere", title="Elsewhere")))
    assert create_report(moderator, lyon, "Lyon", period=(vienna_process.starts_on, vienna_process.ends_on))


# --- Upgrade and downgrade on a database of its own --------------------------------------------


def _schema(engine: sa.Engine) -> dict[str, set[str]]:
    inspector = inspect(engine)
    described = {}
    for table in inspector.get_table_names():
        names = {f"index {i['name']} {i['column_names']} unique={i['unique']}" for i in inspector.get_indexes(table)}
        names |= {f"unique {u['name']} {u['column_names']}" for u in inspector.get_unique_constraints(table)}
        names |= {f"fk {k['name']} {k['constrained_columns']} -> {k['referred_table']} {k['referred_columns']} "
                  f"{k['options'].get('ondelete')}" for k in inspector.get_foreign_keys(table)}
        names |= {f"check {c['name']}" for c in inspector.get_check_constraints(table)}
        names |= {f"column {c['name']} {c['type']} null={c['nullable']}" for c in inspector.get_columns(table)}
        described[table] = names
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            described["sqlite_master"] = set(connection.exec_driver_sql(
                "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master "
                "WHERE type IN ('trigger', 'index') AND sql IS NOT NULL").scalars())
    return described


@pytest.mark.real_commits
def test_downgrades_restore_the_schema_before_and_upgrades_repair_copies(tmp_path, private_database):
    app = make_test_app(tmp_path, private_database)
    with app.app_context():
        migrated = _schema(db.engine)
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(revision=PREVIOUS_REVISION)
        previous = _schema(db.engine)
        upgrade()
        assert _schema(db.engine) == migrated
        # What the constraints refuse was possible before them; the upgrade repairs such copies.
        # (Rows are made with today's models, then the schema goes back and one is spoilt by hand.)
        seed_demo_areas()
        process = factories.process("vienna-simmering")
        proposal = factories.proposal(process)
        lyon_id = factories.area("lyon-confluence").id
        db.session.commit()
        db.session.remove()
        downgrade(revision=PREVIOUS_REVISION)
        assert _schema(db.engine) == previous
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE proposal SET area_id = :area WHERE id = :id"),
                               {"area": lyon_id, "id": proposal.id})
        upgrade()
        assert _schema(db.engine) == migrated
        db.session.expire_all()
        assert db.session.get(Proposal, proposal.id).area_id == process.area_id
        # Full-text search still finds new proposals (SQLite's triggers survived the table rebuilds).
        factories.proposal(process, title="Rainwater gardens for the school yard")
        db.session.commit()
        if db.engine.dialect.name == "sqlite":
            found = db.session.execute(sa.text(
                "SELECT count(*) FROM proposal_fts WHERE proposal_fts MATCH 'rainwater'")).scalar()
            assert found == 1
        db.session.remove()
        db.engine.dispose()

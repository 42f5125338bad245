"""Foreign key indexes and consistency: every foreign key column indexed, merged proposals alone point
to their merge target, and copied ids (a proposal's area, a support's process, a report's area, a
letter code's area, a theme item's report, a reply's proposal) held equal to their source by
composite foreign keys.

Revision ID: c4d9e2f7a1b3
Revises: b81c2e5d7a90
Create Date: 2026-12-03 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d9e2f7a1b3'
down_revision = 'b81c2e5d7a90'
branch_labels = None
depends_on = None

# (table, column): foreign key columns that no index, unique constraint or primary key led with.
FOREIGN_KEY_INDEXES = [
    ('account_notice', 'about_id'),
    ('flag', 'resolved_by_id'),
    ('letter_code', 'used_by_id'),
    ('letter_code_batch', 'created_by_id'),
    ('notification', 'actor_id'),
    ('process', 'created_by_id'),
    ('proposal', 'answered_by_id'),
    ('proposal_note', 'author_id'),
    ('report', 'created_by_id'),
    ('report_version', 'published_by_id'),
    ('support', 'process_id'),
    ('theme_item', 'comment_id'),
    ('theme_item', 'proposal_id'),
]

# (table, columns): what the composite foreign keys below refer to.
REFERRED_KEYS = [
    ('process', ['id', 'area_id']),
    ('proposal', ['id', 'process_id']),
    ('comment', ['id', 'proposal_id']),
    ('letter_code_batch', ['id', 'area_id']),
    ('theme', ['id', 'report_id']),
]

# (name, table, columns, referred table, referred columns): a copied id equals its source's.
COMPOSITE_FOREIGN_KEYS = [
    ('fk_proposal_process_area_process', 'proposal', ['process_id', 'area_id'], 'process', ['id', 'area_id']),
    ('fk_support_proposal_process_proposal', 'support', ['proposal_id', 'process_id'],
     'proposal', ['id', 'process_id']),
    ('fk_comment_parent_proposal_comment', 'comment', ['parent_id', 'proposal_id'], 'comment', ['id', 'proposal_id']),
    ('fk_report_process_area_process', 'report', ['process_id', 'area_id'], 'process', ['id', 'area_id']),
    ('fk_letter_code_batch_area_letter_code_batch', 'letter_code', ['batch_id', 'area_id'],
     'letter_code_batch', ['id', 'area_id']),
    ('fk_theme_item_theme_report_theme', 'theme_item', ['theme_id', 'report_id'], 'theme', ['id', 'report_id']),
]

MERGED_CHECK = "merged_into_id IS NULL OR (status = 'merged' AND merged_into_id <> id)"

# Copies that drifted from their source take the source's value again (the source is the truth:
# a proposal is in its process's area); a merge pointer on a proposal that is not merged means nothing.
REPAIRS = [
    """UPDATE proposal SET area_id = (SELECT process.area_id FROM process WHERE process.id = proposal.process_id)
       WHERE area_id <> (SELECT process.area_id FROM process WHERE process.id = proposal.process_id)""",
    """UPDATE support SET process_id = (SELECT proposal.process_id FROM proposal WHERE proposal.id = support.proposal_id)
       WHERE process_id <> (SELECT proposal.process_id FROM proposal WHERE proposal.id = support.proposal_id)""",
    """UPDATE report SET area_id = (SELECT process.area_id FROM process WHERE process.id = report.process_id)
       WHERE process_id IS NOT NULL
         AND area_id <> (SELECT process.area_id FROM process WHERE process.id = report.process_id)""",
    """UPDATE letter_code SET area_id = (SELECT b.area_id FROM letter_code_batch b WHERE b.id = letter_code.batch_id)
       WHERE area_id <> (SELECT b.area_id FROM letter_code_batch b WHERE b.id = letter_code.batch_id)""",
    """UPDATE theme_item SET report_id = (SELECT theme.report_id FROM theme WHERE theme.id = theme_item.theme_id)
       WHERE report_id <> (SELECT theme.report_id FROM theme WHERE theme.id = theme_item.theme_id)""",
    """UPDATE proposal SET merged_into_id = NULL
       WHERE merged_into_id IS NOT NULL AND (status <> 'merged' OR merged_into_id = id)""",
]

# SQLite adds constraints by rebuilding a table, which drops its triggers and may lose a partial
# index's condition: the proposal table's full-text triggers and listed-proposals index are put back.
_SEARCH_TRIGGERS_SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS proposal_fts_insert AFTER INSERT ON proposal BEGIN
         INSERT INTO proposal_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END""",
    """CREATE TRIGGER IF NOT EXISTS proposal_fts_delete AFTER DELETE ON proposal BEGIN
         INSERT INTO proposal_fts(proposal_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END""",
    """CREATE TRIGGER IF NOT EXISTS proposal_fts_update AFTER UPDATE OF title, body ON proposal BEGIN
         INSERT INTO proposal_fts(proposal_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
         INSERT INTO proposal_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END""",
]
LISTED = "hidden_at IS NULL AND status NOT IN ('withdrawn', 'merged')"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _before_proposal_rebuild() -> None:
    if _sqlite():
        op.drop_index('ix_proposal_listed', table_name='proposal')


def _after_proposal_rebuild() -> None:
    if _sqlite():
        op.create_index('ix_proposal_listed', 'proposal', ['process_id'], unique=False,
                        postgresql_where=sa.text(LISTED), sqlite_where=sa.text(LISTED))
        for statement in _SEARCH_TRIGGERS_SQLITE:
            op.execute(statement)


# Tables in the order their constraints are added (referred keys before the foreign keys using them),
# each changed in one batch: SQLite rebuilds each table once.
TABLES = ['process', 'letter_code_batch', 'theme', 'proposal', 'comment', 'support', 'report', 'letter_code',
          'theme_item']


def _unique_name(table: str, columns: list[str]) -> str:
    return f"uq_{table}_{'_'.join(columns)}"


def upgrade() -> None:
    for statement in REPAIRS:
        op.execute(statement)

    for table, column in FOREIGN_KEY_INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)

    _before_proposal_rebuild()
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, columns in [(t, c) for t, c in REFERRED_KEYS if t == table]:
                batch_op.create_unique_constraint(batch_op.f(_unique_name(name, columns)), columns)
            if table == 'proposal':
                batch_op.create_check_constraint(batch_op.f('ck_proposal_merged_into_only_when_merged'),
                                                 sa.text(MERGED_CHECK))
            for name, _table, columns, referred, referred_columns in COMPOSITE_FOREIGN_KEYS:
                if _table == table:
                    batch_op.create_foreign_key(name, referred, columns, referred_columns, ondelete='CASCADE')
    _after_proposal_rebuild()


def downgrade() -> None:
    _before_proposal_rebuild()
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _table, _columns, _referred, _referred_columns in COMPOSITE_FOREIGN_KEYS:
                if _table == table:
                    batch_op.drop_constraint(name, type_='foreignkey')
            if table == 'proposal':
                batch_op.drop_constraint(batch_op.f('ck_proposal_merged_into_only_when_merged'), type_='check')
            for name, columns in [(t, c) for t, c in REFERRED_KEYS if t == table]:
                batch_op.drop_constraint(batch_op.f(_unique_name(name, columns)), type_='unique')
    _after_proposal_rebuild()

    for table, column in reversed(FOREIGN_KEY_INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))

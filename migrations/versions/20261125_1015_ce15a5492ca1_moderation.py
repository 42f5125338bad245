"""Moderation: flags, internal notes, hiding with reasons, blocks per area, triage answers, merges.

Revision ID: ce15a5492ca1
Revises: a74222b6f318
Create Date: 2026-11-25 10:15:49.504742

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ce15a5492ca1'
down_revision = 'a74222b6f318'
branch_labels = None
depends_on = None

# SQLite rebuilds the proposal table to add foreign keys, which drops its triggers: the full-text
# index triggers of the previous migration are put back, unchanged.
_SEARCH_TRIGGERS_SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS proposal_fts_insert AFTER INSERT ON proposal BEGIN
         INSERT INTO proposal_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END""",
    """CREATE TRIGGER IF NOT EXISTS proposal_fts_delete AFTER DELETE ON proposal BEGIN
         INSERT INTO proposal_fts(proposal_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END""",
    """CREATE TRIGGER IF NOT EXISTS proposal_fts_update AFTER UPDATE OF title, body ON proposal BEGIN
         INSERT INTO proposal_fts(proposal_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
         INSERT INTO proposal_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END""",
]


def _restore_search_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SEARCH_TRIGGERS_SQLITE:
            op.execute(statement)


def upgrade() -> None:
    op.create_table('proposal_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_proposal_note_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_note_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_note'))
    )
    with op.batch_alter_table('proposal_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_note_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.Enum('proposal', 'comment', 'user', name='flag_target', create_constraint=True), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('flagged_user_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Enum('spam', 'offensive', 'off_topic', 'personal_data', 'other', name='flag_reason', create_constraint=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('state', sa.Enum('open', 'dismissed', 'actioned', name='flag_state', create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(target_type = 'proposal' AND proposal_id IS NOT NULL AND comment_id IS NULL AND flagged_user_id IS NULL) OR (target_type = 'comment' AND comment_id IS NOT NULL AND flagged_user_id IS NULL) OR (target_type = 'user' AND flagged_user_id IS NOT NULL AND proposal_id IS NULL AND comment_id IS NULL)", name=op.f('ck_flag_one_target')),
    sa.CheckConstraint("reason <> 'other' OR length(coalesce(text, '')) > 0", name=op.f('ck_flag_other_needs_text')),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_flag_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_flag_comment_id_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['flagged_user_id'], ['user.id'], name=op.f('fk_flag_flagged_user_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_flag_proposal_id_proposal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['user.id'], name=op.f('fk_flag_reporter_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], name=op.f('fk_flag_resolved_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flag')),
    sa.UniqueConstraint('reporter_id', 'comment_id', name=op.f('uq_flag_reporter_id_comment_id')),
    sa.UniqueConstraint('reporter_id', 'flagged_user_id', name=op.f('uq_flag_reporter_id_flagged_user_id')),
    sa.UniqueConstraint('reporter_id', 'proposal_id', name=op.f('uq_flag_reporter_id_proposal_id'))
    )
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.create_index('ix_flag_area_state', ['area_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_flag_comment_id'), ['comment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_flag_flagged_user_id'), ['flagged_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_flag_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_flag_reporter_id'), ['reporter_id'], unique=False)

    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auto_hide_flags', sa.Integer(), server_default='3', nullable=False))
        batch_op.create_check_constraint(op.f('ck_area_auto_hide_flags_positive'), 'auto_hide_flags > 0')

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_reason', sa.Text(), nullable=True))

    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('blocked_reason', sa.Text(), nullable=True))

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('official_answer', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('official_answer_html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('answered_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_proposal_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_proposal_merged_into_id_proposal'), 'proposal', ['merged_into_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_proposal_answered_by_id_user'), 'user', ['answered_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_proposal_assignee_id_user'), 'user', ['assignee_id'], ['id'], ondelete='SET NULL')
    _restore_search_triggers()



def downgrade() -> None:
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_proposal_assignee_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_proposal_answered_by_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_proposal_merged_into_id_proposal'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_proposal_merged_into_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_assignee_id'))
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('assignee_id')
        batch_op.drop_column('answered_by_id')
        batch_op.drop_column('answered_at')
        batch_op.drop_column('official_answer_html')
        batch_op.drop_column('official_answer')
        batch_op.drop_column('hidden_reason')

    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_column('blocked_reason')
        batch_op.drop_column('blocked_at')

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('hidden_reason')

    with op.batch_alter_table('area', schema=None) as batch_op:
        if op.get_bind().dialect.name == "sqlite":
            batch_op.drop_constraint(op.f('ck_area_auto_hide_flags_positive'), type_='check')
        batch_op.drop_column('auto_hide_flags')

    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flag_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_flag_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_flag_flagged_user_id'))
        batch_op.drop_index(batch_op.f('ix_flag_comment_id'))
        batch_op.drop_index('ix_flag_area_state')

    op.drop_table('flag')
    with op.batch_alter_table('proposal_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_note_proposal_id'))

    op.drop_table('proposal_note')
    if op.get_bind().dialect.name == "postgresql":
        for enum_name in ("flag_target", "flag_reason", "flag_state"):
            sa.Enum(name=enum_name).drop(op.get_bind(), checkfirst=True)

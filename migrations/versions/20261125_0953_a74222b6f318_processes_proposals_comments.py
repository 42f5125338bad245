"""Processes with phases; proposals, supports, comments, follows and notifications; search.

Revision ID: a74222b6f318
Revises: aaf6ad7ecf33
Create Date: 2026-11-25 09:53:41.577323

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a74222b6f318'
down_revision = 'aaf6ad7ecf33'
branch_labels = None
depends_on = None

EMAIL_NOTIFICATIONS = sa.Enum('immediately', 'daily', 'never', name='email_notifications', create_constraint=True)

# Full-text search over proposal titles and bodies. Both engines split on Unicode word boundaries,
# lower-case and keep accents, so plain words find the same proposals on SQLite and PostgreSQL.
_SEARCH_SQLITE = [
    """CREATE VIRTUAL TABLE proposal_fts USING fts5(
         title, body, content='proposal', content_rowid='id', tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER proposal_fts_insert AFTER INSERT ON proposal BEGIN
         INSERT INTO proposal_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END""",
    """CREATE TRIGGER proposal_fts_delete AFTER DELETE ON proposal BEGIN
         INSERT INTO proposal_fts(proposal_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END""",
    """CREATE TRIGGER proposal_fts_update AFTER UPDATE OF title, body ON proposal BEGIN
         INSERT INTO proposal_fts(proposal_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
         INSERT INTO proposal_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END""",
]
_SEARCH_POSTGRESQL = [
    """ALTER TABLE proposal ADD COLUMN search_vector tsvector GENERATED ALWAYS AS
         (to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(body, ''))) STORED""",
    "CREATE INDEX ix_proposal_search ON proposal USING gin (search_vector)",
]


def upgrade() -> None:
    EMAIL_NOTIFICATIONS.create(op.get_bind(), checkfirst=True)
    op.create_table('process',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=150), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('supports_per_resident', sa.Integer(), nullable=True),
    sa.Column('support_threshold', sa.Integer(), nullable=False),
    sa.Column('edit_window_hours', sa.Integer(), nullable=False),
    sa.Column('comments_need_verification', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('edit_window_hours >= 0', name=op.f('ck_process_edit_window_not_negative')),
    sa.CheckConstraint('starts_on <= ends_on', name=op.f('ck_process_dates_in_order')),
    sa.CheckConstraint('support_threshold > 0', name=op.f('ck_process_threshold_positive')),
    sa.CheckConstraint('supports_per_resident IS NULL OR supports_per_resident > 0', name=op.f('ck_process_support_limit_positive')),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_process_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_process_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process')),
    sa.UniqueConstraint('area_id', 'slug', name=op.f('uq_process_area_id_slug'))
    )
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_area_id'), ['area_id'], unique=False)

    op.create_table('phase',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opens_propose', sa.Boolean(), nullable=False),
    sa.Column('opens_support', sa.Boolean(), nullable=False),
    sa.Column('opens_comment', sa.Boolean(), nullable=False),
    sa.CheckConstraint('starts_at < ends_at', name=op.f('ck_phase_times_in_order')),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_phase_process_id_process'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phase'))
    )
    with op.batch_alter_table('phase', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phase_process_id'), ['process_id'], unique=False)

    op.create_table('proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=150), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('category', sa.Enum('refurbishment', 'mobility', 'renewable_energy', 'energy_efficiency', 'street_lighting', 'housing', 'public_space', 'data_ict', 'other', name='category', create_constraint=True), nullable=False),
    sa.Column('origin', sa.Enum('resident', 'city', name='origin', create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('published', 'under_review', 'accepted', 'rejected', 'in_progress', 'implemented', 'withdrawn', 'merged', name='proposal_status', create_constraint=True), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('support_count', sa.Integer(), nullable=False),
    sa.Column('comment_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(latitude IS NULL) = (longitude IS NULL)', name=op.f('ck_proposal_location_complete')),
    sa.CheckConstraint('comment_count >= 0', name=op.f('ck_proposal_comment_count_not_negative')),
    sa.CheckConstraint('support_count >= 0', name=op.f('ck_proposal_support_count_not_negative')),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_proposal_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_proposal_author_id_user'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_proposal_process_id_process'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal'))
    )
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_proposal_process_comments', ['process_id', 'comment_count', 'id', 'status', 'hidden_at'], unique=False)
        batch_op.create_index('ix_proposal_process_created', ['process_id', 'created_at', 'id', 'status', 'hidden_at'], unique=False)
        batch_op.create_index('ix_proposal_process_supports', ['process_id', 'support_count', 'id', 'status', 'hidden_at'], unique=False)

    op.create_table('comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('depth', sa.SmallInteger(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('alignment', sa.Enum('in_favour', 'against', 'neutral', name='alignment', create_constraint=True), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('upvotes', sa.Integer(), nullable=False),
    sa.Column('downvotes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('depth BETWEEN 1 AND 3', name=op.f('ck_comment_depth_range')),
    sa.CheckConstraint('upvotes >= 0 AND downvotes >= 0', name=op.f('ck_comment_votes_not_negative')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_comment_author_id_user'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['parent_id'], ['comment.id'], name=op.f('fk_comment_parent_id_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_comment_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment'))
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comment_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_comment_proposal_created', ['proposal_id', 'created_at'], unique=False)

    op.create_table('follow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_follow_proposal_id_proposal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_follow_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow')),
    sa.UniqueConstraint('proposal_id', 'user_id', name=op.f('uq_follow_proposal_id_user_id'))
    )
    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_user_id'), ['user_id'], unique=False)

    op.create_table('proposal_image',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('file_name', sa.String(length=64), nullable=False),
    sa.Column('thumbnail_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('alt_text', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_image_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_image')),
    sa.UniqueConstraint('file_name', name=op.f('uq_proposal_image_file_name')),
    sa.UniqueConstraint('proposal_id', 'position', name=op.f('uq_proposal_image_proposal_id_position')),
    sa.UniqueConstraint('thumbnail_name', name=op.f('uq_proposal_image_thumbnail_name'))
    )
    with op.batch_alter_table('proposal_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_image_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('support',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_support_process_id_process'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_support_proposal_id_proposal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_support_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support')),
    sa.UniqueConstraint('proposal_id', 'user_id', name=op.f('uq_support_proposal_id_user_id'))
    )
    with op.batch_alter_table('support', schema=None) as batch_op:
        batch_op.create_index('ix_support_user_process', ['user_id', 'process_id'], unique=False)

    op.create_table('comment_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint('value IN (-1, 1)', name=op.f('ck_comment_vote_value_is_up_or_down')),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_comment_vote_comment_id_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_comment_vote_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_vote')),
    sa.UniqueConstraint('comment_id', 'user_id', name=op.f('uq_comment_vote_comment_id_user_id'))
    )
    with op.batch_alter_table('comment_vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_vote_user_id'), ['user_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('new_comment', 'reply', 'status_change', name='notification_kind', create_constraint=True), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_notification_actor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_notification_comment_id_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_notification_proposal_id_proposal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_comment_id'), ['comment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index('ix_notification_unmailed', ['emailed_at', 'user_id'], unique=False)
        batch_op.create_index('ix_notification_user_unread', ['user_id', 'read_at', 'id'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_by_email', EMAIL_NOTIFICATIONS, server_default='immediately', nullable=False))


    _create_search()

def _create_search() -> None:
    statements = {"sqlite": _SEARCH_SQLITE, "postgresql": _SEARCH_POSTGRESQL}
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def _drop_search() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("proposal_fts_insert", "proposal_fts_delete", "proposal_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS proposal_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_proposal_search")
        op.execute("ALTER TABLE proposal DROP COLUMN IF EXISTS search_vector")


def downgrade() -> None:
    _drop_search()
    with op.batch_alter_table('user', schema=None) as batch_op:
        if op.get_bind().dialect.name == "sqlite":  # the enum's CHECK goes with its column
            batch_op.drop_constraint(op.f('ck_user_email_notifications'), type_='check')
        batch_op.drop_column('notify_by_email')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_unread')
        batch_op.drop_index('ix_notification_unmailed')
        batch_op.drop_index(batch_op.f('ix_notification_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_notification_comment_id'))

    op.drop_table('notification')
    with op.batch_alter_table('comment_vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_vote_user_id'))

    op.drop_table('comment_vote')
    with op.batch_alter_table('support', schema=None) as batch_op:
        batch_op.drop_index('ix_support_user_process')

    op.drop_table('support')
    with op.batch_alter_table('proposal_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_image_proposal_id'))

    op.drop_table('proposal_image')
    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_user_id'))

    op.drop_table('follow')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_proposal_created')
        batch_op.drop_index(batch_op.f('ix_comment_parent_id'))
        batch_op.drop_index(batch_op.f('ix_comment_author_id'))

    op.drop_table('comment')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_process_supports')
        batch_op.drop_index('ix_proposal_process_created')
        batch_op.drop_index('ix_proposal_process_comments')
        batch_op.drop_index(batch_op.f('ix_proposal_author_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_area_id'))

    op.drop_table('proposal')
    with op.batch_alter_table('phase', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phase_process_id'))

    op.drop_table('phase')
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_area_id'))

    op.drop_table('process')
    if op.get_bind().dialect.name == "postgresql":
        for enum_name in ("category", "origin", "proposal_status", "alignment", "notification_kind",
                          "email_notifications"):
            sa.Enum(name=enum_name).drop(op.get_bind(), checkfirst=True)

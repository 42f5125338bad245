"""Governance reports: themes, the contributions assigned to them, frozen versions, followers.

Revision ID: a7e0cd4d0c0a
Revises: ce15a5492ca1
Create Date: 2026-11-25 10:31:59.030787

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7e0cd4d0c0a'
down_revision = 'ce15a5492ca1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=True),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=150), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('period_start IS NULL OR period_end IS NULL OR period_start <= period_end', name=op.f('ck_report_period_in_order')),
    sa.CheckConstraint('process_id IS NOT NULL OR (period_start IS NOT NULL AND period_end IS NOT NULL)', name=op.f('ck_report_process_or_period')),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_report_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_report_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_report_process_id_process'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report')),
    sa.UniqueConstraint('area_id', 'slug', name=op.f('uq_report_area_id_slug'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_process_id'), ['process_id'], unique=False)

    op.create_table('report_follow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_follow_report_id_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_report_follow_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_follow')),
    sa.UniqueConstraint('report_id', 'user_id', name=op.f('uq_report_follow_report_id_user_id'))
    )
    with op.batch_alter_table('report_follow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_follow_user_id'), ['user_id'], unique=False)

    op.create_table('report_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('changelog', sa.Text(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('number > 0', name=op.f('ck_report_version_number_positive')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name=op.f('fk_report_version_published_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_version_report_id_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_version')),
    sa.UniqueConstraint('report_id', 'number', name=op.f('uq_report_version_report_id_number'))
    )
    op.create_table('theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=150), nullable=False),
    sa.Column('synthesis', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_theme_report_id_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme'))
    )
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_report_id'), ['report_id'], unique=False)

    op.create_table('theme_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('is_quote', sa.Boolean(), nullable=False),
    sa.CheckConstraint('(proposal_id IS NULL) <> (comment_id IS NULL)', name=op.f('ck_theme_item_one_contribution')),
    sa.CheckConstraint('NOT is_quote OR comment_id IS NOT NULL', name=op.f('ck_theme_item_quotes_are_comments')),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_theme_item_comment_id_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_theme_item_proposal_id_proposal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_theme_item_report_id_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_theme_item_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_item')),
    sa.UniqueConstraint('report_id', 'comment_id', name=op.f('uq_theme_item_report_id_comment_id')),
    sa.UniqueConstraint('report_id', 'proposal_id', name=op.f('uq_theme_item_report_id_proposal_id'))
    )
    with op.batch_alter_table('theme_item', schema=None) as batch_op:
        batch_op.create_index('ix_theme_item_theme', ['theme_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('theme_item', schema=None) as batch_op:
        batch_op.drop_index('ix_theme_item_theme')

    op.drop_table('theme_item')
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_report_id'))

    op.drop_table('theme')
    op.drop_table('report_version')
    with op.batch_alter_table('report_follow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_follow_user_id'))

    op.drop_table('report_follow')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_process_id'))
        batch_op.drop_index(batch_op.f('ix_report_area_id'))

    op.drop_table('report')

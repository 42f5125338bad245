"""Account notices: residency requests and their answers in the notification centre.

Revision ID: b81c2e5d7a90
Revises: 5b2e8f1c9d47
Create Date: 2026-11-25 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b81c2e5d7a90'
down_revision = '5b2e8f1c9d47'
branch_labels = None
depends_on = None

NOTICE_KIND = sa.Enum('residency_request', 'residency_approved', 'residency_declined', name='notice_kind',
                      create_constraint=True)


def upgrade() -> None:
    op.create_table('account_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', NOTICE_KIND, nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('about_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['about_id'], ['user.id'], name=op.f('fk_account_notice_about_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_account_notice_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_account_notice_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_notice'))
    )
    with op.batch_alter_table('account_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_notice_area_id'), ['area_id'], unique=False)
        batch_op.create_index('ix_account_notice_user_unread', ['user_id', 'read_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('account_notice', schema=None) as batch_op:
        batch_op.drop_index('ix_account_notice_user_unread')
        batch_op.drop_index(batch_op.f('ix_account_notice_area_id'))

    op.drop_table('account_notice')
    if op.get_bind().dialect.name == "postgresql":
        sa.Enum(name='notice_kind').drop(op.get_bind(), checkfirst=True)

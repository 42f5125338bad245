"""Processes have a lifecycle (draft, published, closed, archived) and a secret preview link; process
titles and descriptions and phase names and descriptions have a value per language.

Processes that exist already were live: they become published.

Revision ID: e3a7c91d5b20
Revises: 6d0c3a1f9b24
Create Date: 2026-12-04 08:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3a7c91d5b20'
down_revision = '6d0c3a1f9b24'
branch_labels = None
depends_on = None

PROCESS_STATE = sa.Enum('draft', 'published', 'closed', 'archived', name='process_state', create_constraint=True)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        PROCESS_STATE.create(op.get_bind(), checkfirst=True)
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', PROCESS_STATE, server_default='published', nullable=False))
        batch_op.add_column(sa.Column('preview_token', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_process_preview_token'), ['preview_token'])
    with op.batch_alter_table('phase', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('phase', schema=None) as batch_op:
        batch_op.drop_column('translations')
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_process_preview_token'), type_='unique')
        batch_op.drop_column('translations')
        batch_op.drop_column('preview_token')
        if op.get_bind().dialect.name == "sqlite":  # PostgreSQL's enum type goes with the column
            batch_op.drop_constraint(op.f('ck_process_process_state'), type_='check')
        batch_op.drop_column('state')
    if op.get_bind().dialect.name == "postgresql":
        sa.Enum(name='process_state').drop(op.get_bind(), checkfirst=True)

"""PDF attachments of a process, with a title per language.

Revision ID: 9d2c5e8f1a47
Revises: 7b1f4e2a9c63
Create Date: 2026-12-04 09:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d2c5e8f1a47'
down_revision = '7b1f4e2a9c63'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('process_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=150), nullable=False),
    sa.Column('file_name', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('translations', sa.JSON(), server_default='{}', nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_process_attachment_process_id_process'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_attachment')),
    sa.UniqueConstraint('file_name', name=op.f('uq_process_attachment_file_name'))
    )
    with op.batch_alter_table('process_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_attachment_process_id'), ['process_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('process_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_attachment_process_id'))
    op.drop_table('process_attachment')

"""Content pages per language (help, FAQ, privacy, terms and any others admins write), with the four
the footer links to created in six languages.

Revision ID: 7b1f4e2a9c63
Revises: a7e3c5d19f42
Create Date: 2026-12-04 09:05:00

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

from stengage.pages.defaults import DEFAULT_PAGES


# revision identifiers, used by Alembic.
revision = '7b1f4e2a9c63'
down_revision = 'a7e3c5d19f42'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table('content_page',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=150), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('translations', sa.JSON(), server_default='{}', nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_content_page_updated_by_id_user'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_page')),
    sa.UniqueConstraint('slug', name=op.f('uq_content_page_slug'))
    )
    with op.batch_alter_table('content_page', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_page_updated_by_id'), ['updated_by_id'], unique=False)
    now = datetime.now(UTC)
    op.bulk_insert(table, [
        {"slug": slug, "title": titles["en"], "body": bodies["en"], "created_at": now, "updated_at": now,
         "translations": {"title": titles, "body": bodies}}
        for slug, (titles, bodies) in DEFAULT_PAGES.items()
    ])


def downgrade() -> None:
    with op.batch_alter_table('content_page', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_page_updated_by_id'))
    op.drop_table('content_page')

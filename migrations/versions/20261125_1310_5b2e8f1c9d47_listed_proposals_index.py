"""A partial index for counting the proposals a list shows by default.

Revision ID: 5b2e8f1c9d47
Revises: 3ec56675567c
Create Date: 2026-11-25 13:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b2e8f1c9d47'
down_revision = '3ec56675567c'
branch_labels = None
depends_on = None

# Written out here rather than imported: a migration keeps the meaning it had when it was written.
LISTED = "hidden_at IS NULL AND status NOT IN ('withdrawn', 'merged')"


def upgrade() -> None:
    op.create_index('ix_proposal_listed', 'proposal', ['process_id'], unique=False,
                    postgresql_where=sa.text(LISTED), sqlite_where=sa.text(LISTED))


def downgrade() -> None:
    op.drop_index('ix_proposal_listed', table_name='proposal')

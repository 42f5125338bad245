"""One language and one time zone per person: the language a person registered in, and the time
zone they chose (both optional; the language rule and the area's zone apply without them).

Revision ID: a7e3c5d19f42
Revises: e3a7c91d5b20
Create Date: 2026-12-04 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7e3c5d19f42'
down_revision = 'e3a7c91d5b20'
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN (SQLite >= 3.35 has both): no rebuild of the user table, which every other
# table refers to.


def upgrade() -> None:
    op.add_column('user', sa.Column('registered_locale', sa.String(length=8), nullable=True))
    op.add_column('user', sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column('user', 'timezone')
    op.drop_column('user', 'registered_locale')

"""Each comment knows the top-level comment of its conversation: a page of a discussion reads only
its own conversations.

Revision ID: 6d0c3a1f9b24
Revises: c4d9e2f7a1b3
Create Date: 2026-12-03 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6d0c3a1f9b24'
down_revision = 'c4d9e2f7a1b3'
branch_labels = None
depends_on = None

REPLY_HAS_ROOT = "parent_id IS NULL OR root_id IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('root_id', sa.Integer(), nullable=True))

    # Existing comments: a top-level comment is its own root; a reply takes its parent's, one level
    # of the thread at a time (threads are at most three deep; the loop stops when nothing is left).
    op.execute("UPDATE comment SET root_id = id WHERE parent_id IS NULL")
    connection = op.get_bind()
    while connection.execute(sa.text(
            "UPDATE comment SET root_id = (SELECT parent.root_id FROM comment AS parent"
            " WHERE parent.id = comment.parent_id)"
            " WHERE root_id IS NULL AND parent_id IS NOT NULL AND EXISTS (SELECT 1 FROM comment AS parent"
            " WHERE parent.id = comment.parent_id AND parent.root_id IS NOT NULL)")).rowcount:
        pass

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_comment_root_id_comment'), 'comment', ['root_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_check_constraint(batch_op.f('ck_comment_reply_has_root'), sa.text(REPLY_HAS_ROOT))
        batch_op.create_index(batch_op.f('ix_comment_root_id'), ['root_id'], unique=False)
        # The columns after root_id let a discussion's page numbers and counts be read from the index.
        batch_op.create_index('ix_comment_proposal_root', ['proposal_id', 'root_id', 'created_at', 'id', 'alignment',
                                                           'deleted_at', 'hidden_at', 'author_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_proposal_root')
        batch_op.drop_index(batch_op.f('ix_comment_root_id'))
        batch_op.drop_constraint(batch_op.f('ck_comment_reply_has_root'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_comment_root_id_comment'), type_='foreignkey')
        batch_op.drop_column('root_id')

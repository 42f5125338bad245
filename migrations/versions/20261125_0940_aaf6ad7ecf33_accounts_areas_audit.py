"""Areas, users, memberships, letter codes and the append-only audit log.

Revision ID: aaf6ad7ecf33
Revises: 
Create Date: 2026-11-25 09:40:46.239127

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'aaf6ad7ecf33'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('area',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('project_role', sa.Enum('lighthouse', 'follower', 'observer', name='project_role', create_constraint=True), nullable=False),
    sa.Column('default_locale', sa.String(length=8), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('residents', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('centre_lat', sa.Double(), nullable=False),
    sa.Column('centre_lon', sa.Double(), nullable=False),
    sa.Column('bounds_south', sa.Double(), nullable=False),
    sa.Column('bounds_west', sa.Double(), nullable=False),
    sa.Column('bounds_north', sa.Double(), nullable=False),
    sa.Column('bounds_east', sa.Double(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('bounds_south < bounds_north', name=op.f('ck_area_bounds_lat_order')),
    sa.CheckConstraint('bounds_west < bounds_east', name=op.f('ck_area_bounds_lon_order')),
    sa.CheckConstraint('centre_lat BETWEEN bounds_south AND bounds_north AND centre_lon BETWEEN bounds_west AND bounds_east', name=op.f('ck_area_centre_inside_bounds')),
    sa.CheckConstraint('residents IS NULL OR residents > 0', name=op.f('ck_area_residents_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area')),
    sa.UniqueConstraint('slug', name=op.f('uq_area_slug'))
    )
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pending_email', sa.String(length=254), nullable=True),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('blocked_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('session_version > 0', name=op.f('ck_user_session_version_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('email', name=op.f('uq_user_email'))
    )
    op.create_table('area_aim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_area_aim_area_id_area'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area_aim')),
    sa.UniqueConstraint('area_id', 'position', name=op.f('uq_area_aim_area_id_position'))
    )
    with op.batch_alter_table('area_aim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_aim_area_id'), ['area_id'], unique=False)

    op.create_table('area_postcode',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('postcode', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_area_postcode_area_id_area'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area_postcode')),
    sa.UniqueConstraint('area_id', 'postcode', name=op.f('uq_area_postcode_area_id_postcode'))
    )
    with op.batch_alter_table('area_postcode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_postcode_area_id'), ['area_id'], unique=False)

    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('verb', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=32), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('target_label', sa.String(length=200), nullable=True),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_audit_entry_actor_id_user')),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_audit_entry_area_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_verb'), ['verb'], unique=False)

    op.create_table('letter_code_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.CheckConstraint('size > 0', name=op.f('ck_letter_code_batch_size_positive')),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_letter_code_batch_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_letter_code_batch_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_code_batch'))
    )
    with op.batch_alter_table('letter_code_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_code_batch_area_id'), ['area_id'], unique=False)

    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('resident', 'moderator', 'staff', name='membership_role', create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verification_method', sa.Enum('postcode', 'letter_code', 'moderator_approval', name='verification_method', create_constraint=True), nullable=True),
    sa.Column('assurance_level', sa.Enum('low', 'substantial', 'high', name='assurance_level', create_constraint=True), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verification_note', sa.Text(), nullable=True),
    sa.Column('declared_postcode', sa.String(length=16), nullable=True),
    sa.Column('approval_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approval_request_message', sa.Text(), nullable=True),
    sa.CheckConstraint('(verified_at IS NULL AND verification_method IS NULL AND assurance_level IS NULL) OR (verified_at IS NOT NULL AND verification_method IS NOT NULL AND assurance_level IS NOT NULL)', name=op.f('ck_membership_verification_complete')),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_membership_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_membership_user_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['user.id'], name=op.f('fk_membership_verified_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
    sa.UniqueConstraint('user_id', 'area_id', name=op.f('uq_membership_user_id_area_id'))
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_approval_requested_at'), ['approval_requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_verified_by_id'), ['verified_by_id'], unique=False)

    op.create_table('letter_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_letter_code_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['batch_id'], ['letter_code_batch.id'], name=op.f('fk_letter_code_batch_id_letter_code_batch'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['used_by_id'], ['user.id'], name=op.f('fk_letter_code_used_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_letter_code_code_hash'))
    )
    with op.batch_alter_table('letter_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_code_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_letter_code_batch_id'), ['batch_id'], unique=False)



    _create_audit_guard()


# The audit log is append-only in the database too, not only in the application.
_AUDIT_GUARD_SQLITE = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
]
_AUDIT_GUARD_POSTGRESQL = [
    """CREATE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry
       FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
]


def _create_audit_guard() -> None:
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": _AUDIT_GUARD_SQLITE, "postgresql": _AUDIT_GUARD_POSTGRESQL}
    for statement in statements.get(dialect, []):
        op.execute(statement)


def _drop_audit_guard() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_change ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")

def downgrade() -> None:
    _drop_audit_guard()
    with op.batch_alter_table('letter_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_code_batch_id'))
        batch_op.drop_index(batch_op.f('ix_letter_code_area_id'))

    op.drop_table('letter_code')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_verified_by_id'))
        batch_op.drop_index(batch_op.f('ix_membership_user_id'))
        batch_op.drop_index(batch_op.f('ix_membership_area_id'))
        batch_op.drop_index(batch_op.f('ix_membership_approval_requested_at'))

    op.drop_table('membership')
    with op.batch_alter_table('letter_code_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_code_batch_area_id'))

    op.drop_table('letter_code_batch')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_verb'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_created_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_area_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_actor_id'))

    op.drop_table('audit_entry')
    with op.batch_alter_table('area_postcode', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_postcode_area_id'))

    op.drop_table('area_postcode')
    with op.batch_alter_table('area_aim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_aim_area_id'))

    op.drop_table('area_aim')
    op.drop_table('user')
    op.drop_table('area')
    if op.get_bind().dialect.name == "postgresql":
        for enum_name in ("project_role", "membership_role", "verification_method",
                          "assurance_level"):
            sa.Enum(name=enum_name).drop(op.get_bind(), checkfirst=True)

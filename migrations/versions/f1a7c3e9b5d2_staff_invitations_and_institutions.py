"""Staff from the web: users' institution, account invitations, officiant CSV imports, and
the recording officiant's institution on certificates (issue 12, point 1)

- users.institution_type / institution_name: an officiant's institution (a code of the list
  couples choose from, and its name); NULL for everyone else.
- account_invitations: single-use, expiring links to set a first password; only the SHA-256 of
  the token is stored.
- staff_imports: a parsed officiants CSV waiting for an admin's confirmation (the preview).
- certificates.used_by_institution_type / used_by_institution_name: the recording officiant's
  own institution, copied when the marriage is recorded.

Revision ID: f1a7c3e9b5d2
Revises: a9b8c7d6e5f4
Create Date: 2026-12-06 03:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1a7c3e9b5d2'
down_revision = 'a9b8c7d6e5f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('institution_type', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('institution_name', sa.String(length=160), nullable=True))

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used_by_institution_type', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('used_by_institution_name', sa.String(length=160), nullable=True))

    op.create_table('account_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_account_invitations_invited_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_invitations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_invitations_token_hash'))
    )
    with op.batch_alter_table('account_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_invitations_user_id'), ['user_id'], unique=False)

    op.create_table('staff_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_staff_imports_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_imports'))
    )
    with op.batch_alter_table('staff_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_imports_created_by_id'), ['created_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('staff_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_imports_created_by_id'))

    op.drop_table('staff_imports')
    with op.batch_alter_table('account_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_invitations_user_id'))

    op.drop_table('account_invitations')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('used_by_institution_name')
        batch_op.drop_column('used_by_institution_type')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('institution_name')
        batch_op.drop_column('institution_type')

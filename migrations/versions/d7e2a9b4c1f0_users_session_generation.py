"""users.session_generation: end every session of a user at once

Revision ID: d7e2a9b4c1f0
Revises: c48a4c0e18dd
Create Date: 2026-12-06 00:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7e2a9b4c1f0'
down_revision = 'c48a4c0e18dd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')

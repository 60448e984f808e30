"""modules.required: which modules a certificate requires is data (module.yaml)

Every existing module stays required (server default true), as the three in the mission are.

Revision ID: b3f8c2d6e4a1
Revises: f5601d374335
Create Date: 2026-12-20 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3f8c2d6e4a1'
down_revision = 'f5601d374335'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('modules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('required', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('modules', schema=None) as batch_op:
        batch_op.drop_column('required')

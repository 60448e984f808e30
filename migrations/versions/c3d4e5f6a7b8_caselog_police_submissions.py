"""case-log: Polres submissions (issue 13, point 1)

Revision ID: c3d4e5f6a7b8
Revises: b7c6d5e4f3a2
Create Date: 2026-12-06 03:20:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'c3d4e5f6a7b8'
down_revision = 'b7c6d5e4f3a2'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

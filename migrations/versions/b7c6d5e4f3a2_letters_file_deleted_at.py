"""letters.file_deleted_at: when an SKCK file's bytes were deleted (issue 12, point 9)

UU 27/2022: an SKCK file is deleted a set time after the decision it served, or when its owner
deletes their account. The letter row (number, office, dates, decision, reason) and its blob
row (SHA-256, size, type) stay; the blob's bytes are emptied and this column says when, so
the owner and reviewers see "file deleted on <date>" instead of a download link.

Revision ID: b7c6d5e4f3a2
Revises: f1a7c3e9b5d2
Create Date: 2026-12-06 03:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c6d5e4f3a2'
down_revision = 'f1a7c3e9b5d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_deleted_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_column('file_deleted_at')

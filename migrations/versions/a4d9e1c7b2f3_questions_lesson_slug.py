"""questions.lesson_slug: every question names the lesson it tests (content/README.md)

The quiz draws from every lesson (stratified) and a failed attempt points to the lesson of
each wrong question. Rows loaded before the tag existed keep NULL until the next `content
load` sets it.

Revision ID: a4d9e1c7b2f3
Revises: b3f8c2d6e4a1
Create Date: 2026-12-06 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4d9e1c7b2f3'
down_revision = 'b3f8c2d6e4a1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lesson_slug', sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('lesson_slug')

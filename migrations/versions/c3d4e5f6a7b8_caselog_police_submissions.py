"""case-log: Polres submissions (issue 13, point 1)

Revision ID: c3d4e5f6a7b8
Revises: b7c6d5e4f3a2
Create Date: 2026-12-06 03:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d4e5f6a7b8'
down_revision = 'b7c6d5e4f3a2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('caselog_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('problem_count', sa.Integer(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('import_batch_id', sa.Integer(), nullable=True),
    sa.Column('case_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_caselog_submissions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['import_batch_id'], ['caselog_import_batches.id'], name=op.f('fk_caselog_submissions_import_batch_id_caselog_import_batches')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_caselog_submissions_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_caselog_submissions'))
    )
    with op.batch_alter_table('caselog_submissions', schema=None) as batch_op:
        batch_op.create_index('ix_caselog_submissions_month_status', ['month', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_caselog_submissions_submitted_by_id'), ['submitted_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('caselog_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_caselog_submissions_submitted_by_id'))
        batch_op.drop_index('ix_caselog_submissions_month_status')

    op.drop_table('caselog_submissions')

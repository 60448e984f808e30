"""case-log: categories no longer carry victim_mask (issue 13, point 5)

A cross-tabulation of a category by a victim dimension now reads the case's own bits
(`cause_mask`, … and `victim_mask` on the case, c9d0e1f2a3b4), so the copy of the case's
`victim_mask` on each category (a7b8c9d0e1f2) is read by nothing: it is dropped, with it from the
categories' report index, and from the place and kecamatan report indexes of the cases, which
no report reads it through any more. The cases keep theirs (and `ix_caselog_cases_report`,
through which the victim margins of a cross-tabulation count it).

Revision ID: d0e1f2a3b4c5
Revises: c9d0e1f2a3b4
Create Date: 2026-12-06 13:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd0e1f2a3b4c5'
down_revision = 'c9d0e1f2a3b4'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_caselog_cases_report_place': ('caselog_cases', ['place_id', 'report_date', 'victim_count']),
    'ix_caselog_cases_report_kecamatan': ('caselog_cases', ['kecamatan_id', 'outside_city', 'report_date',
                                                            'victim_count']),
    'ix_caselog_case_categories_report': ('caselog_case_categories', ['kind', 'lookup_id', 'report_date',
                                                                      'victim_count', 'case_id']),
}


def upgrade():
    for name, (table, columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns)
    # A plain DROP COLUMN (SQLite ≥ 3.35), not batch mode, as in a7b8c9d0e1f2.
    op.drop_column('caselog_case_categories', 'victim_mask')


def downgrade():
    op.add_column('caselog_case_categories',
                  sa.Column('victim_mask', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE caselog_case_categories SET victim_mask = (SELECT c.victim_mask FROM caselog_cases c "
               "WHERE c.id = caselog_case_categories.case_id)")
    for name, (table, columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns + ['victim_mask'])

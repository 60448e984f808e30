"""case-log: report indexes for cross-tabulations and victim reports (issue 13, point 5)

The categories' report index also holds the case id, so a cross-tab grouped by a category reads
its cases from the index alone; a new categories index by (case, kind) lets a cross-tab read a
category beside any other dimension of the same case; three victims indexes start with the
value a victim report groups by (sex, age group, age), so those reports are one ordered pass.
Indexes only: no data changes.

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-12-06 07:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5f6a7b8c9d0'
down_revision = 'd4e5f6a7b8c9'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_caselog_case_categories_report', table_name='caselog_case_categories')
    op.create_index('ix_caselog_case_categories_report', 'caselog_case_categories',
                    ['kind', 'lookup_id', 'report_date', 'victim_count', 'case_id'])
    op.create_index('ix_caselog_case_categories_case', 'caselog_case_categories', ['case_id', 'kind', 'lookup_id'])
    op.create_index('ix_caselog_victims_report_sex', 'caselog_victims', ['sex', 'case_id', 'report_date'])
    op.create_index('ix_caselog_victims_report_age_group', 'caselog_victims', ['age_group', 'case_id', 'report_date'])
    op.create_index('ix_caselog_victims_report_age', 'caselog_victims', ['age_at_incident', 'case_id', 'report_date'])


def downgrade():
    op.drop_index('ix_caselog_victims_report_age', table_name='caselog_victims')
    op.drop_index('ix_caselog_victims_report_age_group', table_name='caselog_victims')
    op.drop_index('ix_caselog_victims_report_sex', table_name='caselog_victims')
    op.drop_index('ix_caselog_case_categories_case', table_name='caselog_case_categories')
    op.drop_index('ix_caselog_case_categories_report', table_name='caselog_case_categories')
    op.create_index('ix_caselog_case_categories_report', 'caselog_case_categories',
                    ['kind', 'lookup_id', 'report_date', 'victim_count'])

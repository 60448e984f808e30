"""case-log: victim_mask on cases and their categories (issue 13, point 5)

Which sexes, age groups and child/adult a case's victims have, as bits, copied onto the case and
its categories (as victim_count and report_date are), and held by their report indexes: a
category or a case column cross-tabulated by a victim dimension then reads one index, with no
join to the victims. Existing cases are filled in from their victims.

The bits are services/caselog/reference.py VICTIM_MASK_BITS, written out here so that this
migration does not change if that list ever grows:
sex P 1, L 2, unknown 4; age group 0-5 8, 6-12 16, 13-17 32, 18-24 64, 25-44 128, 45-59 256,
60+ 512, unknown 1024; child (under 18) 2048, adult 4096, age unknown 8192.

Revision ID: a7b8c9d0e1f2
Revises: f6a7b8c9d0e1
Create Date: 2026-12-06 10:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7b8c9d0e1f2'
down_revision = 'f6a7b8c9d0e1'
branch_labels = None
depends_on = None

SEX = "CASE WHEN v.sex = 'P' THEN 1 WHEN v.sex = 'L' THEN 2 WHEN v.sex IS NULL THEN 4 ELSE 0 END"
AGE_GROUP = ("CASE v.age_group WHEN '0-5' THEN 8 WHEN '6-12' THEN 16 WHEN '13-17' THEN 32 "
             "WHEN '18-24' THEN 64 WHEN '25-44' THEN 128 WHEN '45-59' THEN 256 WHEN '60+' THEN 512 "
             "ELSE CASE WHEN v.age_group IS NULL THEN 1024 ELSE 0 END END")
CHILD = ("CASE WHEN v.age_at_incident IS NULL THEN 8192 WHEN v.age_at_incident < 18 THEN 2048 "
         "ELSE 4096 END")
#: Each attribute's distinct bits summed: the OR of powers of two, on both engines.
FILL_CASES = "UPDATE caselog_cases SET victim_mask = " + " + ".join(
    f"COALESCE((SELECT sum(DISTINCT {bits}) FROM caselog_victims v WHERE v.case_id = caselog_cases.id), 0)"
    for bits in (SEX, AGE_GROUP, CHILD))
FILL_CATEGORIES = ("UPDATE caselog_case_categories SET victim_mask = (SELECT c.victim_mask FROM caselog_cases c "
                   "WHERE c.id = caselog_case_categories.case_id)")

INDEXES = {
    'ix_caselog_cases_report': ('caselog_cases', ['report_date', 'victim_count', 'cause_recorded',
                                                  'impact_recorded']),
    'ix_caselog_cases_report_place': ('caselog_cases', ['place_id', 'report_date', 'victim_count']),
    'ix_caselog_cases_report_kecamatan': ('caselog_cases', ['kecamatan_id', 'outside_city', 'report_date',
                                                            'victim_count']),
    'ix_caselog_case_categories_report': ('caselog_case_categories', ['kind', 'lookup_id', 'report_date',
                                                                      'victim_count', 'case_id']),
}


def upgrade():
    for table in ('caselog_cases', 'caselog_case_categories'):
        op.add_column(table, sa.Column('victim_mask', sa.Integer(), server_default='0', nullable=False))
    op.execute(FILL_CASES)
    op.execute(FILL_CATEGORIES)
    for name, (table, columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns + ['victim_mask'])


def downgrade():
    for name, (table, columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns)
    # A plain DROP COLUMN (SQLite ≥ 3.35): batch mode would copy caselog_cases into a new table
    # and drop the old one, and with foreign keys on that deletes every victim and category.
    for table in ('caselog_case_categories', 'caselog_cases'):
        op.drop_column(table, 'victim_mask')

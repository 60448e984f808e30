"""case-log: victim_mask on victim–perpetrator pairs and service entries (issue 13, point 5)

Each pair and each service entry gets the bits of its own victim (sex, age group, child/adult:
the bits of a7b8c9d0e1f2), held by their report indexes: a relationship or a service
cross-tabulated by a victim dimension — which pairs them through the same victim — then reads
one index, with no join to the victims. Existing rows are filled in from their victims.

Revision ID: b8c9d0e1f2a3
Revises: a7b8c9d0e1f2
Create Date: 2026-12-06 11:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b8c9d0e1f2a3'
down_revision = 'a7b8c9d0e1f2'
branch_labels = None
depends_on = None

#: One victim's bits, as in a7b8c9d0e1f2.
BITS = ("(CASE WHEN v.sex = 'P' THEN 1 WHEN v.sex = 'L' THEN 2 WHEN v.sex IS NULL THEN 4 ELSE 0 END"
        " + CASE v.age_group WHEN '0-5' THEN 8 WHEN '6-12' THEN 16 WHEN '13-17' THEN 32"
        " WHEN '18-24' THEN 64 WHEN '25-44' THEN 128 WHEN '45-59' THEN 256 WHEN '60+' THEN 512"
        " ELSE CASE WHEN v.age_group IS NULL THEN 1024 ELSE 0 END END"
        " + CASE WHEN v.age_at_incident IS NULL THEN 8192 WHEN v.age_at_incident < 18 THEN 2048"
        " ELSE 4096 END)")

INDEXES = {
    'ix_caselog_victim_perpetrators_report': ('caselog_victim_perpetrators',
                                              ['relationship_id', 'case_id', 'victim_id', 'report_date']),
    'ix_caselog_services_report': ('caselog_services', ['service_id', 'case_id', 'victim_id', 'report_date']),
}


def upgrade():
    for table in ('caselog_victim_perpetrators', 'caselog_services'):
        op.add_column(table, sa.Column('victim_mask', sa.Integer(), server_default='0', nullable=False))
        op.execute(f"UPDATE {table} SET victim_mask = COALESCE((SELECT {BITS} FROM caselog_victims v "
                   f"WHERE v.id = {table}.victim_id), 0)")
    for name, (table, columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns + ['victim_mask'])


def downgrade():
    for name, (table, columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns)
    for table in ('caselog_services', 'caselog_victim_perpetrators'):
        op.drop_column(table, 'victim_mask')

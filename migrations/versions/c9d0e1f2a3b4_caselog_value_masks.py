"""case-log: each case holds its causes, impacts, types, relationships and services as bits (issue 13, point 5)

Each entry of those five lists gets `bit`, its place in a case's bits of that list (1, 2, ... in
the order the entries were made; bit 0 of a relationship mask is a pair without a recorded
relationship). Each case gets `cause_mask`, `impact_mask`, `type_mask`, `relationship_mask` and
`service_mask`, filled in from its categories, pairs and services, and an index that holds them
with every other column a cross-tabulation groups by: a cross-tabulation of two dimensions that
are not paired through one victim then reads that index alone. Each victim–perpetrator pair gets
`service_mask`, the bits of the services its victim received, held by its report index: a
relationship by a service (paired through the victim) reads that index alone.

Revision ID: c9d0e1f2a3b4
Revises: b8c9d0e1f2a3
Create Date: 2026-12-06 12:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c9d0e1f2a3b4'
down_revision = 'b8c9d0e1f2a3'
branch_labels = None
depends_on = None

#: lookup kind → the case column holding its bits (services/caselog/reference.py VALUE_MASKS).
MASKS = {'cause': 'cause_mask', 'impact': 'impact_mask', 'violence_type': 'type_mask',
         'relationship': 'relationship_mask', 'service': 'service_mask'}
BIT = "(CAST(1 AS BIGINT) << COALESCE(l.bit, 0))"
FILL = {
    'cause_mask': f"SELECT sum(DISTINCT {BIT}) FROM caselog_case_categories c JOIN caselog_lookups l "
                  f"ON l.id = c.lookup_id WHERE c.case_id = caselog_cases.id AND c.kind = 'cause'",
    'impact_mask': f"SELECT sum(DISTINCT {BIT}) FROM caselog_case_categories c JOIN caselog_lookups l "
                   f"ON l.id = c.lookup_id WHERE c.case_id = caselog_cases.id AND c.kind = 'impact'",
    'type_mask': f"SELECT sum(DISTINCT {BIT}) FROM caselog_case_categories c JOIN caselog_lookups l "
                 f"ON l.id = c.lookup_id WHERE c.case_id = caselog_cases.id AND c.kind = 'violence_type'",
    'relationship_mask': f"SELECT sum(DISTINCT {BIT}) FROM caselog_victim_perpetrators p LEFT JOIN "
                         f"caselog_lookups l ON l.id = p.relationship_id WHERE p.case_id = caselog_cases.id",
    'service_mask': f"SELECT sum(DISTINCT {BIT}) FROM caselog_services s JOIN caselog_lookups l "
                    f"ON l.id = s.service_id WHERE s.case_id = caselog_cases.id",
}
FILL_PAIRS = ("UPDATE caselog_victim_perpetrators SET service_mask = COALESCE((SELECT sum(DISTINCT "
              f"{BIT}) FROM caselog_services s JOIN caselog_lookups l ON l.id = s.service_id "
              "WHERE s.victim_id = caselog_victim_perpetrators.victim_id), 0)")
PAIRS_INDEX = ['relationship_id', 'case_id', 'victim_id', 'report_date', 'victim_mask']
INDEX_COLUMNS = ['report_date', 'place_id', 'kecamatan_id', 'outside_city', 'victim_mask', 'cause_mask',
                 'impact_mask', 'type_mask', 'relationship_mask', 'service_mask']


def upgrade():
    op.add_column('caselog_lookups', sa.Column('bit', sa.SmallInteger(), nullable=True))
    connection = op.get_bind()
    for kind in MASKS:
        ids = connection.execute(sa.text("SELECT id FROM caselog_lookups WHERE kind = :kind ORDER BY id"),
                                 {"kind": kind}).scalars().all()
        for bit, lookup_id in enumerate(ids, start=1):
            connection.execute(sa.text("UPDATE caselog_lookups SET bit = :bit WHERE id = :id"),
                               {"bit": bit, "id": lookup_id})
    op.create_index('uq_caselog_lookups_kind_bit', 'caselog_lookups', ['kind', 'bit'], unique=True)
    for column in MASKS.values():
        op.add_column('caselog_cases', sa.Column(column, sa.BigInteger(), server_default='0', nullable=False))
    # One statement, so PostgreSQL writes each case's row once, not five times.
    op.execute("UPDATE caselog_cases SET " + ", ".join(f"{column} = COALESCE(({FILL[column]}), 0)"
                                                       for column in MASKS.values()))
    op.create_index('ix_caselog_cases_report_masks', 'caselog_cases', INDEX_COLUMNS)
    op.add_column('caselog_victim_perpetrators',
                  sa.Column('service_mask', sa.BigInteger(), server_default='0', nullable=False))
    op.execute(FILL_PAIRS)
    op.drop_index('ix_caselog_victim_perpetrators_report', table_name='caselog_victim_perpetrators')
    op.create_index('ix_caselog_victim_perpetrators_report', 'caselog_victim_perpetrators',
                    PAIRS_INDEX + ['service_mask'])


def downgrade():
    op.drop_index('ix_caselog_victim_perpetrators_report', table_name='caselog_victim_perpetrators')
    op.create_index('ix_caselog_victim_perpetrators_report', 'caselog_victim_perpetrators', PAIRS_INDEX)
    op.drop_column('caselog_victim_perpetrators', 'service_mask')
    op.drop_index('ix_caselog_cases_report_masks', table_name='caselog_cases')
    for column in reversed(list(MASKS.values())):
        op.drop_column('caselog_cases', column)
    op.drop_index('uq_caselog_lookups_kind_bit', table_name='caselog_lookups')
    op.drop_column('caselog_lookups', 'bit')

"""couples.residence_kecamatan: the kecamatan of Kota Kupang where the couple will live

Optional (NULL: not given, or outside the city). A Kemendagri kecamatan code of the official
list (course_app/caselog/reference/kota-kupang-wilayah.csv), used by the programme's
statistics (issue 12, point 5).

Revision ID: a9b8c7d6e5f4
Revises: e8c1f4a2d9b7
Create Date: 2026-12-06 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9b8c7d6e5f4'
down_revision = 'e8c1f4a2d9b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('couples', schema=None) as batch_op:
        batch_op.add_column(sa.Column('residence_kecamatan', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('couples', schema=None) as batch_op:
        batch_op.drop_column('residence_kecamatan')

"""case-log: official kelurahan codes and names, import aliases, new list entries

Issue 11, point 9. The kelurahan list seeded before carried codes that are no official codes
(`53710x0nnn`; ten of them also with a wrong sequence number) and six local spellings as
names. Kemendagri (Kepmendagri 300.2.2-2138/2025) writes a kelurahan `53710x1nnn`.

Upgrade:
- adds `caselog_kelurahan.aliases`, the other names the import accepts (local spelling,
  police abbreviations such as LLBK and TDM);
- rewrites every stored kelurahan to its official code and name. Its place is found by name
  within its kecamatan (the old name, the official name or an alias), failing that by its old
  or new code (a row the list does not know is left as it is). Cases point at a kelurahan by
  id, so every case keeps its place. A place stored twice (`caselog seed` with the corrected
  list ran before this upgrade) becomes one row: every column with a foreign key to
  `caselog_kelurahan` (found from the schema) moves to the row with the official code and the
  other row goes. No other column stores a kelurahan code or
  name: reports group by kecamatan, never finer. Kecamatan codes and names were right and stay;
- in a database whose lists are seeded, adds the causes `judi` and `utang_pinjol` (before
  `lainnya`, as the seed orders them) and `tidak_diketahui` to education and occupation
  (content review C29, C30), and gives `kejiwaan` its clearer label unless an admin changed it.
  A fresh database gets all of this from the seed.

Idempotent: a database already on the official codes, or with the entries, is left as it is.
Downgrade: back to the old codes and names, without aliases; the added entries are removed
unless a record uses them.

Revision ID: e8c1f4a2d9b7
Revises: a4d9e1c7b2f3
Create Date: 2026-12-06 03:00:00

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e8c1f4a2d9b7'
down_revision = 'a4d9e1c7b2f3'
branch_labels = None
depends_on = None

#: (kecamatan code, old code, old name, official code, official name, aliases) — the list as
#: it stood at this revision, written out so the migration never changes with the CSV.
PLACES = [
    ('537101', '5371010001', 'Namosain', '5371011001', 'Namosain', None),
    ('537101', '5371010002', 'Nunbaun Sabu', '5371011002', 'Nunbaun Sabu', None),
    ('537101', '5371010003', 'Nunbaun Delha', '5371011003', 'Nunbaun Delha', None),
    ('537101', '5371010004', 'Nunhila', '5371011004', 'Nunhila', None),
    ('537101', '5371010005', 'Fatufeto', '5371011005', 'Fatufeto', None),
    ('537101', '5371010006', 'Manutapen', '5371011006', 'Manutapen', None),
    ('537101', '5371010007', 'Mantasi', '5371011007', 'Mantasi', None),
    ('537101', '5371010008', 'Alak', '5371011008', 'Alak', None),
    ('537101', '5371010009', 'Batuplat', '5371011009', 'Batu Plat', 'Batuplat'),
    ('537101', '5371010010', 'Manulai II', '5371011010', 'Manulai II', None),
    ('537101', '5371010011', 'Naioni', '5371011011', 'Naioni', None),
    ('537101', '5371010012', 'Penkase Oeleta', '5371011012', 'Penkase Oeleta', None),
    ('537102', '5371020001', 'Oepura', '5371021001', 'Oepura', None),
    ('537102', '5371020002', 'Maulafa', '5371021002', 'Maulafa', None),
    ('537102', '5371020003', 'Penfui', '5371021003', 'Penfui', None),
    ('537102', '5371020004', 'Naimata', '5371021004', 'Naimata', None),
    ('537102', '5371020005', 'Belo', '5371021005', 'Bello', 'Belo'),
    ('537102', '5371020006', 'Fatukoa', '5371021006', 'Fatukoa', None),
    ('537102', '5371020007', 'Kolhua', '5371021007', 'Kolhua', None),
    ('537102', '5371020008', 'Sikumana', '5371021008', 'Sikumana', None),
    ('537102', '5371020009', 'Naikolan', '5371021009', 'Naikolan', None),
    ('537103', '5371030001', 'Kelapa Lima', '5371031001', 'Kelapa Lima', None),
    ('537103', '5371030002', 'Oesapa', '5371031010', 'Oesapa', None),
    ('537103', '5371030003', 'Lasiana', '5371031011', 'Lasiana', None),
    ('537103', '5371030004', 'Oesapa Barat', '5371031014', 'Oesapa Barat', None),
    ('537103', '5371030005', 'Oesapa Selatan', '5371031015', 'Oesapa Selatan', None),
    ('537104', '5371040001', 'Oebobo', '5371041001', 'Oebobo', None),
    ('537104', '5371040002', 'Oetete', '5371041008', 'Oetete', None),
    ('537104', '5371040003', 'Oebufu', '5371041009', 'Oebufu', None),
    ('537104', '5371040004', 'Liliba', '5371041010', 'Liliba', None),
    ('537104', '5371040005', 'Fatululi', '5371041011', 'Fatululi', None),
    ('537104', '5371040006', 'Kayu Putih', '5371041013', 'Kayu Putih', None),
    ('537104', '5371040007', 'Tuak Daun Merah', '5371041014', 'Tuak Daun Merah', 'TDM'),
    ('537105', '5371050001', 'Bakunase', '5371051001', 'Bakunase', None),
    ('537105', '5371050002', 'Bakunase II', '5371051002', 'Bakunase Dua', 'Bakunase II'),
    ('537105', '5371050003', 'Airnona', '5371051003', 'Airnona', None),
    ('537105', '5371050004', 'Naikoten I', '5371051004', 'Naikoten Satu', 'Naikoten I'),
    ('537105', '5371050005', 'Naikoten II', '5371051005', 'Naikoten Dua', 'Naikoten II'),
    ('537105', '5371050006', 'Kuanino', '5371051006', 'Kuanino', None),
    ('537105', '5371050007', 'Nunleu', '5371051007', 'Nunleu', None),
    ('537105', '5371050008', 'Fontein', '5371051008', 'Fontein', None),
    ('537106', '5371060001', 'Airmata', '5371061001', 'Airmata', None),
    ('537106', '5371060002', 'Lai-Lai Bisi Kopan', '5371061002', 'Lai Lai Bisi Kopan',
     'Lai-Lai Bisi Kopan; LLBK'),
    ('537106', '5371060003', 'Bonipoi', '5371061003', 'Bonipoi', None),
    ('537106', '5371060004', 'Solor', '5371061004', 'Solor', None),
    ('537106', '5371060005', 'Tode Kisar', '5371061005', 'Tode Kisar', None),
    ('537106', '5371060006', 'Merdeka', '5371061006', 'Merdeka', None),
    ('537106', '5371060007', 'Oeba', '5371061007', 'Oeba', None),
    ('537106', '5371060008', 'Fatubesi', '5371061008', 'Fatubesi', None),
    ('537106', '5371060009', 'Pasir Panjang', '5371061009', 'Pasir Panjang', None),
    ('537106', '5371060010', 'Nefonaek', '5371061010', 'Nefonaek', None),
]

#: (kind, code, label, the code it goes before — None: at the end of the list)
NEW_ENTRIES = [
    ('cause', 'judi', 'Judi/judi online', 'lainnya'),
    ('cause', 'utang_pinjol', 'Utang/pinjaman online (pinjol)', 'lainnya'),
    ('education', 'tidak_diketahui', 'Tidak diketahui', None),
    ('occupation', 'tidak_diketahui', 'Tidak diketahui', None),
]
#: (kind, code, seeded label before, seeded label now)
RELABELLED = [('cause', 'kejiwaan', 'Gangguan kejiwaan', 'Gangguan kejiwaan (pelaku, terdiagnosis)')]

kecamatan = sa.table('caselog_kecamatan', sa.column('id', sa.Integer), sa.column('code', sa.String))
lookups = sa.table('caselog_lookups', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                   sa.column('code', sa.String), sa.column('label', sa.String),
                   sa.column('grouping', sa.String), sa.column('active', sa.Boolean),
                   sa.column('position', sa.Integer))


def _kelurahan(with_aliases):
    columns = [sa.column('id', sa.Integer), sa.column('code', sa.String), sa.column('name', sa.String),
               sa.column('kecamatan_id', sa.Integer)]
    if with_aliases:
        columns.append(sa.column('aliases', sa.String))
    return sa.table('caselog_kelurahan', *columns)


def _key(text):
    """Case-, accent-, punctuation- and space-insensitive: 'Lai-Lai Bisi Kopan' = 'Lai Lai Bisi Kopan'."""
    text = unicodedata.normalize('NFKD', text or '')
    return re.sub(r'[^0-9a-z]', '', ''.join(c for c in text if not unicodedata.combining(c)).casefold())


def _references(bind, table_name):
    """(table, column) of every foreign key to `table_name`, read from the database."""
    inspector = sa.inspect(bind)
    return [(table, fk['constrained_columns'][0]) for table in inspector.get_table_names()
            for fk in inspector.get_foreign_keys(table) if fk['referred_table'] == table_name]


def _rewrite_kelurahan(bind, official):
    """Each stored kelurahan to its official (or, `official` false, its old) code and name."""
    kelurahan = _kelurahan(with_aliases=official)
    by_name, by_code = {}, {}
    for place in PLACES:
        kec_code, old_code, old_name, new_code, new_name, aliases = place
        for name in (old_name, new_name, *(aliases or '').split(';')):
            if name.strip():
                by_name[(kec_code, _key(name))] = place
        by_code[old_code] = by_code[new_code] = place
    rows = bind.execute(
        sa.select(kelurahan.c.id, kelurahan.c.code, kelurahan.c.name, kecamatan.c.code.label('kecamatan'))
        .select_from(kelurahan.join(kecamatan, kelurahan.c.kecamatan_id == kecamatan.c.id))
        .order_by(kelurahan.c.id)).all()
    stored = {}
    for row in rows:
        place = by_name.get((row.kecamatan, _key(row.name))) or by_code.get(row.code)
        if place is not None:
            stored.setdefault(place, []).append(row)
    references = _references(bind, 'caselog_kelurahan')
    for place, found in stored.items():
        code, name = (place[3], place[4]) if official else (place[1], place[2])
        keep = next((row for row in found if row.code == code), found[0])
        for duplicate in found:
            if duplicate is keep:
                continue
            for table, column in references:
                target = sa.table(table, sa.column(column, sa.Integer))
                bind.execute(target.update().where(target.c[column] == duplicate.id)
                             .values({column: keep.id}))
            bind.execute(kelurahan.delete().where(kelurahan.c.id == duplicate.id))
        values = {'code': code, 'name': name}
        if official:
            values['aliases'] = place[5]
        bind.execute(kelurahan.update().where(kelurahan.c.id == keep.id).values(values))


def _add_entries(bind):
    for kind, code, label, before in NEW_ENTRIES:
        entries = {row.code: row for row in bind.execute(
            sa.select(lookups.c.code, lookups.c.position).where(lookups.c.kind == kind))}
        if not entries or code in entries:  # not seeded yet (the seed adds it), or already there
            continue
        if before in entries:
            position = entries[before].position
            bind.execute(lookups.update().where(lookups.c.kind == kind, lookups.c.position >= position)
                         .values(position=lookups.c.position + 10))
        else:
            position = max(row.position for row in entries.values()) + 10
        bind.execute(lookups.insert().values(kind=kind, code=code, label=label, grouping=None,
                                             active=True, position=position))
    for kind, code, before, now in RELABELLED:
        bind.execute(lookups.update().where(lookups.c.kind == kind, lookups.c.code == code,
                                            lookups.c.label == before).values(label=now))


def _remove_entries(bind):
    references = _references(bind, 'caselog_lookups')
    for kind, code, _label, _before in NEW_ENTRIES:
        entry = bind.execute(sa.select(lookups.c.id).where(lookups.c.kind == kind,
                                                           lookups.c.code == code)).scalar()
        if entry is None:
            continue
        used = False
        for table, column in references:
            target = sa.table(table, sa.column(column, sa.Integer))
            used = used or bind.execute(sa.select(target.c[column]).where(target.c[column] == entry)
                                        .limit(1)).first() is not None
        if not used:
            bind.execute(lookups.delete().where(lookups.c.id == entry))
    for kind, code, before, now in RELABELLED:
        bind.execute(lookups.update().where(lookups.c.kind == kind, lookups.c.code == code,
                                            lookups.c.label == now).values(label=before))


def upgrade():
    op.add_column('caselog_kelurahan', sa.Column('aliases', sa.String(length=200), nullable=True))
    bind = op.get_bind()
    _rewrite_kelurahan(bind, official=True)
    _add_entries(bind)


def downgrade():
    bind = op.get_bind()
    _remove_entries(bind)
    _rewrite_kelurahan(bind, official=False)
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not batch mode: copying the table
    # would drop the old one, which SQLite's foreign key check refuses while cases point at it.
    op.drop_column('caselog_kelurahan', 'aliases')

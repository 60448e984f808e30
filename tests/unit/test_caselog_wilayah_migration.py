"""Migration e8c1f4a2d9b7 (issue 11, point 9): a database seeded with the old, unofficial
kelurahan codes moves to the official Kemendagri codes and names, every case keeping its place;
lists seeded before gain the new causes. On SQLite, and on PostgreSQL when DATABASE_URL is set.
Synthetic data only."""
import importlib.util
from datetime import UTC, date, datetime
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa

from course_app.extensions import db
from course_app.services.caselog.reference import wilayah_rows

BEFORE, REVISION = "a4d9e1c7b2f3", "e8c1f4a2d9b7"
ROOT = Path(__file__).resolve().parents[2]

#: The list as seeded before issue 11: (kecamatan code, kecamatan, kelurahan code, kelurahan).
OLD_WILAYAH = [
    ("537101", "Alak", "5371010001", "Namosain"), ("537101", "Alak", "5371010002", "Nunbaun Sabu"),
    ("537101", "Alak", "5371010003", "Nunbaun Delha"), ("537101", "Alak", "5371010004", "Nunhila"),
    ("537101", "Alak", "5371010005", "Fatufeto"), ("537101", "Alak", "5371010006", "Manutapen"),
    ("537101", "Alak", "5371010007", "Mantasi"), ("537101", "Alak", "5371010008", "Alak"),
    ("537101", "Alak", "5371010009", "Batuplat"), ("537101", "Alak", "5371010010", "Manulai II"),
    ("537101", "Alak", "5371010011", "Naioni"), ("537101", "Alak", "5371010012", "Penkase Oeleta"),
    ("537102", "Maulafa", "5371020001", "Oepura"), ("537102", "Maulafa", "5371020002", "Maulafa"),
    ("537102", "Maulafa", "5371020003", "Penfui"), ("537102", "Maulafa", "5371020004", "Naimata"),
    ("537102", "Maulafa", "5371020005", "Belo"), ("537102", "Maulafa", "5371020006", "Fatukoa"),
    ("537102", "Maulafa", "5371020007", "Kolhua"), ("537102", "Maulafa", "5371020008", "Sikumana"),
    ("537102", "Maulafa", "5371020009", "Naikolan"),
    ("537103", "Kelapa Lima", "5371030001", "Kelapa Lima"), ("537103", "Kelapa Lima", "5371030002", "Oesapa"),
    ("537103", "Kelapa Lima", "5371030003", "Lasiana"), ("537103", "Kelapa Lima", "5371030004", "Oesapa Barat"),
    ("537103", "Kelapa Lima", "5371030005", "Oesapa Selatan"),
    ("537104", "Oebobo", "5371040001", "Oebobo"), ("537104", "Oebobo", "5371040002", "Oetete"),
    ("537104", "Oebobo", "5371040003", "Oebufu"), ("537104", "Oebobo", "5371040004", "Liliba"),
    ("537104", "Oebobo", "5371040005", "Fatululi"), ("537104", "Oebobo", "5371040006", "Kayu Putih"),
    ("537104", "Oebobo", "5371040007", "Tuak Daun Merah"),
    ("537105", "Kota Raja", "5371050001", "Bakunase"), ("537105", "Kota Raja", "5371050002", "Bakunase II"),
    ("537105", "Kota Raja", "5371050003", "Airnona"), ("537105", "Kota Raja", "5371050004", "Naikoten I"),
    ("537105", "Kota Raja", "5371050005", "Naikoten II"), ("537105", "Kota Raja", "5371050006", "Kuanino"),
    ("537105", "Kota Raja", "5371050007", "Nunleu"), ("537105", "Kota Raja", "5371050008", "Fontein"),
    ("537106", "Kota Lama", "5371060001", "Airmata"), ("537106", "Kota Lama", "5371060002", "Lai-Lai Bisi Kopan"),
    ("537106", "Kota Lama", "5371060003", "Bonipoi"), ("537106", "Kota Lama", "5371060004", "Solor"),
    ("537106", "Kota Lama", "5371060005", "Tode Kisar"), ("537106", "Kota Lama", "5371060006", "Merdeka"),
    ("537106", "Kota Lama", "5371060007", "Oeba"), ("537106", "Kota Lama", "5371060008", "Fatubesi"),
    ("537106", "Kota Lama", "5371060009", "Pasir Panjang"), ("537106", "Kota Lama", "5371060010", "Nefonaek"),
]
#: Old code → (official code, official name) for the places the tests put cases in.
MOVES = {
    "5371030002": ("5371031010", "Oesapa"),                # sequence number was wrong too
    "5371040007": ("5371041014", "Tuak Daun Merah"),
    "5371020005": ("5371021005", "Bello"),                 # local spelling Belo
    "5371010009": ("5371011009", "Batu Plat"),             # local spelling Batuplat
    "5371050002": ("5371051002", "Bakunase Dua"),          # Bakunase II
    "5371050004": ("5371051004", "Naikoten Satu"),         # Naikoten I
    "5371060002": ("5371061002", "Lai Lai Bisi Kopan"),    # Lai-Lai Bisi Kopan
    "5371010001": ("5371011001", "Namosain"),
}
OLD_CAUSES = ["ekonomi", "pil_wil", "miras", "narkoba", "cemburu_konflik", "budaya_adat", "medsos",
              "lingkungan", "pola_asuh", "kejiwaan", "lainnya"]

kecamatan_table = sa.table("caselog_kecamatan", sa.column("id"), sa.column("code"), sa.column("name"))
kelurahan_table = sa.table("caselog_kelurahan", sa.column("id"), sa.column("code"), sa.column("name"),
                           sa.column("kecamatan_id"))
lookup_table = sa.table("caselog_lookups", sa.column("id"), sa.column("kind"), sa.column("code"),
                        sa.column("label"), sa.column("grouping"), sa.column("active", sa.Boolean),
                        sa.column("position"))
case_table = sa.table(
    "caselog_cases", *(sa.column(name) for name in (
        "id", "number", "incident_date", "report_date", "delay_days", "place_id", "kecamatan_id",
        "kelurahan_id", "source_id", "external_ref", "status", "victim_count")),
    *(sa.column(name, sa.Boolean) for name in (
        "outside_city", "kdrt", "consent_services", "consent_sharing", "consent_nonidentifiable",
        "guardian_consent", "cause_recorded", "impact_recorded")),
    sa.column("created_at", sa.DateTime), sa.column("updated_at", sa.DateTime))


@pytest.fixture
def database(migrated_app):
    """An app on a new, empty database of the suite's engine, at revision a4d9e1c7b2f3."""
    flask_migrate.upgrade(revision=BEFORE)
    return migrated_app


def execute(statement):
    with db.engine.begin() as connection:
        return connection.execute(statement)


def seed_lists(wilayah):
    """The lists as `caselog seed` wrote them before issue 11 (cause list, a place, a source) and
    the kecamatan/kelurahan rows given. Returns {kelurahan code: id}."""
    rows = [{"kind": "cause", "code": code, "label": "Gangguan kejiwaan" if code == "kejiwaan" else code.title(),
             "grouping": None, "active": True, "position": 10 * n} for n, code in enumerate(OLD_CAUSES, start=1)]
    rows += [{"kind": kind, "code": code, "label": code, "grouping": None, "active": True, "position": 10}
             for kind, code in (("place", "rumah_tangga"), ("source", "polres"), ("education", "sd"),
                                ("occupation", "swasta_buruh"))]
    with db.engine.begin() as connection:
        connection.execute(lookup_table.insert(), rows)
        kecamatan = {}
        for kec_code, kec_name, _code, _name in wilayah:
            if kec_code not in kecamatan:
                kecamatan[kec_code] = connection.execute(
                    kecamatan_table.insert().values(code=kec_code, name=kec_name)
                    .returning(kecamatan_table.c.id)).scalar()
        for kec_code, _kec_name, code, name in wilayah:
            connection.execute(kelurahan_table.insert().values(code=code, name=name,
                                                               kecamatan_id=kecamatan[kec_code]))
        return dict(connection.execute(sa.select(kelurahan_table.c.code, kelurahan_table.c.id)).all())


def lookup_id(kind, code):
    with db.engine.connect() as connection:
        return connection.execute(sa.select(lookup_table.c.id).where(
            lookup_table.c.kind == kind, lookup_table.c.code == code)).scalar()


def add_cases(kelurahan_ids, codes):
    """One synthetic case per code, in that kelurahan. Returns {case id: kelurahan code}."""
    with db.engine.connect() as connection:
        kecamatan_of = dict(connection.execute(sa.select(kelurahan_table.c.id, kelurahan_table.c.kecamatan_id)).all())
    now = datetime(2026, 12, 1, tzinfo=UTC)
    place, source = lookup_id("place", "rumah_tangga"), lookup_id("source", "polres")
    made = {}
    with db.engine.begin() as connection:
        for n, code in enumerate(codes, start=1):
            kelurahan = kelurahan_ids[code]
            case_id = connection.execute(case_table.insert().values(
                number=f"P3A-2026-{n:05d}", incident_date=date(2026, 3, 1),
                report_date=date(2026, 3, 4), delay_days=3, place_id=place, source_id=source,
                kecamatan_id=kecamatan_of[kelurahan], kelurahan_id=kelurahan,
                external_ref=f"SINT/{code}/{n}", status="open", victim_count=1, outside_city=False,
                kdrt=True, consent_services=True, consent_sharing=False, consent_nonidentifiable=True,
                guardian_consent=False, cause_recorded=False, impact_recorded=False, created_at=now,
                updated_at=now).returning(case_table.c.id)).scalar()
            made[case_id] = code
    return made


def places_of_cases():
    """{case id: (kecamatan code, kelurahan code, kelurahan name)} as the database holds them."""
    query = (sa.select(case_table.c.id, kecamatan_table.c.code, kelurahan_table.c.code, kelurahan_table.c.name)
             .select_from(case_table.join(kelurahan_table, case_table.c.kelurahan_id == kelurahan_table.c.id)
                          .join(kecamatan_table, kelurahan_table.c.kecamatan_id == kecamatan_table.c.id)))
    with db.engine.connect() as connection:
        return {row[0]: tuple(row[1:]) for row in connection.execute(query)}


def stored_kelurahan():
    """{code: (name, aliases)} of every kelurahan row."""
    with db.engine.connect() as connection:
        return {row.code: (row.name, row.aliases) for row in connection.execute(
            sa.text("SELECT code, name, aliases FROM caselog_kelurahan"))}


def causes():
    with db.engine.connect() as connection:
        return connection.execute(sa.select(lookup_table.c.code, lookup_table.c.label)
                                  .where(lookup_table.c.kind == "cause")
                                  .order_by(lookup_table.c.position)).all()


def official_list():
    return {row.kelurahan_code: (row.kelurahan, "; ".join(row.aliases) or None) for row in wilayah_rows()}


def test_upgrade_moves_cases_on_old_codes_to_the_same_kelurahan_under_its_official_code(database):
    ids = seed_lists(OLD_WILAYAH)
    cases = add_cases(ids, list(MOVES) + ["5371030002"])  # two cases in Oesapa
    before = places_of_cases()

    flask_migrate.upgrade(revision=REVISION)

    after = places_of_cases()
    assert set(after) == set(cases)
    for case_id, old_code in cases.items():
        new_code, new_name = MOVES[old_code]
        assert after[case_id] == (before[case_id][0], new_code, new_name)
    assert stored_kelurahan() == official_list()  # every row official, aliases filled, none lost


def test_upgrade_adds_the_new_causes_to_a_seeded_cause_list_and_clarifies_kejiwaan(database):
    seed_lists(OLD_WILAYAH)
    flask_migrate.upgrade(revision=REVISION)
    assert [code for code, _label in causes()] == OLD_CAUSES[:-1] + ["judi", "utang_pinjol", "lainnya"]
    labels = dict(causes())
    assert labels["judi"] == "Judi/judi online" and labels["utang_pinjol"] == "Utang/pinjaman online (pinjol)"
    assert labels["kejiwaan"] == "Gangguan kejiwaan (pelaku, terdiagnosis)"
    assert lookup_id("education", "tidak_diketahui") and lookup_id("occupation", "tidak_diketahui")


def test_upgrade_keeps_a_label_an_admin_changed_and_adds_nothing_to_unseeded_lists(database):
    seed_lists(OLD_WILAYAH)
    execute(lookup_table.update().where(lookup_table.c.code == "kejiwaan").values(label="ODGJ"))
    execute(lookup_table.delete().where(lookup_table.c.kind == "education"))
    flask_migrate.upgrade(revision=REVISION)
    assert dict(causes())["kejiwaan"] == "ODGJ"
    assert lookup_id("education", "tidak_diketahui") is None  # the seed adds the whole list later


def test_upgrade_of_a_database_already_on_the_official_codes_changes_nothing(database):
    official = [(r.kecamatan_code, r.kecamatan, r.kelurahan_code, r.kelurahan) for r in wilayah_rows()]
    ids = seed_lists(official)
    cases = add_cases(ids, ["5371041014", "5371051002"])
    before = places_of_cases()
    flask_migrate.upgrade(revision=REVISION)
    assert places_of_cases() == before
    assert stored_kelurahan() == official_list()
    with db.engine.connect() as connection:
        assert dict(connection.execute(sa.select(kelurahan_table.c.code, kelurahan_table.c.id)).all()) == ids
    assert set(places_of_cases()) == set(cases)


def test_a_place_stored_under_both_codes_becomes_one_row_keeping_every_case(database):
    """`caselog seed` with the corrected list ran before the upgrade: old and official rows."""
    official = [(r.kecamatan_code, r.kecamatan, r.kelurahan_code, r.kelurahan) for r in wilayah_rows()]
    ids = seed_lists(OLD_WILAYAH)
    with db.engine.begin() as connection:
        kecamatan = dict(connection.execute(sa.select(kecamatan_table.c.code, kecamatan_table.c.id)).all())
        for kec_code, _kec, code, name in official:
            ids[code] = connection.execute(kelurahan_table.insert().values(
                code=code, name=name, kecamatan_id=kecamatan[kec_code]).returning(kelurahan_table.c.id)).scalar()
    cases = add_cases(ids, ["5371020005", "5371021005", "5371060002"])  # Belo (old), Bello (official)

    flask_migrate.upgrade(revision=REVISION)

    after = places_of_cases()
    assert {after[case_id][1:] for case_id in cases} == {("5371021005", "Bello"),
                                                         ("5371061002", "Lai Lai Bisi Kopan")}
    assert [after[c][1] for c, code in cases.items() if code.startswith("537102")] == ["5371021005"] * 2
    assert stored_kelurahan() == official_list()  # 51 rows, no duplicate left


def test_downgrade_restores_the_old_codes_and_removes_the_unused_new_entries(database):
    ids = seed_lists(OLD_WILAYAH)
    cases = add_cases(ids, ["5371040007", "5371050004"])
    flask_migrate.upgrade(revision=REVISION)

    flask_migrate.downgrade(revision=BEFORE)

    after = places_of_cases()
    assert {after[case_id][1:] for case_id in cases} == {("5371040007", "Tuak Daun Merah"),
                                                         ("5371050004", "Naikoten I")}
    with db.engine.connect() as connection:
        rows = dict(connection.execute(sa.select(kelurahan_table.c.code, kelurahan_table.c.name)).all())
        assert "aliases" not in {c["name"] for c in sa.inspect(connection).get_columns("caselog_kelurahan")}
    assert rows == {code: name for _kec, _kn, code, name in OLD_WILAYAH}
    assert [code for code, _label in causes()] == OLD_CAUSES
    assert dict(causes())["kejiwaan"] == "Gangguan kejiwaan"
    flask_migrate.upgrade(revision=REVISION)  # and up again
    assert stored_kelurahan() == official_list()


def test_the_migration_documents_no_other_column_holding_a_kelurahan():
    """Cases point at a kelurahan by id: the only reference the migration has to repoint."""
    from course_app.models.caselog import Kelurahan

    references = [(t.name, c.name) for t in db.metadata.sorted_tables for c in t.columns
                  for fk in c.foreign_keys if fk.column.table is Kelurahan.__table__]
    assert references == [("caselog_cases", "kelurahan_id")]
    spec = importlib.util.spec_from_file_location(
        "wilayah_migration", ROOT / "migrations/versions/e8c1f4a2d9b7_caselog_official_wilayah_codes.py")
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert {(p[3], p[4], p[5]) for p in migration.PLACES} == {
        (code, name, aliases) for code, (name, aliases) in official_list().items()}
    assert {p[1]: p[2] for p in migration.PLACES} == {code: name for _k, _kn, code, name in OLD_WILAYAH}

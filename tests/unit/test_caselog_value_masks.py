"""The bits of a case's values (issue 13, point 5): each case holds the causes, impacts, types,
relationships and services it has as bits (`cause_mask`, ...; `Lookup.bit` gives each list entry
its bit), and each victim–perpetrator pair the services its victim received (`service_mask`),
so that a cross-tabulation reads one index. These tests hold the writers and the migration to
that copy; the oracle test (test_caselog_crosstab_oracle.py) holds the cross-tabulations to the
counts. On SQLite, and on PostgreSQL when DATABASE_URL is set. Synthetic data only."""
from datetime import date

import flask_migrate
import pytest
import sqlalchemy as sa

from course_app.extensions import db
from course_app.models.caselog import Case, Lookup, VictimPerpetrator
from course_app.services import DomainError
from course_app.services.caselog import cases, lookups, synthetic
from course_app.services.caselog.reference import MAX_BIT, VALUE_MASKS
from course_app.services.caselog.reports import crosstab
from course_app.services.caselog.writer import _copy_report_columns

from .. import factories

TODAY = date(2026, 11, 27)


def bit(kind, code):
    return db.session.scalar(sa.select(Lookup.bit).where(Lookup.kind == kind, Lookup.code == code))


def test_each_entry_of_a_multi_valued_list_has_its_own_bit_and_no_other_list_has_bits():
    factories.seed_caselog()
    for kind in VALUE_MASKS:
        bits = db.session.scalars(sa.select(Lookup.bit).where(Lookup.kind == kind).order_by(Lookup.id)).all()
        assert bits == list(range(1, len(bits) + 1)), kind  # bit 0 is "no value"
    assert set(db.session.scalars(sa.select(Lookup.kind).where(Lookup.bit.is_not(None)))) == set(VALUE_MASKS)


def test_a_new_entry_takes_the_next_bit_and_a_list_with_every_bit_given_refuses_more():
    factories.seed_caselog()
    highest = db.session.scalar(sa.select(sa.func.max(Lookup.bit)).where(Lookup.kind == "cause"))
    assert lookups.add_lookup("cause", code="kecanduan_gim", label="Kecanduan gim").bit == highest + 1
    assert lookups.add_lookup("place", code="kapal", label="Kapal").bit is None
    for n in range(highest + 2, MAX_BIT + 1):
        lookups.add_lookup("cause", code=f"penyebab_{n}", label=f"Penyebab {n}")
    with pytest.raises(DomainError, match="batas"):
        lookups.add_lookup("cause", code="satu_lagi", label="Satu lagi")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Lookup).where(Lookup.kind == "cause")) == MAX_BIT


def test_a_service_logged_later_reaches_the_case_and_the_pairs_of_its_victim_only():
    factories.seed_caselog()
    user = factories.make_user(roles=("caseworker",))
    case = factories.make_case(victims=[{"name": "A", "sex": "P", "age": 9}, {"name": "B", "sex": "P", "age": 30}],
                               relationships={(0, 0): "orang_tua", (1, 0): "tetangga"})
    assert case.service_mask == 0
    cases.add_service(case, victim_id=case.victims[1].id, service="pengaduan", status="dilayani",
                      service_date=date(2026, 3, 5), user=user, today=TODAY)
    db.session.commit()
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.service_mask == 1 << bit("service", "pengaduan")
    pairs = {p.victim.name: p.service_mask for p in case.relationships}
    assert pairs == {"A": 0, "B": 1 << bit("service", "pengaduan")}

    by_service = crosstab.build_crosstab("relationship", "service")
    cells = {(r, c): by_service.cells[i][j] for i, (r, _l) in enumerate(by_service.rows)
             for j, (c, _m) in enumerate(by_service.columns)}
    assert cells == {("orang_tua", "pengaduan"): 0, ("tetangga", "pengaduan"): 1}  # B's neighbour
    by_cause = crosstab.build_crosstab("cause", "service")
    assert by_cause.columns == [("pengaduan", by_cause.columns[0][1])] and by_cause.cells == [[1]]


@pytest.fixture
def database(migrated_app):
    """An app on a new, empty database of the suite's engine, migrated to the newest revision."""
    flask_migrate.upgrade()
    return migrated_app


def value_masks():
    columns = [getattr(Case, column) for column in VALUE_MASKS.values()]
    return (db.session.execute(sa.select(Case.id, *columns).order_by(Case.id)).all(),
            db.session.execute(sa.select(VictimPerpetrator.id, VictimPerpetrator.service_mask)
                               .order_by(VictimPerpetrator.id)).all(),
            db.session.execute(sa.select(Lookup.id, Lookup.bit).order_by(Lookup.id)).all())


def test_cases_recorded_before_the_migration_get_the_bits_the_writer_gives(database):
    synthetic.generate(300, seed=23, start=date(2025, 1, 1), end=date(2026, 6, 30))
    # Pairs whose relationship is not recorded, which the generator does not make.
    pairs = db.session.scalars(sa.select(VictimPerpetrator).order_by(VictimPerpetrator.id).limit(2)).all()
    for pair in pairs:
        pair.relationship_id = None
    db.session.flush()
    for case_id in {pair.case_id for pair in pairs}:
        _copy_report_columns(db.session.get(Case, case_id))
    db.session.commit()
    written = value_masks()
    case_masks, pair_masks, _bits = written
    for i in range(1, 6):  # every column is filled, with more than one combination
        assert len({row[i] for row in case_masks}) > 3, list(VALUE_MASKS.values())[i - 1]
    assert any(row[4] & 1 for row in case_masks)  # a pair without a recorded relationship
    assert {m for _id, m in pair_masks} - {0}

    db.session.remove()  # no transaction of ours may hold the tables the migration alters
    flask_migrate.downgrade(revision="b8c9d0e1f2a3")
    assert "cause_mask" not in {c["name"] for c in sa.inspect(db.engine).get_columns("caselog_cases")}
    flask_migrate.upgrade(revision="c9d0e1f2a3b4")

    assert value_masks() == written

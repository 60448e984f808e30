"""Migrations a7b8c9d0e1f2 and b8c9d0e1f2a3 (issue 13, point 5): cases recorded before them get
the `victim_mask` the case writer gives them now, on the case, each of its pairs and service
entries — so the victim cross-tabulations, which read the mask, count old cases as they counted
them through the victims — and each of its categories the case's (until d0e1f2a3b4c5 drops that
copy). On SQLite, and on PostgreSQL when DATABASE_URL is set. Synthetic data only."""
from datetime import date

import flask_migrate
import pytest
import sqlalchemy as sa

from course_app.extensions import db
from course_app.models.caselog import Case, CaseCategory, ServiceEntry, Victim, VictimPerpetrator
from course_app.services.caselog import synthetic
from course_app.services.caselog.writer import _copy_report_columns

BEFORE, REVISION = "f6a7b8c9d0e1", "b8c9d0e1f2a3"


@pytest.fixture
def database(migrated_app):
    """An app on a new, empty database of the suite's engine, migrated to the newest revision."""
    flask_migrate.upgrade()
    return migrated_app


def masks():
    cases = dict(db.session.execute(sa.select(Case.id, Case.victim_mask)).all())
    pairs = dict(db.session.execute(sa.select(VictimPerpetrator.id, VictimPerpetrator.victim_mask)).all())
    services = dict(db.session.execute(sa.select(ServiceEntry.id, ServiceEntry.victim_mask)).all())
    return cases, pairs, services


def category_masks():
    """{(case, kind, lookup): mask} of the categories, at a revision that has the column."""
    return {(c, k, lookup): m for c, k, lookup, m in db.session.execute(sa.text(
        "SELECT case_id, kind, lookup_id, victim_mask FROM caselog_case_categories"))}


def test_cases_recorded_before_the_migration_get_the_victim_mask_the_writer_gives(database):
    synthetic.generate(300, seed=21, start=date(2025, 1, 1), end=date(2026, 6, 30))
    # Victims the generator rarely makes: no sex, no age, an age outside every group.
    victims = db.session.scalars(sa.select(Victim).order_by(Victim.id).limit(3)).all()
    victims[0].sex, victims[1].age_at_incident, victims[1].age_group = None, None, None
    victims[2].age_at_incident, victims[2].age_group = 250, None
    db.session.flush()
    for case_id in {v.case_id for v in victims}:
        _copy_report_columns(db.session.get(Case, case_id))
    db.session.commit()
    written = masks()
    assert len(set(written[0].values())) > 10 and 0 not in written[0].values()
    assert written[1] and written[2] and 0 not in written[1].values() and 0 not in written[2].values()
    categories = {(c, k, lookup): written[0][c] for c, k, lookup in db.session.execute(
        sa.select(CaseCategory.case_id, CaseCategory.kind, CaseCategory.lookup_id))}

    db.session.remove()  # no transaction of ours may hold the tables the migration alters
    flask_migrate.downgrade(revision=BEFORE)
    assert "victim_mask" not in {c["name"] for c in sa.inspect(db.engine).get_columns("caselog_cases")}
    flask_migrate.upgrade(revision=REVISION)

    assert masks() == written
    assert category_masks() == categories  # each category, its case's
    db.session.remove()
    flask_migrate.upgrade()
    assert "victim_mask" not in {c["name"] for c in sa.inspect(db.engine).get_columns("caselog_case_categories")}
    assert masks() == written


def test_migrating_down_and_up_past_a_rebuilt_case_table_keeps_every_victim_and_category(database):
    """SQLite rebuilds a table to drop a column or a foreign key (Alembic's batch mode: copy, drop,
    rename). With foreign keys on, dropping caselog_cases deleted every victim, category, pair and
    service through ON DELETE CASCADE — migration d4e5f6a7b8c9 rebuilds it both ways. The
    migrations run with foreign keys off, check them after, and turn them on again."""
    synthetic.generate(40, seed=5, start=date(2026, 1, 1), end=date(2026, 6, 30))
    db.session.commit()
    tables = ("caselog_cases", "caselog_victims", "caselog_perpetrators", "caselog_case_categories",
              "caselog_victim_perpetrators", "caselog_services", "caselog_status_changes")

    def counts():
        return {t: db.session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}

    before = counts()
    assert all(before.values()), before
    db.session.remove()
    flask_migrate.downgrade(revision="c3d4e5f6a7b8")  # before case management: caselog_cases rebuilt
    assert counts() == before
    db.session.remove()
    flask_migrate.upgrade()
    assert counts() == before
    if db.engine.dialect.name == "sqlite":
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1

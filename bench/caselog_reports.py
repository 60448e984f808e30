"""Case-log grouped reports over 200,000 generated cases (product §9: < 300 ms each), and
cross-tabulations of two dimensions over the same cases (< 500 ms each, issue 13 point 5).

Builds a throwaway database per engine — a temporary SQLite file, and a PostgreSQL database on
127.0.0.1:5432 (user postgres) that is created and dropped here — fills it with
`services.caselog.synthetic.generate`, then times every report dimension over the whole range
and over the last quarter (median of 5 runs after a warm-up), and the cross-tabulations of
`CROSSTABS` — case × case, case × victim, pair × case, victim × service, pair × service — in
publication mode (suppression included) over both ranges; then every pair of dimensions over the
whole range, in one row that names the slowest.

One case in a hundred is merged into the case before it (as a supervisor's merge leaves it:
`merged_into_id` set), so the rule that counts a merged duplicate once — it is left out of
every report — is part of what is timed.

Generating the cases takes minutes. `CASELOG_BENCH_SQLITE=<path>` keeps the SQLite database at
that path and `CASELOG_BENCH_PG=<name>` keeps the PostgreSQL database of that name; the next
run reuses them (no second generation), creating any index the models gained since — or
generates again when the models gained a column. When
PostgreSQL cannot be reached its rows say so and fail.
"""
import os
import statistics
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

CASES = int(os.environ.get("CASELOG_BENCH_CASES", 200_000))
TARGET_MS = 300
CROSSTAB_TARGET_MS = 500
CROSSTABS = [("cause", "impact"), ("type", "age_group"), ("relationship", "type"), ("kecamatan", "month"),
             ("victim_sex", "service"), ("place", "child_adult")]
RUNS = 5
PG = dict(host="127.0.0.1", port=5432, user="postgres")


def _app(url):
    from config import TestingConfig
    from course_app import create_app

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}

    return create_app(Config)


def _time(call):
    call()  # warm-up: first query pays for plan and page cache
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _merge_every_hundredth():
    """Case n×100 merged into case n×100 − 1: what merge.merge_case leaves, without its history."""
    from sqlalchemy import update

    from course_app.extensions import db
    from course_app.models.caselog import Case

    db.session.execute(update(Case).where(Case.id % 100 == 0).values(merged_into_id=Case.id - 1,
                                                                     status="closed"))


def _columns_current(db):
    """Whether a kept database has every column the models have now."""
    from sqlalchemy import inspect

    inspector = inspect(db.engine)
    for table in db.metadata.sorted_tables:
        if not inspector.has_table(table.name):
            return False
        if {c.name for c in table.columns} - {c["name"] for c in inspector.get_columns(table.name)}:
            return False
    return True


def _sync_indexes(db):
    """A kept database gets the models' indexes as they are now: new ones created, changed ones
    made again, and those the models no longer have dropped."""
    from sqlalchemy import inspect

    for table in db.metadata.sorted_tables:
        existing = {i["name"]: i["column_names"] for i in inspect(db.engine).get_indexes(table.name)}
        for name in existing.keys() - {index.name for index in table.indexes}:
            if name.startswith("ix_"):
                with db.engine.begin() as connection:
                    connection.exec_driver_sql(f'DROP INDEX "{name}"')
        for index in table.indexes:
            if index.name in existing and existing[index.name] != [c.name for c in index.columns]:
                index.drop(db.engine)
            if existing.get(index.name) != [c.name for c in index.columns]:
                index.create(db.engine)


def measure(engine, url, reuse=False):
    from course_app.extensions import db
    from course_app.services.caselog import reports, synthetic
    from course_app.services.caselog.reports import crosstab

    app = _app(url)
    rows = []
    with app.app_context():
        if reuse and not _columns_current(db):  # kept from before a column was added: start again
            db.drop_all()
            reuse = False
        db.create_all()
        _sync_indexes(db)
        start = time.perf_counter()
        if not reuse:
            synthetic.generate(CASES, seed=9, end=date(2026, 6, 30), start=date(2023, 7, 1))
            _merge_every_hundredth()
            db.session.commit()
        if engine == "PostgreSQL":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        generated = time.perf_counter() - start
        rows.append((f"caselog {engine}: generate {CASES:,} cases", f"{generated:.1f} s",
                     "(setup, no target)", 0.0, True))
        quarter = (date(2026, 4, 1), date(2026, 6, 30))
        for dimension in reports.DIMENSIONS:
            for label, (date_from, date_to) in (("all", (None, None)), ("quarter", quarter)):
                ms = _time(lambda d=dimension, f=date_from, t=date_to: reports.build_report(d, f, t))
                rows.append((f"caselog {engine}: report {dimension} ({label})", f"{ms:.0f} ms",
                             f"< {TARGET_MS} ms", ms / TARGET_MS, ms < TARGET_MS))
        ms = _time(lambda: reports.reporting_delay())
        rows.append((f"caselog {engine}: reporting delay (all)", f"{ms:.0f} ms", f"< {TARGET_MS} ms",
                     ms / TARGET_MS, ms < TARGET_MS))
        for dimension, by in CROSSTABS:
            for label, (date_from, date_to) in (("all", (None, None)), ("quarter", quarter)):
                ms = _time(lambda d=dimension, b=by, f=date_from, t=date_to:
                           crosstab.build_crosstab(d, b, f, t, publication=True))
                rows.append((f"caselog {engine}: cross-tab {dimension} × {by} ({label})", f"{ms:.0f} ms",
                             f"< {CROSSTAB_TARGET_MS} ms", ms / CROSSTAB_TARGET_MS, ms < CROSSTAB_TARGET_MS))
        rows.append(_slowest_pair(engine, crosstab, reports))
        db.session.remove()
        db.engine.dispose()
    return rows


def _slowest_pair(engine, crosstab, reports):
    """Every pair of dimensions over the whole range (median of 3 after a warm-up): the row
    names the slowest, so no pair can hide behind the six above."""
    import itertools

    timed = []
    for dimension, by in itertools.combinations(reports.DIMENSIONS, 2):
        crosstab.build_crosstab(dimension, by, publication=True)
        samples = []
        for _ in range(3):
            start = time.perf_counter()
            crosstab.build_crosstab(dimension, by, publication=True)
            samples.append((time.perf_counter() - start) * 1000)
        timed.append((statistics.median(samples), dimension, by))
    ms, dimension, by = max(timed)
    over = sum(1 for t, _d, _b in timed if t >= CROSSTAB_TARGET_MS)
    return (f"caselog {engine}: cross-tab, slowest of all {len(timed)} pairs: {dimension} × {by} "
            f"({over} over)", f"{ms:.0f} ms", f"< {CROSSTAB_TARGET_MS} ms", ms / CROSSTAB_TARGET_MS,
            ms < CROSSTAB_TARGET_MS)


def sqlite_rows():
    kept = os.environ.get("CASELOG_BENCH_SQLITE")
    if kept:
        done = Path(kept + ".generated")
        rows = measure("SQLite", f"sqlite:///{kept}", reuse=done.exists())
        done.write_text(str(CASES))
        return rows
    with tempfile.TemporaryDirectory() as tmp:
        return measure("SQLite", f"sqlite:///{tmp}/caselog-bench.sqlite3")


def _generated(name):
    import psycopg

    with psycopg.connect(dbname=name, autocommit=True, **PG) as conn:
        if conn.execute("SELECT to_regclass('caselog_cases')").fetchone()[0] is None:
            return False
        return conn.execute("SELECT count(*) FROM caselog_cases").fetchone()[0] >= CASES


def postgres_rows():
    kept = os.environ.get("CASELOG_BENCH_PG")
    name = kept or f"pk_bench_caselog_{uuid.uuid4().hex[:8]}"
    reuse = False
    try:
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=3, **PG) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                reuse = _generated(name)
            if not reuse:  # new, or kept from a run that did not finish generating
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as error:  # noqa: BLE001 - any failure means "not available"
        return [("caselog PostgreSQL: not available", type(error).__name__, "127.0.0.1:5432 user postgres",
                 0.0, False)]
    try:
        return measure("PostgreSQL", f"postgresql+psycopg://{PG['user']}@{PG['host']}:{PG['port']}/{name}",
                       reuse=reuse)
    finally:
        if not kept:
            with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table():
    return sqlite_rows() + postgres_rows()


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    for row in table():
        print(f"{row[0]:<70} {row[1]:>10}  {row[2]:<18} {'pass' if row[4] else 'FAIL'}")

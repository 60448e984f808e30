"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is set.

The schema is created once per session; after each test every table is emptied, so tests are
independent without paying for a new database each time.

`make test` runs the suite in two processes (pytest-xdist, `-n 2`). Each worker has a database
of its own: a SQLite file in its own temporary directory, or on PostgreSQL a database beside the
one DATABASE_URL names (`test_gw0`, `test_gw1`). Browser and fault tests serve on free ports.
"""
import functools
import os
import sqlite3

import pytest
from flask import g, request_started
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import Pool

from config import TestingConfig
from course_app import create_app
from course_app.extensions import db, limiter

from . import factories


def pytest_configure(config):
    """Compile the message catalogues, so the suite tests the English UI even when run
    without `make` (which compiles them too). Once, before pytest-xdist starts its workers: a
    worker rewriting a catalogue could let another read half of it."""
    if hasattr(config, "workerinput"):
        return
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in Path(__file__).parent.parent.glob("course_app/translations/*/LC_MESSAGES/*.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)


def _database_url(tmp_path_factory):
    url = os.environ.get("DATABASE_URL")
    if url:
        return _database_of_this_worker(TestingConfig.SQLALCHEMY_DATABASE_URI)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _database_of_this_worker(url):
    """Under pytest-xdist, the PostgreSQL database named in `url` with the worker's name added
    (`test` → `test_gw0`), created from the maintenance database on first use and kept for the
    next run (the session starts by dropping and creating the tables anyway)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    url = make_url(url)
    name = f"{url.database}_{worker}"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": name})
            if not exists:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        server.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@event.listens_for(Pool, "connect")
def _sqlite_without_fsync(dbapi_connection, _record):
    """The suite's SQLite file is thrown away after the run, so a commit need not wait for the
    disk (`synchronous=OFF`: durability after a power cut only; what a transaction sees, and
    locking between connections, are unchanged). Every engine of the suite: the session app,
    `make_app`'s and the browser tests' live server."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


def _start_with_empty_g(sender, **extra):
    """Each test holds one app context open, so without this `g` would outlive a request:
    Flask-Login's cached user and Flask-Babel's cached locale would leak into the next request,
    even from another test client. A real request always starts with an empty `g`."""
    vars(g).clear()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = _database_url(tmp_path_factory)

    app = create_app(Config)
    request_started.connect(_start_with_empty_g, app)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def forget_user_between_requests(app):
    """Tests keep one app context open across requests, and with it `g`; production opens a
    new one per request. Dropping Flask-Login's cached user at each request start makes every
    request load its user from its own session cookie, as in production."""
    from flask import g, request_started

    def _forget(sender, **extra):
        g.pop("_login_user", None)

    request_started.connect(_forget, app, weak=False)


@pytest.fixture(autouse=True)
def _app_context(request, app):
    """Each test runs inside an app context and leaves every table empty behind it."""
    if "no_app_context" in request.keywords:
        yield
        return
    with app.app_context():
        yield
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()


def _empty_all_tables():
    """Deletes the rows of every table that has any, children before parents.

    Most tests fill a handful of tables, so one query finds them and only those are emptied: an
    empty table costs nothing, and a test that wrote nothing leaves no write to commit. On
    PostgreSQL, a DELETE checks each row against every foreign key that points at it, one
    trigger call per row and key, which made emptying the tables a fifth of the suite's time
    there; a superuser can switch those checks off for this one transaction
    (`session_replication_role` is reset at its end). Every table is emptied, so there is
    nothing for them to protect."""
    with db.engine.begin() as connection:
        tables = _tables_with_rows(connection)
        if tables and _may_skip_foreign_key_checks(db.engine):
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for table in tables:
            connection.execute(table.delete())


@functools.cache
def _tables_children_first():
    return tuple(reversed(db.metadata.sorted_tables))


def _tables_with_rows(connection):
    tables = _tables_children_first()
    quote = connection.dialect.identifier_preparer.format_table
    query = " UNION ALL ".join(f"SELECT {index} WHERE EXISTS (SELECT 1 FROM {quote(table)})"
                               for index, table in enumerate(tables))
    return [tables[index] for index in sorted(connection.exec_driver_sql(query).scalars())]


@functools.cache
def _may_skip_foreign_key_checks(engine):
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as connection:
        return connection.exec_driver_sql("SHOW is_superuser").scalar() == "on"


@pytest.fixture
def make_app(app):
    """Build a second app on the same database with config overrides (CSRF on, limits on...).

    Flask-Limiter keeps its switch and storage on one shared object, so this puts them back
    afterwards: the session app must never start rate limiting the rest of the suite.
    """
    made = []

    def build(**overrides):
        class Config(TestingConfig):
            SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]

        for key, value in overrides.items():
            setattr(Config, key, value)
        other = create_app(Config)
        forget_user_between_requests(other)
        made.append(other)
        return other

    yield build
    if made:
        try:
            limiter.reset()
        except Exception:  # noqa: BLE001 - storage may never have been set up
            pass
        limiter.enabled = app.config["RATELIMIT_ENABLED"]
        for other in made:
            with other.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    """`login(user)` logs the test client in as `user` (password from the factories)."""
    def do_login(user, password=factories.PASSWORD):
        response = client.post("/masuk", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response
    return do_login

"""Throwaway databases for migration tests: `empty_database`, a brand-new empty database on the
engine the suite runs on, and the `migrated_app` fixture, an app on one (no revision applied:
each test migrates it where it needs). tests/unit/conftest.py makes the fixture available."""
import os
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy.engine import make_url

from config import TestingConfig
from course_app import create_app
from course_app.extensions import db


@contextmanager
def empty_database(tmp_path):
    """A brand-new empty database on the engine the suite runs on."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    import psycopg

    base = make_url(TestingConfig.SQLALCHEMY_DATABASE_URI)
    name = f"pk_migrations_{uuid.uuid4().hex[:10]}"
    admin = dict(host=base.host or "127.0.0.1", port=base.port or 5432,
                 user=base.username or "postgres", dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def migrated_app(tmp_path):
    with empty_database(tmp_path) as url:
        class Config(TestingConfig):
            SQLALCHEMY_DATABASE_URI = url

        app = create_app(Config)
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()

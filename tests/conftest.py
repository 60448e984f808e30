"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is set.

The schema is created once per session; after each test every table is emptied, so tests are
independent without paying for a new database each time.
"""
import os

import pytest

from config import TestingConfig
from course_app import create_app
from course_app.extensions import db, limiter

from . import factories


def _database_url(tmp_path_factory):
    url = os.environ.get("DATABASE_URL")
    if url:
        return TestingConfig.SQLALCHEMY_DATABASE_URI
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = _database_url(tmp_path_factory)

    app = create_app(Config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


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
    limiter.reset()


def _empty_all_tables():
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


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

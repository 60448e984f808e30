"""Fixtures the web tests share."""
import pytest

from course_app.extensions import db

from .. import factories


@pytest.fixture
def participant(login):
    """A participant, logged in on the `client`."""
    user = factories.make_user()
    db.session.commit()
    login(user)
    return user


@pytest.fixture
def reviewer_desk(app):
    """A reviewer logged in on a client of their own (the statistics pages' tests)."""
    reviewer = factories.make_user(roles=("reviewer",), full_name="Peninjau Statistik")
    db.session.commit()
    client = app.test_client()
    factories.log_in(client, reviewer)
    return client


@pytest.fixture
def staff(client):
    """A caseworker, logged in on the `client`, with the case-log's lists seeded."""
    factories.seed_caselog()
    worker = factories.make_user(roles=("caseworker",))
    db.session.commit()
    factories.log_in(client, worker)
    return worker

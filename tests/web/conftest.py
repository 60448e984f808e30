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

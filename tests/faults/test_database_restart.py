"""The database restarts under the app: a clear 503 while it is gone, recovery by itself after."""
import urllib.error
import urllib.request

import pytest

from config import TestingConfig
from course_app import create_app
from course_app.extensions import db

from .. import factories

pytestmark = pytest.mark.no_app_context


def browser():
    """A cookie-keeping client: `fetch(url, data=None)` → (status, final URL, body)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())

    def fetch(url, data=None):
        try:
            with opener.open(url, data=data, timeout=15) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, url, error.read().decode()
    return fetch


def test_database_restart_gives_503_then_recovers_by_itself(throwaway_postgres, serve):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = throwaway_postgres.url

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        user = factories.make_user(roles=("participant",))
        email = user.email
        db.session.commit()
    base = serve(app)
    login = f"email={email}&password={factories.PASSWORD}".replace("@", "%40").encode()

    person, stranger = browser(), browser()
    assert person(f"{base}/readyz")[0] == 200
    status, url, _ = person(f"{base}/masuk", login)
    assert (status, url) == (200, f"{base}/beranda")

    throwaway_postgres.stop()
    assert person(f"{base}/readyz")[0] == 503
    for client, path, data in [(person, "/beranda", None), (stranger, "/masuk", login)]:
        status, _, body = client(f"{base}{path}", data)
        assert status == 503, path
        assert "Layanan sedang tidak tersedia" in body
    assert person(f"{base}/healthz")[::2] == (200, "ok")  # the process itself is alive

    throwaway_postgres.start()
    assert person(f"{base}/readyz")[0] == 200
    status, url, body = person(f"{base}/beranda")
    assert (status, url) == (200, f"{base}/beranda") and "Halo" in body
    status, url, _ = stranger(f"{base}/masuk", login)
    assert (status, url) == (200, f"{base}/beranda")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()

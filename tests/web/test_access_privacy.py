"""Access matrix of the participant's own data (UU 27/2022; see access.py): anyone logged in may
download their own data; only a participant reaches "Hapus akun" (a participant who also holds
a staff role is refused on the page itself, see test_privacy_routes.py)."""
import pytest

from course_app.extensions import db

from .access import ANY_USER, check_row, one_user_per_role, only

MATRIX = [
    ("POST", "/akun/data-saya", ANY_USER),
    ("GET", "/akun/hapus", only("participant")),
    # An empty form: 400, nothing deleted.
    ("POST", "/akun/hapus", only("participant")),
]


@pytest.fixture
def world():
    users = one_user_per_role()
    db.session.commit()
    return {"users": users}


@pytest.mark.parametrize("method,url,expected", MATRIX, ids=[f"{m} {u}" for m, u, _ in MATRIX])
def test_access_matrix(app, world, method, url, expected):
    check_row(app, world["users"], method, url, expected)

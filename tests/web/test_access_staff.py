"""Access matrix of staff accounts from the web (issue 12 point 1) — see access.py. The admin
area answers 403 to other staff and participants, a login redirect to anonymous visitors; the
invitation page is public (its token is the credential)."""
import re

import pytest

from course_app.extensions import db
from course_app.services import staff, staff_import

from .. import factories
from ..mailbox import Outbox
from .access import PUBLIC, check_row, one_user_per_role, only

ADMIN = only("admin")

MATRIX = [
    ("GET", "/admin/pengguna/baru", ADMIN),
    ("POST", "/admin/pengguna/baru", ADMIN),
    ("POST", "/admin/pengguna/{user}/undangan", ADMIN),
    ("POST", "/admin/pengguna/{user}/atur-ulang", ADMIN),
    ("POST", "/admin/pengguna/{user}/lembaga", ADMIN),
    ("GET", "/admin/pengguna/{user}/status", ADMIN),
    ("GET", "/admin/pengguna/impor", ADMIN),
    ("POST", "/admin/pengguna/impor", ADMIN),
    ("GET", "/admin/pengguna/impor/contoh.csv", ADMIN),
    ("GET", "/admin/pengguna/impor/{import}", ADMIN),
    ("POST", "/admin/pengguna/impor/{import}/konfirmasi", ADMIN),
    ("POST", "/admin/pengguna/impor/{import}/batal", ADMIN),
    ("GET", "/undangan/{token}", PUBLIC),
    ("POST", "/undangan/{token}", PUBLIC),
]


@pytest.fixture
def world():
    users = one_user_per_role()
    invited = staff.invite_staff(full_name="Pdt. Contoh Undangan", email="undangan@example.org",
                                 roles=("officiant",), institution_type="gereja",
                                 institution_name="Jemaat Contoh", acting_user=users["admin"])
    batch = staff_import.preview_file("p.csv", b"nama,email,jenis_lembaga,nama_lembaga\n"
                                      b"Orang Contoh,orang@example.org,gereja,Jemaat Contoh\n", users["admin"])
    db.session.commit()
    token = re.search(r"/undangan/(\S+)", Outbox()[0].get_content()).group(1)
    return {"users": users, "ids": {"user": invited.id, "import": batch.id, "token": token}}


@pytest.mark.parametrize("method,template,expected", MATRIX, ids=[f"{m} {t}" for m, t, _ in MATRIX])
def test_access_matrix(app, world, method, template, expected):
    check_row(app, world["users"], method, template.format(**world["ids"]), expected)


@pytest.mark.parametrize("template", ["/admin/pengguna/999999/status", "/admin/pengguna/impor/999999"])
def test_unknown_ids_answer_404(app, world, template):
    client = app.test_client()
    factories.log_in(client, world["users"]["admin"])
    assert client.get(template).status_code == 404

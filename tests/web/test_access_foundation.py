"""Access matrix of the foundation (accounts, couples, learning, admin) — see access.py.

Also holds `test_every_route_is_in_a_matrix`, which gathers the MATRIX of every
tests/web/test_access_*.py module and fails when a route of the app is in none.
"""
import importlib
import pkgutil
from pathlib import Path

import pytest
from flask import current_app

from course_app.extensions import db
from course_app.models import ROLES
from course_app.services.content.images import check_picture

from .. import factories
from .access import ANY_USER, PUBLIC, check_row, only, shape

# (method, url template, expected). {module}, {lesson}, {attempt}, {user} are filled in below.
MATRIX = [
    ("GET", "/", PUBLIC),
    ("GET", "/bantuan", PUBLIC),
    ("POST", "/bahasa", PUBLIC),
    ("GET", "/healthz", PUBLIC),
    ("GET", "/readyz", PUBLIC),
    ("GET", "/daftar", PUBLIC),
    ("POST", "/daftar", PUBLIC),
    ("GET", "/masuk", PUBLIC),
    ("POST", "/masuk", PUBLIC),
    ("POST", "/keluar", PUBLIC),
    ("GET", "/lupa-kata-sandi", PUBLIC),
    ("POST", "/lupa-kata-sandi", PUBLIC),
    ("GET", "/atur-ulang-kata-sandi/{token}", PUBLIC),
    ("POST", "/atur-ulang-kata-sandi/{token}", PUBLIC),
    ("GET", "/akun", ANY_USER),
    ("GET", "/akun/kata-sandi", ANY_USER),
    ("POST", "/akun/kata-sandi", ANY_USER),
    ("GET", "/beranda", only("participant")),
    ("GET", "/pasangan/", only("participant")),
    ("POST", "/pasangan/buat", only("participant")),
    ("POST", "/pasangan/ubah", only("participant")),
    ("POST", "/pasangan/gabung", only("participant")),
    ("POST", "/pasangan/undangan", only("participant")),
    ("GET", "/pasangan/keluar", only("participant")),
    ("POST", "/pasangan/keluar", only("participant")),
    ("GET", "/pasangan/bubarkan", only("participant")),
    ("POST", "/pasangan/bubarkan", only("participant")),
    ("GET", "/materi/", only("participant")),
    ("GET", "/materi/{module}", only("participant")),
    ("GET", "/materi/{module}/{lesson}", only("participant")),
    ("GET", "/materi/gambar/{picture_module}/{picture_digest}/{picture_name}", only("participant")),
    ("POST", "/materi/{module}/{lesson}/selesai", only("participant")),
    ("GET", "/materi/{module}/kuis", only("participant")),
    ("POST", "/materi/{module}/kuis/mulai", only("participant")),
    ("GET", "/materi/kuis/{attempt}", only("participant")),
    ("POST", "/materi/kuis/{attempt}", only("participant")),
    ("GET", "/materi/kuis/{attempt}/hasil", only("participant")),
    ("GET", "/admin/pengguna", only("admin")),
    ("GET", "/admin/pengguna/{user}", only("admin")),
    ("POST", "/admin/pengguna/{user}", only("admin")),
    ("POST", "/admin/pengguna/{user}/status", only("admin")),
    ("GET", "/admin/email", only("admin")),
]

# Another participant's objects answer 404, never 403 (product §8).
OBJECT_LEVEL = [
    ("GET", "/materi/kuis/{other_attempt}"),
    ("POST", "/materi/kuis/{other_attempt}"),
    ("GET", "/materi/kuis/{other_attempt}/hasil"),
]


@pytest.fixture
def world():
    from course_app.services import quizzes

    module = factories.make_module(lessons=1, questions=4, questions_per_attempt=2)
    lesson = module.lessons[0]
    owner = factories.make_user(roles=("participant",))
    stranger = factories.make_user(roles=("participant",))
    for person in (owner, stranger):
        factories.read_all_lessons(person, module)
    attempt = quizzes.start_attempt(owner, module)
    other_attempt = quizzes.start_attempt(stranger, module)
    target = factories.make_user(roles=("participant",))
    users = {role: (owner if role == "participant" else factories.make_user(roles=(role,)))
             for role in ROLES}
    db.session.commit()
    # A real lesson picture, served from the configured content directory (the course's own).
    picture_dir = Path(current_app.config["CONTENT_DIR"]) / "modules" / "gizi" / "images"
    picture = check_picture("isi-piringku.svg", (picture_dir / "isi-piringku.svg").read_bytes())
    return {"users": users, "ids": {"module": module.code, "lesson": lesson.slug,
                                    "attempt": attempt.id, "other_attempt": other_attempt.id,
                                    "user": target.id, "token": "not-a-token",
                                    "picture_module": "gizi", "picture_digest": picture.digest,
                                    "picture_name": picture.name}}


@pytest.mark.parametrize("method,template,expected", MATRIX,
                         ids=[f"{m} {t}" for m, t, _ in MATRIX])
def test_access_matrix(app, world, method, template, expected):
    check_row(app, world["users"], method, template.format(**world["ids"]), expected)


@pytest.mark.parametrize("method,template", OBJECT_LEVEL)
def test_another_participants_object_answers_404(app, world, method, template):
    client = app.test_client()
    owner = world["users"]["participant"]
    client.post("/masuk", data={"email": owner.email, "password": factories.PASSWORD})
    response = client.open(template.format(**world["ids"]), method=method, data={})
    assert response.status_code == 404


def test_unknown_ids_answer_404(app, world):
    client = app.test_client()
    admin = world["users"]["admin"]
    client.post("/masuk", data={"email": admin.email, "password": factories.PASSWORD})
    assert client.get("/admin/pengguna/999999").status_code == 404


def all_matrices():
    """Every MATRIX row of every tests/web/test_access*.py module."""
    from tests import web

    rows = []
    for info in pkgutil.iter_modules(web.__path__):
        if info.name.startswith("test_access"):
            rows.extend(getattr(importlib.import_module(f"tests.web.{info.name}"), "MATRIX", []))
    return rows


def test_every_route_is_in_a_matrix(app):
    covered = {(method, shape(template)) for method, template, _ in all_matrices()}
    missing = [f"{method} {rule.rule}" for rule in app.url_map.iter_rules()
               if rule.endpoint != "static"
               for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
               if (method, shape(rule.rule)) not in covered]
    assert missing == []

"""Access matrix (STYLE.md habit 4): every route × every role → expected answer.

`OK` means the role gets through the access check (200, a redirect that isn't the login page,
or 400 for an empty form post). `LOGIN` means a redirect to the login page. Every route of the
app must appear here: `test_every_route_is_in_the_matrix` fails when one is added without a row.
"""
import pytest

from course_app.extensions import db
from course_app.models import ROLES

from .. import factories

OK, LOGIN, FORBIDDEN, NOT_FOUND = "ok", "login", 403, 404
ANON = "anonymous"
PEOPLE = (ANON,) + ROLES


def only(*roles, others=FORBIDDEN):
    """Expected answers: OK for `roles`, LOGIN for anonymous, `others` for the rest."""
    return {who: OK if who in roles else (LOGIN if who == ANON else others) for who in PEOPLE}


PUBLIC = {who: OK for who in PEOPLE}
ANY_USER = {who: LOGIN if who == ANON else OK for who in PEOPLE}

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
    ("GET", "/atur-ulang-kata-sandi/not-a-token", PUBLIC),
    ("POST", "/atur-ulang-kata-sandi/not-a-token", PUBLIC),
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
]

# Another participant's objects answer 404, never 403 (DESIGN §8).
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
    return {"users": users, "ids": {"module": module.code, "lesson": lesson.slug,
                                    "attempt": attempt.id, "other_attempt": other_attempt.id,
                                    "user": target.id}}


def _classify(response):
    if response.status_code == 302 and "/masuk" in response.headers["Location"]:
        return LOGIN
    if response.status_code in (200, 302, 400):
        return OK
    return response.status_code


@pytest.mark.parametrize("method,template,expected", MATRIX,
                         ids=[f"{m} {t}" for m, t, _ in MATRIX])
def test_access_matrix(app, world, login, method, template, expected):
    url = template.format(**world["ids"])
    for who in PEOPLE:
        client = app.test_client()
        if who != ANON:
            user = world["users"][who]
            response = client.post("/masuk", data={"email": user.email,
                                                   "password": factories.PASSWORD})
            assert response.status_code == 302
        response = client.open(url, method=method, data={})
        assert _classify(response) == expected[who], f"{who} {method} {url}: {response.status_code}"


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


def test_every_route_is_in_the_matrix(app):
    covered = {(m, t.split("{")[0].rstrip("/") if False else t) for m, t, _ in MATRIX}
    templates = set()
    for m, t, _ in MATRIX:
        templates.add((m, _shape(t)))
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (method, _shape(rule.rule)) not in templates:
                missing.append(f"{method} {rule.rule}")
    assert covered and missing == []


def _shape(path):
    """Replace every variable part with `*` so `/materi/{module}` matches `/materi/<code>`."""
    import re
    path = re.sub(r"<[^>]+>", "*", path)
    path = re.sub(r"\{[^}]+\}", "*", path)
    return path.replace("/not-a-token", "/*")

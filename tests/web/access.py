"""Shared machinery for the access matrices (STYLE.md habit 4).

Each feature has a `tests/web/test_access_<feature>.py` with a `MATRIX` list of
(method, url template, expected-by-role) rows and a `world` fixture that fills the template's
{placeholders}. `test_access_matrix.py::test_every_route_is_in_a_matrix` fails when a route of
the app is in no matrix.

`OK` means the role gets through the access check (200, a redirect that isn't the login page,
or 400 for an empty form post). `LOGIN` means a redirect to the login page.
"""
import re

from course_app.models import ROLES

from .. import factories

OK, LOGIN, FORBIDDEN, NOT_FOUND = "ok", "login", 403, 404
ANON = "anonymous"
PEOPLE = (ANON,) + ROLES

PUBLIC = {who: OK for who in PEOPLE}
ANY_USER = {who: LOGIN if who == ANON else OK for who in PEOPLE}


def only(*roles, others=FORBIDDEN):
    """Expected answers: OK for `roles`, LOGIN for anonymous, `others` for everyone else."""
    return {who: OK if who in roles else (LOGIN if who == ANON else others) for who in PEOPLE}


def hidden(*roles):
    """Areas whose existence is sensitive (case-log): everyone else, anonymous included, gets 404."""
    return {who: OK if who in roles else NOT_FOUND for who in PEOPLE}


def classify(response):
    if response.status_code == 302 and "/masuk" in response.headers["Location"]:
        return LOGIN
    if response.status_code in (200, 302, 400):
        return OK
    return response.status_code


def check_row(app, users, method, url, expected):
    """Request `url` as every kind of person; `users` maps role → user."""
    for who in PEOPLE:
        client = app.test_client()
        if who != ANON:
            response = client.post("/masuk", data={"email": users[who].email,
                                                   "password": factories.PASSWORD})
            assert response.status_code == 302, f"could not log in as {who}"
        response = client.open(url, method=method, data={})
        assert classify(response) == expected[who], f"{who} {method} {url}: {response.status_code}"


def one_user_per_role(participant=None):
    return {role: (participant if role == "participant" and participant is not None
                   else factories.make_user(roles=(role,))) for role in ROLES}


def shape(path):
    """Replace every variable part with `*`, so `/materi/{module}` matches `/materi/<code>`."""
    path = re.sub(r"<[^>]+>", "*", path)
    return re.sub(r"\{[^}]+\}", "*", path)

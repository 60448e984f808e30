"""Random and hostile input to every form of the foundation: never a 500, nothing stored.

product §8: bad input gets a clear message and changes nothing. Each example posts a random
mix of the form's own field names and stray ones, with values from nasty strings (control
characters, SQL and HTML fragments, huge and non-ASCII text) and random text.
"""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models import Couple, CoupleMember, InviteCode, QuizAttempt, User, UserRole

from .. import factories

NASTY = ["", " ", "\x00", "\u202e", "' OR 1=1 --", "<script>alert(1)</script>", "{{7*7}}",
         "../../etc/passwd", "𝕂𝕦𝕡𝕒𝕟𝕘", "NaN", "-1", "9" * 400, "2026-02-31", "31/02/2026",
         "a" * 5000, "%00", "\r\n", "null", "[]", "0000-00-00"]
VALUES = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))

FORMS = {
    "/daftar": ["full_name", "email", "phone", "birth_date", "sex", "password", "password_confirm",
                "consent"],
    "/masuk": ["email", "password", "remember", "next"],
    "/lupa-kata-sandi": ["email"],
    "/atur-ulang-kata-sandi/not-a-token": ["password", "password_confirm"],
    "/akun/kata-sandi": ["current_password", "password", "password_confirm"],
    "/bahasa": ["lang", "next"],
    "/pasangan/buat": ["planned_wedding_date", "institution_type", "institution_name"],
    "/pasangan/ubah": ["planned_wedding_date", "institution_type", "institution_name"],
    "/pasangan/gabung": ["code"],
    "/admin/pengguna/{user}": ["roles"],
    "/admin/pengguna/{user}/status": ["active"],
}

# Buttons without fields (new invite code, leave, dissolve) do their one job on any POST that
# passes CSRF; they are covered by their own tests and by the CSRF tests.

COUNTED = (User, UserRole, Couple, CoupleMember, InviteCode, QuizAttempt)


def counts():
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in COUNTED}


def form_data(fields):
    names = st.sampled_from(fields + ["x", "csrf_token", "id"]) if fields else st.just("x")
    return st.dictionaries(names, st.one_of(VALUES, st.lists(VALUES, max_size=3)), max_size=10)


@pytest.fixture
def signed_in(app):
    """An admin who is also a participant, already in a couple: every form is reachable."""
    person = factories.make_user(roles=("participant", "admin"))
    target = factories.make_user()
    factories.make_couple(person)
    db.session.commit()
    client = app.test_client()
    client.post("/masuk", data={"email": person.email, "password": factories.PASSWORD})
    return client, target


@pytest.mark.parametrize("path", sorted(FORMS))
def test_hostile_form_input_never_errors_and_stores_nothing(app, signed_in, path):
    client, target = signed_in
    url = path.format(user=target.id)
    before = counts()

    @settings(max_examples=25, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(data=form_data(FORMS[path]))
    def post_it(data):
        response = client.post(url, data=data)
        assert response.status_code < 500, (url, data)
        db.session.rollback()
        assert counts() == before, (url, data)

    post_it()

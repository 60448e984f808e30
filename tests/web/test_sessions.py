"""Sessions that survive a phone and end when they should (product §8, issue 9 point 2).

A couple moves from Wi-Fi to mobile data mid-quiz: another address, sometimes another browser
identity; the session must hold. Logout, a new password, deactivation and a change of roles end
every session and remember cookie of that person at once; a remember cookie lives
REMEMBER_COOKIE_DURATION on the server too, not only in the browser.
"""
from datetime import timedelta

import pytest
import time_machine

from course_app.extensions import db
from course_app.services import accounts
from course_app.services.clock import utcnow

from .. import factories
from .pages import csrf_token, text

WIFI = {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 11) Chrome/120"}
MOBILE = {"REMOTE_ADDR": "127.0.0.57", "HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 11) Chrome/120 (data)"}


def cookie(client, name):
    found = client.get_cookie(name)
    return found.value if found else None


def replay(app, **cookies):
    """A fresh browser holding only the given cookies (a stolen or old copy)."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def logged_in_as(client, path="/akun"):
    response = client.get(path)
    return response.status_code == 200


def log_in(client, user, remember=False, environ=None):
    data = {"email": user.email, "password": factories.PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/masuk", data=data, environ_base=environ or WIFI)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


@pytest.fixture
def maria():
    user = factories.make_user(full_name="Mawar Contoh")
    db.session.commit()
    return user


# --- a phone that changes networks ---------------------------------------------------------------

def test_a_change_of_address_or_browser_never_ends_a_session(app, client, maria):
    module = factories.make_module(lessons=1, questions=4, questions_per_attempt=2, multiple=0)
    factories.read_all_lessons(maria, module)
    db.session.commit()
    log_in(client, maria, remember=True, environ=WIFI)
    started = client.post(f"/materi/{module.code}/kuis/mulai", environ_base=WIFI)
    assert started.status_code == 302
    attempt_url = started.headers["Location"]
    attempt_id = int(attempt_url.rstrip("/").split("/")[-1])

    # The phone moves to mobile data: another address and another browser identity.
    page = client.get(attempt_url, environ_base=MOBILE)
    assert page.status_code == 200
    from course_app.models import QuizAttempt
    attempt = db.session.get(QuizAttempt, attempt_id)
    answers = {f"q-{aq}": [str(o) for o in options]
               for aq, options in factories.answers_for(attempt).items()}
    submitted = client.post(attempt_url, data=answers, environ_base=MOBILE)

    assert submitted.status_code == 302
    assert "/masuk" not in submitted.headers["Location"]
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt_id).submitted_at is not None
    assert logged_in_as(client)


def test_the_session_is_not_bound_to_the_address_even_without_remember_me(app, client, maria):
    log_in(client, maria, environ=WIFI)
    assert client.get("/akun", environ_base=MOBILE).status_code == 200


# --- sessions that end ---------------------------------------------------------------------------

def test_logout_ends_every_session_and_remember_cookie_of_the_person(app, maria):
    phone, laptop = app.test_client(), app.test_client()
    log_in(phone, maria, remember=True)
    log_in(laptop, maria, remember=True)
    old_session, old_remember = cookie(phone, "session"), cookie(phone, "remember_token")
    assert old_session and old_remember

    assert phone.post("/keluar").status_code == 302

    assert not logged_in_as(phone)
    assert not logged_in_as(laptop)  # the other device too
    assert not logged_in_as(replay(app, session=old_session))
    assert not logged_in_as(replay(app, remember_token=old_remember))


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, maria):
    phone, laptop = app.test_client(), app.test_client()
    log_in(phone, maria, remember=True)
    log_in(laptop, maria, remember=True)
    stolen_session, stolen_remember = cookie(laptop, "session"), cookie(laptop, "remember_token")

    response = phone.post("/akun/kata-sandi", data={
        "current_password": factories.PASSWORD, "password": "Sore-Hujan-Di-Lasiana-77",
        "password_confirm": "Sore-Hujan-Di-Lasiana-77"}, follow_redirects=True)

    assert "Kata sandi sudah diganti" in text(response)
    assert logged_in_as(phone)
    assert not logged_in_as(laptop)
    assert not logged_in_as(replay(app, session=stolen_session))
    assert not logged_in_as(replay(app, remember_token=stolen_remember))
    # The phone's own remember cookie was renewed: it still works on its own.
    assert logged_in_as(replay(app, remember_token=cookie(phone, "remember_token")))


def test_a_password_reset_ends_every_session(app, maria):
    phone = app.test_client()
    log_in(phone, maria, remember=True)
    accounts.set_password(maria, "Sore-Hujan-Di-Lasiana-77")
    db.session.commit()
    assert not logged_in_as(phone)


@pytest.mark.parametrize("change", ["deactivate", "roles"])
def test_deactivation_and_a_change_of_roles_end_every_session(app, maria, change):
    admin = factories.make_user(roles=("admin",))
    db.session.commit()
    phone = app.test_client()
    log_in(phone, maria, remember=True)
    remember = cookie(phone, "remember_token")

    if change == "deactivate":
        accounts.set_active(maria, False, admin)
    else:
        accounts.set_roles(maria, {"participant", "reviewer"}, admin)
    db.session.commit()

    assert not logged_in_as(phone)
    assert not logged_in_as(replay(app, remember_token=remember))


def test_saving_the_same_roles_ends_no_session(app, maria):
    admin = factories.make_user(roles=("admin",))
    db.session.commit()
    phone = app.test_client()
    log_in(phone, maria)
    accounts.set_roles(maria, {"participant"}, admin)
    db.session.commit()
    assert logged_in_as(phone)


def test_the_remember_cookie_expires_on_the_server(app, maria):
    phone = app.test_client()
    log_in(phone, maria, remember=True)
    remember = cookie(phone, "remember_token")
    lifetime = app.config["REMEMBER_COOKIE_DURATION"]
    assert lifetime == timedelta(days=30)

    with time_machine.travel(utcnow() + lifetime - timedelta(days=1), tick=False):
        assert logged_in_as(replay(app, remember_token=remember))
    with time_machine.travel(utcnow() + lifetime + timedelta(days=1), tick=False):
        assert not logged_in_as(replay(app, remember_token=remember))


def test_a_session_id_that_is_not_ours_is_refused(app, maria):
    assert accounts.user_for_session(str(maria.id)) is None  # the bare id of the old format
    assert accounts.user_for_session(f"{maria.id}.x.1") is None
    assert accounts.user_for_session(maria.session_id()) == maria
    wrong_generation = f"{maria.id}.{maria.session_generation + 1}.{int(utcnow().timestamp())}"
    assert accounts.user_for_session(wrong_generation) is None


# --- login starts a new session -----------------------------------------------------------------

def test_login_rotates_the_session_and_the_csrf_token(make_app, maria):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    browser = csrf_app.test_client()
    before_token = csrf_token(browser.get("/masuk"))
    before_session = cookie(browser, "session")

    response = browser.post("/masuk", data={"email": maria.email, "password": factories.PASSWORD,
                                            "csrf_token": before_token})
    assert response.status_code == 302
    assert cookie(browser, "session") != before_session
    after_token = csrf_token(browser.get("/akun/kata-sandi"))
    assert after_token != before_token

    # A token planted before login (session fixation) is worth nothing afterwards.
    refused = browser.post("/akun/kata-sandi", data={
        "current_password": factories.PASSWORD, "password": "Sore-Hujan-Di-Lasiana-77",
        "password_confirm": "Sore-Hujan-Di-Lasiana-77", "csrf_token": before_token})
    assert refused.status_code == 400
    db.session.expire_all()
    assert accounts.authenticate(maria.email, factories.PASSWORD) == maria

"""Security and privacy (product §8): headers, cookies, CSRF, login throttling, no personal data in logs."""
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from course_app.extensions import db
from course_app.models import Couple, User
from course_app.services import accounts, clock
from tests import factories
from tests.web.pages import csrf_token, set_cookies, text


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def csp_directives(response):
    policy = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


# --- headers on every page -------------------------------------------------------------------

PUBLIC_PAGES = ["/", "/masuk", "/daftar", "/lupa-kata-sandi", "/bantuan", "/halaman-yang-tidak-ada"]
PARTICIPANT_PAGES = ["/beranda", "/pasangan/", "/akun", "/akun/kata-sandi", "/pasangan/keluar"]
ADMIN_PAGES = ["/admin/pengguna"]


def assert_protective_headers(response):
    assert response.mimetype == "text/html"
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_carries_the_protective_headers(client, path):
    assert_protective_headers(client.get(path))


def test_every_logged_in_page_carries_the_protective_headers(app, client, login):
    participant = factories.make_user()
    admin = factories.make_user(roles=("admin",))
    factories.make_couple(first=participant)
    db.session.commit()
    login(participant)
    for path in PARTICIPANT_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_protective_headers(response)

    admin_browser = app.test_client()
    factories.log_in(admin_browser, admin)
    for path in ADMIN_PAGES:
        assert_protective_headers(admin_browser.get(path))


def test_form_error_pages_carry_the_protective_headers_too(client):
    response = client.post("/daftar", data=factories.registration_data(email="bukan-email"))
    assert_protective_headers(response)


def test_pages_need_no_inline_script(client):
    html = client.get("/daftar").get_data(as_text=True)
    assert "<script>" not in html and " onclick=" not in html and " onsubmit=" not in html


def test_the_session_cookie_is_httponly_and_samesite_lax(client):
    user = factories.make_user()
    db.session.commit()

    response = client.post("/masuk", data={"email": user.email, "password": factories.PASSWORD})

    [cookie] = set_cookies(response, "session")
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax"} <= attributes


def test_the_language_cookie_is_httponly_and_samesite_lax(client):
    response = client.post("/bahasa", data={"lang": "en"})
    [cookie] = set_cookies(response, "lang")
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax"} <= attributes


# --- CSRF --------------------------------------------------------------------------------------

@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def assert_csrf_refused(response):
    assert response.status_code == 400
    assert "Formulir sudah kedaluwarsa atau dikirim dari tempat lain" in text(response)


def test_login_without_a_csrf_token_is_refused_and_changes_nothing(csrf_app):
    user = factories.make_user()
    db.session.commit()
    browser = csrf_app.test_client()

    assert_csrf_refused(browser.post("/masuk", data={"email": user.email, "password": "salah-sandinya"}))
    assert_csrf_refused(browser.post("/masuk", data={"email": user.email, "password": factories.PASSWORD}))

    db.session.expire_all()
    assert db.session.get(User, user.id).failed_logins == 0
    assert browser.get("/akun").status_code == 302


def test_login_with_the_pages_csrf_token_works(csrf_app):
    user = factories.make_user()
    db.session.commit()
    browser = csrf_app.test_client()
    token = csrf_token(browser.get("/masuk"))

    response = browser.post("/masuk", data={"email": user.email, "password": factories.PASSWORD,
                                            "csrf_token": token})

    assert response.status_code == 302
    assert browser.get("/akun").status_code == 200


def test_a_token_from_another_session_is_refused(csrf_app):
    user = factories.make_user()
    db.session.commit()
    attacker_token = csrf_token(csrf_app.test_client().get("/masuk"))

    response = csrf_app.test_client().post("/masuk", data={
        "email": user.email, "password": factories.PASSWORD, "csrf_token": attacker_token})

    assert_csrf_refused(response)


def test_registration_without_a_csrf_token_is_refused_and_stores_nothing(csrf_app):
    assert_csrf_refused(csrf_app.test_client().post("/daftar", data=factories.registration_data()))
    assert count(User) == 0


def test_forming_a_couple_without_a_csrf_token_is_refused_and_stores_nothing(csrf_app):
    user = factories.make_user()
    db.session.commit()
    browser = csrf_app.test_client()
    token = csrf_token(browser.get("/masuk"))
    browser.post("/masuk", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token})
    couple = {"planned_wedding_date": (clock.today() + timedelta(days=90)).isoformat(),
              "institution_type": "gereja", "institution_name": "Jemaat Contoh"}

    assert_csrf_refused(browser.post("/pasangan/buat", data=couple))
    assert count(Couple) == 0

    token = csrf_token(browser.get("/pasangan/"))
    assert browser.post("/pasangan/buat", data={**couple, "csrf_token": token}).status_code == 302
    assert count(Couple) == 1


def test_a_visitor_switches_language_without_a_csrf_token_and_gets_no_session(csrf_app):
    """A visitor's language is only their own cookie: public pages carry no token, so they
    write no session cookie (the verification page stays cheap, product §9)."""
    browser = csrf_app.test_client()
    page = browser.get("/masuk")
    assert 'id="lang-select"' in page.get_data(as_text=True)

    response = browser.post("/bahasa", data={"lang": "en", "next": "/masuk"})

    assert response.status_code == 302
    assert set_cookies(response, "lang")
    assert "Log in" in text(browser.get("/masuk"))


def test_a_public_page_sets_no_session_cookie_for_a_visitor(csrf_app):
    response = csrf_app.test_client().get("/bantuan")
    assert set_cookies(response, "session") == []


def test_a_signed_in_user_switching_language_without_a_csrf_token_is_refused(csrf_app):
    user = factories.make_user()
    db.session.commit()
    browser = csrf_app.test_client()
    token = csrf_token(browser.get("/masuk"))
    assert browser.post("/masuk", data={"email": user.email, "password": factories.PASSWORD,
                                        "csrf_token": token}).status_code == 302

    response = browser.post("/bahasa", data={"lang": "en"})

    assert_csrf_refused(response)
    assert set_cookies(response, "lang") == []
    db.session.expire_all()
    assert db.session.get(User, user.id).locale != "en"
    account = browser.get("/akun")
    assert browser.post("/bahasa", data={"lang": "en", "csrf_token": csrf_token(account)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"


def test_logout_without_a_csrf_token_is_refused(csrf_app):
    user = factories.make_user()
    db.session.commit()
    browser = csrf_app.test_client()
    token = csrf_token(browser.get("/masuk"))
    browser.post("/masuk", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token})

    assert_csrf_refused(browser.post("/keluar"))
    assert browser.get("/akun").status_code == 200


# --- login throttling ------------------------------------------------------------------------

def test_login_is_throttled_with_a_friendly_page(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    browser = limited.test_client()
    attempt = {"email": "tebak@example.com", "password": "tebak-tebakan-123"}

    answers = [browser.post("/masuk", data=attempt) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert "Terlalu banyak percobaan" in text(answers[-1])
    assert "Tunggu beberapa menit" in text(answers[-1])
    assert browser.get("/masuk").status_code == 200  # reading the page is not throttled


@pytest.mark.parametrize("path", ["/daftar", "/lupa-kata-sandi"])
def test_registration_and_reset_requests_are_throttled_too(make_app, path):
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    browser = limited.test_client()

    answers = [browser.post(path, data={"email": "bukan-email"}).status_code for _ in range(3)]

    assert answers == [200, 200, 429]


# --- logs ------------------------------------------------------------------------------------

def test_no_personal_data_in_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    name, email, password = "Kornelia Ndoen", "kornelia.ndoen@example.com", "Bintang-Timur-Sabu-Raijua"

    registered = client.post("/daftar", data=factories.registration_data(
        full_name=name, email=email, password=password, phone="081234567890"))
    client.post("/keluar")
    failed = client.post("/masuk", data={"email": email, "password": password + "-salah"})
    logged_in = client.post("/masuk", data={"email": email, "password": password})
    client.post("/lupa-kata-sandi", data={"email": email})
    client.post("/daftar", data=factories.registration_data(full_name=name, email=email, password=password))

    assert (registered.status_code, failed.status_code, logged_in.status_code) == (302, 200, 302)
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    for secret in (email, email.split("@")[0], name, password, "081234567890"):
        assert secret.lower() not in logged.lower(), secret


def test_an_unexpected_database_error_logs_no_personal_data(client, caplog, monkeypatch):
    """A crash while writing a person's data must not copy that data into the log via the
    database error's parameters."""
    def broken_registration(**fields):
        db.session.execute(insert(User).values(email=fields["email"], full_name=fields["full_name"],
                                               password_hash=None))

    monkeypatch.setattr(accounts, "register_participant", broken_registration)
    caplog.set_level(logging.DEBUG)
    name, email = "Kornelia Ndoen", "kornelia.ndoen@example.com"

    response = client.post("/daftar", data=factories.registration_data(full_name=name, email=email))

    assert response.status_code == 500
    assert count(User) == 0
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "unhandled error on POST /daftar" in logged
    assert email not in logged and name not in logged


def test_request_log_lines_leave_out_query_strings():
    """A search for a name must not put the name in the server log (product §8)."""
    import logging

    from course_app import DropQueryStrings

    record = logging.LogRecord("werkzeug", logging.INFO, "", 0, '"%s" %s %s',
                               ("GET /admin/pengguna?q=Nama+Contoh HTTP/1.1", "200", "-"), None)
    DropQueryStrings().filter(record)
    assert record.getMessage() == '"GET /admin/pengguna HTTP/1.1" 200 -'


# --- headers and cookie flags on every feature blueprint (issue 6 point 4) --------------------

from tests.certificate_builders import keys_fixture  # noqa: E402,F401  (the `keys` fixture)

#: One page per blueprint of the features; the foundation's pages are listed above.
FEATURE_PAGES = {
    "letters": "/surat/unggah",
    "review": "/tinjau/",
    "certificates": "/sertifikat/kelola",
    "verify": "/v/AAAAAAAAAAAAAAAA",
    "caselog": "/kasus/",
    "api": "/api/v1/keys",
}


@pytest.fixture
def everyone_browser(app):
    """A browser logged in as someone holding every role (session cookie checked on login)."""
    factories.seed_caselog()
    person = factories.make_user(roles=("participant", "reviewer", "officiant", "caseworker", "admin"))
    factories.make_couple(person)
    db.session.commit()
    browser = app.test_client()
    response = browser.post("/masuk", data={"email": person.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    [cookie] = set_cookies(response, "session")
    return browser, cookie


@pytest.mark.parametrize("blueprint", sorted(FEATURE_PAGES))
def test_every_feature_blueprint_carries_the_protective_headers(everyone_browser, keys, blueprint):
    browser, cookie = everyone_browser
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= attributes

    response = browser.get(FEATURE_PAGES[blueprint])

    assert response.status_code == 200, (blueprint, response.status_code)
    if blueprint == "api":
        assert response.mimetype == "application/json"
        directives = csp_directives(response)
        assert directives["script-src"] == ["'self'"] and directives["frame-ancestors"] == ["'none'"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
    else:
        assert_protective_headers(response)
    # A page of a logged-in user never sets a session cookie without its flags.
    for header in set_cookies(response, "session"):
        assert {"httponly", "samesite=lax"} <= {p.strip().lower() for p in header.split(";")[1:]}


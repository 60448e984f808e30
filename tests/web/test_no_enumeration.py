"""No enumeration, no leaks (product §8, issue 9 point 6): a locked account answers like a wrong
password; the case-log answers every non-staff request with the site's ordinary 404, whatever
the method or spelling; pages made for a signed-in person are never cached."""
import re

import pytest

from course_app.extensions import db
from course_app.services import accounts
from course_app.services.clock import utcnow

from .. import factories
from .pages import text

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
CASELOG_PATHS = ("/kasus", "/kasus/", "/KASUS", "/Kasus/", "//kasus", "/kasus//", "/kasus/1",
                 "/kasus/1/", "/kasus//1", "/kasus/baru", "/kasus/unduh", "/kasus/laporan",
                 "/kasus/impor", "/kasus/tidak-ada", "/api/v1/caselog/reports/cause",
                 "/api/v1/caselog/reports/cause/", "/api/v1//caselog/reports/cause")


# --- a locked account --------------------------------------------------------------------------

def test_a_locked_account_answers_like_a_wrong_password_and_does_the_same_work(app, client, monkeypatch):
    from datetime import timedelta

    locked = factories.make_user(email="terkunci@contoh.test")
    locked.locked_until = utcnow() + timedelta(minutes=10)
    open_account = factories.make_user(email="terbuka@contoh.test")
    db.session.commit()
    checks = []
    real = accounts.verify_password
    monkeypatch.setattr(accounts, "verify_password", lambda *a: checks.append(1) or real(*a))

    answers = {}
    for case, (email, password) in {
            "unknown email": ("tidak.ada@contoh.test", factories.PASSWORD),
            "wrong password": (open_account.email, "bukan-sandinya-123"),
            "locked, right password": (locked.email, factories.PASSWORD),
            "locked, wrong password": (locked.email, "bukan-sandinya-123")}.items():
        checks.clear()
        response = client.post("/masuk", data={"email": email, "password": password})
        answers[case] = (response.status_code, text(response).replace(email, "EMAIL"), len(checks))

    assert len(set(answers.values())) == 1, answers
    status, page, work = answers["locked, right password"]
    assert status == 200 and work == 1
    assert "Email atau kata sandi salah, atau akun sedang dikunci sementara." in page


# --- the case-log does not exist for anyone else --------------------------------------------------

@pytest.fixture(params=["visitor", "participant", "reviewer", "officiant"])
def outsider(request, app):
    browser = app.test_client()
    if request.param != "visitor":
        user = factories.make_user(roles=(request.param,))
        db.session.commit()
        factories.log_in(browser, user)
    return browser


def request_line(browser, method, path):
    """As the request line reaches the server (the test client would read "//kasus" as a host)."""
    return browser.open("/", method=method, environ_overrides={"PATH_INFO": path, "RAW_URI": path})


def without_echoed_path(response):
    """The page bar the language form's way back to the address asked for, and the CSRF tokens
    (signed with the second they were made in)."""
    page = re.sub(r'name="next" value="[^"]*"', "", response.get_data(as_text=True))
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"', "", page)


def ordinary_404(browser, method, path):
    """What any unknown address of the same kind answers: the HTML page, or the API's JSON."""
    unknown = "/api/v1/tidak-ada" if "api" in path else "/tidak-ada-halaman-ini"
    return request_line(browser, method, unknown)


@pytest.mark.parametrize("method", METHODS)
def test_non_staff_get_the_same_404_for_every_method_and_spelling_of_the_case_log(outsider, method):
    for path in CASELOG_PATHS:
        reference = ordinary_404(outsider, method, path)
        assert reference.status_code == 404
        response = request_line(outsider, method, path)
        assert response.status_code == 404, (method, path, response.status_code)
        assert "Location" not in response.headers and "Allow" not in response.headers, (method, path)
        assert without_echoed_path(response) == without_echoed_path(reference), (method, path)


def test_case_staff_still_reach_the_case_log_by_its_usual_spellings(app, client):
    factories.seed_caselog()
    worker = factories.make_user(roles=("caseworker",))
    db.session.commit()
    factories.log_in(client, worker)
    assert client.get("/kasus/").status_code == 200
    assert client.get("/kasus").status_code == 308


# --- private pages are not kept by caches --------------------------------------------------------

@pytest.mark.parametrize("path", ["/beranda", "/akun", "/akun/kata-sandi", "/materi/", "/surat/"])
def test_pages_for_a_signed_in_person_are_never_cached(client, path):
    factories.log_in(client, factories.make_user())
    response = client.get(path)
    assert response.status_code == 200, path
    assert "no-store" in response.headers["Cache-Control"]
    assert "Cookie" in response.headers.get("Vary", "")


def test_static_files_stay_cacheable_for_a_signed_in_person(client):
    factories.log_in(client, factories.make_user())
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")

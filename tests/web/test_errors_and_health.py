"""Health checks, friendly error pages and the language switch (product §3, §8)."""
import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from course_app.extensions import db
from course_app.models import User
from course_app.services import accounts
from tests import factories
from tests.web.pages import html_lang, set_cookies, text


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def database_down(*args, **kwargs):
    raise OperationalError("SELECT 1", {}, Exception("connection refused"))


# --- health ----------------------------------------------------------------------------------

def test_healthz_says_ok_without_the_database(client, monkeypatch):
    monkeypatch.setattr(db.session, "execute", database_down)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_says_ok_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"


def test_readyz_answers_503_when_the_database_fails(client, monkeypatch):
    monkeypatch.setattr(db.session, "execute", database_down)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.get_data(as_text=True) == "database unavailable"
    assert response.headers["Cache-Control"] == "no-store"


# --- error pages -----------------------------------------------------------------------------

def test_an_unknown_address_gets_a_friendly_indonesian_404(client):
    response = client.get("/alamat-yang-tidak-ada")

    assert response.status_code == 404
    assert html_lang(response) == "id"
    page = text(response)
    assert "Halaman tidak ditemukan" in page
    assert "Periksa kembali tautannya" in page
    assert "Kembali ke halaman utama" in page


def test_api_clients_get_errors_as_json(client):
    response = client.get("/api/tidak-ada")
    assert response.status_code == 404
    assert response.get_json() == {"error": 404, "message": "Halaman tidak ditemukan"}


def test_a_body_over_the_size_limit_gets_the_indonesian_413_page(app, client):
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1024)

    response = client.post("/daftar", data={"full_name": too_big, "email": "besar@example.com"})

    assert response.status_code == 413
    page = text(response)
    assert "Berkas terlalu besar" in page and "Perkecil berkas" in page
    assert count(User) == 0


def test_an_unexpected_error_shows_the_friendly_page_and_rolls_back(client, monkeypatch):
    def half_then_crash(**fields):
        accounts.create_user(email=fields["email"], password=fields["password"], roles=("participant",),
                             full_name=fields["full_name"])  # flushed, not committed
        raise RuntimeError("something broke after the insert")

    monkeypatch.setattr(accounts, "register_participant", half_then_crash)

    response = client.post("/daftar", data=factories.registration_data())

    assert response.status_code == 500
    page = text(response)
    assert "Terjadi kesalahan pada server" in page and "Data Anda tidak berubah" in page
    assert "RuntimeError" not in page and "Traceback" not in page
    assert count(User) == 0


def test_a_database_outage_during_a_request_shows_the_503_page(client, monkeypatch):
    monkeypatch.setattr(accounts, "find_user_by_email", database_down)

    response = client.post("/masuk", data={"email": "siapa@example.com", "password": "apa-saja-123"})

    assert response.status_code == 503
    assert "Layanan sedang tidak tersedia" in text(response)


# --- language --------------------------------------------------------------------------------

def english(app, message):
    """What the English catalogue says for `message` (the source text while untranslated)."""
    with app.test_request_context(), force_locale("en"):
        return gettext(message)


def test_switching_to_english_sets_the_cookie_and_the_next_page_is_english(app, client):
    response = client.post("/bahasa", data={"lang": "en", "next": "/masuk"})

    assert response.status_code == 302 and response.headers["Location"] == "/masuk"
    [cookie] = set_cookies(response, "lang")
    assert cookie.startswith("lang=en;")
    page = client.get("/masuk")
    assert html_lang(page) == "en"
    assert '<option value="en" selected>' in page.get_data(as_text=True)
    assert f"<h1>{english(app, 'Masuk')}</h1>" in page.get_data(as_text=True)


def test_indonesian_is_the_default_language(client):
    page = client.get("/masuk")
    assert html_lang(page) == "id"
    assert '<option value="id" selected>' in page.get_data(as_text=True)
    assert "Masuk" in text(page)


@pytest.mark.parametrize("lang", ["xx", "", "en-US"])
def test_an_unknown_language_changes_nothing(client, lang):
    response = client.post("/bahasa", data={"lang": lang, "next": "/masuk"})

    assert response.status_code == 302
    assert set_cookies(response, "lang") == []
    assert html_lang(client.get("/masuk")) == "id"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_the_language_switch_only_returns_to_same_site_pages(client, target):
    response = client.post("/bahasa", data={"lang": "en", "next": target})
    assert response.headers["Location"] == "/"


def test_a_logged_in_users_language_choice_is_saved_on_the_user(app, client, login):
    user = factories.make_user()
    db.session.commit()
    login(user)

    client.post("/bahasa", data={"lang": "en", "next": "/akun"})

    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    # Another device, without the cookie, follows the saved choice after logging in.
    other_device = app.test_client()
    factories.log_in(other_device, user)
    assert html_lang(other_device.get("/akun")) == "en"


def test_the_saved_choice_wins_over_the_cookie(app, client, login):
    user = factories.make_user(locale="id")
    db.session.commit()
    client.post("/bahasa", data={"lang": "en"})
    assert html_lang(client.get("/masuk")) == "en"

    login(user)

    assert html_lang(client.get("/akun")) == "id"


def test_a_savepoint_released_before_an_error_is_rolled_back_with_the_request(client, monkeypatch):
    """On SQLite too: the savepoint that wrote the account must not have committed on its own."""
    def savepoint_then_crash(**fields):
        from course_app.extensions import db
        with db.session.begin_nested():
            accounts.create_user(email=fields["email"], password=fields["password"],
                                 roles=("participant",), full_name=fields["full_name"])
        raise RuntimeError("something broke after the savepoint")

    monkeypatch.setattr(accounts, "register_participant", savepoint_then_crash)

    response = client.post("/daftar", data=factories.registration_data())

    assert response.status_code == 500
    assert count(User) == 0

"""Register, log in and out, change and reset passwords through the pages (product §2, §8)."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models import User
from course_app.services import accounts, clock
from course_app.services.passwords import verify_password
from tests import factories
from tests.mailbox import Outbox
from tests.web.pages import error_beside, flashes, text

NEW_PASSWORD = "Laut-Biru-Pantai-Lasiana"


def user_count():
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.fixture
def outbox(app):
    """Mail queued during the test (the outbox; sending is `flask mail send`'s job)."""
    return Outbox()


# --- registration ----------------------------------------------------------------------------

def test_registering_creates_the_account_emails_a_welcome_and_sends_the_person_to_log_in(client, outbox):
    data = factories.registration_data(full_name="Mawar Contoh", email="Maria.Bano@Example.com",
                                       phone="0812 3456 7890")

    response = client.post("/daftar", data=data)

    assert response.status_code == 302 and response.headers["Location"] == "/masuk"
    user = db.session.scalar(select(User).where(User.email == "maria.bano@example.com"))
    assert user.full_name == "Mawar Contoh" and user.role_codes == {"participant"}
    assert user.birth_date == date(1998, 5, 17) and user.sex == "P" and user.phone == "081234567890"
    assert [(m["To"], m["Subject"]) for m in outbox] == [
        ("maria.bano@example.com", "Akun Pranikah Kupang Anda sudah dibuat")]
    assert "Pendaftaran diterima" in text(client.get("/masuk"))
    client.post("/masuk", data={"email": "maria.bano@example.com", "password": data["password"]})
    dashboard = client.get("/beranda")
    assert dashboard.status_code == 200 and "Halo, Mawar Contoh" in text(dashboard)


TOMORROW = (clock.today() + timedelta(days=1)).isoformat()


def test_a_birth_date_typed_day_first_is_understood(client):
    """Phones without a date picker show a text box; people in Kupang write 17/05/1998."""
    response = client.post("/daftar", data=factories.registration_data(birth_date="17/05/1998"))
    assert response.status_code == 302
    assert db.session.scalar(db.select(User)).birth_date == date(1998, 5, 17)


@pytest.mark.parametrize("overrides, field, message", [
    ({"full_name": ""}, "full_name", "Isi nama lengkap Anda."),
    ({"full_name": "Al"}, "full_name", "Nama 3–120 karakter."),
    ({"email": ""}, "email", "Isi alamat email Anda."),
    ({"email": "maria-at-example.com"}, "email", "Alamat email tidak valid."),
    ({"phone": "12345"}, "phone", "Nomor HP tidak valid. Contoh: 0812 3456 7890."),
    ({"birth_date": ""}, "birth_date", "Isi tanggal lahir Anda (hari, bulan, tahun)."),
    ({"birth_date": "31/02/1998"}, "birth_date", "Tanggal lahir tidak valid. Tulis seperti 17/05/1998"),
    ({"birth_date": TOMORROW}, "birth_date", "Tanggal lahir tidak sesuai. Periksa kembali tanggal lahir Anda."),
    ({"sex": ""}, "sex", "Pilih jenis kelamin."),
    ({"sex": "X"}, "sex", "Pilih jenis kelamin."),
    ({"password": "", "password_confirm": ""}, "password", "Isi kata sandi."),
    ({"password": "Pendek-12"}, "password", "Kata sandi minimal 10 karakter."),
    ({"password": "password123"}, "password", "Kata sandi ini terlalu mudah ditebak. Gunakan gabungan beberapa kata."),
    ({"full_name": "Mawar Contoh", "password": "MawarContoh-Kupang"}, "password",
     "Kata sandi tidak boleh memuat nama atau email Anda."),
    ({"password_confirm": "Sesuatu-Yang-Lain-2026"}, "password_confirm", "Kedua kata sandi tidak sama."),
    ({"consent": ""}, "consent", "Persetujuan ini diperlukan untuk mendaftar."),
], ids=["no-name", "short-name", "no-email", "bad-email", "bad-phone", "no-birth-date",
        "unreadable-birth-date", "future-birth-date", "no-sex", "unknown-sex", "no-password",
        "short-password", "common-password", "password-with-name", "passwords-differ", "no-consent"])
def test_each_bad_registration_input_is_explained_beside_its_field_and_nothing_is_stored(
        client, overrides, field, message):
    data = factories.registration_data(**overrides)
    if overrides.get("sex") == "":
        del data["sex"]
    if overrides.get("consent") == "":
        del data["consent"]

    response = client.post("/daftar", data=data)

    assert response.status_code == 200
    assert message in (error_beside(response, field) or ""), text(response)[:800]
    assert user_count() == 0
    # What the person typed is still there (except passwords).
    if field not in ("full_name", "password", "password_confirm"):
        assert f'value="{data["full_name"]}"' in response.get_data(as_text=True)


def registration_answer(client, email):
    response = client.post("/daftar", data=factories.registration_data(email=email))
    return response.status_code, response.headers.get("Location"), flashes(client.get("/masuk"))


def test_registering_an_existing_email_answers_exactly_as_a_new_one_and_tells_only_its_owner(
        app, outbox):
    """No account enumeration (product §8): same status, place and message; the owner is emailed."""
    owner = factories.make_user(email="maria.bano@example.com", full_name="Mawar Contoh")
    db.session.commit()

    existing = registration_answer(app.test_client(), "MARIA.Bano@example.com")
    new = registration_answer(app.test_client(), "yosef.lado@example.com")

    assert existing == new and existing[:2] == (302, "/masuk")
    assert user_count() == 2  # the owner and the new registrant: nothing made for the taken address
    assert db.session.get(User, owner.id).full_name == "Mawar Contoh"
    notice, welcome = outbox
    assert notice["To"] == "maria.bano@example.com"
    assert notice["Subject"] == "Pendaftaran dengan email Anda di Pranikah Kupang"
    assert "/lupa-kata-sandi" in notice.get_content() and "/masuk" in notice.get_content()
    assert welcome["To"] == "yosef.lado@example.com"


def test_both_registration_paths_do_the_same_work_one_password_hash_and_one_email(
        client, outbox, monkeypatch):
    """Timing, structurally (no clock in tests; `make bench` measures it)."""
    from course_app.services import accounts as accounts_service

    factories.make_user(email="maria.bano@example.com")
    db.session.commit()
    hashed = []
    real_hash = accounts_service.hash_password
    monkeypatch.setattr(accounts_service, "hash_password", lambda p: hashed.append(p) or real_hash(p))

    work = []
    for email in ("maria.bano@example.com", "yosef.lado@example.com"):
        hashed.clear()
        before = len(outbox)
        client.post("/daftar", data=factories.registration_data(email=email))
        work.append((len(hashed), len(outbox) - before))

    assert work == [(1, 1), (1, 1)]


def test_a_bad_registration_with_an_existing_email_is_explained_as_for_a_new_one(client, outbox):
    """Every rule is checked before the address is looked up: a weak password says so, whoever
    owns the address, and nobody is emailed."""
    factories.make_user(email="maria.bano@example.com")
    db.session.commit()
    weak = {"password": "password123", "password_confirm": "password123"}

    existing = client.post("/daftar", data=factories.registration_data(email="maria.bano@example.com", **weak))
    new = client.post("/daftar", data=factories.registration_data(email="yosef.lado@example.com", **weak))

    assert existing.status_code == new.status_code == 200
    assert error_beside(existing, "password") == error_beside(new, "password")
    assert len(outbox) == 0


# --- login and logout ------------------------------------------------------------------------

def test_login_with_a_wrong_password_shows_the_generic_message(client):
    user = factories.make_user()
    db.session.commit()

    wrong_password = client.post("/masuk", data={"email": user.email, "password": "bukan-ini-sandinya"})
    unknown_email = client.post("/masuk", data={"email": "tidak.ada@example.com", "password": "apa-saja-123"})

    generic = "Email atau kata sandi salah, atau akun sedang dikunci sementara."
    for response in (wrong_password, unknown_email):
        assert response.status_code == 200
        assert error_beside(response, "password") == generic
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_logins == 1
    assert client.get("/akun").status_code == 302


def test_login_locks_the_account_after_repeated_failures(app, client):
    user = factories.make_user()
    db.session.commit()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/masuk", data={"email": user.email, "password": "bukan-ini-sandinya"})

    response = client.post("/masuk", data={"email": user.email, "password": factories.PASSWORD})

    assert response.status_code == 200
    assert error_beside(response, "password").startswith("Email atau kata sandi salah")
    assert client.get("/akun").status_code == 302


@pytest.mark.parametrize("roles, home", [
    (("participant",), "/beranda"),
    (("admin",), "/admin/pengguna"),
    (("reviewer",), "/tinjau/"),
    (("caseworker",), "/kasus/"),
    (("officiant",), "/verify/scan"),
    (("participant", "admin"), "/beranda"),
])
def test_login_goes_to_the_home_page_of_the_role(client, roles, home):
    user = factories.make_user(roles=roles)
    db.session.commit()

    response = client.post("/masuk", data={"email": user.email, "password": factories.PASSWORD})

    assert response.headers["Location"] == home


@pytest.mark.parametrize("target, expected", [
    ("/materi/", "/materi/"),
    ("/pasangan/?tab=kode", "/pasangan/?tab=kode"),
    ("https://evil.example/", "/beranda"),
    ("//evil.example", "/beranda"),
    ("/\\evil.example", "/beranda"),
    ("\\\\evil.example", "/beranda"),
    ("javascript:alert(1)", "/beranda"),
    ("beranda", "/beranda"),
], ids=["lessons", "with-query", "absolute", "scheme-relative", "backslash", "double-backslash",
        "javascript", "relative"])
@pytest.mark.parametrize("sent_as", ["query", "form"])
def test_login_follows_only_a_same_site_next(client, target, expected, sent_as):
    user = factories.make_user()
    db.session.commit()
    credentials = {"email": user.email, "password": factories.PASSWORD}

    if sent_as == "query":
        response = client.post("/masuk", query_string={"next": target}, data=credentials)
    else:
        response = client.post("/masuk", data={**credentials, "next": target})

    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_the_login_page_carries_next_into_the_form(client):
    response = client.get("/masuk?next=/materi/")
    assert 'name="next" type="hidden" value="/materi/"' in response.get_data(as_text=True)


def test_logout_is_post_only(client, login):
    user = factories.make_user()
    db.session.commit()
    login(user)

    refused = client.get("/keluar")
    assert refused.status_code == 405
    assert "Cara akses tidak didukung" in text(refused)
    assert client.get("/akun").status_code == 200

    response = client.post("/keluar")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/akun").status_code == 302


# --- forgotten password ----------------------------------------------------------------------

def request_reset(client, email, **kwargs):
    return client.post("/lupa-kata-sandi", data={"email": email}, follow_redirects=True, **kwargs)


def test_forgot_password_answers_the_same_for_unknown_emails_and_sends_a_link_only_to_known_ones(
        client, outbox):
    user = factories.make_user(email="maria.bano@example.com")
    db.session.commit()

    known = request_reset(client, "Maria.Bano@example.com")
    unknown = request_reset(client, "Tidak.Terdaftar@example.com")

    assert known.status_code == unknown.status_code == 200
    assert flashes(known) == flashes(unknown)
    assert "Jika email itu terdaftar" in flashes(known)[0][1]
    # One email each (the same work, the same time); only the account's owner gets a link.
    to_known, to_unknown = outbox
    assert (to_known["To"], to_unknown["To"]) == (user.email, "tidak.terdaftar@example.com")
    assert "/atur-ulang-kata-sandi/" in to_known.get_content()
    assert "/atur-ulang-kata-sandi/" not in to_unknown.get_content()
    assert "tidak ada akun aktif" in to_unknown.get_content()


def test_a_deactivated_account_gets_no_reset_link(client, outbox):
    admin = factories.make_user(roles=("admin",))
    user = factories.make_user(email="yosef.lado@example.com")
    accounts.set_active(user, False, acting_user=admin)
    db.session.commit()
    outbox.clear()

    response = request_reset(client, user.email)

    assert "Jika email itu terdaftar" in flashes(response)[0][1]
    [mail] = outbox
    assert "/atur-ulang-kata-sandi/" not in mail.get_content()


def reset_link(mail):
    body = mail.get_content()
    match = re.search(r"(\S+/atur-ulang-kata-sandi/\S+)", body)
    assert match, body
    return match.group(1)


def test_password_reset_through_the_emailed_link(app, client, outbox):
    user = factories.make_user(email="maria.bano@example.com")
    db.session.commit()
    request_reset(client, user.email)
    link = reset_link(outbox[0])
    assert link.startswith(app.config["PUBLIC_BASE_URL"] + "/atur-ulang-kata-sandi/")
    path = link[len(app.config["PUBLIC_BASE_URL"]):]

    assert client.get(path).status_code == 200
    mismatch = client.post(path, data={"password": NEW_PASSWORD, "password_confirm": "lain-lagi"})
    assert error_beside(mismatch, "password_confirm") == "Kedua kata sandi tidak sama."
    done = client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})

    assert done.status_code == 302 and done.headers["Location"] == "/masuk"
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, NEW_PASSWORD)
    old = client.post("/masuk", data={"email": user.email, "password": factories.PASSWORD})
    assert old.status_code == 200
    assert client.post("/masuk", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302

    # The link works once.
    again = client.get(path, follow_redirects=True)
    assert again.request.path == "/lupa-kata-sandi"
    assert ("error", "Tautan ini tidak sah atau sudah dipakai. Minta tautan baru.") in flashes(again)


def test_a_weak_new_password_is_refused_on_the_reset_page(app, client, outbox):
    user = factories.make_user(email="maria.bano@example.com")
    db.session.commit()
    request_reset(client, user.email)
    path = reset_link(outbox[0])[len(app.config["PUBLIC_BASE_URL"]):]

    response = client.post(path, data={"password": "password123", "password_confirm": "password123"})

    assert response.status_code == 200
    assert "terlalu mudah ditebak" in error_beside(response, "password")
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, factories.PASSWORD)


def test_a_tampered_reset_link_is_refused(client):
    response = client.get("/atur-ulang-kata-sandi/bukan.token.asli", follow_redirects=True)
    assert response.request.path == "/lupa-kata-sandi"
    assert ("error", "Tautan ini tidak sah atau sudah dipakai. Minta tautan baru.") in flashes(response)


def test_the_reset_link_uses_public_base_url_not_the_host_header(app, client, outbox):
    user = factories.make_user(email="maria.bano@example.com")
    db.session.commit()

    client.post("/lupa-kata-sandi", data={"email": user.email}, base_url="http://evil.example",
                headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"})

    body = outbox[0].get_content()
    assert reset_link(outbox[0]).startswith(app.config["PUBLIC_BASE_URL"] + "/")
    assert "evil.example" not in body


# --- change password -------------------------------------------------------------------------

def test_changing_the_password_needs_the_current_one(client, login):
    user = factories.make_user()
    db.session.commit()
    login(user)

    response = client.post("/akun/kata-sandi", data={
        "current_password": "tebakan-yang-salah", "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD})

    assert response.status_code == 200
    assert error_beside(response, "current_password") == "Kata sandi saat ini salah."
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, factories.PASSWORD)


def test_changing_the_password(client, login):
    user = factories.make_user()
    db.session.commit()
    login(user)

    response = client.post("/akun/kata-sandi", data={
        "current_password": factories.PASSWORD, "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD}, follow_redirects=True)

    assert response.request.path == "/akun"
    assert ("success", "Kata sandi sudah diganti. Perangkat lain yang masih masuk sudah dikeluarkan.") in flashes(response)
    client.post("/keluar")
    assert client.post("/masuk", data={"email": user.email, "password": factories.PASSWORD}).status_code == 200
    assert client.post("/masuk", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302


def test_account_pages_need_a_login(client):
    for path in ("/akun", "/akun/kata-sandi"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/masuk?next=")

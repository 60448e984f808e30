"""Staff accounts from the web, as the admin and the invited person see them (issue 12 point 1):
the new-account form, the invitation email and page, resend, reset link, deactivation with a
confirmation, the account's history, and the officiants CSV import with its preview."""
import io
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models import User
from course_app.services import accounts
from course_app.services.clock import utcnow
from tests import factories
from tests.mailbox import Outbox
from tests.web.pages import csrf_token, error_beside, flashes, text

NEW = {"full_name": "Pdt. Yosua Contoh", "email": "Yosua.Contoh@Example.org", "roles": ["officiant"],
       "institution_type": "gereja", "institution_name": "GMIT Jemaat Contoh Oebobo"}
PASSWORD = "kopi pagi di oesapa"


@pytest.fixture
def admin(client, login):
    person = factories.make_user(roles=("admin",), full_name="Admin Kantor", email="admin@example.org")
    db.session.commit()
    login(person)
    return person


def invitation_path(mail):
    return re.search(r"https?://[^/\s]+(/undangan/\S+)", mail.get_content()).group(1)


def user_by_email(email):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def history(client, person):
    page = client.get(f"/admin/pengguna/{person.id}")
    return re.findall(r'<tr data-action="([a-z_]+)">', page.get_data(as_text=True))


# --- a new account -------------------------------------------------------------------------------

def test_the_user_list_offers_the_form_and_the_import_instead_of_the_cli(client, admin):
    page = text(client.get("/admin/pengguna"))
    assert "Buat akun petugas" in page and "Impor petugas" in page
    assert "flask --app" not in page


def test_an_admin_creates_an_officiant_who_gets_an_invitation(client, admin):
    response = client.post("/admin/pengguna/baru", data=NEW)

    person = user_by_email("yosua.contoh@example.org")
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/pengguna/{person.id}"
    assert (person.institution_type, person.institution_name) == ("gereja", "GMIT Jemaat Contoh Oebobo")
    [mail] = Outbox()
    assert mail["To"] == "yosua.contoh@example.org"
    assert "Undangan" in mail["Subject"]
    page = client.get(f"/admin/pengguna/{person.id}")
    assert "Undangan untuk membuat kata sandi dikirim" in " ".join(m for _c, m in flashes(page))
    assert "belum membuat kata sandi" in text(page)
    assert history(client, person) == ["invitation_send", "user_create"]


def test_an_existing_email_is_refused_beside_the_field_and_nothing_is_created(client, admin):
    factories.make_user(email="yosua.contoh@example.org")
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(User))

    response = client.post("/admin/pengguna/baru", data=NEW)

    assert response.status_code == 200
    assert "Sudah ada akun dengan email ini" in error_beside(response, "email")
    assert db.session.scalar(select(func.count()).select_from(User)) == before
    assert len(Outbox()) == 0


def test_an_officiant_without_an_institution_is_refused_beside_the_field(client, admin):
    response = client.post("/admin/pengguna/baru", data=dict(NEW, institution_type=""))
    assert "Pilih jenis lembaga" in error_beside(response, "institution_type")
    assert user_by_email("yosua.contoh@example.org") is None


def test_a_reviewer_needs_no_institution(client, admin):
    client.post("/admin/pengguna/baru", data=dict(NEW, roles=["reviewer"], institution_type="",
                                                  institution_name=""))
    person = user_by_email("yosua.contoh@example.org")
    assert person.role_codes == {"reviewer"} and person.institution_type is None


def test_the_form_offers_staff_roles_only(client, admin):
    page = client.get("/admin/pengguna/baru").get_data(as_text=True)
    offered = set(re.findall(r'name="roles"[^>]*value="(\w+)"', page))
    assert offered == {"officiant", "reviewer", "caseworker", "police", "admin"}
    response = client.post("/admin/pengguna/baru", data=dict(NEW, roles=["participant"]))
    assert error_beside(response, "roles")
    assert user_by_email("yosua.contoh@example.org") is None


# --- the invitation page -----------------------------------------------------------------------------

def test_the_invitation_link_sets_the_password_once_then_login_works(app, client, admin):
    client.post("/admin/pengguna/baru", data=NEW)
    path = invitation_path(Outbox()[0])
    guest = app.test_client()

    assert "Selamat datang, Pdt. Yosua Contoh" in text(guest.get(path))
    response = guest.post(path, data={"password": PASSWORD, "password_confirm": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")
    assert guest.post("/masuk", data={"email": "yosua.contoh@example.org", "password": PASSWORD}).status_code == 302
    assert guest.get("/akun").status_code == 200

    again = app.test_client().get(path)
    assert again.status_code == 410
    assert "tidak sah atau sudah tidak berlaku" in text(again)


def test_the_invitation_page_applies_the_password_rules(app, client, admin):
    client.post("/admin/pengguna/baru", data=NEW)
    path = invitation_path(Outbox()[0])
    response = app.test_client().post(path, data={"password": "pendek", "password_confirm": "pendek"})
    assert response.status_code == 200
    assert "minimal" in error_beside(response, "password").lower()
    assert not accounts.has_usable_password(user_by_email("yosua.contoh@example.org"))


def test_an_expired_invitation_says_to_ask_the_admin_for_a_new_one(app, client, admin):
    client.post("/admin/pengguna/baru", data=NEW)
    path = invitation_path(Outbox()[0])
    with time_machine.travel(utcnow() + timedelta(days=app.config["INVITATION_DAYS"], minutes=1), tick=False):
        response = app.test_client().get(path)
        refused = app.test_client().post(path, data={"password": PASSWORD, "password_confirm": PASSWORD})
    assert response.status_code == refused.status_code == 410
    assert "sudah kedaluwarsa" in text(response) and "admin" in text(response)
    assert not accounts.has_usable_password(user_by_email("yosua.contoh@example.org"))


def test_an_invited_person_cannot_log_in_before_accepting(app, client, admin):
    client.post("/admin/pengguna/baru", data=NEW)
    response = app.test_client().post("/masuk", data={"email": "yosua.contoh@example.org", "password": "apa saja"})
    assert response.status_code == 200
    assert "Email atau kata sandi salah" in error_beside(response, "password")


# --- on the user page ------------------------------------------------------------------------------

def test_resend_makes_the_old_link_useless_and_is_in_the_history(app, client, admin):
    client.post("/admin/pengguna/baru", data=NEW)
    person = user_by_email("yosua.contoh@example.org")
    old = invitation_path(Outbox()[0])

    response = client.post(f"/admin/pengguna/{person.id}/undangan", follow_redirects=True)

    assert "Undangan baru dikirim" in " ".join(m for _c, m in flashes(response))
    new = invitation_path(Outbox()[1])
    assert app.test_client().get(old).status_code == 410
    assert app.test_client().get(new).status_code == 200
    assert history(client, person)[0] == "invitation_resend"


def test_an_admin_sends_a_reset_link_shown_in_the_history(client, admin):
    person = factories.make_user(roles=("caseworker",), email="petugas@example.org")
    db.session.commit()

    response = client.post(f"/admin/pengguna/{person.id}/atur-ulang", follow_redirects=True)

    assert "Tautan atur ulang kata sandi dikirim" in " ".join(m for _c, m in flashes(response))
    [mail] = Outbox()
    assert mail["To"] == "petugas@example.org" and "/atur-ulang-kata-sandi/" in mail.get_content()
    assert history(client, person) == ["reset_link_send"]


def test_deactivation_asks_for_confirmation_first(client, admin):
    person = factories.make_user(roles=("reviewer",))
    db.session.commit()

    user_page = client.get(f"/admin/pengguna/{person.id}").get_data(as_text=True)
    assert f'href="/admin/pengguna/{person.id}/status"' in user_page
    confirm = client.get(f"/admin/pengguna/{person.id}/status")
    assert "Ya, nonaktifkan akun" in text(confirm)
    db.session.expire_all()
    assert db.session.get(User, person.id).is_active  # looking at the question changes nothing

    client.post(f"/admin/pengguna/{person.id}/status", data={"active": "0"})
    client.post(f"/admin/pengguna/{person.id}/status", data={"active": "1"})
    assert history(client, person) == ["user_activate", "user_deactivate"]


def test_an_officiants_institution_is_changed_and_audited(client, admin):
    client.post("/admin/pengguna/baru", data=NEW)
    person = user_by_email("yosua.contoh@example.org")

    client.post(f"/admin/pengguna/{person.id}/lembaga",
                data={"institution_type": "catatan_sipil", "institution_name": "Dukcapil Kota Kupang"})

    person = user_by_email("yosua.contoh@example.org")
    assert (person.institution_type, person.institution_name) == ("catatan_sipil", "Dukcapil Kota Kupang")
    assert history(client, person)[0] == "institution_set"


# --- the CSV import ------------------------------------------------------------------------------

def upload(client, data, name="petugas.csv"):
    return client.post("/admin/pengguna/impor", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_the_import_preview_shows_every_problem_and_confirm_is_not_offered(client, admin):
    response = upload(client, b"nama,email,jenis_lembaga,nama_lembaga\n"
                              b"Romo Paulus,paulus@example.org,gereja,Paroki Contoh\n"
                              b",bukan-email,kuil,Lembaga Contoh\n")
    preview = client.get(response.headers["Location"])
    page = preview.get_data(as_text=True)

    assert re.findall(r'<tr data-line="(\d+)">', page) == ["3", "3", "3"]
    assert "Alamat email tidak valid" in text(preview) and "tidak dikenal" in text(preview)
    assert "/konfirmasi" not in page
    assert user_by_email("paulus@example.org") is None


def test_the_import_confirmed_creates_every_account_and_invitation(client, admin):
    response = upload(client, b"Name;Email;Institution type;Institution name\n"
                              b"Romo Paulus;paulus@example.org;GEREJA;Paroki Contoh\n"
                              b"Ustaz Harun;harun@example.org;Masjid / KUA;KUA Kecamatan Contoh\n")
    preview_path = response.headers["Location"]
    assert "2 petugas siap dibuat" in text(client.get(preview_path))

    done = client.post(preview_path + "/konfirmasi", follow_redirects=True)

    assert "2 akun petugas dibuat" in " ".join(m for _c, m in flashes(done))
    assert sorted(m["To"] for m in Outbox()) == ["harun@example.org", "paulus@example.org"]
    harun = user_by_email("harun@example.org")
    assert harun.institution_type == "masjid_kua" and harun.role_codes == {"officiant"}
    assert history(client, harun) == ["invitation_send", "user_import"]


def test_a_file_without_the_columns_is_refused_beside_the_field(client, admin):
    response = upload(client, b"nama,email\nRomo,romo@example.org\n")
    assert response.status_code == 200
    assert "Kolom wajib tidak ada" in error_beside(response, "file")


def test_a_discarded_import_creates_nothing(client, admin):
    response = upload(client, b"nama,email,jenis_lembaga,nama_lembaga\n"
                              b"Romo Paulus,paulus@example.org,gereja,Paroki Contoh\n")
    client.post(response.headers["Location"] + "/batal")
    client.post(response.headers["Location"] + "/konfirmasi")
    assert user_by_email("paulus@example.org") is None


def test_the_sample_csv_downloads(client, admin):
    response = client.get("/admin/pengguna/impor/contoh.csv")
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith("nama,email,jenis_lembaga,nama_lembaga")


# --- CSRF --------------------------------------------------------------------------------------

def test_staff_forms_without_a_csrf_token_are_refused(make_app):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    admin = factories.make_user(roles=("admin",))
    waiting = factories.make_user(roles=("reviewer",))
    db.session.commit()
    browser = csrf_app.test_client()
    browser.post("/masuk", data={"email": admin.email, "password": factories.PASSWORD,
                                 "csrf_token": csrf_token(browser.get("/masuk"))})
    form_page = browser.get("/admin/pengguna/baru")

    refused = [browser.post("/admin/pengguna/baru", data=NEW),
               browser.post(f"/admin/pengguna/{waiting.id}/atur-ulang"),
               browser.post(f"/admin/pengguna/{waiting.id}/undangan"),
               browser.post("/admin/pengguna/impor", content_type="multipart/form-data",
                            data={"file": (io.BytesIO(b"nama,email,jenis_lembaga,nama_lembaga\n"), "p.csv")})]
    accepted = browser.post("/admin/pengguna/baru", data=dict(NEW, csrf_token=csrf_token(form_page)))

    assert [r.status_code for r in refused] == [400, 400, 400, 400]
    assert len(Outbox()) == 1 and accepted.status_code == 302


def test_an_invited_person_who_lost_the_email_can_use_forgot_password(app, client, admin):
    client.post("/admin/pengguna/baru", data=NEW)
    invitation = invitation_path(Outbox()[0])
    guest = app.test_client()

    guest.post("/lupa-kata-sandi", data={"email": "yosua.contoh@example.org"})
    reset = re.search(r"https?://[^/\s]+(/atur-ulang-kata-sandi/\S+)", Outbox()[1].get_content()).group(1)
    guest.post(reset, data={"password": PASSWORD, "password_confirm": PASSWORD})

    assert guest.post("/masuk", data={"email": "yosua.contoh@example.org", "password": PASSWORD}).status_code == 302
    assert app.test_client().get(invitation).status_code == 410  # the invitation is closed


def test_the_user_list_shows_who_has_not_set_a_password_and_the_institution(client, admin):
    client.post("/admin/pengguna/baru", data=NEW)
    page = text(client.get("/admin/pengguna", query_string={"q": "yosua"}))
    assert "belum membuat kata sandi" in page and "GMIT Jemaat Contoh Oebobo" in page
    assert "belum membuat kata sandi" not in text(client.get("/admin/pengguna", query_string={"q": "admin@"}))

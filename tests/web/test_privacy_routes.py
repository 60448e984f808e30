"""A participant's own data (UU 27/2022, product §8, issue 12 point 9): "Unduh data saya" gives
their data as JSON; "Hapus akun" erases their personal fields and files, keeps what must be
kept and says so; a deleted SKCK file answers 410 with a page that says when it went."""
import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models import Couple, QuizAttempt, User
from course_app.models.caselog import AuditEntry
from course_app.models.certificates import Certificate
from course_app.models.letters import FileBlob, Letter
from course_app.models.mail import OutboxMessage
from course_app.services import couples, letters
from course_app.services.letters import retention

from .. import factories
from ..certificate_builders import keys_fixture, make_certificate  # noqa: F401
from .pages import error_beside, flashes, text

WITA = ZoneInfo("Asia/Makassar")


def audit_actions(user):
    return db.session.scalars(select(AuditEntry.action).where(AuditEntry.user_id == user.id)
                              .order_by(AuditEntry.id)).all()


# --- download -------------------------------------------------------------------------------------

def test_the_account_page_offers_the_download_and_the_deletion(client, participant):
    page = text(client.get("/akun"))
    assert "Unduh data saya" in page and "Hapus akun" in page
    assert "UU 27/2022" in page


def test_unduh_data_saya_gives_the_participants_own_data_as_json_named_with_kupangs_date(client, login):
    maria = factories.make_user(full_name="Maria Contoh Fanggi", email="maria@contoh.test",
                                birth_date=date(1999, 3, 4), sex="P")
    yakob = factories.make_user(full_name="Yakob Contoh Ndun", email="yakob@contoh.test",
                                birth_date=date(1997, 1, 2), sex="L")
    factories.make_couple(maria, yakob)
    module = factories.make_module(lessons=1, questions=2, questions_per_attempt=2)
    factories.read_all_lessons(maria, module)
    factories.make_answered_attempt(maria, module, {q: q.options[:1] for q in factories.questions_of(module)})
    letter = factories.make_letter(maria, status="rejected", reason_text="Foto buram")
    factories.make_letter(yakob, status="approved")
    db.session.commit()
    # 00:30 in Kupang on 6 December is still the 5th in UTC: the file carries Kupang's date.
    with time_machine.travel(datetime(2026, 12, 6, 0, 30, tzinfo=WITA).astimezone(UTC), tick=False):
        login(maria)
        response = client.post("/akun/data-saya")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert 'filename=data-saya-pranikah-2026-12-06.json' in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.get_data())
    assert data["account"]["full_name"] == "Maria Contoh Fanggi"
    assert data["account"]["email"] == "maria@contoh.test"
    assert data["account"]["birth_date"] == "1999-03-04"
    assert data["couples"][0]["partner_names"] == ["Yakob Contoh Ndun"]
    assert [lesson["read_at"] is not None for lesson in data["lessons"]] == [True]
    assert data["quiz_attempts"][0]["module"] == module.code
    assert data["quiz_attempts"][0]["score_percent"] is not None
    assert [le["number"] for le in data["letters"]] == [letter.number]
    assert data["letters"][0]["rejection_note"] == "Foto buram"
    assert data["letters"][0]["file"]["sha256"] == letter.blob.sha256
    # Nothing of the partner's but the name; no file bytes.
    raw = response.get_data(as_text=True)
    for partners in ("yakob@contoh.test", "1997-01-02"):
        assert partners not in raw
    assert "iVBOR" not in raw  # base64 of a PNG
    assert audit_actions(maria) == ["data_export"]


def test_the_download_needs_a_login_and_a_post(client):
    assert client.post("/akun/data-saya").status_code == 302
    assert client.get("/akun/data-saya").status_code == 405


# --- deletion -------------------------------------------------------------------------------------

def test_the_confirmation_page_says_what_is_deleted_and_what_is_kept(client, participant):
    page = text(client.get("/akun/hapus"))
    assert "Penghapusan tidak dapat dibatalkan" in page
    assert "catatan audit" in page
    assert "Sertifikat pasangan Anda yang sudah terbit" not in page  # none issued


def test_a_wrong_password_deletes_nothing(client, participant):
    response = client.post("/akun/hapus", data={"password": "Salah-Sekali-2026"})
    assert response.status_code == 400
    assert error_beside(response, "password")
    db.session.expire_all()
    user = db.session.get(User, participant.id)
    assert user.is_active_account and user.full_name.startswith("Peserta Contoh")


def test_hapus_akun_erases_personal_fields_files_and_sessions_and_dissolves_the_couple(app, client, login):
    maria = factories.make_user(full_name="Maria Contoh Fanggi", email="maria@contoh.test")
    maria.phone = "081234567890"
    yakob = factories.make_user(full_name="Yakob Contoh Ndun")
    couple = factories.make_couple(maria, yakob)
    module = factories.make_module(lessons=1, questions=2, questions_per_attempt=2)
    factories.make_answered_attempt(maria, module, {q: q.options[:1] for q in factories.questions_of(module)})
    approved = factories.make_letter(maria, status="approved")
    pending = factories.make_letter(maria, status="pending")
    db.session.add(OutboxMessage(recipient="maria@contoh.test", subject="Halo", body="…"))
    db.session.commit()
    other_device = app.test_client()
    factories.log_in(other_device, maria)
    login(maria)

    page = text(client.get("/akun/hapus"))
    assert "Pasangan Anda dibubarkan" in page
    response = client.post("/akun/hapus", data={"password": factories.PASSWORD})
    assert response.status_code == 302
    assert ("success", "Akun Anda sudah dihapus. Terima kasih telah menggunakan Pranikah Kupang.") \
        in flashes(client.get(response.headers["Location"]))

    db.session.expire_all()
    user = db.session.get(User, maria.id)
    # The row stays (ids for the audit and history); nothing personal in it.
    assert user.full_name == "Akun dihapus"
    assert user.email == f"dihapus-{maria.id}@akun-dihapus.invalid"
    assert (user.phone, user.birth_date, user.sex, user.locale) == (None, None, None, None)
    assert not user.is_active_account
    # Files gone, metadata and decisions kept; nothing left waiting for a reviewer.
    for letter in (approved, pending):
        row = db.session.get(Letter, letter.id)
        assert row.file_deleted_at is not None and row.number == letter.number
        assert db.session.scalar(select(FileBlob.data).where(FileBlob.id == row.blob_id)) == b""
    assert db.session.get(Letter, approved.id).status == "approved"
    assert db.session.get(Letter, pending.id).status == "withdrawn"
    assert letters.letter_summary(user).pending is None
    # Quiz results stay, with the anonymised account; mail to the address is gone.
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)
                             .where(QuizAttempt.user_id == maria.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.recipient == "maria@contoh.test")) == 0
    assert audit_actions(user)[-1] == "account_delete"

    # The partner sees the couple dissolved and may start again.
    assert db.session.get(Couple, couple.id).dissolved_at is not None
    assert couples.current_couple(yakob) is None
    # Every session ended; the person can't log in with the old address or password.
    assert client.get("/akun").status_code == 302
    assert other_device.get("/akun").status_code == 302
    response = app.test_client().post("/masuk", data={"email": "maria@contoh.test",
                                                      "password": factories.PASSWORD})
    assert response.status_code == 200 and "salah" in text(response)


def test_an_issued_certificate_is_kept_and_the_page_says_why(client, login, keys):
    certificate, couple, first, second = make_certificate()
    db.session.commit()
    snapshot = dict(certificate.snapshot)
    login(first)
    page = text(client.get("/akun/hapus"))
    assert "Sertifikat pasangan Anda yang sudah terbit tetap disimpan" in page
    assert "harus tetap dapat memeriksa keasliannya" in page
    assert "Pasangan Anda dibubarkan" not in page

    assert client.post("/akun/hapus", data={"password": factories.PASSWORD}).status_code == 302
    db.session.expire_all()
    kept = db.session.get(Certificate, certificate.id)
    assert kept.snapshot == snapshot
    assert first.full_name not in ("", None) and db.session.get(User, first.id).full_name == "Akun dihapus"
    assert kept.snapshot["people"][0]["name"] == snapshot["people"][0]["name"]
    # A couple with a certificate is locked: it stays as it was, for the partner too.
    assert db.session.get(Couple, couple.id).dissolved_at is None
    assert couples.current_couple(second).id == couple.id


def test_staff_cannot_delete_their_own_account_this_way(client, login):
    staff = factories.make_user(roles=("participant", "reviewer"))
    db.session.commit()
    login(staff)
    assert "Hapus akun" not in text(client.get("/akun")).split("Unduh data saya")[1]
    response = client.post("/akun/hapus", data={"password": factories.PASSWORD})
    assert response.status_code == 403
    assert "admin P3A menonaktifkannya" in text(response)
    db.session.expire_all()
    assert db.session.get(User, staff.id).is_active_account


# --- a deleted file -------------------------------------------------------------------------------

def test_a_deleted_file_shows_its_date_to_owner_and_reviewer_and_answers_410(client, login, app):
    owner = factories.make_user()
    reviewer = factories.make_user(roles=("reviewer",))
    letter = factories.make_letter(owner, status="rejected")
    db.session.commit()
    with time_machine.travel(datetime(2026, 12, 6, 0, 30, tzinfo=WITA).astimezone(UTC), tick=False):
        retention.delete_file(letter)
    db.session.commit()

    login(owner)
    page = text(client.get("/surat/"))
    assert "Berkas dihapus pada" in page and "6 Desember 2026" in page
    assert f"/surat/{letter.id}/berkas" not in client.get("/surat/").get_data(as_text=True)
    response = client.get(f"/surat/{letter.id}/berkas?unduh=1")
    assert response.status_code == 410
    assert "Berkas sudah dihapus" in text(response) and letter.number in text(response)
    assert "attachment" not in response.headers.get("Content-Disposition", "")

    desk = app.test_client()
    factories.log_in(desk, reviewer)
    page = desk.get(f"/tinjau/surat/{letter.id}")
    assert page.status_code == 200 and "Berkas dihapus pada" in text(page)
    assert "<iframe" not in page.get_data(as_text=True) and "letter-image" not in page.get_data(as_text=True)
    assert desk.get(f"/surat/{letter.id}/berkas").status_code == 410

"""The reviewers' desk: queue, letter, decisions, emails, progress of couples (issue 3, points 5–6)."""
import re
from datetime import date, timedelta

import pytest

from course_app.extensions import db
from course_app.models.letters import Letter
from course_app.services import clock, quizzes
from tests import factories
from tests.mailbox import Outbox, mail_server_down_fixture, rows  # noqa: F401
from tests.web.pages import error_beside, flashes, text


@pytest.fixture
def desk(app):
    """A reviewer logged in, and Maria, a participant with a pending letter."""
    reviewer = factories.make_user(roles=("reviewer",), full_name="Peninjau Satu")
    maria = factories.make_user(full_name="Mawar Contoh", birth_date=date(1999, 2, 3), locale="id")
    letter = factories.make_letter(maria, status="pending", data=factories.jpeg_bytes())
    db.session.commit()
    client = app.test_client()
    factories.log_in(client, reviewer)
    return client, reviewer, maria, letter


def outbox(app):
    return Outbox()


def names_in_queue(response):
    return re.findall(r'class="queue-name"[^>]*>([^<]+)<', response.get_data(as_text=True))


# --- queue -------------------------------------------------------------------------------------

def test_the_queue_shows_pending_letters_first_oldest_first(desk):
    client, _, maria, _ = desk
    for name, status, days in [("Ana Decided", "approved", 9), ("Beni Newer", "pending", 1),
                               ("Citra Older", "pending", 5), ("Dedi Rejected", "rejected", 3)]:
        factories.make_letter(factories.make_user(full_name=name), status=status,
                              uploaded_at=factories.days_ago(days))
    db.session.commit()

    response = client.get("/tinjau/")

    assert response.status_code == 200
    assert names_in_queue(response) == ["Citra Older", "Mawar Contoh", "Beni Newer", "Dedi Rejected", "Ana Decided"]
    assert "3 surat menunggu pemeriksaan." in text(response)
    assert response.headers["Cache-Control"] == "private, no-store"


def test_the_queue_filters_by_status_date_and_name(desk):
    client, _, _, _ = desk
    factories.make_letter(factories.make_user(full_name="Lama Sekali"), status="rejected",
                          uploaded_at=factories.days_ago(40))
    db.session.commit()
    recent = (clock.today() - timedelta(days=7)).isoformat()

    assert names_in_queue(client.get("/tinjau/?status=rejected")) == ["Lama Sekali"]
    assert names_in_queue(client.get(f"/tinjau/?dari={recent}")) == ["Mawar Contoh"]
    assert names_in_queue(client.get(f"/tinjau/?sampai={recent}")) == ["Lama Sekali"]
    assert names_in_queue(client.get("/tinjau/?q=contoh")) == ["Mawar Contoh"]
    assert names_in_queue(client.get("/tinjau/?q=tidak-ada")) == []


def test_bad_filters_are_explained_not_crashed_on(desk):
    client, _, _, _ = desk

    response = client.get("/tinjau/?status=semua&dari=kemarin")

    assert response.status_code == 200
    assert error_beside(response, "dari") == "Tanggal tidak valid."
    assert names_in_queue(response) == ["Mawar Contoh"]


def test_the_queue_is_paginated_and_keeps_its_filters(desk):
    client, _, _, _ = desk
    for n in range(20):
        factories.make_letter(factories.make_user(full_name=f"Peserta {n:02d}"), status="pending",
                              uploaded_at=factories.days_ago(30 - n))
    db.session.commit()

    first = client.get("/tinjau/?status=pending")
    second = client.get("/tinjau/?status=pending&page=2")

    assert len(names_in_queue(first)) == 20 and "Halaman 1 dari 2" in text(first)
    assert "/tinjau/?page=2&amp;status=pending" in first.get_data(as_text=True) or \
        "/tinjau/?status=pending&amp;page=2" in first.get_data(as_text=True)
    assert names_in_queue(second) == ["Mawar Contoh"]


# --- a letter ----------------------------------------------------------------------------------

def test_a_letter_shows_the_participant_the_details_and_the_image_inline(desk):
    client, _, maria, letter = desk

    response = client.get(f"/tinjau/surat/{letter.id}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<img class="letter-image" src="/surat/{letter.id}/berkas"' in page
    assert "Mawar Contoh" in text(response) and letter.number in text(response)
    assert "Setujui SKCK" in text(response) and "Tolak SKCK" in text(response)
    for code in ("tidak_terbaca", "kedaluwarsa", "nama_tidak_sesuai", "bukan_skck", "tidak_lengkap", "lainnya"):
        assert f'value="{code}"' in page
    image = client.get(f"/surat/{letter.id}/berkas")
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/jpeg"


def test_a_pdf_letter_is_shown_in_a_frame_with_a_download_link(desk):
    client, _, maria, _ = desk
    pdf = factories.make_letter(maria, status="pending", data=factories.pdf_bytes())
    db.session.commit()

    page = client.get(f"/tinjau/surat/{pdf.id}").get_data(as_text=True)

    assert f'<iframe class="letter-pdf" src="/surat/{pdf.id}/berkas"' in page
    assert f'href="/surat/{pdf.id}/berkas?unduh=1"' in page
    served = client.get(f"/surat/{pdf.id}/berkas")
    # The review page may frame it (same origin); nobody else may.
    assert "frame-ancestors 'self'" in served.headers["Content-Security-Policy"]
    assert served.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_a_file_another_participant_uploaded_is_flagged_to_the_reviewer(desk):
    client, _, maria, letter = desk
    copy = factories.make_letter(factories.make_user(full_name="Peniru"), status="pending",
                                 data=letter.blob.data)
    copy.duplicate_of_id = letter.id
    db.session.commit()

    queue = text(client.get("/tinjau/"))
    detail = text(client.get(f"/tinjau/surat/{copy.id}"))

    assert "berkas sama dengan peserta lain" in queue
    assert "Berkas ini sama persis dengan berkas peserta lain." in detail and "Mawar Contoh" in detail


# --- decisions ---------------------------------------------------------------------------------

def test_approving_emails_the_participant_and_the_dashboard_shows_it(app, desk):
    client, reviewer, maria, letter = desk

    response = client.post(f"/tinjau/surat/{letter.id}/setujui")

    assert response.status_code == 302 and response.headers["Location"].endswith("/tinjau/")
    assert ("success", "SKCK Mawar Contoh disetujui.") in flashes(client.get("/tinjau/"))
    db.session.expire_all()
    letter = db.session.get(Letter, letter.id)
    assert letter.status == "approved" and letter.decided_by_id == reviewer.id
    mail = outbox(app)[-1]
    assert mail["To"] == maria.email and mail["Subject"] == "SKCK Anda disetujui"
    assert "sudah disetujui" in mail.get_content() and "/surat/" in mail.get_content()
    participant = app.test_client()
    factories.log_in(participant, maria)
    assert "Disetujui" in text(participant.get("/beranda"))


def test_rejecting_needs_a_reason_and_the_participant_reads_it(app, desk):
    client, reviewer, maria, letter = desk

    missing = client.post(f"/tinjau/surat/{letter.id}/tolak", data={"reason": "lainnya", "reason_text": " "})
    assert missing.status_code == 400
    assert error_beside(missing, "reason_text") == "Tuliskan alasannya untuk peserta."
    assert db.session.get(Letter, letter.id).status == "pending"

    response = client.post(f"/tinjau/surat/{letter.id}/tolak",
                           data={"reason": "tidak_terbaca", "reason_text": "Foto terlalu gelap."})

    assert response.status_code == 302
    mail = outbox(app)[-1]
    assert mail["To"] == maria.email and mail["Subject"] == "SKCK Anda perlu diunggah ulang"
    assert "Alasan: Tulisan atau foto tidak terbaca" in mail.get_content()
    assert "Foto terlalu gelap." in mail.get_content()
    participant = app.test_client()
    factories.log_in(participant, maria)
    dashboard = text(participant.get("/beranda"))
    assert "Ditolak" in dashboard and "Foto terlalu gelap." in dashboard and "Unggah lagi" in dashboard


def test_the_email_speaks_the_participants_language(app, desk):
    client, _, maria, letter = desk
    maria.locale = "en"
    db.session.commit()

    client.post(f"/tinjau/surat/{letter.id}/setujui")

    from flask_babel import force_locale, gettext
    with app.test_request_context(), force_locale("en"):
        expected = gettext("SKCK Anda disetujui")
    assert outbox(app)[-1]["Subject"] == expected


def test_a_mail_server_that_is_down_delays_the_email_never_the_decision(app, desk, mail_server_down, caplog):
    client, _, maria, letter = desk

    response = client.post(f"/tinjau/surat/{letter.id}/setujui", follow_redirects=True)

    assert response.status_code == 200
    assert db.session.get(Letter, letter.id).status == "approved"
    assert [c for c, _m in flashes(response)] == ["success"]
    db.session.expire_all()
    [row] = rows()
    assert (row.recipient, row.status, row.attempts) == (maria.email, "waiting", 1)
    assert row.last_error == "ConnectionRefusedError"
    assert maria.email not in caplog.text


def test_an_expired_letter_has_no_approve_button_and_cannot_be_approved(desk):
    client, _, maria, _ = desk
    expired = factories.make_letter(maria, status="pending", issued_on=clock.today() - timedelta(days=200))
    db.session.commit()

    page = client.get(f"/tinjau/surat/{expired.id}")
    assert "sudah kedaluwarsa" in text(page) and "Setujui SKCK" not in text(page)
    response = client.post(f"/tinjau/surat/{expired.id}/setujui", follow_redirects=True)

    assert any("tidak dapat disetujui" in m for _, m in flashes(response))
    assert db.session.get(Letter, expired.id).status == "pending"


def test_a_decided_letter_shows_who_decided_and_the_history(desk):
    client, _, maria, letter = desk
    client.post(f"/tinjau/surat/{letter.id}/tolak", data={"reason": "bukan_skck"})
    second = factories.make_letter(maria, status="pending")
    db.session.commit()

    decided = text(client.get(f"/tinjau/surat/{letter.id}"))
    assert "Ditolak oleh Peninjau Satu" in decided and "Bukan SKCK" in decided
    assert "Setujui SKCK" not in decided
    history = text(client.get(f"/tinjau/surat/{second.id}"))
    assert "Riwayat surat peserta ini" in history
    assert "Ditolak oleh Peninjau Satu (Bukan SKCK)" in history
    assert "Diunggah oleh Mawar Contoh" in history
    assert client.post(f"/tinjau/surat/{letter.id}/setujui", follow_redirects=True).status_code == 200
    assert db.session.get(Letter, letter.id).status == "rejected"


def test_a_reviewer_cannot_decide_their_own_letter_on_the_desk(app):
    both = factories.make_user(roles=("participant", "reviewer"))
    own = factories.make_letter(both, status="pending")
    db.session.commit()
    client = app.test_client()
    factories.log_in(client, both)

    assert "Ini surat Anda sendiri" in text(client.get(f"/tinjau/surat/{own.id}"))
    client.post(f"/tinjau/surat/{own.id}/setujui")
    assert db.session.get(Letter, own.id).status == "pending"


def test_unknown_letters_answer_404_on_the_desk(desk):
    client, _, _, _ = desk
    assert client.get("/tinjau/surat/999999").status_code == 404
    assert client.post("/tinjau/surat/999999/setujui").status_code == 404


# --- progress of couples -----------------------------------------------------------------------

def test_couples_show_each_partners_modules_and_letter_and_can_be_searched(desk):
    client, _, maria, letter = desk
    module = factories.make_module(lessons=1, questions=4, questions_per_attempt=2)
    yosef = factories.make_user(full_name="Yosef Lado", sex="L")
    factories.make_couple(maria, yosef)
    factories.make_letter(yosef)
    lonely = factories.make_user(full_name="Sendiri Saja")
    factories.make_couple(lonely)
    db.session.commit()
    assert module

    response = client.get("/tinjau/pasangan")
    page = text(response)
    assert response.status_code == 200 and "2 pasangan" in page
    assert "Mawar Contoh & Yosef Lado" in page
    assert "SKCK: Menunggu pemeriksaan" in page and "SKCK: Disetujui" in page
    assert "Materi wajib selesai: 0 dari 1" in page
    assert "pasangan belum bergabung" in page
    assert f'href="/tinjau/surat/{letter.id}"' in response.get_data(as_text=True)

    found = text(client.get("/tinjau/pasangan?q=lado"))
    assert "1 pasangan" in found and "Yosef Lado" in found and "Sendiri Saja" not in found


def test_couples_are_paginated(desk):
    client, _, _, _ = desk
    for n in range(11):
        factories.make_couple(factories.make_user(full_name=f"Calon {n:02d}"), wedding_in_days=30 + n)
    db.session.commit()

    first, second = client.get("/tinjau/pasangan"), client.get("/tinjau/pasangan?page=2")

    assert "Halaman 1 dari 2" in text(first) and "Calon 00" in text(first)
    assert "Calon 10" in text(second) and "Calon 00" not in text(second)


def test_the_couples_progress_counts_only_required_modules(desk):
    client, _, maria, _ = desk
    required = factories.make_module(lessons=1, questions=4, questions_per_attempt=2, multiple=0)
    optional = factories.make_module(lessons=1, questions=4, questions_per_attempt=2, multiple=0,
                                     required=False)
    for module in (required, optional):
        factories.read_all_lessons(maria, module)
        attempt = quizzes.start_attempt(maria, module)
        quizzes.submit_attempt(maria, attempt, factories.answers_for(attempt))
    factories.make_couple(maria, factories.make_user(full_name="Yosef Lado", sex="L"))
    db.session.commit()

    page = text(client.get("/tinjau/pasangan"))

    assert "Materi wajib selesai: 1 dari 1" in page
    assert "Materi wajib selesai: 0 dari 1" in page  # Yosef

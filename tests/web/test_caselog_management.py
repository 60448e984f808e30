"""Case management pages (issue 13 point 2): what a caseworker, a supervisor and an admin see
and do — own cases by default, assignment, referrals, tasks and "Tugas saya", the digest
command, closure approval, attachments and their audited downloads."""
from datetime import UTC, date, datetime, timedelta, timezone
from io import BytesIO

import pytest
import time_machine
from sqlalchemy import select

from course_app.extensions import db
from course_app.models.caselog import AuditEntry, Case, CaseAttachment, CaseTask, ClosureRequest, Referral
from course_app.models.mail import OutboxMessage
from course_app.services import clock
from course_app.services.caselog.management import attachments, tasks

from .. import factories
from .pages import error_beside, flashes, text


@pytest.fixture
def worker():
    factories.seed_caselog()
    user = factories.make_user(roles=("caseworker",), full_name="Petugas Satu")
    db.session.commit()
    return user


@pytest.fixture
def supervisor():
    factories.seed_caselog()
    user = factories.make_user(roles=("caseworker",), full_name="Supervisor Dua")
    user.case_supervisor = True
    db.session.commit()
    return user


def logged_in(app, user):
    client = app.test_client()
    factories.log_in(client, user)
    return client


def actions():
    return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


def test_a_case_recorded_on_the_web_belongs_to_its_caseworker_and_old_ones_show_unassigned(app, worker):
    mine = factories.make_case(user=worker)
    old = factories.make_case()
    db.session.commit()
    client = logged_in(app, worker)
    assert "Petugas Satu" in text(client.get(f"/kasus/{mine.id}"))
    assert "belum ditentukan" in text(client.get(f"/kasus/{old.id}"))


def test_the_case_list_shows_a_caseworkers_own_cases_by_default_with_a_filter_for_all(app, worker, supervisor):
    mine, other = factories.make_case(user=worker), factories.make_case(user=supervisor)
    db.session.commit()
    client = logged_in(app, worker)
    page = text(client.get("/kasus/"))
    assert mine.number in page and other.number not in page and "Semua kasus" in page
    page = text(client.get("/kasus/?pemilik=semua"))
    assert mine.number in page and other.number in page
    assert "Petugas Satu" in page and "Supervisor Dua" in page  # each case's owner
    # A search for a number finds the case whoever owns it.
    assert other.number in text(client.get(f"/kasus/?q={other.number}"))
    # A supervisor sees every case by default.
    page = text(logged_in(app, supervisor).get("/kasus/"))
    assert mine.number in page and other.number in page


def test_an_empty_case_list_says_why_and_what_to_do_next(app, worker, supervisor):
    """Empty because the caseworker owns no case yet, because nothing is recorded, or because of
    a filter: each says so and links the next step; there is nothing to download."""
    client = logged_in(app, worker)
    nothing = text(client.get("/kasus/?pemilik=semua"))
    assert "Belum ada kasus tercatat." in nothing and "Impor data Polres" in nothing
    assert "Unduh daftar" not in nothing
    factories.make_case(user=supervisor)
    db.session.commit()
    none_mine = client.get("/kasus/").get_data(as_text=True)
    assert "Belum ada kasus yang menjadi tanggung jawab Anda." in none_mine
    assert 'href="/kasus/?pemilik=semua">Lihat semua kasus</a>' in none_mine
    filtered = text(client.get("/kasus/?pemilik=semua&status=closed"))
    assert "Tidak ada kasus yang cocok. Ubah pencarian atau saringan." in filtered


def test_a_supervisor_assigns_owner_and_supervisor_and_it_is_audited(app, worker, supervisor):
    case = factories.make_case()
    db.session.commit()
    client = logged_in(app, supervisor)
    page = text(client.get(f"/kasus/{case.id}"))
    assert "Atur penanggung jawab" in page
    response = client.post(f"/kasus/{case.id}/penanggung-jawab",
                           data={"owner_id": worker.id, "supervisor_id": supervisor.id})
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert (case.owner_id, case.supervisor_id) == (worker.id, supervisor.id)
    assert "case_assign" in actions()
    refused = client.post(f"/kasus/{case.id}/penanggung-jawab", data={"owner_id": "", "supervisor_id": worker.id})
    assert "supervisor" in error_beside(refused, "supervisor_id")


def test_a_caseworker_does_not_see_the_assign_link_and_gets_404(app, worker):
    case = factories.make_case(user=worker)
    db.session.commit()
    client = logged_in(app, worker)
    assert "Atur penanggung jawab" not in text(client.get(f"/kasus/{case.id}"))
    assert client.get(f"/kasus/{case.id}/penanggung-jawab").status_code == 404


def test_a_referral_is_recorded_and_its_status_moves_on_with_dates(app, worker):
    case = factories.make_case(user=worker)
    db.session.commit()
    client = logged_in(app, worker)
    response = client.post(f"/kasus/{case.id}/rujukan", data={
        "service": "rumah_aman", "institution": "Rumah Aman Contoh", "victim_id": case.victims[0].id,
        "sent_on": "2026-03-05", "notes": "Dijemput petugas"})
    assert response.status_code == 302
    referral = db.session.scalar(select(Referral))
    assert client.post(f"/kasus/{case.id}/rujukan/{referral.id}/status",
                       data={"status": "accepted", "on": "2026-03-06"}).status_code == 302
    page = text(client.get(f"/kasus/{case.id}"))
    assert "Rumah aman — Rumah Aman Contoh" in page and "Diterima" in page and "Dijemput petugas" in page
    timeline = client.get(f"/kasus/{case.id}").get_data(as_text=True).split('id="linimasa"')[1].split("</section>")[0]
    sent, accepted = (timeline.index(f"{day} Maret 2026") for day in (5, 6))  # each step, in order
    assert sent < accepted and timeline.count("Rujukan ke Rumah aman (Rumah Aman Contoh) — Korban 1") == 2
    assert {"referral_add", "referral_status"} <= set(actions())
    refused = client.post(f"/kasus/{case.id}/rujukan", data={"service": "", "sent_on": "2026-03-05"})
    assert "Pilih layanan rujukan" in error_beside(refused, "service")


def test_a_referrals_status_date_starts_at_kupangs_today(app, worker):
    """Most status changes are recorded the day they happen: the date field is filled with
    today's Kupang date (00:30 WITA is still the day before in UTC) and can be changed."""
    case = factories.make_case(user=worker)
    db.session.commit()
    with time_machine.travel(datetime(2026, 12, 6, 0, 30, tzinfo=timezone(timedelta(hours=8))).astimezone(UTC),
                             tick=False):
        client = logged_in(app, worker)
        assert client.post(f"/kasus/{case.id}/rujukan",
                           data={"service": "puskesmas_rs", "sent_on": "2026-03-05"}).status_code == 302
        referral = db.session.scalar(select(Referral))
        page = client.get(f"/kasus/{case.id}").get_data(as_text=True)
    assert f'id="on-{referral.id}" name="on" value="2026-12-06"' in page


def test_tasks_page_lists_overdue_first_and_a_task_can_be_marked_done(app, worker):
    case = factories.make_case(user=worker)
    db.session.commit()
    client = logged_in(app, worker)
    today = clock.today()
    assert client.post(f"/kasus/{case.id}/tugas", data={
        "title": "Kunjungan rumah", "due_date": (today - timedelta(days=2)).isoformat()}).status_code == 302
    assert client.post(f"/kasus/{case.id}/tugas", data={
        "title": "Telepon sekolah", "due_date": (today + timedelta(days=3)).isoformat()}).status_code == 302
    page = text(client.get("/kasus/tugas"))
    assert page.index("Terlambat") < page.index("Kunjungan rumah") < page.index("Telepon sekolah")
    task = db.session.scalar(select(CaseTask).where(CaseTask.due_date < today))
    assert client.post(f"/kasus/{case.id}/tugas/{task.id}/selesai", data={"from": "tugas"}).status_code == 302
    page = text(client.get("/kasus/tugas"))
    assert "Kunjungan rumah" not in page and "Terlambat" not in page
    assert {"task_add", "task_done", "task_list"} <= set(actions())
    refused = client.post(f"/kasus/{case.id}/tugas", data={"title": "", "due_date": ""})
    assert "Tulis tugasnya" in error_beside(refused, "title")


def test_the_digest_command_queues_the_overdue_tasks_email_once_a_day(app, runner, worker):
    case = factories.make_case(user=worker)
    tasks.add_task(case, title="Kunjungan rumah", due_date=date(2026, 3, 10), user=worker)
    db.session.commit()
    first = runner.invoke(args=["caselog", "task-digest"])
    assert first.exit_code == 0 and "1 emails queued" in first.output
    second = runner.invoke(args=["caselog", "task-digest"])
    assert "0 emails queued" in second.output
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert len(messages) == 1 and case.number in messages[0].body
    assert actions().count("task_digest") == 2


def test_a_caseworker_cannot_close_a_case_directly_but_asks_a_supervisor(app, worker, supervisor):
    case = factories.make_case(user=worker)
    db.session.commit()
    client = logged_in(app, worker)
    page = client.get(f"/kasus/{case.id}").get_data(as_text=True)
    assert 'value="closed"' not in page
    client.post(f"/kasus/{case.id}/status", data={"status": "closed"})
    assert db.session.get(Case, case.id).status == "open"
    assert client.post(f"/kasus/{case.id}/penutupan", data={"reason": "pindah_domisili"}).status_code == 302
    assert "menunggu persetujuan supervisor" in text(client.get(f"/kasus/{case.id}"))
    request = db.session.scalar(select(ClosureRequest))
    assert client.post(f"/kasus/{case.id}/penutupan/{request.id}/keputusan",
                       data={"decision": "approve"}).status_code == 404
    boss = logged_in(app, supervisor)
    assert "Setujui dan tutup kasus" in text(boss.get(f"/kasus/{case.id}"))
    assert boss.post(f"/kasus/{case.id}/penutupan/{request.id}/keputusan",
                     data={"decision": "approve"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "closed"
    assert {"closure_request", "closure_decide"} <= set(actions())


def test_closing_a_case_shows_its_unfinished_referrals_and_tasks_first(app, worker, supervisor):
    """Closing does not end a referral waiting for the service's answer or a task not done: the
    caseworker who asks and the supervisor who approves see them, and a case with none shows
    nothing."""
    from course_app.services.caselog.management import referrals

    case = factories.make_case(user=worker)
    quiet = factories.make_case(user=worker)
    sent = referrals.add_referral(case, service="puskesmas_rs", sent_on=date(2026, 3, 5), user=worker,
                                  today=date(2026, 3, 6))
    done = referrals.add_referral(case, service="bantuan_hukum", sent_on=date(2026, 3, 5), user=worker,
                                  today=date(2026, 3, 6))
    referrals.change_referral_status(done, case, status="completed", on=date(2026, 3, 6), user=worker,
                                     today=date(2026, 3, 6))
    tasks.add_task(case, title="Kunjungan rumah", due_date=date(2026, 3, 10), user=worker, today=date(2026, 3, 6))
    finished = tasks.add_task(case, title="Telepon keluarga", due_date=date(2026, 3, 8), user=worker,
                              today=date(2026, 3, 6))
    tasks.complete_task(finished, worker)
    db.session.commit()
    client = logged_in(app, worker)

    asking = text(client.get(f"/kasus/{case.id}/penutupan"))
    assert "1 rujukan belum selesai: Puskesmas/RS (Dikirim)" in asking
    assert "1 tugas belum selesai: Kunjungan rumah" in asking and "Telepon keluarga" not in asking
    assert "Masih berjalan" not in text(client.get(f"/kasus/{quiet.id}/penutupan"))

    client.post(f"/kasus/{case.id}/penutupan", data={"reason": "selesai_ditangani"})
    deciding = text(logged_in(app, supervisor).get(f"/kasus/{case.id}"))
    assert "1 rujukan belum selesai" in deciding and "Setujui dan tutup kasus" in deciding
    assert sent.status == "sent"


def test_a_refused_closure_shows_the_supervisors_note(app, worker, supervisor):
    case = factories.make_case(user=worker)
    db.session.commit()
    logged_in(app, worker).post(f"/kasus/{case.id}/penutupan", data={"reason": "tidak_dapat_dihubungi"})
    request = db.session.scalar(select(ClosureRequest))
    boss = logged_in(app, supervisor)
    boss.post(f"/kasus/{case.id}/penutupan/{request.id}/keputusan", data={"decision": "refuse"})
    assert ("error", "Tulis alasan penolakan.") in flashes(boss.get(f"/kasus/{case.id}"))
    boss.post(f"/kasus/{case.id}/penutupan/{request.id}/keputusan",
              data={"decision": "refuse", "note": "Kunjungi alamat baru dulu"})
    page = text(boss.get(f"/kasus/{case.id}"))
    assert "ditolak" in page and "Kunjungi alamat baru dulu" in page
    assert db.session.get(Case, case.id).status == "open"


def test_an_attachment_is_uploaded_checked_and_each_download_audited(app, worker):
    case = factories.make_case(user=worker)
    db.session.commit()
    client = logged_in(app, worker)
    response = client.post(f"/kasus/{case.id}/lampiran", content_type="multipart/form-data", data={
        "kind": "visum", "file": (BytesIO(factories.pdf_bytes(page_text="VISUM")), "visum.pdf")})
    assert response.status_code == 302
    entry = db.session.scalar(select(CaseAttachment))
    assert "visum.pdf" in text(client.get(f"/kasus/{case.id}"))
    for _ in range(2):
        download = client.get(f"/kasus/{case.id}/lampiran/{entry.id}")
        assert download.status_code == 200 and download.data.startswith(b"%PDF-")
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert download.headers["Cache-Control"] == "private, no-store"
    assert actions().count("attachment_view") == 2
    refused = client.post(f"/kasus/{case.id}/lampiran", content_type="multipart/form-data", data={
        "kind": "foto", "file": (BytesIO(b"<html><script>alert(1)</script></html>"), "foto.jpg")})
    assert refused.status_code == 200 and error_beside(refused, "file")
    assert db.session.scalar(select(db.func.count()).select_from(CaseAttachment)) == 1


def test_an_attachment_is_404_to_everyone_else(app, worker):
    case = factories.make_case(user=worker)
    entry = attachments.add_attachment(case, kind="surat", filename="s.pdf", data=factories.pdf_bytes(), user=worker)
    db.session.commit()
    reviewer = factories.make_user(roles=("reviewer",))
    db.session.commit()
    assert app.test_client().get(f"/kasus/{case.id}/lampiran/{entry.id}").status_code == 404
    assert logged_in(app, reviewer).get(f"/kasus/{case.id}/lampiran/{entry.id}").status_code == 404


def test_an_admin_sets_the_supervisor_flag_from_the_user_page(app, worker):
    admin = factories.make_user(roles=("admin",))
    db.session.commit()
    client = logged_in(app, admin)
    assert "Jadikan supervisor" in text(client.get(f"/admin/pengguna/{worker.id}"))
    assert client.post(f"/kasus/pengguna/{worker.id}/supervisor", data={"supervisor": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(worker), worker.id).case_supervisor
    page = text(client.get(f"/admin/pengguna/{worker.id}"))
    assert "Cabut status supervisor" in page and "Dijadikan supervisor kasus" in page


def test_a_supervisor_merges_a_duplicate_and_its_page_says_merged_into(app, worker, supervisor):
    a, b = factories.make_case(user=worker), factories.make_case(user=worker)
    db.session.commit()
    assert logged_in(app, worker).get(f"/kasus/{b.id}/gabung").status_code == 404
    client = logged_in(app, supervisor)
    refused = client.post(f"/kasus/{b.id}/gabung", data={"target": b.number})
    assert "dirinya sendiri" in error_beside(refused, "target")
    response = client.post(f"/kasus/{b.id}/gabung", data={"target": a.number.lower()})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/kasus/{a.id}")
    page = text(client.get(f"/kasus/{b.id}"))
    assert f"Kasus ini digabung ke {a.number}" in page and "Korban Contoh" in page
    assert b.number in text(client.get(f"/kasus/{a.id}"))
    entries = db.session.execute(select(AuditEntry.object_id, AuditEntry.detail)
                                 .where(AuditEntry.action == "case_merge")).all()
    assert set(entries) == {(str(b.id), f"into={a.id}"), (str(a.id), f"from={b.id}")}


def test_a_supervisors_tasks_page_lists_closures_waiting_for_approval(app, worker, supervisor):
    case = factories.make_case(user=worker)
    db.session.commit()
    logged_in(app, worker).post(f"/kasus/{case.id}/penutupan", data={"reason": "selesai_ditangani"})
    page = text(logged_in(app, supervisor).get("/kasus/tugas"))
    assert "menunggu persetujuan Anda" in page and case.number in page and "Selesai ditangani" in page
    assert "menunggu persetujuan Anda" not in text(logged_in(app, worker).get("/kasus/tugas"))

"""Case management (issue 13 point 2): owner and supervisor, referrals, tasks and their digest,
closure approved by a supervisor, encrypted attachments. Each test is named after its rule."""
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select, text

from course_app.extensions import db
from course_app.models.caselog import AuditEntry, CaseAttachment, CaseTask, StatusChange, TaskDigest
from course_app.models.mail import OutboxMessage
from course_app.services import DomainError, NotFound
from course_app.services.caselog import cases, crypto
from course_app.services.caselog import management as people
from course_app.services.caselog.management import attachments, closure, referrals, tasks
from course_app.services.uploads import UploadRefused

from .. import factories

TODAY = date(2026, 11, 27)
WITA = timezone(timedelta(hours=8))


@pytest.fixture(autouse=True)
def _lists():
    factories.seed_caselog()


@pytest.fixture
def worker():
    return factories.make_user(roles=("caseworker",))


@pytest.fixture
def supervisor():
    user = factories.make_user(roles=("caseworker",))
    user.case_supervisor = True
    return user


# --- owner and supervisor ---------------------------------------------------------------------

def test_the_caseworker_who_records_a_case_owns_it(worker):
    case = factories.make_case(user=worker)
    assert case.owner_id == worker.id and case.supervisor_id is None


def test_a_case_recorded_by_an_admin_or_the_command_line_is_unassigned():
    admin = factories.make_user(roles=("admin",))
    assert factories.make_case(user=admin).owner_id is None
    assert factories.make_case().owner_id is None


def test_a_caseworker_sees_own_cases_by_default_and_a_supervisor_all(worker, supervisor):
    mine, other = factories.make_case(user=worker), factories.make_case()
    scope = people.list_scope(worker)
    assert scope == "saya"
    found = db.session.scalars(cases.search_cases(owner_id=worker.id)).all()
    assert found == [mine]
    assert people.list_scope(worker, "semua") == "semua"
    assert people.list_scope(worker, searching=True) == "semua"
    assert people.list_scope(supervisor) == "semua"
    assert people.list_scope(factories.make_user(roles=("admin",))) == "semua"
    assert {c.id for c in db.session.scalars(cases.search_cases())} == {mine.id, other.id}


def test_only_a_supervisor_assigns_owner_and_supervisor_and_it_is_audited(worker, supervisor):
    case = factories.make_case()
    with pytest.raises(NotFound):
        people.assign_case(case, owner_id=worker.id, supervisor_id=None, acting_user=worker)
    assert people.assign_case(case, owner_id=worker.id, supervisor_id=supervisor.id, acting_user=supervisor)
    assert (case.owner_id, case.supervisor_id) == (worker.id, supervisor.id)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case_assign"))
    assert entry.detail == f"owner={worker.id} supervisor={supervisor.id}"


def test_an_owner_must_be_an_active_caseworker_and_a_supervisor_must_hold_the_flag(worker, supervisor):
    case = factories.make_case()
    reviewer = factories.make_user(roles=("reviewer",))
    with pytest.raises(DomainError) as refused:
        people.assign_case(case, owner_id=reviewer.id, supervisor_id=None, acting_user=supervisor)
    assert refused.value.field == "owner_id"
    with pytest.raises(DomainError) as refused:
        people.assign_case(case, owner_id=None, supervisor_id=worker.id, acting_user=supervisor)
    assert refused.value.field == "supervisor_id"


def test_the_supervisor_flag_is_set_by_an_admin_audited_and_ends_sessions(worker):
    admin = factories.make_user(roles=("admin",))
    generation = worker.session_generation
    assert people.set_supervisor(worker, True, acting_user=admin)
    assert people.is_supervisor(worker) and worker.session_generation == generation + 1
    assert people.set_supervisor(worker, False, acting_user=admin)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "user",
                                                                 AuditEntry.object_id == str(worker.id))).all()
    assert actions == ["supervisor_grant", "supervisor_revoke"]
    with pytest.raises(DomainError):
        people.set_supervisor(admin, True, acting_user=admin)  # only caseworkers supervise


# --- referrals --------------------------------------------------------------------------------

def test_a_referral_keeps_its_status_history_with_dates_and_encrypted_notes(worker):
    case = factories.make_case(user=worker)
    referral = referrals.add_referral(case, service="psikolog", sent_on=date(2026, 3, 5), user=worker,
                                      institution="Psikolog Contoh", victim_id=case.victims[0].id,
                                      notes="Catatan rujukan sintetis", today=TODAY)
    referrals.change_referral_status(referral, case, status="accepted", on=date(2026, 3, 6), user=worker,
                                     today=TODAY)
    referrals.change_referral_status(referral, case, status="completed", on=date(2026, 4, 1), user=worker,
                                     today=TODAY)
    assert [(h.from_status, h.to_status, h.on) for h in referral.history] == [
        (None, "sent", date(2026, 3, 5)), ("sent", "accepted", date(2026, 3, 6)),
        ("accepted", "completed", date(2026, 4, 1))]
    raw = db.session.execute(text("SELECT notes FROM caselog_referrals WHERE id = :id"),
                             {"id": referral.id}).scalar()
    assert "sintetis" not in raw and referral.notes == "Catatan rujukan sintetis"


def test_referring_an_open_case_or_one_in_handling_moves_it_to_referred_in_its_history(worker):
    from course_app.services.caselog import cases

    fresh, handled, reopened = (factories.make_case(user=worker) for _ in range(3))
    cases.change_status(handled, "in_handling", worker)
    for case in (fresh, handled):
        referrals.add_referral(case, service="puskesmas_rs", sent_on=date(2026, 3, 5), user=worker, today=TODAY)
        assert case.status == "referred"
        assert [(c.from_status, c.to_status, c.note) for c in case.status_changes][-1][1:] == (
            "referred", "Puskesmas/RS")
    referrals.add_referral(fresh, service="psikolog", sent_on=date(2026, 3, 6), user=worker, today=TODAY)
    assert [c.to_status for c in fresh.status_changes] == ["open", "referred"]  # once
    reopened.status = "closed"  # a closed case's referral (its answer can come later) leaves it closed
    referrals.add_referral(reopened, service="psikolog", sent_on=date(2026, 3, 6), user=worker, today=TODAY)
    assert reopened.status == "closed"


def test_a_completed_or_refused_referral_is_final_and_dates_never_go_back(worker):
    case = factories.make_case(user=worker)
    referral = referrals.add_referral(case, service="polres", sent_on=date(2026, 3, 10), user=worker, today=TODAY)
    with pytest.raises(DomainError):
        referrals.change_referral_status(referral, case, status="accepted", on=date(2026, 3, 9), user=worker,
                                         today=TODAY)
    referrals.change_referral_status(referral, case, status="refused", on=date(2026, 3, 11), user=worker,
                                     today=TODAY)
    with pytest.raises(DomainError):
        referrals.change_referral_status(referral, case, status="completed", on=date(2026, 3, 12),
                                         user=worker, today=TODAY)


def test_a_referral_needs_a_service_of_the_list_and_no_future_date(worker):
    case = factories.make_case(user=worker)
    with pytest.raises(DomainError) as refused:
        referrals.add_referral(case, service="dukun", sent_on=date(2026, 3, 5), user=worker, today=TODAY)
    assert refused.value.field == "service"
    with pytest.raises(DomainError) as refused:
        referrals.add_referral(case, service="uptd_ppa", sent_on=TODAY + timedelta(days=1), user=worker,
                               today=TODAY)
    assert refused.value.field == "sent_on"
    codes = [x.code for x in referrals.services()]
    assert codes == ["uptd_ppa", "puskesmas_rs", "polres", "bantuan_hukum", "rumah_aman", "dinas_sosial",
                     "psikolog"]


# --- tasks ------------------------------------------------------------------------------------

def test_a_task_goes_to_the_case_owner_unless_assigned(worker, supervisor):
    case = factories.make_case(user=worker)
    task = tasks.add_task(case, title="Kunjungan rumah", due_date=date(2026, 12, 1), user=supervisor)
    assert task.assignee_id == worker.id
    other = tasks.add_task(case, title="Hubungi sekolah", due_date=date(2026, 12, 1), user=worker,
                           assignee_id=supervisor.id)
    assert other.assignee_id == supervisor.id


def test_my_tasks_show_overdue_first_then_due_soon_by_kupang_day(worker):
    case = factories.make_case(user=worker)
    later = tasks.add_task(case, title="Nanti", due_date=date(2026, 12, 30), user=worker)
    soon = tasks.add_task(case, title="Segera", due_date=date(2026, 12, 6), user=worker)
    late = tasks.add_task(case, title="Terlambat", due_date=date(2026, 12, 5), user=worker)
    done = tasks.add_task(case, title="Selesai", due_date=date(2026, 12, 1), user=worker)
    tasks.complete_task(done, worker)
    # 00:30 WITA on 6 December is still 5 December in UTC: Kupang's day decides.
    with time_machine.travel(datetime(2026, 12, 6, 0, 30, tzinfo=WITA).astimezone(UTC), tick=False):
        groups = tasks.my_tasks(worker)
    assert groups == {"overdue": [late], "soon": [soon], "later": [later]}


def test_the_digest_queues_one_email_per_caseworker_with_overdue_tasks_once_a_day(worker, supervisor):
    case = factories.make_case(user=worker, victims=[{"name": "Nama Korban Rahasia", "sex": "P", "age": 30}])
    tasks.add_task(case, title="Kunjungan rumah", due_date=date(2026, 12, 1), user=worker)
    tasks.add_task(case, title="Surat ke sekolah", due_date=date(2026, 12, 2), user=worker)
    tasks.add_task(case, title="Belum jatuh tempo", due_date=date(2026, 12, 10), user=worker)
    done = tasks.add_task(case, title="Sudah selesai", due_date=date(2026, 12, 1), user=worker,
                          assignee_id=supervisor.id)
    tasks.complete_task(done, supervisor)
    assert tasks.queue_task_digests(date(2026, 12, 6)) == 1
    assert tasks.queue_task_digests(date(2026, 12, 6)) == 0  # same day: nothing more
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert [m.recipient for m in messages] == [worker.email]
    body = messages[0].body
    assert "Kunjungan rumah" in body and "Surat ke sekolah" in body and case.number in body
    assert "Belum jatuh tempo" not in body and "Rahasia" not in body
    assert "/kasus/tugas" in body
    assert db.session.scalar(select(TaskDigest.task_count)) == 2
    assert tasks.queue_task_digests(date(2026, 12, 7)) == 1  # the next day, again


def test_the_digest_skips_deactivated_caseworkers(worker):
    case = factories.make_case(user=worker)
    tasks.add_task(case, title="Kunjungan", due_date=date(2026, 12, 1), user=worker)
    worker.is_active_account = False
    assert tasks.queue_task_digests(date(2026, 12, 6)) == 0


def test_a_closed_cases_open_tasks_leave_my_tasks_and_the_digest_and_return_if_it_reopens(worker, supervisor):
    """A closed case needs no follow-up: its tasks neither wait in "Tugas saya" nor go out in the
    overdue digest; they are still on the case page, and come back if the case reopens."""
    case = factories.make_case(user=worker)
    task = tasks.add_task(case, title="Kunjungan rumah", due_date=date(2026, 12, 1), user=worker)
    closure.decide_closure(closure.request_closure(case, reason="selesai_ditangani", user=worker), case,
                           approve=True, user=supervisor)

    assert tasks.my_tasks(worker, today=date(2026, 12, 6)) == {"overdue": [], "soon": [], "later": []}
    assert tasks.queue_task_digests(date(2026, 12, 6)) == 0
    assert task in case.tasks and task.done_at is None

    cases.change_status(case, "in_handling", worker)
    assert tasks.my_tasks(worker, today=date(2026, 12, 7))["overdue"] == [task]
    assert tasks.queue_task_digests(date(2026, 12, 7)) == 1


def test_task_titles_are_encrypted_at_rest(worker):
    case = factories.make_case(user=worker)
    task = tasks.add_task(case, title="Kunjungan rumah", due_date=date(2026, 12, 1), user=worker)
    raw = db.session.execute(text("SELECT title FROM caselog_tasks WHERE id = :id"), {"id": task.id}).scalar()
    assert "Kunjungan" not in raw


# --- closure ----------------------------------------------------------------------------------

def test_a_case_cannot_be_closed_through_the_status_workflow(worker):
    case = factories.make_case(user=worker)
    with pytest.raises(DomainError, match="persetujuan|disetujui"):
        cases.change_status(case, "closed", worker)
    assert "closed" not in cases.TRANSITIONS[case.status]
    assert case.status == "open"


def test_closing_needs_a_reason_and_a_supervisors_approval(worker, supervisor):
    case = factories.make_case(user=worker)
    with pytest.raises(DomainError) as refused:
        closure.request_closure(case, reason="", user=worker)
    assert refused.value.field == "reason"
    with pytest.raises(DomainError) as refused:
        closure.request_closure(case, reason="lainnya", user=worker)
    assert refused.value.field == "note"
    request = closure.request_closure(case, reason="selesai_ditangani", user=worker)
    with pytest.raises(DomainError):
        closure.request_closure(case, reason="pindah_domisili", user=worker)  # one waits at a time
    with pytest.raises(NotFound):
        closure.decide_closure(request, case, approve=True, user=worker)
    assert case.status == "open"
    closure.decide_closure(request, case, approve=True, user=supervisor)
    assert case.status == "closed" and request.state == "approved" and request.decided_by_id == supervisor.id
    last = db.session.scalars(select(StatusChange).where(StatusChange.case_id == case.id)
                              .order_by(StatusChange.id.desc())).first()
    assert (last.from_status, last.to_status, last.changed_by_id) == ("open", "closed", supervisor.id)


def test_a_refused_closure_needs_a_note_and_leaves_the_case_open(worker, supervisor):
    case = factories.make_case(user=worker)
    request = closure.request_closure(case, reason="tidak_dapat_dihubungi", user=worker)
    with pytest.raises(DomainError) as refused:
        closure.decide_closure(request, case, approve=False, user=supervisor)
    assert refused.value.field == "note"
    closure.decide_closure(request, case, approve=False, user=supervisor, note="Coba kunjungan rumah dulu")
    assert case.status == "open" and request.state == "refused"
    assert closure.request_closure(case, reason="tidak_dapat_dihubungi", user=worker).state == "pending"


def test_a_closed_case_may_reopen(worker, supervisor):
    case = factories.make_case(user=worker)
    closure.decide_closure(closure.request_closure(case, reason="selesai_ditangani", user=worker), case,
                           approve=True, user=supervisor)
    cases.change_status(case, "in_handling", worker)
    assert case.status == "in_handling"


# --- attachments ------------------------------------------------------------------------------

def test_an_attachment_passes_the_skck_content_checks_and_is_stored_encrypted(worker):
    case = factories.make_case(user=worker)
    photo = attachments.add_attachment(case, kind="foto", filename="C:\\Foto\\luka.jpg",
                                       data=factories.jpeg_bytes(gps=True), user=worker)
    assert photo.content_type == "image/jpeg" and photo.filename == "luka.jpg"
    assert b"GPS" not in photo.content  # re-encoded without its metadata
    pdf = attachments.add_attachment(case, kind="visum", filename="visum.pdf",
                                     data=factories.pdf_bytes(page_text="VISUM CONTOH"), user=worker)
    raw = db.session.execute(text("SELECT content, filename FROM caselog_attachments WHERE id = :id"),
                             {"id": pdf.id}).one()
    assert "%PDF" not in raw[0] and "visum" not in raw[1]
    db.session.expire_all()
    assert db.session.get(CaseAttachment, pdf.id).content.startswith(b"%PDF-")


@pytest.mark.parametrize("data", [factories.pdf_with_open_action_javascript(), b"<svg onload=alert(1)>",
                                  b"MZ\x90\x00 not a document", b""])
def test_an_attachment_that_fails_the_checks_is_refused_and_nothing_stored(worker, data):
    case = factories.make_case(user=worker)
    with pytest.raises(UploadRefused):
        attachments.add_attachment(case, kind="surat", filename="x.pdf", data=data, user=worker)
    assert db.session.scalar(select(CaseAttachment.id)) is None


def test_an_attachment_over_the_size_limit_is_refused(worker):
    case = factories.make_case(user=worker)
    with pytest.raises(UploadRefused):
        attachments.add_attachment(case, kind="surat", filename="x.pdf", data=factories.pdf_bytes(),
                                   user=worker, max_bytes=100)


def test_attachments_and_notes_are_rotated_with_the_keys(app, worker, monkeypatch):
    from cryptography.fernet import Fernet
    case = factories.make_case(user=worker)
    entry = attachments.add_attachment(case, kind="visum", filename="v.pdf", data=factories.pdf_bytes(),
                                       user=worker)
    db.session.flush()
    old = app.config["CASELOG_ENCRYPTION_KEYS"]
    monkeypatch.setitem(app.config, "CASELOG_ENCRYPTION_KEYS", Fernet.generate_key().decode() + "," + old)
    counts = crypto.rotate_keys()
    assert counts["caselog_attachments"] >= 2  # name and content
    monkeypatch.setitem(app.config, "CASELOG_ENCRYPTION_KEYS", app.config["CASELOG_ENCRYPTION_KEYS"].split(",")[0])
    db.session.expire_all()
    assert db.session.get(CaseAttachment, entry.id).content.startswith(b"%PDF-")


def test_an_attachment_of_another_case_is_not_found(worker):
    a, b = factories.make_case(user=worker), factories.make_case(user=worker)
    entry = attachments.add_attachment(a, kind="surat", filename="s.pdf", data=factories.pdf_bytes(), user=worker)
    with pytest.raises(NotFound):
        attachments.get_attachment(b, entry.id)
    task = tasks.add_task(a, title="T", due_date=date(2026, 12, 1), user=worker)
    with pytest.raises(NotFound):
        tasks.get_task(b, task.id)
    assert db.session.get(CaseTask, task.id) is not None


# --- merge ------------------------------------------------------------------------------------

def test_merging_a_duplicate_keeps_both_histories_and_points_to_the_case_that_carries_on(worker, supervisor):
    from course_app.services.caselog.management import merge

    a, b = factories.make_case(user=worker), factories.make_case(user=worker)
    referral = referrals.add_referral(b, service="uptd_ppa", sent_on=date(2026, 3, 5), user=worker, today=TODAY)
    b_victims = [v.id for v in b.victims]
    with pytest.raises(NotFound):
        merge.merge_case(b, a, worker)  # supervisors only
    merge.merge_case(b, a, supervisor)
    assert b.merged_into_id == a.id and b.merged_by_id == supervisor.id and b.status == "closed"
    assert [v.id for v in b.victims] == b_victims and referral.case_id == b.id  # nothing moved
    history = db.session.scalars(select(StatusChange).where(StatusChange.case_id == b.id)
                                 .order_by(StatusChange.id)).all()
    assert [(h.from_status, h.to_status) for h in history] == [
        (None, "open"), ("open", "referred"), ("referred", "closed")]  # the referral, then the merge
    assert merge.merged_cases(a) == [b]
    assert a.status == "open" and len(a.status_changes) == 1


def test_a_merged_case_takes_no_new_work_and_merges_do_not_chain(worker, supervisor):
    from course_app.services.caselog.management import merge

    a, b, c = factories.make_case(user=worker), factories.make_case(user=worker), factories.make_case(user=worker)
    merge.merge_case(b, a, supervisor)
    with pytest.raises(DomainError):
        tasks.add_task(b, title="T", due_date=date(2026, 12, 1), user=worker)
    with pytest.raises(DomainError):
        referrals.add_referral(b, service="polres", sent_on=date(2026, 3, 5), user=worker, today=TODAY)
    with pytest.raises(DomainError):
        cases.change_status(b, "in_handling", worker)
    with pytest.raises(DomainError):
        merge.merge_case(c, b, supervisor)  # into a merged case
    with pytest.raises(DomainError):
        merge.merge_case(b, c, supervisor)  # already merged
    with pytest.raises(DomainError):
        merge.merge_case(a, a, supervisor)
    with pytest.raises(DomainError):
        merge.merge_case(c, merge.find_target("P3A-1999-99999"), supervisor)

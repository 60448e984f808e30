"""SKCK files are deleted a set time after the decision they served (UU 27/2022, product §8,
issue 12 point 9); the metadata and the decision stay. Dates are Kupang's days: each rule is
tried with the clock frozen at the edges of the day (as tests/unit/test_clock.py does)."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from course_app.extensions import db
from course_app.models.caselog import AuditEntry
from course_app.models.letters import FileBlob, Letter, LetterEvent
from course_app.services.letters import retention

from .. import factories
from ..certificate_builders import keys_fixture, make_certificate  # noqa: F401

WITA = ZoneInfo("Asia/Makassar")
DAYS = 90


@pytest.fixture(autouse=True)
def _retention(app, monkeypatch):
    monkeypatch.setitem(app.config, "LETTER_FILE_RETENTION_DAYS", DAYS)


def frozen(moment):
    """Freeze every clock at a Kupang wall-clock moment (given to time-machine as UTC, so the
    process's zone stays the server's and a server-date bug would show)."""
    return time_machine.travel(moment.astimezone(UTC), tick=False)


def rejected_at(moment):
    letter = factories.make_letter(factories.make_user(), status="rejected",
                                   issued_on=date(2026, 8, 1), uploaded_at=moment - timedelta(hours=4))
    letter.decided_at = moment
    db.session.flush()
    return letter


def file_bytes(letter):
    return db.session.scalar(select(FileBlob.data).where(FileBlob.id == letter.blob_id))


def purge_now():
    report = retention.purge()
    db.session.commit()
    return report


# --- the rejection's Kupang day decides ---------------------------------------------------------

@pytest.mark.parametrize("now, deleted", [
    # Rejected at 23:59 WITA on 1 September: the 90 days end with 30 November in Kupang.
    pytest.param(datetime(2026, 11, 29, 23, 59, tzinfo=WITA), False, id="day 89, 23:59 WITA"),
    pytest.param(datetime(2026, 11, 30, 0, 1, tzinfo=WITA), True, id="day 90, 00:01 WITA"),
    pytest.param(datetime(2026, 11, 30, 7, 59, tzinfo=WITA), True, id="day 90, 07:59 WITA (UTC still the 29th)"),
])
def test_a_rejected_letters_file_is_deleted_on_the_retention_day_in_kupang(now, deleted):
    letter = rejected_at(datetime(2026, 9, 1, 23, 59, tzinfo=WITA))
    db.session.commit()
    with frozen(now):
        report = purge_now()
    db.session.refresh(letter)
    assert (letter.file_deleted_at is not None) is deleted
    assert report.deleted == (1 if deleted else 0)
    assert (file_bytes(letter) == b"") is deleted


def test_a_rejection_one_minute_after_midnight_in_kupang_counts_from_that_day():
    # 00:01 WITA on 2 September is still 1 September in UTC: the file must live a day longer.
    letter = rejected_at(datetime(2026, 9, 2, 0, 1, tzinfo=WITA))
    db.session.commit()
    with frozen(datetime(2026, 11, 30, 23, 59, tzinfo=WITA)):
        assert purge_now().deleted == 0
    with frozen(datetime(2026, 12, 1, 0, 1, tzinfo=WITA)):
        assert purge_now().deleted == 1
    assert db.session.get(Letter, letter.id).file_deleted_at is not None


# --- what stays -----------------------------------------------------------------------------------

def test_deleting_a_file_keeps_the_letters_metadata_and_decision():
    letter = rejected_at(datetime(2026, 9, 1, 10, 0, tzinfo=WITA))
    letter.reason_text = "Foto buram"
    blob = db.session.get(FileBlob, letter.blob_id)
    sha256, size, content_type = blob.sha256, blob.size, blob.content_type
    number, issued_on, valid_until = letter.number, letter.issued_on, letter.valid_until
    db.session.commit()
    with frozen(datetime(2026, 12, 6, 9, 0, tzinfo=WITA)):
        purge_now()
    db.session.expire_all()
    letter = db.session.get(Letter, letter.id)
    assert (letter.number, letter.issued_on, letter.valid_until) == (number, issued_on, valid_until)
    assert (letter.status, letter.reason_code, letter.reason_text) == ("rejected", "tidak_terbaca", "Foto buram")
    assert letter.decided_at is not None and letter.police_office == "polres_kupang_kota"
    assert (letter.blob.sha256, letter.blob.size, letter.blob.content_type) == (sha256, size, content_type)
    assert file_bytes(letter) == b""
    assert letter.original_filename == "skck.png"
    assert letter.file_deleted_at == datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
    assert [e.action for e in letter.events] == ["uploaded", "rejected"]


def test_a_letter_waiting_for_review_keeps_its_file_however_old():
    letter = factories.make_letter(factories.make_user(), status="pending",
                                   uploaded_at=datetime(2025, 1, 1, tzinfo=UTC), issued_on=date(2024, 12, 20))
    db.session.commit()
    assert purge_now().deleted == 0
    assert file_bytes(letter) != b""


def test_a_superseded_letter_is_deleted_the_retention_time_after_it_was_replaced():
    owner = factories.make_user()
    letter = factories.make_letter(owner, status="withdrawn", issued_on=date(2026, 8, 1),
                                   uploaded_at=datetime(2026, 8, 2, tzinfo=UTC))
    # Replaced at 23:30 WITA on 10 September (15:30 UTC).
    db.session.add(LetterEvent(letter_id=letter.id, actor_id=owner.id, action="withdrawn",
                               at=datetime(2026, 9, 10, 23, 30, tzinfo=WITA)))
    db.session.commit()
    assert retention.file_due_on(letter) == date(2026, 12, 9)
    with frozen(datetime(2026, 12, 8, 23, 59, tzinfo=WITA)):
        assert purge_now().deleted == 0
    with frozen(datetime(2026, 12, 9, 0, 1, tzinfo=WITA)):
        assert purge_now().by_reason == {"withdrawn": 1}


def test_an_approved_letter_that_served_no_certificate_goes_the_retention_time_after_its_last_valid_day():
    letter = factories.make_letter(factories.make_user(), status="approved", issued_on=date(2026, 1, 10),
                                   uploaded_at=datetime(2026, 1, 12, tzinfo=UTC))
    db.session.commit()
    assert letter.valid_until == date(2026, 7, 10)
    assert retention.file_due_on(letter) == date(2026, 10, 8)
    with frozen(datetime(2026, 10, 7, 23, 59, tzinfo=WITA)):
        assert purge_now().deleted == 0
    with frozen(datetime(2026, 10, 8, 0, 1, tzinfo=WITA)):
        assert purge_now().by_reason == {"expired_unused": 1}


def test_the_letters_that_served_a_certificate_go_the_retention_time_after_it_was_issued(keys):
    certificate, couple, first, second = make_certificate()
    db.session.commit()
    issued_on = certificate.snapshot["issued_on"]
    due_on = date.fromisoformat(issued_on) + timedelta(days=DAYS)
    served = db.session.scalars(select(Letter).where(Letter.user_id.in_([first.id, second.id]))).all()
    assert len(served) == 2 and {retention.file_due_on(le) for le in served} == {due_on}
    # Still valid letters: without the certificate they would wait for their expiry.
    assert all(le.valid_until + timedelta(days=DAYS) > due_on for le in served)
    day_before = datetime.combine(due_on - timedelta(days=1), datetime.min.time(), WITA) + timedelta(hours=23, minutes=59)
    with frozen(day_before):
        assert purge_now().deleted == 0
    with frozen(day_before + timedelta(minutes=2)):
        report = purge_now()
    assert report.by_reason == {"certificate_issued": 2}
    assert all(file_bytes(le) == b"" for le in served)


# --- the run --------------------------------------------------------------------------------------

def test_the_purge_runs_in_batches_and_is_idempotent():
    letters = [rejected_at(datetime(2026, 6, 1, 12, 0, tzinfo=WITA)) for _ in range(5)]
    keep = factories.make_letter(factories.make_user(), status="pending")
    db.session.commit()
    commits = []
    report = retention.purge(batch_size=2, after_batch=lambda: commits.append(db.session.commit()))
    assert (report.examined, report.deleted, len(commits)) == (5, 5, 3)
    assert all(db.session.get(Letter, le.id).file_deleted_at is not None for le in letters)
    assert file_bytes(keep) != b""
    again = retention.purge(batch_size=2)
    assert (again.examined, again.deleted) == (0, 0)


def test_flask_letters_purge_prints_counts_without_names_and_dry_run_deletes_nothing(app):
    owner = factories.make_user(full_name="Maria Contoh Fanggi", email="maria.fanggi@contoh.test")
    letter = factories.make_letter(owner, status="rejected", issued_on=date(2026, 5, 1),
                                   uploaded_at=datetime(2026, 5, 3, tzinfo=UTC))
    db.session.commit()
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["letters", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would delete 1 files" in dry.output and "rejected=1" in dry.output
    assert db.session.get(Letter, letter.id).file_deleted_at is None

    run = runner.invoke(args=["letters", "purge"])
    assert run.exit_code == 0, run.output
    assert "deleted 1 files" in run.output and "retention 90 days" in run.output
    for personal in ("Maria", "Fanggi", "maria.fanggi", letter.number):
        assert personal not in run.output + dry.output
    db.session.expire_all()
    assert db.session.get(Letter, letter.id).file_deleted_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "letters_purge"))
    assert entry.user_id is None and entry.detail == "deleted=1 days=90"

    again = runner.invoke(args=["letters", "purge"])
    assert again.exit_code == 0 and "deleted 0 files" in again.output

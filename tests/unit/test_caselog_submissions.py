"""The Polres channel's rules (issue 13 point 1; product §2, §7): services/caselog/submissions.py.
Synthetic rows only."""
import json
from datetime import date

import pytest
from sqlalchemy import Text, func, select, type_coerce

from course_app.extensions import db
from course_app.models.caselog import Case, PoliceSubmission
from course_app.services import DomainError, NotFound
from course_app.services.caselog import submissions

from .. import factories
from ..caselog_import_builders import import_csv, import_row, import_xlsx
from ..mailbox import Outbox

TODAY = date(2026, 12, 6)


@pytest.fixture
def liaison():
    factories.seed_caselog()
    user = factories.make_user(roles=("police",))
    db.session.commit()
    return user


@pytest.fixture
def caseworker():
    user = factories.make_user(roles=("caseworker",))
    db.session.commit()
    return user


def clean_file(*refs):
    return import_csv([import_row(no_laporan=ref) for ref in refs or ("LP/SINT/1",)])


def send(liaison, month="2026-11", data=None, filename="register.csv"):
    item = submissions.submit_file(liaison, month, filename, data or clean_file(), today=TODAY)
    db.session.commit()
    return item


# --- submitting --------------------------------------------------------------------------------

def test_a_submission_passes_the_import_validation_and_keeps_its_row_problems(liaison):
    data = import_csv([import_row(no_laporan="LP/1"), import_row(no_laporan="LP/2", korban_jk="X",
                                                                 kecamatan="Atlantis")])
    item = send(liaison, data=data)
    assert (item.status, item.row_count, item.problem_count) == ("received", 2, 2)
    problems = submissions.row_problems(item)
    assert {row for row, _column, _reason in problems} == {3}
    assert {column for _row, column, _reason in problems} == {"korban_jk", "kecamatan"}


def test_an_xlsx_register_is_read_like_a_csv(liaison):
    item = send(liaison, data=import_xlsx([import_row(no_laporan="LP/X1")]), filename="register.xlsx")
    assert (item.row_count, item.problem_count) == (1, 0)


def test_the_file_is_stored_encrypted_at_rest(liaison):
    item = send(liaison, data=clean_file("LP/SECRET/1"))
    raw = db.session.scalar(select(type_coerce(PoliceSubmission.content, Text)).where(PoliceSubmission.id == item.id))
    assert b"Korban Sintetis" not in raw.encode() and "LP/SECRET" not in raw
    db.session.expire_all()
    assert b"Korban Sintetis" in db.session.get(PoliceSubmission, item.id).content


def test_a_file_that_is_no_table_is_refused_and_nothing_is_stored(liaison):
    with pytest.raises(DomainError):
        submissions.submit_file(liaison, "2026-11", "register.xlsx", b"PK\x03\x04 broken", today=TODAY)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PoliceSubmission)) == 0


@pytest.mark.parametrize("month", ["2027-01", "2026-13", "11-2026", "", "1999-12"])
def test_the_month_is_a_real_kupang_month_not_in_the_future(liaison, month):
    with pytest.raises(DomainError) as refused:
        submissions.submit_file(liaison, month, "register.csv", clean_file(), today=TODAY)
    assert refused.value.field == "month"


def test_a_new_submission_for_the_same_month_replaces_the_pending_one(liaison):
    first = send(liaison, data=import_csv([import_row(korban_jk="X")]))
    second = send(liaison)
    other_month = send(liaison, month="2026-10")
    assert (first.status, second.status, other_month.status) == ("replaced", "received", "received")


def test_web_form_cases_join_the_months_pending_form_submission(liaison):
    first = submissions.add_form_case(liaison, "2026-11", import_row(no_laporan="LP/F1"), today=TODAY)
    second = submissions.add_form_case(liaison, "2026-11", import_row(no_laporan="LP/F2"), today=TODAY)
    db.session.commit()
    assert first.id == second.id
    assert (second.kind, second.row_count, second.problem_count) == ("form", 2, 0)


def test_a_web_form_case_with_problems_is_refused_with_every_problem_and_nothing_is_stored(liaison):
    with pytest.raises(submissions.RowProblems) as refused:
        submissions.add_form_case(liaison, "2026-11", import_row(korban_jk="X", tanggal_lapor=""),
                                  today=TODAY)
    assert {column for column, _reason in refused.value.problems} == {"korban_jk", "tanggal_lapor"}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PoliceSubmission)) == 0


def test_the_liaison_sees_row_numbers_and_problems_never_a_case_number(liaison):
    item = send(liaison, data=import_csv([import_row(korban_jk="X")]))
    stored = json.loads(item.problems)
    stored.append([2, "no_laporan", "Duplikat: nomor laporan ini sudah tercatat (kasus P3A-2026-00012)."])
    item.problems = json.dumps(stored)
    shown = submissions.row_problems(item)
    assert [(row, column) for row, column, _reason in shown] == [(2, "korban_jk"), (2, "no_laporan")]
    assert not any("P3A-" in reason for _row, _column, reason in shown)


def test_another_liaisons_submission_is_not_found(liaison):
    item = send(liaison)
    other = factories.make_user(roles=("police",))
    with pytest.raises(NotFound):
        submissions.get_own_submission(item.id, other)


# --- deciding ----------------------------------------------------------------------------------

def test_accepting_creates_the_cases_through_the_import_linked_to_the_submission(liaison, caseworker):
    item = send(liaison, data=clean_file("LP/A1", "LP/A2"))
    ids = submissions.accept_submission(item, caseworker, today=TODAY)
    db.session.commit()
    assert item.status == "accepted" and item.case_count == 2 and item.decided_by_id == caseworker.id
    cases = db.session.scalars(select(Case).where(Case.id.in_(ids))).all()
    assert {c.import_batch_id for c in cases} == {item.import_batch_id}
    assert {c.external_ref for c in cases} == {"LP/A1", "LP/A2"}


def test_a_submission_with_row_problems_cannot_be_accepted(liaison, caseworker):
    item = send(liaison, data=import_csv([import_row(korban_jk="X")]))
    with pytest.raises(DomainError):
        submissions.accept_submission(item, caseworker, today=TODAY)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_report_recorded_since_the_submission_is_never_written_twice(liaison, caseworker):
    item = send(liaison, data=clean_file("LP/R1", "LP/R2"))
    factories.make_case(source="polres", external_ref="LP/R2")
    db.session.commit()
    try:  # skipped (the import lists duplicates apart) or refused (it counts them as problems)
        submissions.accept_submission(item, caseworker, today=TODAY)
        db.session.commit()
    except DomainError:
        db.session.rollback()
        assert db.session.get(PoliceSubmission, item.id).status == "received"
    assert db.session.scalar(select(func.count()).select_from(Case).where(Case.external_ref == "LP/R2")) == 1
    if item.status == "accepted":
        assert item.case_count == 1
        assert db.session.scalar(select(Case.import_batch_id).where(Case.external_ref == "LP/R1")) == \
            item.import_batch_id


def test_returning_needs_a_reason(liaison, caseworker):
    item = send(liaison)
    with pytest.raises(DomainError) as refused:
        submissions.return_submission(item, caseworker, "   ")
    assert refused.value.field == "reason"


def test_a_decided_submission_cannot_be_decided_again(liaison, caseworker):
    item = send(liaison)
    submissions.return_submission(item, caseworker, "Baris 2 belum lengkap.")
    with pytest.raises(DomainError):
        submissions.accept_submission(item, caseworker, today=TODAY)


def test_the_liaison_gets_an_email_either_way_without_case_data(liaison, caseworker):
    Outbox().clear()
    accepted = send(liaison, data=clean_file("LP/M1"))
    submissions.accept_submission(accepted, caseworker, today=TODAY)
    returned = send(liaison, month="2026-10")
    submissions.return_submission(returned, caseworker, "Kolom kecamatan kosong di baris 2.")
    db.session.commit()
    first, second = Outbox().messages()
    assert first["To"] == second["To"] == liaison.email
    assert "November 2026" in first["Subject"] and "1 kasus" in first.get_content()
    assert "Kolom kecamatan kosong di baris 2." in second.get_content()
    for mail in (first, second):
        body = mail.get_content()
        assert "Korban Sintetis" not in body and "LP/M1" not in body and "P3A-" not in body
        assert f"/polres/{accepted.id if mail is first else returned.id}" in body


# --- missing months ------------------------------------------------------------------------------

def test_p3a_sees_the_last_12_months_without_an_accepted_submission(liaison, caseworker):
    accepted = send(liaison, month="2026-11", data=clean_file("LP/N1"))
    submissions.accept_submission(accepted, caseworker, today=TODAY)
    send(liaison, month="2026-10")
    returned = send(liaison, month="2026-09", data=clean_file("LP/N3"))
    submissions.return_submission(returned, caseworker, "Salah bulan.")
    db.session.commit()
    overview = {m.month: m.status for m in submissions.month_overview(today=TODAY)}
    assert list(overview)[:3] == ["2026-11", "2026-10", "2026-09"] and len(overview) == 12
    assert "2026-12" not in overview  # this month's register is not due yet
    assert (overview["2026-11"], overview["2026-10"], overview["2026-09"], overview["2025-12"]) == \
        ("accepted", "received", "returned", "none")
    missing = submissions.missing_months(today=TODAY)
    assert "2026-11" not in missing and len(missing) == 11


def test_months_roll_over_the_year_in_kupangs_calendar():
    assert submissions.recent_months(date(2026, 1, 31), count=2) == ["2025-12", "2025-11"]



# --- demo ----------------------------------------------------------------------------------------

def test_the_demo_liaison_has_one_accepted_and_one_returned_submission_made_once(liaison, caseworker):
    made = submissions.add_demo_submissions(liaison, caseworker, today=TODAY)
    db.session.commit()
    assert submissions.add_demo_submissions(liaison, caseworker, today=TODAY) == []
    items = submissions.liaison_submissions(liaison)
    assert [(i.month, i.status) for i in items] == [("2026-11", "returned"), ("2026-10", "accepted")]
    accepted = made[0]
    assert accepted.problem_count == 0 and accepted.case_count == 8
    assert db.session.scalar(select(func.count()).select_from(Case).where(
        Case.import_batch_id == accepted.import_batch_id)) == 8
    assert [row for row, _c, _r in submissions.row_problems(made[1])] == [4]

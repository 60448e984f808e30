"""The programme's numbers (issue 12 point 5; services/programme_statistics.py), each rule on a
small hand-built data set. Months are Kupang's: WITA is UTC+8."""
import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from course_app.extensions import db
from course_app.services import DomainError
from course_app.services import programme_statistics as stats
from tests import factories

JAN_TO_MAR = stats.Period(date(2026, 1, 1), date(2026, 3, 1))
NOW = datetime(2026, 4, 10, 2, 0, tzinfo=UTC)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def column(table, name):
    return {row.code: row.values[name] for row in table.rows}


@pytest.fixture
def programme():
    """Three couples and their path through the programme, January to March 2026 (Kupang).

    - A (gereja, Oebobo): registered 10 Jan, both partners read and passed the one required
      module in February (Maria on 3 Feb at her second attempt, Yosef on 20 Feb at his first),
      certified 21 Feb.
    - B (masjid/KUA, no kecamatan): registered at 23:30 UTC on 31 Jan — 1 Feb in Kupang; Sisi
      opened a lesson on 2 Mar.
    - C (gereja, Alak): registered in December 2025, Dewi started on 5 Jan.
    An optional module, failed once by Maria, never blocks completion.
    """
    required = factories.make_module(code="gizi_uji", lessons=2, questions=4, multiple=0,
                                     questions_per_attempt=4)
    optional = factories.make_module(code="kespro_uji", lessons=1, questions=4, multiple=0,
                                     questions_per_attempt=4, required=False)
    maria, yosef, sisi, dewi = (factories.make_user(full_name=n) for n in
                                ("Maria Contoh", "Yosef Contoh", "Sisi Contoh", "Dewi Contoh"))
    a = factories.make_couple(maria, yosef)
    a.created_at, a.residence_kecamatan = utc(2026, 1, 10, 2, 0), "537104"
    b = factories.make_couple(sisi, institution_type="masjid_kua")
    b.created_at = utc(2026, 1, 31, 23, 30)
    c = factories.make_couple(dewi)
    c.created_at, c.residence_kecamatan = utc(2025, 12, 15, 3, 0), "537101"
    for couple in (a, b, c):
        for member in couple.members:
            member.joined_at = couple.created_at
    factories.study(maria, required, utc(2026, 1, 12, 1, 0))
    factories.study(yosef, required, utc(2026, 1, 20, 1, 0))
    factories.make_attempt_at(maria, required, utc(2026, 2, 1, 1, 0), passed=False)
    factories.make_attempt_at(maria, required, utc(2026, 2, 3, 1, 0), passed=True)
    factories.make_attempt_at(yosef, required, utc(2026, 2, 20, 1, 0), passed=True)
    factories.study(maria, optional, utc(2026, 2, 5, 1, 0))
    factories.make_attempt_at(maria, optional, utc(2026, 2, 6, 1, 0), passed=False)
    factories.study(sisi, required, utc(2026, 3, 2, 1, 0), read=False)
    factories.study(dewi, required, utc(2026, 1, 5, 1, 0), read=False)
    factories.make_certificate_record(a, utc(2026, 2, 21, 1, 0))
    db.session.flush()
    return {"a": a, "b": b, "c": c, "maria": maria, "required": required, "optional": optional}


def test_couples_are_counted_per_kupang_month_at_each_stage(programme):
    table = stats.couples_by_month(JAN_TO_MAR)
    assert [row.code for row in table.rows] == ["2026-01", "2026-02", "2026-03"]
    assert column(table, "registered") == {"2026-01": 1, "2026-02": 1, "2026-03": 0}
    assert column(table, "started") == {"2026-01": 2, "2026-02": 0, "2026-03": 1}
    assert column(table, "completed") == {"2026-01": 0, "2026-02": 1, "2026-03": 0}
    assert column(table, "certified") == {"2026-01": 0, "2026-02": 1, "2026-03": 0}
    assert table.total.values == {"registered": 2, "started": 3, "completed": 1, "certified": 1}


def test_a_couple_is_completed_only_when_both_partners_completed_every_required_module(programme):
    """Sisi's couple has one member and Dewi read nothing: neither is completed; couple A is, in
    February, when the later partner (Yosef, 20 Feb) passed."""
    assert stats.couples_by_month(JAN_TO_MAR).total.values["completed"] == 1
    maria_only = stats.Period(date(2026, 2, 1), date(2026, 2, 1))
    assert column(stats.couples_by_month(maria_only), "completed") == {"2026-02": 1}


def test_a_couple_completes_no_earlier_than_its_second_partner_joined(programme):
    """Both finished in February; had Yosef joined only in March, March is when it completed."""
    programme["a"].members[1].joined_at = utc(2026, 3, 4, 1, 0)
    db.session.flush()
    assert column(stats.couples_by_month(JAN_TO_MAR), "completed") == {
        "2026-01": 0, "2026-02": 0, "2026-03": 1}


def test_a_new_unread_lesson_undoes_completion(programme):
    from course_app.models import Lesson

    db.session.add(Lesson(module_id=programme["required"].id, slug="baru", title="Baru", position=9,
                          body_markdown="x", body_html="<p>x</p>"))
    db.session.flush()
    assert stats.couples_by_month(JAN_TO_MAR).total.values["completed"] == 0


def test_an_event_at_2330_utc_on_the_last_day_of_a_month_counts_in_the_next_month_in_kupang():
    creator = factories.make_user()
    factories.make_couple_record(creator, utc(2026, 1, 31, 23, 30))   # 1 Feb 07:30 WITA
    factories.make_couple_record(creator, utc(2026, 1, 31, 15, 59))   # 31 Jan 23:59 WITA
    factories.make_couple_record(creator, utc(2025, 12, 31, 16, 30))  # 1 Jan 00:30 WITA
    factories.make_couple_record(creator, utc(2025, 12, 31, 15, 30))  # 31 Dec 23:30 WITA: outside
    factories.make_couple_record(creator, utc(2026, 3, 31, 16, 0))    # 1 Apr 00:00 WITA: outside
    assert column(stats.couples_by_month(JAN_TO_MAR), "registered") == {
        "2026-01": 2, "2026-02": 1, "2026-03": 0}


def test_couples_by_institution_type_and_by_kecamatan_of_residence(programme):
    by_type = stats.couples_by_institution(JAN_TO_MAR)
    assert column(by_type, "registered")["gereja"] == 1
    assert column(by_type, "registered")["masjid_kua"] == 1
    assert column(by_type, "started") == {"gereja": 2, "masjid_kua": 1, "pura": 0, "vihara": 0,
                                          "klenteng": 0, "catatan_sipil": 0}
    by_kecamatan = stats.couples_by_kecamatan(JAN_TO_MAR)
    started = column(by_kecamatan, "started")
    assert (started["537104"], started["537101"], started["luar_kota"]) == (1, 1, 1)
    assert column(by_kecamatan, "certified")["537104"] == 1
    assert [row.label for row in by_kecamatan.rows][:2] == ["Alak", "Kelapa Lima"]
    assert str(by_kecamatan.rows[-1].label) == "Di luar Kota Kupang / tidak diisi"


def test_module_pass_rates_and_attempts_to_pass_per_participant(programme):
    table = stats.module_table(JAN_TO_MAR)
    rows = {row.code: row.values for row in table.rows}
    assert rows["gizi_uji"] == {"kind": "Wajib", "attempts": 3, "passed": 2, "pass_rate": 66.7,
                                "participants": 2, "mean_tries": 1.5, "median_tries": 1.5}
    assert rows["kespro_uji"] == {"kind": "Pilihan", "attempts": 1, "passed": 0, "pass_rate": 0.0,
                                  "participants": 0, "mean_tries": None, "median_tries": None}
    assert [row.code for row in table.rows] == ["gizi_uji", "kespro_uji"]  # required first


def test_attempts_before_the_period_count_towards_attempts_to_pass():
    module = factories.make_module(questions=4, multiple=0)
    person = factories.make_user()
    factories.make_attempt_at(person, module, utc(2025, 12, 20, 1, 0), passed=False)
    factories.make_attempt_at(person, module, utc(2025, 12, 27, 1, 0), passed=False)
    factories.make_attempt_at(person, module, utc(2026, 1, 3, 1, 0), passed=True)
    row = stats.module_table(JAN_TO_MAR).rows[0].values
    assert (row["attempts"], row["passed"], row["median_tries"]) == (1, 1, 3)


def test_median_days_from_letter_upload_to_decision_overall_and_per_month():
    person = factories.make_user()
    for uploaded, hours, status in [(utc(2026, 1, 5, 0, 0), 36, "approved"),
                                    (utc(2026, 1, 8, 0, 0), 12, "approved"),
                                    (utc(2026, 2, 10, 0, 0), 60, "rejected")]:
        letter = factories.make_letter(person, status=status, uploaded_at=uploaded)
        letter.decided_at = uploaded + timedelta(hours=hours, minutes=59)
    factories.make_letter(person, status="pending", uploaded_at=utc(2026, 1, 9, 0, 0))
    db.session.flush()
    table = stats.letter_table(JAN_TO_MAR)
    assert column(table, "decisions") == {"2026-01": 2, "2026-02": 1, "2026-03": 0}
    assert column(table, "median_days") == {"2026-01": 1.0, "2026-02": 2.5, "2026-03": None}
    assert table.total.values == {"decisions": 3, "median_days": 1.5}


def test_certificates_issued_in_the_period_are_counted_by_their_state_today():
    creator = factories.make_user()

    def issued(**state):
        couple = factories.make_couple_record(creator, utc(2026, 1, 2, 1, 0))
        return factories.make_certificate_record(couple, utc(2026, 1, 15, 1, 0), **state)

    issued()
    issued(used_at=utc(2026, 2, 1, 1, 0))
    issued(used_at=utc(2026, 2, 1, 1, 0), revoked_at=utc(2026, 2, 2, 1, 0))
    issued(expires_at=utc(2026, 3, 1, 1, 0))
    issued(expires_at=utc(2026, 3, 1, 1, 0), used_at=utc(2026, 2, 1, 1, 0))
    factories.make_certificate_record(factories.make_couple_record(creator, utc(2025, 11, 1)),
                                      utc(2025, 11, 2, 1, 0))  # before the period
    table = stats.certificate_table(JAN_TO_MAR, now=NOW)
    assert column(table, "certificates") == {"valid": 1, "used": 2, "expired": 1, "revoked": 1}
    assert table.total.values["certificates"] == 5


def test_publication_shows_counts_from_1_to_4_as_below_5_and_hides_the_next_smallest():
    creator = factories.make_user()
    for month, n in [(1, 6), (2, 2), (3, 7)]:
        for day in range(1, n + 1):
            factories.make_couple_record(creator, utc(2026, month, day, 4, 0), residence_kecamatan="537104")
    published = stats.programme_statistics(JAN_TO_MAR, publication=True, now=NOW)
    months = published["months"]
    assert column(months, "registered") == {"2026-01": "*", "2026-02": "<5", "2026-03": 7}
    assert months.total.values["registered"] == 15
    assert column(months, "started") == {"2026-01": 0, "2026-02": 0, "2026-03": 0}
    exact = stats.programme_statistics(JAN_TO_MAR, now=NOW)
    assert column(exact["months"], "registered") == {"2026-01": 6, "2026-02": 2, "2026-03": 7}


def test_publication_suppresses_small_totals_and_goes_no_finer_than_kecamatan(programme):
    published = stats.programme_statistics(JAN_TO_MAR, publication=True, now=NOW)
    assert published["months"].total.values["registered"] == "<5"
    by_kecamatan = published["kecamatan"]
    assert column(by_kecamatan, "started")["537104"] == "<5"
    assert {row.code for row in by_kecamatan.rows} == {"537101", "537102", "537103", "537104",
                                                      "537105", "537106", "luar_kota"}
    assert [code for code, _label in by_kecamatan.columns] == ["registered", "started",
                                                                "completed", "certified"]


def test_publication_hides_rates_and_medians_over_fewer_than_5(programme):
    published = stats.programme_statistics(JAN_TO_MAR, publication=True, now=NOW)
    gizi = {row.code: row.values for row in published["modules"].rows}["gizi_uji"]
    assert (gizi["attempts"], gizi["passed"], gizi["pass_rate"]) == ("<5", "<5", None)
    assert (gizi["participants"], gizi["mean_tries"], gizi["median_tries"]) == ("<5", None, None)


def test_publication_hides_a_pass_rate_that_would_give_a_small_number_of_failures_away():
    module = factories.make_module(questions=4, multiple=0)
    for i in range(12):
        factories.make_attempt_at(factories.make_user(), module, utc(2026, 2, 1, i, 0), passed=i >= 2)
    gizi = stats.programme_statistics(JAN_TO_MAR, publication=True, now=NOW)["modules"].rows[0].values
    assert (gizi["attempts"], gizi["passed"], gizi["pass_rate"]) == (12, "*", None)
    assert (gizi["participants"], gizi["median_tries"]) == (10, 1)


def test_nothing_in_the_period_is_empty(programme):
    later = stats.Period(date(2026, 6, 1), date(2026, 7, 1))
    assert stats.programme_statistics(later, now=NOW).is_empty
    assert not stats.programme_statistics(JAN_TO_MAR, now=NOW).is_empty


def test_the_default_period_is_the_last_12_kupang_months():
    period = stats.default_period(today=date(2026, 12, 6))
    assert (period.first, period.last, period.length) == (date(2026, 1, 1), date(2026, 12, 1), 12)


def test_a_reversed_or_too_long_period_is_refused():
    with pytest.raises(DomainError):
        stats.make_period(date(2026, 5, 1), date(2026, 4, 1))
    with pytest.raises(DomainError):
        stats.make_period(date(2020, 1, 1), date(2026, 1, 1))
    assert stats.make_period(date(2026, 4, 9), date(2026, 4, 30)).length == 1


def test_csv_and_xlsx_hold_the_same_tables_with_headers(programme):
    result = stats.programme_statistics(JAN_TO_MAR, now=NOW)
    lines = list(csv.reader(io.StringIO(stats.statistics_csv(result).decode("utf-8-sig"))))
    assert ["Kode", "Pasangan per bulan", "Terdaftar", "Mulai belajar", "Selesai semua materi wajib",
            "Bersertifikat"] in lines
    assert ["2026-02", "Februari 2026", "1", "0", "1", "1"] in lines
    workbook = load_workbook(io.BytesIO(stats.statistics_xlsx(result)))
    assert workbook.sheetnames == ["Per bulan", "Jenis lembaga", "Kecamatan", "Materi", "SKCK",
                                   "Sertifikat"]
    sheet_rows = [list(r) for r in workbook["Per bulan"].iter_rows(values_only=True)]
    assert ["2026-02", "Februari 2026", 1, 0, 1, 1] in sheet_rows


def test_exports_neutralise_formulas_in_text_cells(programme):
    programme["required"].title = "=HYPERLINK(\"http://contoh.test\")"
    result = stats.programme_statistics(JAN_TO_MAR, now=NOW)
    text = stats.statistics_csv(result).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text

"""One way to write a date (issue 12, point 8): long dates, date-times with Kupang's zone, in
pages, emails, the PDF and exports; exports show labels with codes in their own columns."""
import re
from datetime import UTC, date, datetime
from pathlib import Path

from flask_babel import force_locale

from course_app.services import dates

ROOT = Path(__file__).resolve().parents[2]


def test_a_date_is_written_long_in_the_readers_language(app):
    with app.test_request_context(), force_locale("id"):
        assert dates.long_date(date(2026, 12, 1)) == "1 Desember 2026"
    with app.test_request_context(), force_locale("en"):
        assert dates.long_date(date(2026, 12, 1)) == "December 1, 2026"
    with app.test_request_context():
        assert dates.long_date(None) == ""


def test_a_moment_is_written_with_kupangs_time_and_zone(app):
    evening_utc = datetime(2026, 11, 30, 21, 44, tzinfo=UTC)  # 05.44 on 1 December in Kupang
    with app.test_request_context(), force_locale("id"):
        assert dates.date_time(evening_utc) == "1 Des 2026, 05.44 WITA"
        assert dates.long_date(evening_utc) == "1 Desember 2026"
    with app.test_request_context(), force_locale("en"):
        assert dates.date_time(evening_utc) == "1 Dec 2026, 05.44 WITA"


def test_a_register_month_is_written_with_its_name_in_the_readers_language(app):
    with app.test_request_context(), force_locale("id"):
        assert dates.month_name("2026-11") == "November 2026"
        assert dates.month_name(date(2026, 2, 14)) == "Februari 2026"
        assert dates.month_name("bukan-bulan") == "bukan-bulan"
    with app.test_request_context(), force_locale("en"):
        assert dates.month_name("2026-02") == "February 2026"


def test_templates_never_choose_their_own_date_format():
    """The filters take no format: a template asking for 'short' would bring back "1/12/26"."""
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "templates").rglob("*.*")
                 if re.search(r"\|\s*format_date(time)?\s*\(", path.read_text(errors="replace"))]
    assert offenders == []


def test_python_code_formats_dates_only_through_the_dates_service():
    """Emails and messages built in Python use services/dates (the PDF keeps its Indonesian
    long date, the statistics their month names)."""
    allowed = {"course_app/services/dates.py", "course_app/services/certificate_pdf.py",
               "course_app/services/programme_statistics.py"}
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "course_app").rglob("*.py")
                 if str(path.relative_to(ROOT)) not in allowed
                 and re.search(r"\bformat_(date|datetime)\s*\(", path.read_text())]
    assert offenders == []


def test_the_case_list_export_shows_labels_with_codes_and_iso_dates_apart(app):
    import csv
    import io

    from course_app.extensions import db
    from course_app.services.caselog import exports

    from .. import factories

    factories.seed_caselog()
    case = factories.make_case(factories.make_user(roles=("caseworker",)))
    db.session.commit()
    with app.test_request_context(), force_locale("id"):
        header, row = list(csv.reader(io.StringIO(exports.cases_csv([case]).decode("utf-8-sig"))))
        written = dates.long_date(case.report_date)
    record = dict(zip(header, row, strict=True))
    assert record["Sumber data"] == case.source.label and record["Kode sumber data"] == case.source.code
    assert record["Tempat kejadian"] == case.place.label and record["Kode tempat kejadian"] == case.place.code
    labels = [lookup.label for lookup in case.lookups("violence_type")]
    assert record["Jenis kekerasan"] == "; ".join(labels)
    assert record["Kode jenis kekerasan"] == "; ".join(lookup.code for lookup in case.lookups("violence_type"))
    assert record["Tanggal lapor"] == written and re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", written)
    assert record["Tanggal lapor (ISO)"] == case.report_date.isoformat()

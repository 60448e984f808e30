"""One clock in Kupang's zone (product §8, issue 9 point 1).

Every rule that involves a date is tried with the clock frozen at the edges of Kupang's day:
23:59 and 00:01 WITA (the UTC date is the day before all night long), 07:59 and 08:01 WITA (the
UTC date turns at 08:00 WITA). The server's own date is wrong in Kupang from 00:00 to 08:00.
"""
import ast
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from werkzeug.http import parse_options_header

from course_app.extensions import db
from course_app.services import clock, couples, letters
from course_app.services.caselog import cases, reports
from course_app.services.certificates import record_marriage
from course_app.services.dates import long_date

from .. import factories
from ..certificate_builders import keys_fixture, make_certificate  # noqa: F401

WITA = ZoneInfo("Asia/Makassar")
SOURCE = Path(__file__).resolve().parents[2] / "course_app"

#: (Kupang wall clock, Kupang's date then). 6 December 2026 in Kupang starts at 16:00 UTC on the 5th.
EDGES = [
    pytest.param(datetime(2026, 12, 5, 23, 59, tzinfo=WITA), date(2026, 12, 5), id="23:59 WITA"),
    pytest.param(datetime(2026, 12, 6, 0, 1, tzinfo=WITA), date(2026, 12, 6), id="00:01 WITA"),
    pytest.param(datetime(2026, 12, 6, 7, 59, tzinfo=WITA), date(2026, 12, 6), id="07:59 WITA"),
    pytest.param(datetime(2026, 12, 6, 8, 1, tzinfo=WITA), date(2026, 12, 6), id="08:01 WITA"),
]


@pytest.fixture
def at():
    """`with at(moment):` freezes every clock of the process (time, datetime, date) there.

    The instant goes in as UTC: given a ZoneInfo, time-machine would also move the process's
    zone to Kupang's, and the server's own date would then be right by accident."""
    return lambda moment: time_machine.travel(moment.astimezone(UTC), tick=False)


# --- one source ----------------------------------------------------------------------------------

def _server_clock_calls(tree):
    """`date.today()`, `datetime.today()`, `datetime.utcnow()`, and `datetime.now()` without a zone."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        owner = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
        name = node.func.attr
        if owner in ("date", "datetime") and name == "today":
            yield node.lineno
        elif owner == "datetime" and name == "utcnow":
            yield node.lineno
        elif owner == "datetime" and name == "now" and not (node.args or node.keywords):
            yield node.lineno
        elif owner == "time" and name in ("localtime", "strftime"):
            yield node.lineno


def test_every_date_decision_goes_through_the_one_clock_service():
    found = []
    for path in SOURCE.rglob("*.py"):
        if path == SOURCE / "services" / "clock.py":
            continue
        for line in _server_clock_calls(ast.parse(path.read_text(), str(path))):
            found.append(f"{path.relative_to(SOURCE.parent)}:{line}")
    # Templates and forms may not call the server's date either (a default=date.today, say).
    for path in SOURCE.rglob("*.py"):
        text = path.read_text()
        if path != SOURCE / "services" / "clock.py" and re.search(r"default=(date|datetime)\.(today|now)\b", text):
            found.append(f"{path.relative_to(SOURCE.parent)}: default from the server clock")
    assert found == []


def test_the_source_walker_finds_server_clock_calls():
    tree = ast.parse("from datetime import date, datetime\n"
                     "a = date.today()\nb = datetime.now()\nc = datetime.utcnow()\n"
                     "d = datetime.now(UTC)\nimport datetime as dt\ne = dt.date.today()\n")
    assert list(_server_clock_calls(tree)) == [2, 3, 4, 7]


def test_the_zone_is_a_setting(app, monkeypatch, at):
    monkeypatch.setitem(app.config, "APP_TIMEZONE", "Asia/Jayapura")  # WIT, UTC+9
    with at(datetime(2026, 12, 5, 15, 30, tzinfo=UTC)):
        assert clock.today() == date(2026, 12, 6)
        assert clock.local_now().utcoffset() == timedelta(hours=9)


@pytest.mark.parametrize("moment,kupang_day", EDGES)
def test_today_is_kupangs_date_at_the_edges_of_its_day(app, at, moment, kupang_day):
    with at(moment):
        assert clock.today() == kupang_day
        assert clock.local_now() == moment
        assert clock.utcnow() == moment.astimezone(UTC)
        assert clock.stamp() == kupang_day.isoformat()


@pytest.mark.parametrize("moment,kupang_day", EDGES)
def test_a_kupang_day_is_a_range_of_instants_from_its_midnight(app, moment, kupang_day):
    start, end = clock.day_start(kupang_day), clock.day_end(kupang_day)
    assert start == datetime(kupang_day.year, kupang_day.month, kupang_day.day, tzinfo=WITA)
    assert end - start == timedelta(days=1)
    assert start <= moment < end
    assert clock.local_date(moment.astimezone(UTC)) == kupang_day


# --- the rules that involve a date ------------------------------------------------------------

@pytest.mark.parametrize("moment,kupang_day", EDGES)
def test_a_marriage_recorded_today_in_kupang_is_accepted(app, keys, at, moment, kupang_day):
    with at(moment - timedelta(hours=1)):
        certificate, *_ = make_certificate()
    officiant = factories.make_user(roles=("officiant",))
    db.session.commit()
    with at(moment):
        client = app.test_client()
        factories.log_in(client, officiant)
        html = client.get(f"/v/{certificate.id}").get_data(as_text=True)
        prefilled = re.search(r'id="marriage_date"[^>]*value="([^"]*)"', html)
        assert prefilled and prefilled.group(1) in (kupang_day.isoformat(), kupang_day.strftime("%d/%m/%Y"))
        response = client.post(f"/v/{certificate.id}/nikah", data={
            "marriage_date": prefilled.group(1), "institution_type": "gereja",
            "institution_name": "Jemaat Contoh Kota"})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
    db.session.refresh(certificate)
    assert certificate.marriage_date == kupang_day


@pytest.mark.parametrize("moment,kupang_day", EDGES)
def test_a_marriage_tomorrow_in_kupang_is_in_the_future(app, keys, at, moment, kupang_day):
    with at(moment - timedelta(hours=1)):
        certificate, *_ = make_certificate()
    officiant = factories.make_user(roles=("officiant",))
    with at(moment), pytest.raises(Exception, match="masa depan"):
        record_marriage(certificate, officiant, marriage_date=kupang_day + timedelta(days=1),
                        institution_type="gereja", institution_name="Jemaat Contoh")


@pytest.mark.parametrize("moment,kupang_day", EDGES)
def test_a_case_reported_today_in_kupang_is_not_in_the_future(app, at, moment, kupang_day):
    factories.seed_caselog()
    with at(moment):
        case = cases.create_case(factories.case_payload(
            incident_date=kupang_day - timedelta(days=1), report_date=kupang_day), None)
        assert case.report_date == kupang_day
        with pytest.raises(cases.CaseRuleError):
            cases.create_case(factories.case_payload(
                incident_date=kupang_day, report_date=kupang_day + timedelta(days=1)), None)


@pytest.mark.parametrize("moment,kupang_day", EDGES)
def test_a_service_given_today_in_kupang_is_logged(app, at, moment, kupang_day):
    factories.seed_caselog()
    worker = factories.make_user(roles=("caseworker",))
    case = factories.make_case(worker)
    with at(moment):
        entry = cases.add_service(case, victim_id=case.victims[0].id, service="pengaduan",
                                  status="dilayani", service_date=kupang_day, user=worker)
    assert entry.service_date == kupang_day


@pytest.mark.parametrize("moment,kupang_day", EDGES)
def test_case_forms_report_periods_and_export_names_use_kupangs_day(app, at, moment, kupang_day):
    factories.seed_caselog()
    worker = factories.make_user(roles=("caseworker",))
    db.session.commit()
    with at(moment):
        client = app.test_client()
        factories.log_in(client, worker)
        form = client.get("/kasus/baru").get_data(as_text=True)
        assert re.search(rf'id="report_date"[^>]*value="{kupang_day.isoformat()}"', form)
        report = client.get("/kasus/laporan").get_data(as_text=True)
        assert long_date(kupang_day) in report
        assert long_date(date(kupang_day.year, 1, 1)) in report
        export = client.get("/kasus/unduh?format=csv")
        assert parse_options_header(export.headers["Content-Disposition"])[1]["filename"] == \
            f"kasus-{kupang_day.isoformat()}.csv"


@pytest.mark.parametrize("moment,kupang_day", EDGES)
def test_report_periods_end_on_kupangs_today(moment, kupang_day):
    assert reports.period_range("this_year", kupang_day) == (date(kupang_day.year, 1, 1), kupang_day)
    assert reports.period_range("last_12_months", kupang_day)[1] == kupang_day


@pytest.mark.parametrize("moment,kupang_day", EDGES)
def test_a_wedding_must_be_after_kupangs_today(app, at, moment, kupang_day):
    maria = factories.make_user(full_name="Mawar Contoh")
    wedding = dict(institution_type="gereja", institution_name="Jemaat Contoh")
    with at(moment):
        with pytest.raises(Exception, match="setelah hari ini"):
            couples.create_couple(maria, planned_wedding_date=kupang_day, **wedding)
        couple = couples.create_couple(maria, planned_wedding_date=kupang_day + timedelta(days=1), **wedding)
    assert couple.planned_wedding_date == kupang_day + timedelta(days=1)


@pytest.mark.parametrize("moment,kupang_day", EDGES)
def test_an_skck_issued_today_in_kupang_is_accepted_and_one_valid_until_today_has_not_expired(
        app, at, moment, kupang_day):
    maria = factories.make_user(full_name="Mawar Contoh")
    with at(moment):
        letter = letters.submit_letter(maria, data=factories.jpeg_bytes(), filename="skck.jpg",
                                       number="SKCK/YANMAS/1/XII/2026", police_office="polres_kupang_kota",
                                       issued_on=kupang_day)
        assert letter.issued_on == kupang_day
        with pytest.raises(Exception, match="setelah hari ini"):
            letters.submit_letter(maria, data=factories.jpeg_bytes(), filename="skck.jpg",
                                  number="SKCK/YANMAS/2/XII/2026", police_office="polres_kupang_kota",
                                  issued_on=kupang_day + timedelta(days=1))
        ending_today = factories.make_letter(maria, issued_on=kupang_day - timedelta(days=100),
                                             valid_until=kupang_day)
        assert not letters.is_expired(ending_today)
        ending_yesterday = factories.make_letter(maria, issued_on=kupang_day - timedelta(days=100),
                                                 valid_until=kupang_day - timedelta(days=1))
        assert letters.is_expired(ending_yesterday)


@pytest.mark.parametrize("moment,kupang_day", EDGES)
def test_the_review_queue_filters_uploads_by_kupangs_day(app, at, moment, kupang_day):
    from course_app.services.letters.desk import review_queue

    maria = factories.make_user(full_name="Mawar Contoh")
    letter = factories.make_letter(maria, status="pending", uploaded_at=moment.astimezone(UTC))
    db.session.flush()
    found = db.session.scalars(review_queue(date_from=kupang_day, date_to=kupang_day)).all()
    assert letter in found
    assert letter not in db.session.scalars(review_queue(date_to=kupang_day - timedelta(days=1))).all()


@pytest.mark.parametrize("moment,kupang_day", EDGES)
def test_a_certificate_is_dated_on_kupangs_day(app, keys, at, moment, kupang_day):
    with at(moment):
        certificate, *_ = make_certificate()
    assert certificate.snapshot["issued_on"] == kupang_day.isoformat()
    assert clock.local_date(certificate.issued_at) == kupang_day


@pytest.mark.parametrize("moment,kupang_day", EDGES)
def test_registration_age_counts_from_kupangs_today(app, at, moment, kupang_day):
    from course_app.services.accounts import MIN_REGISTRATION_AGE, register_participant

    youngest = kupang_day - timedelta(days=365 * MIN_REGISTRATION_AGE)
    with at(moment):
        user = register_participant(full_name="Peserta Contoh", email="tepat@contoh.test",
                                    password="Kopi-Pagi-Sabu-Raijua", birth_date=youngest, sex="P")
        assert user.birth_date == youngest
        with pytest.raises(Exception, match="Tanggal lahir"):
            register_participant(full_name="Peserta Contoh", email="muda@contoh.test",
                                 password="Kopi-Pagi-Sabu-Raijua", birth_date=youngest + timedelta(days=1),
                                 sex="P")

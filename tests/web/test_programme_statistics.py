"""The programme's statistics on the staff desk (issue 12 point 5) and the couple's kecamatan of
residence that feeds them: what a reviewer sees, the period, publication mode, the CSV/XLSX
downloads and the empty state. The numbers themselves: tests/unit/test_programme_statistics.py."""
import csv
import io
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import time_machine
from openpyxl import load_workbook
from werkzeug.http import parse_options_header

from course_app.extensions import db
from course_app.services import clock, couples
from tests import factories
from tests.web.pages import error_beside, flashes, text


def couple_form(**overrides):
    data = {"planned_wedding_date": (clock.today() + timedelta(days=90)).isoformat(),
            "institution_type": "gereja", "institution_name": "Jemaat GMIT Contoh"}
    data.update(overrides)
    return data


@pytest.fixture
def maria(app):
    """A participant logged in on her own browser."""
    person = factories.make_user(full_name="Mawar Contoh")
    db.session.commit()
    browser = app.test_client()
    factories.log_in(browser, person)
    return person, browser


# --- the couple's kecamatan of residence ---------------------------------------------------------

def test_the_couple_form_offers_the_official_kecamatan_and_outside_the_city(maria):
    _person, browser = maria
    html = browser.get("/pasangan/").get_data(as_text=True)
    assert "Kecamatan tempat tinggal setelah menikah" in html
    assert '<option selected value="">Di luar Kota Kupang / tidak diisi</option>' in html
    for code, name in [("537101", "Alak"), ("537104", "Oebobo"), ("537106", "Kota Lama")]:
        assert f'<option value="{code}">{name}</option>' in html


def test_a_valid_kecamatan_of_residence_is_stored(maria):
    person, browser = maria
    response = browser.post("/pasangan/buat", data=couple_form(residence_kecamatan="537104"))
    assert response.status_code == 302
    assert couples.current_couple(person).residence_kecamatan == "537104"


def test_an_empty_kecamatan_of_residence_stores_nothing(maria):
    person, browser = maria
    browser.post("/pasangan/buat", data=couple_form(residence_kecamatan=""))
    assert couples.current_couple(person).residence_kecamatan is None


def test_a_kecamatan_not_on_the_official_list_is_refused_beside_the_field(maria):
    person, browser = maria
    response = browser.post("/pasangan/buat", data=couple_form(residence_kecamatan="537199"))
    assert response.status_code == 400
    assert error_beside(response, "residence_kecamatan") == "Pilih kecamatan dari daftar."
    assert couples.current_couple(person) is None


def test_the_kecamatan_of_residence_is_edited_with_the_wedding_plan(maria):
    person, browser = maria
    browser.post("/pasangan/buat", data=couple_form(residence_kecamatan="537101"))
    page = browser.get("/pasangan/").get_data(as_text=True)
    assert '<option selected value="537101">Alak</option>' in page

    response = browser.post("/pasangan/ubah", data=couple_form(residence_kecamatan="537105"),
                            follow_redirects=True)
    assert ("success", "Rencana pernikahan disimpan.") in flashes(response)
    couple = couples.current_couple(person)
    db.session.refresh(couple)
    assert couple.residence_kecamatan == "537105"

    browser.post("/pasangan/ubah", data=couple_form(residence_kecamatan=""))
    db.session.refresh(couple)
    assert couple.residence_kecamatan is None


def test_the_service_refuses_a_kecamatan_outside_the_list(app):
    person = factories.make_user()
    with pytest.raises(couples.DomainError) as refused:
        couples.create_couple(person, planned_wedding_date=clock.today() + timedelta(days=90),
                              institution_type="gereja", institution_name="Jemaat Contoh",
                              residence_kecamatan="Oebobo")
    assert refused.value.field == "residence_kecamatan"


# --- the statistics page ---------------------------------------------------------------------------

@pytest.fixture
def registrations():
    """Couples registered this Kupang month: six in Oebobo, two in Alak (stored as UTC instants)."""
    creator = factories.make_user()
    month_start = clock.day_start(clock.today().replace(day=1))  # in the past and in this month, at any hour
    for i in range(8):
        factories.make_couple_record(creator, month_start + timedelta(seconds=i),
                                     residence_kecamatan="537104" if i < 6 else "537101")
    db.session.commit()


def this_month():
    return clock.today().strftime("%Y-%m")


def table_rows(response, code):
    import re

    html = response.get_data(as_text=True)
    table = re.search(rf'<table class="list report-table" id="tabel-{code}">(.*?)</table>', html, re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split())
            for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)]


def test_the_page_shows_the_numbers_in_tables_and_server_drawn_charts(reviewer_desk, registrations):
    response = reviewer_desk.get("/tinjau/statistik")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Statistik program</h1>" in html
    assert '<svg class="chart"' in html and "<script" not in html.split("<main")[1].split("</main>")[0]
    kecamatan = table_rows(response, "kecamatan")
    assert "Oebobo 6 0 0 0" in kecamatan and "Alak 2 0 0 0" in kecamatan
    assert table_rows(response, "months")[-1] == "Jumlah dalam periode 8 0 0 0"
    assert 'aria-current="page">Statistik program</a>' in html


def test_the_page_shows_module_pass_rates_letters_and_certificates(reviewer_desk):
    module = factories.make_module(code="gizi_uji", questions=4, multiple=0)
    person = factories.make_user()
    start = clock.day_start(clock.today().replace(day=1))
    factories.make_attempt_at(person, module, start + timedelta(seconds=1), passed=False)
    factories.make_attempt_at(person, module, start + timedelta(seconds=2), passed=True)
    letter = factories.make_letter(person, uploaded_at=start)
    letter.decided_at = start + timedelta(hours=36, seconds=3)
    factories.make_certificate_record(factories.make_couple_record(person, start), start + timedelta(seconds=4))
    db.session.commit()
    response = reviewer_desk.get("/tinjau/statistik")
    assert response.status_code == 200
    modules = table_rows(response, "modules")
    assert any(row.startswith(f"{module.title} Wajib 2 1 50,0 1 2,0 2") for row in modules), modules
    assert table_rows(response, "letters")[-1] == "Seluruh periode 1 1,5"
    assert table_rows(response, "certificates")[-1] == "Terbit dalam periode 1"


def test_publication_mode_writes_small_counts_as_below_5(reviewer_desk, registrations):
    response = reviewer_desk.get(f"/tinjau/statistik?dari={this_month()}&sampai={this_month()}&publikasi=y")
    kecamatan = table_rows(response, "kecamatan")
    assert "Alak <5 0 0 0" in kecamatan
    assert "Oebobo * 0 0 0" in kecamatan  # the next smallest, so Alak's count cannot be worked out
    assert "Mode publikasi" in text(response)
    exact = table_rows(reviewer_desk.get(f"/tinjau/statistik?dari={this_month()}&sampai={this_month()}"), "kecamatan")
    assert "Alak 2 0 0 0" in exact


def test_an_empty_period_says_so(reviewer_desk):
    response = reviewer_desk.get("/tinjau/statistik")
    assert response.status_code == 200
    assert "Belum ada data pada periode ini" in text(response)
    assert "tabel-months" not in response.get_data(as_text=True)


def test_the_default_period_is_the_last_12_months_and_a_reversed_one_is_explained(reviewer_desk):
    page = text(reviewer_desk.get("/tinjau/statistik"))
    first = factories_month(-11)
    assert f"Periode: {first} sampai {factories_month(0)}" in page
    reversed_ = reviewer_desk.get(f"/tinjau/statistik?dari={this_month()}&sampai=2000-01")
    assert error_beside(reversed_, "sampai") == "Pilih bulan dari daftar."
    earlier = (clock.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    reversed_ = reviewer_desk.get(f"/tinjau/statistik?dari={this_month()}&sampai={earlier}")
    assert error_beside(reversed_, "sampai") == "Bulan awal harus sebelum atau sama dengan bulan akhir."


def factories_month(offset):
    from course_app.services import programme_statistics

    return programme_statistics.month_label(
        programme_statistics.add_months(clock.today().replace(day=1), offset))


def test_the_csv_download_has_headers_a_row_and_kupangs_date_in_its_name(app):
    with time_machine.travel(datetime(2026, 12, 31, 17, 0, tzinfo=UTC), tick=False):  # 1 Jan 2027, 01:00 WITA
        creator = factories.make_user()
        for day, code in [(3, "537101"), (4, "537101"), *((d, "537104") for d in range(5, 11))]:
            factories.make_couple_record(creator, datetime(2026, 12, day, 2, 0, tzinfo=UTC),
                                         residence_kecamatan=code)
        reviewer = factories.make_user(roles=("reviewer",))
        db.session.commit()
        reviewer_desk = app.test_client()
        factories.log_in(reviewer_desk, reviewer)
        response = reviewer_desk.get("/tinjau/statistik/csv?dari=2026-12&sampai=2027-01&publikasi=y")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    _kind, options = parse_options_header(response.headers["Content-Disposition"])
    assert options["filename"] == "statistik-program-2026-12-2027-01-publikasi-2027-01-01.csv"
    lines = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert ["Kode", "Pasangan menurut kecamatan tempat tinggal", "Terdaftar", "Mulai belajar",
            "Selesai semua materi wajib", "Bersertifikat"] in lines
    assert any(line[:3] == ["537101", "Alak", "<5"] for line in lines)


def test_the_xlsx_download_has_one_sheet_per_table_with_headers_and_rows(reviewer_desk, registrations):
    response = reviewer_desk.get(f"/tinjau/statistik/xlsx?dari={this_month()}&sampai={this_month()}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    _kind, options = parse_options_header(response.headers["Content-Disposition"])
    assert options["filename"] == f"statistik-program-{this_month()}-{this_month()}-{clock.stamp()}.xlsx"
    sheet = load_workbook(io.BytesIO(response.get_data()))["Kecamatan"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert ["Kode", "Pasangan menurut kecamatan tempat tinggal", "Terdaftar", "Mulai belajar",
            "Selesai semua materi wajib", "Bersertifikat"] in rows
    assert ["537104", "Oebobo", 6, 0, 0, 0] in rows


def test_a_hand_made_download_address_answers_400(reviewer_desk):
    assert reviewer_desk.get("/tinjau/statistik/csv?dari=kemarin&sampai=2026-01").status_code == 400


def test_an_admin_without_the_reviewer_role_finds_both_statistics_pages_in_the_menu(app):
    admin = factories.make_user(roles=("admin",))
    db.session.commit()
    client = app.test_client()
    factories.log_in(client, admin)
    html = client.get("/").get_data(as_text=True)
    nav = html[html.index("<nav"):html.index("</nav>")]
    assert 'href="/tinjau/statistik"' in nav and 'href="/tinjau/statistik-soal"' in nav
    assert client.get("/tinjau/statistik").status_code == 200
    assert client.get("/tinjau/statistik-soal").status_code == 200

"""Case-log journey in Chromium (issue 5, point 8): a caseworker records a case with two victims
and one perpetrator, logs a service, and finds it in the report — on a phone and on a desktop."""
import re
from datetime import timedelta

import pytest

from course_app.extensions import db
from course_app.services import clock

from .. import factories
from .conftest import log_in

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def caseworker(live_server):
    factories.seed_caselog()
    user = factories.make_user(roles=("caseworker",), full_name="Petugas Kasus Uji")
    db.session.commit()
    return user


@pytest.fixture
def desktop(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server, locale="id-ID")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def fill_person(page, prefix, name, sex, age):
    page.fill(f"#{prefix}-name", name)
    page.select_option(f"#{prefix}-sex", sex)
    page.fill(f"#{prefix}-age", str(age))


def test_record_a_case_with_two_victims_add_a_service_and_find_it_in_the_report(phone, desktop, shot, caseworker):
    page = phone()
    log_in(page, caseworker)
    page.goto("/kasus/baru")
    reported = clock.today() - timedelta(days=2)
    page.fill("#report_date", reported.isoformat())
    page.fill("#incident_date", (reported - timedelta(days=5)).isoformat())
    page.select_option("#source", "p3a")
    page.fill("#external_ref", "UJI-BROWSER-1")
    page.check("input[name=types][value=fisik]")
    page.check("input[name=types][value=psikis]")
    page.check("#kdrt")
    page.select_option("#place", "rumah_tangga")
    # Outside the city hides kelurahan; a kecamatan keeps only its own kelurahan (JavaScript).
    assert page.locator("[data-outside-city]").is_hidden()
    page.select_option("#location", label="Oebobo")
    assert page.locator("#kelurahan_id optgroup").count() == 1
    page.select_option("#kelurahan_id", label="Oebobo")
    page.check("input[name=causes][value=ekonomi]")
    page.check("input[name=impacts][value=trauma]")
    page.fill("#narrative", "[DATA SINTETIS] Uji perjalanan peramban.")
    fill_person(page, "victims-0", "Korban Peramban Satu", "P", 34)
    fill_person(page, "perpetrators-0", "Pelaku Peramban", "L", 38)

    # "Tambah korban" re-renders the form on the server with a second victim; nothing is lost.
    page.click("button[name=add_victim]")
    page.wait_for_selector("#victims-1-name")
    assert page.input_value("#victims-0-name") == "Korban Peramban Satu"
    fill_person(page, "victims-1", "Korban Peramban Dua", "P", 12)
    relationship_selects = page.locator("select[name$='-relationship']")
    assert relationship_selects.count() == 2
    relationship_selects.nth(0).select_option("suami_istri")
    relationship_selects.nth(1).select_option("orang_tua")
    page.check("#consent_services")
    page.check("#guardian_consent")
    shot(page, "01-phone-case-form")
    page.click(".case-form .actions button[name=save]")
    page.wait_for_url(re.compile(r".*/kasus/\d+$"))
    assert "tersimpan" in page.locator(".flash-success").inner_text()
    number = re.search(r"P3A-\d{4}-\d{5}", page.locator("h1").inner_text()).group(0)
    main = page.locator("main").inner_text()
    assert "Korban Peramban Dua" in main and "Pelaku Peramban" in main
    shot(page, "02-phone-case-detail")

    page.click("text=Catat layanan")
    page.select_option("#victim_id", label="Korban 2: Korban Peramban Dua")
    page.select_option("#service", "konseling_psikologis")
    page.select_option("#status", "dilayani")
    page.fill("#service_date", clock.today().isoformat())
    page.fill("#notes", "Sesi pertama bersama ibu korban.")
    shot(page, "03-phone-service-form")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/kasus/\d+#linimasa$"))
    timeline = page.locator("#linimasa").inner_text()
    assert "Konseling psikologis — Korban 2" in timeline
    shot(page, "04-phone-timeline")

    page.goto("/kasus/laporan?dimension=service&period=this_year")
    row = page.locator("table.report-table tr", has_text="Konseling psikologis")
    assert row.locator("td").all_inner_texts() == ["1", "1", "1"]
    assert page.locator("svg.chart rect.chart-bar").count() >= 1
    shot(page, "05-phone-report-service")
    page.goto("/kasus/laporan?dimension=child_adult&period=this_year&publication=1")
    assert page.locator("table.report-table tr", has_text="Anak").locator("td").first.inner_text() == "<5"
    shot(page, "06-phone-report-publication")

    page.goto(f"/kasus/?q={number}")
    assert page.locator(".case-list li").count() == 1
    shot(page, "07-phone-case-list")

    # The same pages on a desktop screen.
    log_in(desktop, caseworker)
    for path, name in ((f"/kasus/?q={number}", "08-desktop-case-list"),
                       ("/kasus/baru", "09-desktop-case-form"),
                       ("/kasus/laporan?dimension=cause&period=this_year", "10-desktop-report")):
        desktop.goto(path)
        shot(desktop, name)
    desktop.goto(f"/kasus/?q={number}")
    desktop.click(f"text={number}")
    desktop.wait_for_url(re.compile(r".*/kasus/\d+$"))
    shot(desktop, "11-desktop-case-detail")


def test_import_a_messy_register_fix_it_and_import_again(phone, shot, caseworker, tmp_path):
    page = phone()
    log_in(page, caseworker)
    bad = tmp_path / "register.csv"
    bad.write_text("No LP;Tgl Kejadian;Tgl Lapor;Jenis;Tempat;Kecamatan;Nama Korban;JK Korban\n"
                   "LP/UJI/1;12 Agustus 2026;14-08-26;Psíkis;rumah tangga;oebobo;Korban Satu;P\n"
                   "LP/UJI/2;31/02/2026;01/03/2026;verbal;rumah tangga;Alak;Korban Dua;P\n", encoding="utf-8")
    page.goto("/kasus/impor")
    page.set_input_files("#file", str(bad))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/kasus/impor/\d+$"))
    problems = page.locator(".import-problems tbody tr")
    assert problems.count() == 2
    listed = page.locator(".import-problems").inner_text()
    assert "Tgl Kejadian" in listed and "tidak ada di kalender" in listed and "'verbal' tidak dikenal" in listed
    shot(page, "01-phone-import-problems")

    bad.write_text(bad.read_text(encoding="utf-8").replace("31/02/2026", "28/02/2026").replace("verbal", "psikis"),
                   encoding="utf-8")
    page.goto("/kasus/impor")
    page.set_input_files("#file", str(bad))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/kasus/impor/\d+$"))
    assert "2 baris siap diimpor" in page.locator("main").inner_text()
    shot(page, "02-phone-import-ready")
    page.click("text=Impor 2 kasus")
    page.wait_for_url(re.compile(r".*/kasus/\?impor=\d+$"))  # the list of the cases just imported
    assert "2 kasus diimpor." in page.locator(".flash-success").inner_text()
    listed = page.locator("main").inner_text()
    assert "LP/UJI/1" in listed and "LP/UJI/2" in listed
    page.goto("/kasus/laporan?dimension=type&from=2026-01-01&to=2026-12-31")
    assert page.locator("table.report-table tr", has_text="Psikis").locator("td").first.inner_text() == "2"

"""From the Polres register to the export, in Chromium, as new users would go (issue 13, "tried
as a new user"): the Polres liaison sends last month's register with three bad rows, reads the
row problems, fixes them and sends it again; a caseworker reviews and accepts it, opens one of
the cases, refers the victim to the Puskesmas, sets a follow-up task and asks the supervisor to
close the case; the supervisor approves; then a caseworker exports all cases — 20,000 synthetic
ones besides these — as CSV and XLSX and the files are opened and checked.

The 20,000 cases are written before the journey by the synthetic generator through the bulk
writer (as `flask caselog generate` does), not through the pages.
"""
import csv
import re
import time
import zipfile
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest
from babel.dates import format_date
from openpyxl import load_workbook

from course_app.extensions import db
from course_app.services import clock
from course_app.services.caselog import submissions, synthetic
from course_app.services.dates import long_date

from .. import factories
from ..caselog_import_builders import import_csv, import_row
from .conftest import PHONE, log_in

SYNTHETIC_CASES = 20_000
REGISTER_ROWS = 5
SPREADSHEET = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.fixture
def people(live_server):
    factories.seed_caselog()
    people = {"liaison": factories.make_user(roles=("police",), full_name="Bripka Uji Penghubung"),
              "caseworker": factories.make_user(roles=("caseworker",), full_name="Petugas Kasus Uji"),
              "supervisor": factories.make_user(roles=("caseworker",), full_name="Supervisor Kasus Uji")}
    people["supervisor"].case_supervisor = True
    db.session.commit()
    return people


@pytest.fixture
def many_cases(people):
    """20,000 synthetic cases through the generator and the bulk writer: ~6 s of CPU on SQLite
    (half making the payloads, half encrypting and inserting), not minutes of form posts."""
    started = time.perf_counter()
    made = synthetic.generate(SYNTHETIC_CASES, seed=13)
    db.session.commit()
    print(f"\n{made} synthetic cases written in {time.perf_counter() - started:.1f} s")
    return made


def register(month, fixed=False):
    """Last month's register: five reports, three of them with a mistake each unless `fixed`."""
    year, number = int(month[:4]), int(month[5:])
    day = lambda d: date(year, number, d).strftime("%d/%m/%Y")  # noqa: E731
    rows = [import_row(no_laporan=f"LP/B/{n}/{month}/SPKT", tanggal_kejadian=day(2), tanggal_lapor=day(n + 3),
                       korban_nama=f"Korban Uji {n}", pelaku_nama=f"Pelaku Uji {n}")
            for n in range(1, REGISTER_ROWS + 1)]
    if not fixed:
        rows[1]["jenis_kekerasan"] = "verbal"         # row 3: not a type of violence
        rows[2].update(kecamatan="Kota Raja", kelurahan="Naikoten")  # row 4: Naikoten I or II?
        rows[4]["korban_jk"] = ""                     # row 6: the victim's sex left out
    else:
        rows[2].update(kecamatan="Kota Raja", kelurahan="Naikoten I")
    return import_csv(rows)


def fits_across(element):
    return element.evaluate("e => e.scrollWidth <= e.clientWidth")


def on_screen(element):
    box = element.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def send_register(page, path, month, link="nav.cl-subnav >> text=Kirim berkas"):
    page.click(link)
    assert page.input_value("#month") == month  # last month, or the month being fixed
    page.set_input_files("#file", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/polres/\d+$"))
    assert "Setoran diterima dan menunggu pemeriksaan P3A." in page.locator(".flash-success").inner_text()


def test_from_the_polres_register_to_the_export_of_20000_cases(phone, shot, people, many_cases, tmp_path):
    started = time.perf_counter()
    month = submissions.previous_month(submissions.month_of(clock.today()))

    # --- the Polres liaison: a register with three bad rows, then the fixed one ------------------
    liaison = phone()
    log_in(liaison, people["liaison"])
    assert liaison.url.endswith("/polres/")
    path = tmp_path / f"register-ppa-{month}.csv"
    path.write_bytes(register(month))
    send_register(liaison, path, month)
    assert "Diterima, menunggu pemeriksaan" in liaison.locator("main .badge").inner_text()
    problems = liaison.locator(".import-problems tbody tr")
    assert liaison.locator("#problems-title").inner_text() == "3 masalah ditemukan"
    assert [problems.nth(i).locator("td").first.inner_text() for i in range(3)] == ["3", "4", "6"]
    listed = liaison.locator(".import-problems").inner_text()
    assert "'verbal' tidak dikenal" in listed and "ambigu" in listed and "korban_jk" in listed
    assert "Korban Uji" not in liaison.locator("main").inner_text()  # row problems, never case data
    # On a phone each problem reads across the card: nothing cut off, nothing to scroll sideways.
    assert fits_across(liaison.locator(".import-problems .table-wrap"))
    shot(liaison, "01-liaison-three-problems")

    path.write_bytes(register(month, fixed=True))
    send_register(liaison, path, month, link=".import-problems >> text=Kirim perbaikan")
    assert "Tidak ada masalah baris." in liaison.locator("main").inner_text()
    shot(liaison, "02-liaison-sent-again")
    liaison.click("nav.cl-subnav >> text=Setoran saya")
    rows = liaison.locator("main table tbody tr")
    assert rows.count() == 2
    assert "Diterima, menunggu pemeriksaan" in rows.nth(0).inner_text()
    assert "Diganti setoran baru" in rows.nth(1).inner_text()
    shot(liaison, "03-liaison-list")
    assert all(on_screen(badge) for badge in rows.locator(".badge").all())  # the status, unscrolled

    # --- the caseworker: review, accept, then work on one case -----------------------------------
    worker = phone()
    log_in(worker, people["caseworker"])
    worker.goto("/kasus/")
    worker.click("nav.cl-subnav >> text=Setoran Polres")
    month_name = format_date(date.fromisoformat(f"{month}-01"), "LLLL y", locale="id")  # "November 2026"
    month_row = worker.locator("tr", has_text=month_name).first
    assert "belum disetujui" in month_row.inner_text()
    shot(worker, "04-caseworker-queue")
    assert all(on_screen(badge) for badge in worker.locator("main .badge").all())
    worker.locator("main table tbody tr", has_text="Diterima, menunggu pemeriksaan").locator("a").click()
    worker.wait_for_url(re.compile(r".*/kasus/setoran/\d+$"))
    review = worker.locator("main").inner_text()
    assert f"{REGISTER_ROWS} baris siap dicatat" in review and f"LP/B/1/{month}/SPKT" in review
    assert fits_across(worker.locator(".import-cases"))  # type, place and people too, unscrolled
    shot(worker, "05-caseworker-review")
    worker.click(f"text=Setujui dan catat {REGISTER_ROWS} kasus")
    worker.wait_for_url(re.compile(r".*/kasus/\?impor=\d+$"))  # the cases just recorded
    assert f"Setoran disetujui: {REGISTER_ROWS} kasus dicatat." in worker.locator(".flash-success").inner_text()
    assert f"Kasus dari impor register-ppa-{month}.csv" in worker.locator("main h2").first.inner_text()
    cases = worker.locator(".case-list li")
    assert cases.count() == REGISTER_ROWS
    assert all("Dibuka" in text for text in cases.all_inner_texts())
    shot(worker, "06-caseworker-cases-recorded")

    case = worker.locator(".case-list li", has_text=f"LP/B/1/{month}/SPKT")
    number = case.locator(".case-number").inner_text()
    case.locator(".case-number").click()
    worker.wait_for_url(re.compile(r".*/kasus/\d+$"))
    case_url = worker.url
    assert number in worker.locator("h1").inner_text()

    worker.click("text=Rujuk ke layanan")
    worker.select_option("#service", "puskesmas_rs")
    worker.fill("#institution", "Puskesmas Oebobo")
    worker.select_option("#victim_id", label="Korban 1: Korban Uji 1")
    worker.fill("#notes", "Pemeriksaan luka dan visum.")
    worker.click("main form button[type=submit]")
    worker.wait_for_url(re.compile(r".*/kasus/\d+#rujukan$"))
    assert "Rujukan dicatat." in worker.locator(".flash-success").inner_text()
    referral = worker.locator("#rujukan .referral")
    assert "Puskesmas/RS — Puskesmas Oebobo" in referral.inner_text() and "Dikirim" in referral.inner_text()
    assert "Dirujuk" in worker.locator("main .badge").first.inner_text()  # the case's status

    due = clock.today() + timedelta(days=7)
    worker.click("text=Tambah tugas")
    worker.fill("#title", "Kunjungan rumah bersama pendamping")
    worker.fill("#due_date", due.isoformat())
    worker.click("main form button[type=submit]")
    worker.wait_for_url(re.compile(r".*/kasus/\d+#tugas$"))
    assert "Tugas dicatat." in worker.locator(".flash-success").inner_text()
    task = worker.locator("#tugas li.task").inner_text()
    assert "Kunjungan rumah bersama pendamping" in task and f"jatuh tempo {long_date(due)}" in task

    worker.click("text=Ajukan penutupan")
    still = worker.locator("#belum-selesai").inner_text()  # closing ends neither of them
    assert "1 rujukan belum selesai: Puskesmas/RS (Dikirim)" in still
    assert "1 tugas belum selesai: Kunjungan rumah bersama pendamping" in still
    worker.select_option("#reason", "dirujuk_tuntas")
    worker.fill("#note", "Korban sudah ditangani Puskesmas; keluarga didampingi.")
    worker.click("main form button[type=submit]")
    worker.wait_for_url(re.compile(r".*/kasus/\d+#penutupan$"))
    assert "Pengajuan penutupan dikirim ke supervisor." in worker.locator(".flash-success").inner_text()
    assert "menunggu persetujuan supervisor" in worker.locator("#penutupan").inner_text()
    shot(worker, "07-caseworker-case-handled")

    # --- the supervisor approves the closure -----------------------------------------------------
    boss = phone()
    log_in(boss, people["supervisor"])
    boss.goto("/kasus/")
    boss.click("#pemilik >> text=Tugas saya")
    waiting = boss.locator("#penutupan-menunggu li")
    assert waiting.count() == 1 and number in waiting.inner_text()
    assert "Dirujuk dan tuntas di lembaga rujukan" in waiting.inner_text()
    waiting.locator("a").click()
    boss.wait_for_url(re.compile(r".*/kasus/\d+#penutupan$"))
    assert "1 rujukan belum selesai" in boss.locator("#penutupan #belum-selesai").inner_text()
    shot(boss, "08-supervisor-deciding")
    boss.click("text=Setujui dan tutup kasus")
    boss.wait_for_url(re.compile(r".*/kasus/\d+#penutupan$"))
    assert "Kasus ditutup." in boss.locator(".flash-success").inner_text()
    assert "disetujui" in boss.locator("#penutupan").inner_text()
    shot(boss, "09-supervisor-closed")
    worker.goto(case_url)
    assert "Ditutup" in worker.locator("main .badge").first.inner_text()
    print(f"journey before the export {time.perf_counter() - started:.1f} s")

    # --- all cases exported by a caseworker, as CSV and as XLSX ----------------------------------
    total = SYNTHETIC_CASES + REGISTER_ROWS
    worker.click("nav.cl-subnav >> text=Daftar kasus")
    worker.click("#pemilik >> text=Semua kasus")
    assert f"{total:,} kasus".replace(",", ".") in worker.locator(".cl-list-head").inner_text()  # "20.005 kasus"
    exported = {}
    for kind in ("CSV", "XLSX"):
        began = time.perf_counter()
        with worker.expect_download(timeout=60_000) as download:
            worker.click(f".cl-list-head >> text={kind}", timeout=60_000)
        exported[kind] = tmp_path / download.value.suggested_filename
        download.value.save_as(exported[kind])
        print(f"{kind} export of {total} cases: {time.perf_counter() - began:.1f} s")

    with open(exported["CSV"], encoding="utf-8-sig", newline="") as file:
        header, *rows = list(csv.reader(file))
    assert len(rows) == total
    assert header[:3] == ["Nomor kasus", "Sumber data", "Nomor rujukan"]
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    closed = by_number[number]
    assert closed["Nomor rujukan"] == f"LP/B/1/{month}/SPKT"
    assert (closed["Status"], closed["Kode status"]) == ("Ditutup", "closed")
    assert (closed["Jenis kekerasan"], closed["KDRT"], closed["Kecamatan"]) == ("Fisik", "ya", "Oebobo")
    refs = [row["Nomor rujukan"] for row in by_number.values()]
    assert sum(ref.startswith("LP/B/") for ref in refs) == REGISTER_ROWS
    assert sum(ref.startswith("SINT-13-") for ref in refs) == SYNTHETIC_CASES
    assert "Korban Uji" not in "".join(",".join(row) for row in rows)  # exported without names

    workbook = load_workbook(exported["XLSX"], read_only=True)
    sheet = workbook["Kasus"]
    cells = sheet.iter_rows(values_only=True)
    assert list(next(cells)) == header
    for values in cells:  # the cases come in the list's order, newest reports first
        if values[0] == number:
            assert ["" if v is None else str(v) for v in values] == list(closed.values())
            break
    else:
        pytest.fail(f"{number} is not in the XLSX export")
    workbook.close()
    assert xlsx_rows(exported["XLSX"]) == total + 1
    print(f"whole journey {time.perf_counter() - started:.1f} s")


def xlsx_rows(path):
    """The rows of the workbook's sheet, counted in its XML with the standard library's C parser.
    openpyxl reads the rows up to the case checked; reading all 20,006 would add ~10 s, since
    with defusedxml installed (fpdf2 brings it) openpyxl parses with Python's pure-Python XML
    parser."""
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
        count = 0
        for _event, element in ElementTree.iterparse(sheet):
            if element.tag == f"{{{SPREADSHEET}}}row":
                count += 1
                element.clear()
        return count

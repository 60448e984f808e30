"""Reports (issue 5, point 4) against hand-counted fixtures: cases and victims counted
separately, "child" = under 18 at the incident, reporting delay, the small-cell rule."""
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from course_app.extensions import db
from course_app.services.caselog import cases, reports

from .. import factories

YEAR_2026 = (date(2026, 1, 1), date(2026, 12, 31))


def counts(dimension, date_from=None, date_to=None, publication=False):
    report = reports.build_report(dimension, date_from, date_to, publication)
    return {r.code: (r.cases, r.victims) for r in report.rows}


@pytest.fixture
def four_cases():
    return make_four_cases()


def make_four_cases():
    """C1–C3 reported in 2026, C4 on 31 Dec 2025. Hand counts are in the tests below."""
    factories.seed_caselog()
    oebobo, maulafa = factories.kecamatan_id("Oebobo"), factories.kecamatan_id("Maulafa")
    c1 = factories.make_case(
        incident_date=date(2026, 3, 1), report_date=date(2026, 3, 4), types=["fisik", "psikis"],
        causes=["ekonomi", "miras"], impacts=["luka_ringan"], place="rumah_tangga", kecamatan_id=oebobo,
        kelurahan_id=factories.kelurahan_id("Oebobo"),
        victims=[{"name": "V1", "sex": "P", "birth_date": date(2008, 3, 2)},  # 17 on 1 March 2026
                 {"name": "V2", "sex": "P", "age": 30}],
        perpetrators=[{"name": "P1", "sex": "L", "age": 40}],
        relationships={(0, 0): "orang_tua", (1, 0): "suami_istri"})
    c2 = factories.make_case(
        incident_date=date(2026, 3, 10), report_date=date(2026, 3, 10), types=["seksual"],
        causes=["medsos"], impacts=[], place="daring", kecamatan_id=maulafa, kdrt=False,
        victims=[{"name": "V3", "sex": "P", "birth_date": date(2008, 3, 10)}],  # 18 that very day
        perpetrators=[{"name": "P2", "sex": "L", "age": 19}], relationships={(0, 0): "pacar_teman"})
    c3 = factories.make_case(
        incident_date=date(2026, 1, 20), report_date=date(2026, 4, 20), types=["psikis"], causes=[],
        impacts=["trauma"], place="rumah_tangga", kecamatan_id=None, outside_city=True,
        location_detail="Kabupaten Kupang",
        victims=[{"name": "V4", "sex": "L", "age": 12}],
        perpetrators=[{"name": None, "sex": None, "age_group": "25-59"}, {"name": "P4", "sex": "P", "age": 50}],
        relationships={(0, 0): "tidak_dikenal", (0, 1): None})
    c4 = factories.make_case(
        incident_date=date(2025, 12, 1), report_date=date(2025, 12, 31), types=["fisik"], causes=["ekonomi"],
        kecamatan_id=oebobo, victims=[{"name": "V5", "sex": "P", "age": 25}],
        perpetrators=[{"name": "P5", "sex": "L", "age": 30}], relationships={(0, 0): "suami_istri"})
    user = factories.make_user(roles=("caseworker",))
    v1, v2 = c1.victims
    for victim, service in ((v1, "pengaduan"), (v1, "konseling_psikologis"), (v2, "pengaduan")):
        cases.add_service(c1, victim_id=victim.id, service=service, status="dilayani",
                          service_date=date(2026, 3, 5), user=user, today=date(2026, 11, 27))
    cases.add_service(c3, victim_id=c3.victims[0].id, service="kesehatan", status="dirujuk",
                      institution="rsud_puskesmas", service_date=date(2026, 4, 21), user=user,
                      today=date(2026, 11, 27))
    db.session.commit()
    return c1, c2, c3, c4


def test_totals_count_cases_once_and_victims_per_person(four_cases):
    assert reports.totals(*YEAR_2026) == (3, 4)
    assert reports.totals() == (4, 5)
    report = reports.build_report("type", *YEAR_2026)
    assert (report.total_cases, report.total_victims) == (3, 4)


def test_multi_valued_categories_count_each_case_under_each_value(four_cases):
    assert counts("type", *YEAR_2026) == {"fisik": (1, 2), "psikis": (2, 3), "seksual": (1, 1)}
    assert counts("cause", *YEAR_2026) == {"ekonomi": (1, 2), "miras": (1, 2), "medsos": (1, 1),
                                           "tidak_dicatat": (1, 1)}
    assert counts("impact", *YEAR_2026) == {"luka_ringan": (1, 2), "trauma": (1, 1), "tidak_dicatat": (1, 1)}
    assert counts("cause") == {"ekonomi": (2, 3), "miras": (1, 2), "medsos": (1, 1), "tidak_dicatat": (1, 1)}


def test_victim_dimensions_count_victims_and_the_cases_they_belong_to(four_cases):
    assert counts("victim_sex", *YEAR_2026) == {"P": (2, 3), "L": (1, 1)}
    assert counts("age_group", *YEAR_2026) == {"6-12": (1, 1), "13-17": (1, 1), "18-24": (1, 1),
                                               "25-44": (1, 1)}


def test_child_means_under_18_at_the_incident(four_cases):
    # V1 is 17 (a day short of 18), V4 is 12: children. V3 turns 18 on the incident day: adult.
    assert counts("child_adult", *YEAR_2026) == {"anak": (2, 2), "dewasa": (2, 2)}
    v1, v3 = four_cases[0].victims[0], four_cases[1].victims[0]
    assert (v1.age_at_incident, v3.age_at_incident) == (17, 18)


def test_an_age_given_instead_of_a_birth_date_counts_too_and_unknown_is_its_own_row(four_cases):
    factories.make_case(report_date=date(2026, 5, 2), incident_date=date(2026, 5, 1),
                        victims=[{"name": "A", "sex": "P", "age": 17}, {"name": "B", "sex": "P", "age": 18},
                                 {"name": "C", "sex": "P"}],
                        relationships={})
    assert counts("child_adult", date(2026, 5, 1), date(2026, 5, 31)) == {
        "anak": (1, 1), "dewasa": (1, 1), "tidak_diketahui": (1, 1)}


def test_case_dimensions_place_kecamatan_and_month(four_cases):
    assert counts("place", *YEAR_2026) == {"rumah_tangga": (2, 3), "daring": (1, 1)}
    report = reports.build_report("kecamatan", *YEAR_2026)
    assert [(r.label, r.cases, r.victims) for r in report.rows] == [
        ("Maulafa", 1, 1), ("Oebobo", 1, 2), ("Di luar Kota Kupang", 1, 1)]
    assert counts("month", *YEAR_2026) == {"2026-03": (2, 3), "2026-04": (1, 1)}
    assert counts("month") == {"2025-12": (1, 1), "2026-03": (2, 3), "2026-04": (1, 1)}


def test_relationships_and_services(four_cases):
    assert counts("relationship", *YEAR_2026) == {
        "orang_tua": (1, 1), "suami_istri": (1, 1), "pacar_teman": (1, 1), "tidak_dikenal": (1, 1),
        "tidak_diketahui": (1, 1)}
    report = reports.build_report("service", *YEAR_2026)
    assert {r.code: (r.cases, r.victims, r.services) for r in report.rows} == {
        "pengaduan": (1, 2, 2), "konseling_psikologis": (1, 1, 1), "kesehatan": (1, 1, 1)}


def test_the_date_range_is_inclusive_and_applies_to_the_report_date(four_cases):
    assert counts("place", date(2026, 3, 10), date(2026, 4, 20)) == {"daring": (1, 1), "rumah_tangga": (1, 1)}
    assert counts("place", date(2026, 3, 11), date(2026, 4, 19)) == {}


def test_reporting_delay_mean_median_and_buckets(four_cases):
    delay = reports.reporting_delay(*YEAR_2026)  # delays 3, 0 and 90 days
    assert delay["cases"] == 3 and delay["mean_days"] == 31.0 and delay["median_days"] == 3
    assert {r.code: r.cases for r in delay["rows"]} == {"0": 1, "1-7": 1, "31-90": 1}
    assert reports.reporting_delay()["median_days"] == 16.5  # 0, 3, 30, 90


def test_editing_a_case_moves_it_in_every_report(four_cases):
    c2 = four_cases[1]
    payload = cases.payload_from_case(c2)
    payload.update(report_date=date(2027, 1, 5), incident_date=date(2026, 12, 30), causes=[])
    cases.update_case(c2, payload, None, today=date(2027, 2, 1))
    db.session.commit()
    assert counts("type", *YEAR_2026) == {"fisik": (1, 2), "psikis": (2, 3)}
    assert counts("victim_sex", *YEAR_2026) == {"P": (1, 2), "L": (1, 1)}
    assert counts("relationship", date(2027, 1, 1), date(2027, 12, 31)) == {"pacar_teman": (1, 1)}
    assert counts("cause", date(2027, 1, 1), date(2027, 12, 31)) == {"tidak_dicatat": (1, 1)}


# --- merged duplicates (issue 13) ------------------------------------------------------------

def every_report_output():
    """What every report shows for 2026, exactly (no suppression: CASELOG_SMALL_CELL 1)."""
    from course_app.services.caselog import annual_summary, simfoni
    from course_app.services.caselog.reports import crosstab, files, trend

    tables = {(d, b): crosstab.build_crosstab(d, b, *YEAR_2026)
              for d in reports.DIMENSIONS for b in reports.DIMENSIONS if d != b}
    return {
        "grouped": {d: reports.build_report(d, *YEAR_2026) for d in reports.DIMENSIONS},
        "totals": reports.totals(*YEAR_2026),
        "crosstab": tables,
        "crosstab files": [(files.crosstab_csv(tables[pair]),
                            list(load_workbook(io.BytesIO(files.crosstab_xlsx(tables[pair]))).active.values))
                           for pair in (("cause", "impact"), ("month", "service"))],
        "trend": trend.month_trend(*YEAR_2026),
        "delay": reports.reporting_delay(*YEAR_2026),
        "annual summary": annual_summary.summary_figures(2026),
        "simfoni": list(simfoni.simfoni_rows(*YEAR_2026)),
    }


def test_a_merged_case_counts_once_in_every_report(four_cases, app, monkeypatch):
    """A case merged into another records the same incident: every report counts the incident
    once, through the case that carries on (reports/scope.py)."""
    from course_app.services.caselog.management import merge

    monkeypatch.setitem(app.config, "CASELOG_SMALL_CELL", 1)
    c1 = four_cases[0]
    before = every_report_output()
    # The police register's row of C1's incident, recorded as a case of its own before anyone
    # noticed: other values in places, so that it shows in every report while it counts.
    duplicate = factories.make_case(
        incident_date=date(2026, 2, 27), report_date=date(2026, 5, 6), types=["fisik", "seksual"],
        causes=["narkoba"], impacts=["depresi"], place="sekolah", kecamatan_id=factories.kecamatan_id("Alak"),
        victims=[{"name": "V1 (polisi)", "sex": "P", "age": 17}, {"name": "V2 (polisi)", "sex": "L", "age": 61}],
        perpetrators=[{"name": "P1 (polisi)", "sex": "L", "age": 40}],
        relationships={(0, 0): "guru", (1, 0): "tetangga"})
    worker = factories.make_user(roles=("caseworker",))
    cases.add_service(duplicate, victim_id=duplicate.victims[0].id, service="bantuan_hukum", status="dilayani",
                      service_date=date(2026, 5, 7), user=worker, today=date(2026, 11, 27))
    db.session.commit()
    counted_twice = every_report_output()
    assert [name for name in before if counted_twice[name] == before[name]] == []
    assert counted_twice["totals"] == (4, 6)

    supervisor = factories.make_user(roles=("caseworker",))
    supervisor.case_supervisor = True
    merge.merge_case(duplicate, c1, supervisor)
    db.session.commit()
    after = every_report_output()
    assert after["totals"] == (3, 4)
    assert {r.code: r.cases for r in after["grouped"]["kecamatan"].rows} == {
        "537102": 1, "537104": 1, "luar_kota": 1}  # no Alak: the duplicate's place does not count
    assert after["crosstab"][("cause", "impact")].total == 3
    assert [r.code for r in after["trend"]] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert after["trend"][4].cases == 0  # May: the duplicate's report month
    assert (after["annual summary"]["cases"], after["annual summary"]["victims"]) == (3, 4)
    assert duplicate.number not in {row["no_registrasi"] for row in after["simfoni"]}
    for name in before:
        assert after[name] == before[name], name


@pytest.fixture
def fourteen_cases():
    make_fourteen_cases()


def make_fourteen_cases():
    """Place × kecamatan: rumah tangga/Oebobo 6, daring/Maulafa 5, sekolah/Alak 2, fasilitas
    umum/Oebobo 1."""
    factories.seed_caselog()
    plan = [("rumah_tangga", "Oebobo")] * 6 + [("daring", "Maulafa")] * 5 + [("sekolah", "Alak")] * 2 \
        + [("fasilitas_umum", "Oebobo")]
    for place, kecamatan in plan:
        factories.make_case(place=place, kecamatan_id=factories.kecamatan_id(kecamatan))
    db.session.commit()


def test_publication_shows_counts_below_5_as_less_than_5_and_keeps_5(fourteen_cases):
    published = counts("place", publication=True)
    assert published == {"rumah_tangga": (6, 6), "daring": (5, 5), "sekolah": ("<5", "<5"),
                         "fasilitas_umum": ("<5", "<5")}
    assert counts("place") == {"rumah_tangga": (6, 6), "daring": (5, 5), "sekolah": (2, 2),
                               "fasilitas_umum": (1, 1)}
    report = reports.build_report("place", publication=True)
    assert (report.total_cases, report.total_victims) == (14, 14)


def test_a_single_small_cell_is_not_left_to_be_worked_out_from_the_total(fourteen_cases):
    # Kecamatan: Oebobo 7, Maulafa 5, Alak 2. Hiding only Alak would let 14 − 7 − 5 give it away.
    report = reports.build_report("kecamatan", publication=True)
    assert [(r.label, r.cases) for r in report.rows] == [("Alak", "<5"), ("Maulafa", "*"), ("Oebobo", 7)]


def test_publication_uses_the_configured_threshold_and_suppresses_small_totals(app, monkeypatch):
    factories.seed_caselog()
    for _ in range(3):
        factories.make_case()
    db.session.commit()
    report = reports.build_report("type", publication=True)
    assert (report.total_cases, report.rows[0].cases) == ("<5", "<5")
    monkeypatch.setitem(app.config, "CASELOG_SMALL_CELL", 3)
    report = reports.build_report("type", publication=True)
    assert (report.total_cases, report.rows[0].cases) == (3, 3)
    assert reports.reporting_delay(publication=True)["cases"] == 3


def test_no_report_goes_below_kecamatan():
    assert "kelurahan" not in reports.DIMENSIONS
    assert all("kelurahan" not in code for code in reports.DIMENSIONS)


@pytest.mark.parametrize("period,expected", [
    ("last_quarter", (date(2026, 7, 1), date(2026, 9, 30))),
    ("this_quarter", (date(2026, 10, 1), date(2026, 11, 27))),
    ("this_year", (date(2026, 1, 1), date(2026, 11, 27))),
    ("last_year", (date(2025, 1, 1), date(2025, 12, 31))),
    ("last_12_months", (date(2025, 11, 28), date(2026, 11, 27))),
])
def test_named_periods(period, expected):
    assert reports.period_range(period, date(2026, 11, 27)) == expected
    assert reports.period_range("last_quarter", date(2026, 2, 3)) == (date(2025, 10, 1), date(2025, 12, 31))


# --- the annual summary (issue 13 point 4) -----------------------------------------------------

def test_annual_summary_prints_publication_figures_only(fourteen_cases):
    from course_app.services.caselog import annual_summary

    figures = annual_summary.summary_figures(2026)
    assert (figures["cases"], figures["victims"]) == (14, 14)
    sections = {heading: rows for heading, _note, rows in figures["sections"]}
    # Oebobo 7, Maulafa 5, Alak 2: Alak is "<5" and Maulafa hidden with it ("*").
    assert sections["Kecamatan tempat kejadian"] == [("Alak", "<5", "<5"), ("Maulafa", "*", "*"),
                                                     ("Oebobo", 7, 7)]
    assert figures["months"][2] == ("Maret", 14) and len(figures["months"]) == 12
    assert all(label != "Kelurahan" for label in sections)


def test_annual_summary_is_an_a4_pdf_with_the_same_bytes_each_time(fourteen_cases):
    import io

    from pypdf import PdfReader

    from course_app.services.caselog import annual_summary

    first, second = annual_summary.render(2026), annual_summary.render(2026)
    assert first == second and first.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(first))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Ringkasan tahunan kasus kekerasan terhadap perempuan dan anak 2026" in text
    assert "Alak <5 <5" in text and "bukan prevalensi" in text
    assert "Korban Contoh" not in text  # no names


# --- the SIMFONI export (issue 13 point 4) ------------------------------------------------------

def test_simfoni_export_has_one_row_per_victim_in_simfoni_values(four_cases):
    from course_app.services.caselog import simfoni

    rows = list(simfoni.simfoni_rows(*YEAR_2026))
    assert [(r["no_registrasi"], r["korban_ke"]) for r in rows] == [
        (four_cases[0].number, 1), (four_cases[0].number, 2), (four_cases[1].number, 1),
        (four_cases[2].number, 1)]
    v1, v2, v3, v4 = rows
    assert (v1["jenis_kekerasan"], v1["tempat_kejadian"], v1["hubungan_pelaku_korban"]) == (
        "Fisik; Psikis", "Rumah Tangga", "Orang Tua")
    # Konseling psikologis has no SIMFONI value: left out of the services cell.
    assert v1["layanan_diterima"] == "Pengaduan" and v2["layanan_diterima"] == "Pengaduan"
    assert (v1["kelompok_umur_korban"], v1["usia_korban"]) == ("13-17", 17)
    assert v3["tempat_kejadian"] == "Lainnya"  # ranah daring → Lainnya
    assert v4["hubungan_pelaku_korban"] == "Lainnya; NA"  # tidak dikenal → Lainnya; unknown → NA
    assert (v4["kabupaten_kota"], v4["kecamatan"]) == ("Luar Kota Kupang", "")
    assert v4["layanan_diterima"] == "Kesehatan"


def test_simfoni_export_names_nobody_and_keeps_the_documented_column_order(four_cases):
    from pathlib import Path

    from course_app.services.caselog import simfoni

    body = simfoni.simfoni_csv(*YEAR_2026).decode("utf-8-sig")
    assert body.splitlines()[0] == ",".join(simfoni.SIMFONI_COLUMNS)
    for secret in ("V1", "V2", "P1", "Kabupaten Kupang", "Kronologi", "Oebobo,Oebobo"):
        assert secret not in body.replace("Luar Kota Kupang", "")
    assert "kelurahan" not in body.splitlines()[0]
    documented = Path(__file__).resolve().parents[2] / "docs" / "caselog-lists.md"
    section = documented.read_text(encoding="utf-8").split("## SIMFONI export", 1)[1]
    listed = [line.split("|")[2].strip().strip("`") for line in section.splitlines()
              if line.startswith("| ") and line.split("|")[1].strip().isdigit()]
    assert listed == simfoni.SIMFONI_COLUMNS  # every column, in the order the export writes them


@pytest.mark.parametrize("victim_status,perpetrator_status,kdrt,expected", [
    ("belum_kawin", None, True, "Pacar/Teman"),  # never married: not a former spouse
    ("cerai_hidup", "belum_kawin", True, "Pacar/Teman"),  # he never married
    ("cerai_hidup", None, False, "Suami/Istri"),  # divorced: her former husband
    ("kawin_tercatat", "cerai_hidup", True, "Suami/Istri"),  # otherwise the KDRT flag decides
    (None, None, True, "Suami/Istri"),
    (None, None, False, "Pacar/Teman"),
])
def test_a_former_partner_is_a_former_spouse_or_partner_as_the_record_tells(
        app, victim_status, perpetrator_status, kdrt, expected):
    from course_app.services.caselog import simfoni

    factories.seed_caselog()
    factories.make_case(kdrt=kdrt, victims=[{"name": "V", "sex": "P", "age": 30, "marital_status": victim_status}],
                        perpetrators=[{"name": "P", "sex": "L", "age": 33, "marital_status": perpetrator_status}],
                        relationships={(0, 0): "mantan_pasangan"})
    db.session.commit()
    [row] = simfoni.simfoni_rows()
    assert row["hubungan_pelaku_korban"] == expected
    assert simfoni.simfoni_value("relationship", "tidak_dikenal") == "Lainnya"
    assert simfoni.simfoni_value("education", "kode_baru_admin") == "NA"


def test_simfoni_victim_age_groups_are_simfonis_own(app):
    from course_app.services.caselog import simfoni

    factories.seed_caselog()
    ages = [0, 5, 6, 12, 13, 17, 18, 24, 25, 44, 45, 59, 60, 90, None]
    factories.make_case(victims=[{"name": f"V{i}", "sex": "P", "age": age} for i, age in enumerate(ages)],
                        relationships={})
    db.session.commit()
    assert [row["kelompok_umur_korban"] for row in simfoni.simfoni_rows()] == [
        "0-5", "0-5", "6-12", "6-12", "13-17", "13-17", "18-24", "18-24", "25-44", "25-44", "45-59", "45-59",
        "60+", "60+", "NA"]

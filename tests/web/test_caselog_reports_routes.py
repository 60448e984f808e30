"""Two-way reports on the page, in CSV/XLSX and in the JSON API; the month trend chart
(issue 13 point 4). Every view and export is audited."""
import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from course_app.extensions import db
from course_app.models.caselog import AuditEntry, Lookup

from .. import factories
from .pages import text

YEAR = "from=2026-01-01&to=2026-12-31"


@pytest.fixture
def staff(client):
    factories.seed_caselog()
    worker = factories.make_user(roles=("caseworker",))
    factories.make_case(report_date=date(2026, 3, 4), incident_date=date(2026, 3, 1),
                        causes=["ekonomi", "miras"], impacts=["trauma"],
                        victims=[{"name": "A", "sex": "P", "age": 9}, {"name": "B", "sex": "P", "age": 30}],
                        relationships={})
    for _ in range(6):
        factories.make_case(report_date=date(2026, 5, 2), incident_date=date(2026, 5, 1),
                            causes=["ekonomi"], impacts=["trauma"])
    db.session.commit()
    factories.log_in(client, worker)
    return worker


def audit_entries():
    return [(e.action, e.object_id) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_the_page_offers_two_selects_and_shows_a_crosstab_with_distinct_case_totals(client, staff):
    response = client.get(f"/kasus/laporan?dimension=cause&by=impact&{YEAR}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'name="dimension"' in body and 'name="by"' in body
    page = text(response)
    # Ekonomi × Trauma: 7 cases; Miras × Trauma: 1; Trauma's column total is 7 distinct cases, not 8.
    assert "Ekonomi 7 7" in page and "Minuman keras/alkohol 1 1" in page
    assert "Total kasus 7 7" in page
    assert "bukan jumlah sel" in page
    assert audit_entries()[-1] == ("report_view", "cause×impact")


def test_publication_mode_shows_less_than_5_and_hides_a_complement(client, staff):
    page = text(client.get(f"/kasus/laporan?dimension=cause&by=impact&{YEAR}&publication=1"))
    assert "Minuman keras/alkohol <5 <5" in page
    assert "'*': disembunyikan" in page


def test_an_invalid_dimension_answers_400_with_a_clear_message(client, staff):
    response = client.get(f"/kasus/laporan?dimension=cause&by=kelurahan&{YEAR}")
    assert response.status_code == 400
    assert "Dimensi tidak dikenal: kelurahan" in text(response)
    response = client.get(f"/kasus/laporan?dimension=cause&by=cause&{YEAR}")
    assert response.status_code == 400 and "dua dimensi yang berbeda" in text(response)
    assert client.get(f"/kasus/laporan/unduh?format=csv&dimension=cause&by=nope&{YEAR}").status_code == 400


def test_crosstab_csv_is_formula_neutralised_with_one_charset(client, staff):
    bad = db.session.scalar(select(Lookup).where(Lookup.kind == "impact", Lookup.code == "trauma"))
    bad.label = "=HYPERLINK(\"http://contoh.invalid\")"
    db.session.commit()
    response = client.get(f"/kasus/laporan/unduh?format=csv&dimension=cause&by=impact&{YEAR}")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename=laporan-kasus-cause-impact-2026-01-01-2026-12-31.csv' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert "'=HYPERLINK(\"http://contoh.invalid\")" in rows[6]
    assert ["ekonomi", "Ekonomi", "7", "7"] in rows
    assert ("report_export", "cause×impact") in audit_entries()


def test_crosstab_xlsx_holds_the_table(client, staff):
    response = client.get(f"/kasus/laporan/unduh?format=xlsx&dimension=type&by=child_adult&{YEAR}")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["fisik", "Fisik", 1, 7, 7] in values  # anak 1 case, dewasa 7, 7 distinct cases


def test_api_crosstab_has_the_report_shape_plus_by(client, staff):
    body = client.get(f"/api/v1/caselog/reports/cause?by=impact&{YEAR}").get_json()
    assert (body["dimension"], body["by"], body["total"]) == ("cause", "impact", {"cases": 7})
    assert [c["code"] for c in body["columns"]] == ["trauma"]
    assert {r["code"]: (r["cases"], r["cells"]) for r in body["rows"]} == {
        "ekonomi": (7, [7]), "miras": (1, [1])}
    published = client.get(f"/api/v1/caselog/reports/cause?by=impact&{YEAR}&publication=1").get_json()
    assert {r["code"]: r["cells"] for r in published["rows"]}["miras"] == ["<5"]
    bad = client.get("/api/v1/caselog/reports/cause?by=kelurahan")
    assert bad.status_code == 400 and "kelurahan" in bad.get_json()["message"]
    assert client.get("/api/v1/caselog/reports/cause?by=cause").status_code == 400
    assert ("api_report", "cause×impact") in audit_entries()


def test_month_trend_chart_shows_every_month_of_the_period_without_script(client, staff):
    response = client.get(f"/kasus/laporan?dimension=cause&{YEAR}")
    body = response.get_data(as_text=True)
    chart = body.split('class="chart chart-months"', 1)[1].split("</svg>", 1)[0]
    assert chart.count("<rect") == 2  # March (1 case) and May (6); the other ten months are 0
    assert ">03<" in chart and ">12<" in chart and ">2026<" in chart
    main = body.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<script" not in main and "style=" not in main


def test_annual_summary_pdf_for_a_chosen_year_is_audited(client, staff):
    page = client.get(f"/kasus/laporan?{YEAR}").get_data(as_text=True)
    assert 'name="tahun"' in page and 'action="/kasus/laporan/tahunan"' in page
    response = client.get("/kasus/laporan/tahunan?tahun=2026")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "ringkasan-tahunan-kasus-2026.pdf" in response.headers["Content-Disposition"]
    assert response.get_data().startswith(b"%PDF")
    assert audit_entries()[-1] == ("report_export", "annual_summary")
    assert client.get("/kasus/laporan/tahunan?tahun=dua-ribu").status_code == 400
    assert client.get("/kasus/laporan/tahunan?tahun=2999").status_code == 400


def test_simfoni_export_is_a_csv_per_victim_and_audited(client, staff):
    response = client.get(f"/kasus/laporan/simfoni?{YEAR}")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "simfoni-2026-01-01-2026-12-31.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][0] == "no_registrasi" and len(rows) == 1 + 8  # 2 victims + 6 cases of one
    assert "Korban Contoh" not in response.get_data(as_text=True)
    assert audit_entries()[-1] == ("report_export", "simfoni")


def test_a_merged_duplicate_is_left_out_of_the_page_the_files_and_the_api(client, staff):
    from course_app.models.caselog import Case
    from course_app.services.caselog.management import merge

    first = db.session.scalar(select(Case).order_by(Case.id))
    duplicate = factories.make_case(report_date=date(2026, 5, 3), incident_date=date(2026, 3, 1),
                                    causes=["ekonomi"], impacts=["trauma"])
    supervisor = factories.make_user(roles=("caseworker",))
    supervisor.case_supervisor = True
    db.session.commit()
    assert client.get(f"/api/v1/caselog/reports/cause?by=impact&{YEAR}").get_json()["total"] == {"cases": 8}
    merge.merge_case(duplicate, first, supervisor)
    db.session.commit()

    body = client.get(f"/api/v1/caselog/reports/cause?by=impact&{YEAR}").get_json()
    assert body["total"] == {"cases": 7}
    assert {r["code"]: (r["cases"], r["cells"]) for r in body["rows"]} == {"ekonomi": (7, [7]), "miras": (1, [1])}
    assert "Total kasus 7 7" in text(client.get(f"/kasus/laporan?dimension=cause&by=impact&{YEAR}"))
    exported = client.get(f"/kasus/laporan/unduh?format=csv&dimension=cause&by=impact&{YEAR}")
    assert ["ekonomi", "Ekonomi", "7", "7"] in list(csv.reader(io.StringIO(exported.get_data().decode("utf-8-sig"))))
    workbook = client.get(f"/kasus/laporan/unduh?format=xlsx&dimension=cause&by=impact&{YEAR}")
    assert ["ekonomi", "Ekonomi", 7, 7] in [[c.value for c in row] for row in
                                           load_workbook(io.BytesIO(workbook.get_data())).active.iter_rows()]
    simfoni = client.get(f"/kasus/laporan/simfoni?{YEAR}").get_data().decode("utf-8-sig")
    assert len(simfoni.splitlines()) == 1 + 8 and duplicate.number not in simfoni

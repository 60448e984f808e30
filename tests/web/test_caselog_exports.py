"""Case-list exports through the web route (issue 13, point 5): CSV streamed, XLSX written with
openpyxl's write-only mode, both read in chunks with no query per case; `text/csv;
charset=utf-8` exactly once; labels, then codes and ISO dates in their own columns; formulas
neutralised; the export audited. Time and memory at 20,000 cases: bench/caselog_exports.py."""
import csv
import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import event, select

from course_app.extensions import db
from course_app.models.caselog import AuditEntry
from course_app.services.caselog import exports

from .. import factories


def two_cases():
    first = factories.make_case(external_ref="=1+1", report_date=date(2026, 3, 4),
                                types=["psikis", "fisik"], causes=["ekonomi", "miras"])
    second = factories.make_case(
        external_ref="LP/2", report_date=date(2026, 3, 5), kdrt=False, kecamatan_id=None,
        outside_city=True, location_detail="Kabupaten Kupang",
        perpetrators=[{"name": "Pelaku A", "sex": "L", "age": 30}, {"name": "Pelaku B", "sex": "L", "age": 40}],
        relationships={(0, 0): "tetangga", (0, 1): "tidak_dikenal"})
    db.session.commit()
    return first, second


def test_csv_export_says_its_charset_once_and_streams_labels_then_codes(client, staff):
    first, second = two_cases()
    response = client.get("/kasus/unduh?format=csv&pemilik=semua")

    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    header, *records = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header[:3] == ["Nomor kasus", "Sumber data", "Nomor rujukan"] and header[-1] == "Kode kecamatan"
    row = dict(zip(header, records[1], strict=True))  # newest report first
    assert row["Nomor kasus"] == first.number and row["Nomor rujukan"] == "'=1+1"
    assert row["Tanggal lapor"] == "4 Maret 2026" and row["Tanggal lapor (ISO)"] == "2026-03-04"
    assert row["Jenis kekerasan"] == "Fisik; Psikis" and row["Kode jenis kekerasan"] == "fisik; psikis"
    assert row["Kode faktor penyebab"] == "ekonomi; miras" and row["KDRT"] == "ya"
    assert (row["Kecamatan"], row["Kode kecamatan"]) == ("Oebobo", "537104")
    assert (row["Jumlah korban"], row["Jumlah pelaku"]) == ("1", "1")
    other = dict(zip(header, records[0], strict=True))
    assert other["Nomor kasus"] == second.number and other["Jumlah pelaku"] == "2"
    assert other["Kecamatan"] == "Di luar Kota Kupang" and other["Kode kecamatan"] == ""
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "case_export")).one()
    assert audit.detail.startswith("format=csv rows=2")


def test_xlsx_export_is_a_workbook_with_the_same_rows(client, staff):
    first, _second = two_cases()
    response = client.get("/kasus/unduh?format=xlsx&pemilik=semua")

    assert response.headers["Content-Type"] == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Nomor kasus" and len(values) == 3
    assert values[2][0] == first.number and values[2][2] == "'=1+1"
    assert sheet.cell(row=3, column=3).data_type == "s"


def test_export_follows_the_list_filters(client, staff):
    two_cases()
    body = client.get("/kasus/unduh?format=csv&pemilik=semua&q=LP/2").get_data().decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(body)))) == 2


def test_export_reads_cases_in_chunks_with_no_query_per_case(client, staff, monkeypatch):
    for i in range(12):
        factories.make_case(external_ref=f"LP/N/{i}", types=["fisik", "seksual"])
    db.session.commit()
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 5)
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        body = client.get("/kasus/unduh?format=csv&pemilik=semua").get_data()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) == 13
    # 3 chunks of 3 queries each, plus the request's own (user, ids, lists, audit) — not 12+.
    assert len(statements) < 25, len(statements)

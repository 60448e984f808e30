"""Hostile files in imports (issue 9, point 9): a zip bomb, a huge claimed dimension, entity
expansion, NUL and control characters, negative ages, enormous cells and files over the upload
limit are refused or reported with their row and column — and nothing reaches the database.
How fast and how small each refusal is: `make bench` (bench/caselog_import_hostile.py)."""
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models.caselog import Case, ImportBatch
from course_app.services import DomainError
from course_app.services.caselog import import_file, imports, spreadsheet
from course_app.services.caselog.parsing import ValueProblem, parse_age

from .. import caselog_import_builders as build
from .. import factories
from ..web.pages import error_beside, text

TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _lists():
    factories.seed_caselog()


@pytest.fixture
def openpyxl_must_not_run(monkeypatch):
    """Fails the test if openpyxl is asked to parse the workbook."""
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl parsed a workbook that should have been refused before")
    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(spreadsheet, "load_workbook", refuse, raising=False)


def written():
    """(cases, import batches) in the database."""
    return (db.session.scalar(select(func.count()).select_from(Case)),
            db.session.scalar(select(func.count()).select_from(ImportBatch)))


def preview(data, name="polisi.csv"):
    batch, result = imports.preview_file(name, data, "polres", None, today=TODAY)
    db.session.commit()
    return batch, result


def refusal(data, name="register.xlsx"):
    with pytest.raises(DomainError) as caught:
        imports.preview_file(name, data, "polres", None, today=TODAY)
    db.session.rollback()
    assert written() == (0, 0)
    return str(caught.value)


def problems_of(result):
    return {(row, column): str(reason) for row, column, reason in result.problems}


# --- XLSX: the archive is checked before openpyxl parses anything -----------------------------

def test_an_xlsx_zip_bomb_is_refused_before_openpyxl_reads_it(openpyxl_must_not_run):
    bomb = build.xlsx_zip_bomb(cells=5_000_000)
    assert len(bomb) < 1_000_000  # a few hundred KB ...
    message = refusal(bomb)       # ... that would unpack to about 80 MB of cells
    assert "dimampatkan" in message and "Simpan ulang" in message


def test_a_row_of_millions_of_cells_is_refused_before_openpyxl_reads_it(openpyxl_must_not_run):
    message = refusal(build.xlsx_one_row_of_many_cells(cells=2_000_000))
    assert "Berkas XLSX ini tidak wajar" in message


@pytest.mark.parametrize("limit,value", [("MAX_CELLS_PER_ROW", 10), ("MAX_CELLS", 40),
                                         ("MAX_ROW_ELEMENTS", 2), ("MAX_UNCOMPRESSED_BYTES", 2000),
                                         ("MAX_ARCHIVE_MEMBERS", 3)])
def test_every_archive_limit_refuses_an_xlsx_that_exceeds_it(monkeypatch, openpyxl_must_not_run, limit, value):
    monkeypatch.setattr(spreadsheet, limit, value)
    message = refusal(build.import_xlsx([build.import_row(), build.import_row(no_laporan="LP/2")]))
    assert "XLSX" in message


def test_a_row_number_beyond_excels_last_row_is_refused(openpyxl_must_not_run):
    far = build.sheet_row_xml(1, build.HEADER).replace('r="1"', 'r="999999999"')
    message = refusal(build.workbook_from_sheet_xml([far]))
    assert "1048576" in message


def test_entity_expansion_in_an_xlsx_is_refused(openpyxl_must_not_run):
    message = refusal(build.xlsx_billion_laughs())
    assert "DTD" in message


def test_an_xlsx_part_that_is_not_utf8_is_refused(openpyxl_must_not_run):
    sheet = (f'<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="{build.MAIN_NS}">'
             '<sheetData/></worksheet>').encode("utf-16")
    message = refusal(build.xlsx_with_member("xl/worksheets/sheet1.xml", sheet))
    assert "UTF-8" in message


def test_a_broken_archive_is_unreadable_not_an_error(openpyxl_must_not_run):
    message = refusal(build.import_xlsx([build.import_row()])[:3000])
    assert "tidak dapat dibaca" in message


def test_a_sheet_claiming_a_huge_dimension_is_read_by_its_real_rows_only():
    _batch, result = preview(build.xlsx_claiming_a_huge_dimension(far_cell=False), name="register.xlsx")
    assert result.ok and result.row_count == 1, result.problems

    _batch, result = preview(build.xlsx_claiming_a_huge_dimension(far_cell=True), name="register.xlsx")
    assert result.row_count == 2
    assert (1048576, "korban_nama") in problems_of(result)  # the lone far row has its problems
    assert written() == (0, 2)  # two previews kept, no case


def test_more_rows_than_allowed_stop_the_reading(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 3)
    rows = [build.import_row(no_laporan=f"LP/{i}") for i in range(10)]
    for data, name in ((build.import_csv(rows), "polisi.csv"), (build.import_xlsx(rows), "polisi.xlsx")):
        _batch, result = preview(data, name=name)
        assert [str(m) for _r, _c, m in result.problems] == ["Paling banyak 3 baris per berkas; bagi berkas ini."]
        assert not result.rows
    assert written()[0] == 0


def test_checking_stops_once_the_problems_are_too_many_to_read(monkeypatch):
    monkeypatch.setattr(import_file, "MAX_PROBLEMS", 4)
    _batch, result = preview(build.csv_with_nuls(rows=5))  # two problems a row
    rows = [row for row, _column, _reason in result.problems]
    assert rows == [0, 2, 2, 3, 3]
    assert "berhenti di baris 4" in str(result.problems[0][2])
    assert written()[0] == 0


# --- NUL and control characters ------------------------------------------------------------------

def test_a_nul_byte_is_reported_with_its_row_and_column_and_never_reaches_the_database():
    batch, result = preview(build.csv_with_nuls(rows=2))

    problems = problems_of(result)
    assert set(problems) == {(2, "no_laporan"), (2, "kronologi"), (3, "no_laporan"), (3, "kronologi")}
    assert "karakter kendali" in problems[(2, "kronologi")]
    assert not result.rows
    with pytest.raises(DomainError):
        imports.confirm_import(batch, None)
    db.session.rollback()
    assert written() == (0, 1)


@pytest.mark.parametrize("character", ["\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9b"])
def test_a_control_character_in_a_csv_cell_is_reported(character):
    _batch, result = preview(build.import_csv([build.import_row(korban_nama=f"Korban{character}Sintetis")]))
    assert set(problems_of(result)) == {(2, "korban_nama")}


def test_tab_and_line_breaks_inside_cells_are_ordinary_text():
    narrative = "[DATA SINTETIS] baris satu\r\nbaris dua\tdengan tab"
    _batch, result = preview(build.import_csv([build.import_row(kronologi=narrative)]))
    assert result.ok, result.problems
    assert result.rows[0]["narrative"] == "[DATA SINTETIS] baris satu baris dua dengan tab"


def test_a_control_character_in_an_xlsx_cell_is_reported():
    data = build.import_xlsx([build.import_row(korban_alamat="Jl. Sintetis\x7f 1")])
    _batch, result = preview(data, name="register.xlsx")
    assert set(problems_of(result)) == {(2, "korban_alamat")}
    assert written()[0] == 0


def test_the_cli_reports_a_nul_byte_even_in_a_dry_run(runner, tmp_path):
    path = tmp_path / "polisi.csv"
    path.write_bytes(build.csv_with_nuls(rows=1))
    for args in (["--dry-run"], ["--yes"]):
        outcome = runner.invoke(args=["caselog", "import", str(path), *args])
        assert outcome.exit_code == 1, outcome.output
        assert "2\tno_laporan\t" in outcome.output and "2\tkronologi\t" in outcome.output
        assert "\x00" not in outcome.output
    assert written()[0] == 0


# --- every problem of a row -----------------------------------------------------------------------

def test_every_problem_of_a_row_is_reported_even_after_a_parse_error():
    bad = build.import_row(korban_jk="X", tanggal_kejadian="10/08/2026", tanggal_lapor="01/08/2026",
                           korban_umur="-5", kronologi="awal\x00akhir", korban_alamat="a" * 301,
                           jenis_kekerasan="fisik; verbal", kecamatan="Bukan Kupang")
    _batch, result = preview(build.import_csv([bad]))

    problems = problems_of(result)
    assert set(problems) == {(2, "korban_jk"), (2, "tanggal_kejadian"), (2, "korban_umur"), (2, "kronologi"),
                             (2, "korban_alamat"), (2, "jenis_kekerasan"), (2, "kecamatan")}
    assert "sesudah tanggal lapor" in problems[(2, "tanggal_kejadian")]
    assert "300" in problems[(2, "korban_alamat")]


# --- ages -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["-5", "−5", "- 5", "-0", "121", "999", "12.5", "12,5", "1e2", "+5", "-5 tahun"])
def test_negative_and_impossible_ages_are_refused_in_csv(value):
    _batch, result = preview(build.import_csv([build.import_row(korban_umur=value)]))
    assert set(problems_of(result)) == {(2, "korban_umur")}
    with pytest.raises(ValueProblem):
        parse_age(value)


@pytest.mark.parametrize("value", [-5, -0.5, 12.5, 121, True])
def test_negative_and_impossible_ages_are_refused_in_xlsx(value):
    data = build.import_xlsx([build.import_row(korban_umur=value)])
    _batch, result = preview(data, name="register.xlsx")
    assert set(problems_of(result)) == {(2, "korban_umur")}


@pytest.mark.parametrize("value,age", [("0", 0), ("15", 15), ("15 tahun", 15), ("120", 120), ("8 bulan", 0),
                                       ("30 bulan", 2), (14, 14), (14.0, 14)])
def test_possible_ages_are_read(value, age):
    assert parse_age(value) == age


# --- enormous cells -------------------------------------------------------------------------------

def test_a_one_megabyte_cell_is_reported_with_its_row_and_column():
    data = build.csv_with_one_enormous_field(1_000_000)
    _batch, result = preview(data)
    problems = problems_of(result)
    assert set(problems) == {(2, "kronologi")}
    assert "5000" in problems[(2, "kronologi")] or "5.000" in problems[(2, "kronologi")]
    assert written()[0] == 0


def test_a_field_beyond_the_csv_modules_limit_is_a_row_problem_not_an_unsupported_file():
    import csv
    data = build.csv_with_one_enormous_field(csv.field_size_limit() + 10, column="korban_nama")
    _batch, result = preview(data)
    assert set(problems_of(result)) == {(2, "korban_nama")}


def test_an_over_long_xlsx_cell_is_reported_with_its_row_and_column():
    data = build.import_xlsx([build.import_row(no_laporan="LP/" + "9" * 200)])
    _batch, result = preview(data, name="register.xlsx")
    assert set(problems_of(result)) == {(2, "no_laporan")}


def test_a_long_cell_in_an_ignored_column_is_read_up_to_the_longest_field():
    header = [*build.HEADER, "catatan_polisi"]
    ok = build.import_csv([build.import_row(catatan_polisi="c" * 4000)], header=header)
    _batch, result = preview(ok)
    assert result.ok and result.ignored_columns == ["catatan_polisi"]
    too_long = build.import_csv([build.import_row(catatan_polisi="c" * 5001)], header=header)
    _batch, result = preview(too_long)
    assert set(problems_of(result)) == {(2, "catatan_polisi")}


def test_a_csv_row_with_too_many_columns_is_refused():
    data = build.import_csv([build.import_row()]) + b"x" + b",x" * (spreadsheet.MAX_COLUMNS + 5) + b"\r\n"
    message = refusal(data, name="polisi.csv")
    assert "Baris 3" in message and str(spreadsheet.MAX_COLUMNS) in message


# --- one size limit, web and CLI ------------------------------------------------------------------

def test_a_file_over_the_upload_limit_is_refused_by_the_service(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024 + 64 * 1024)  # MAX_UPLOAD_MB=1
    data = build.csv_with_one_enormous_field(1024 * 1024 + 1)
    message = refusal(data, name="polisi.csv")
    assert "1 MB" in message


def test_the_cli_applies_the_same_size_limit_as_the_web_upload(app, runner, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024 + 64 * 1024)
    path = tmp_path / "besar.csv"
    path.write_bytes(build.csv_with_one_enormous_field(1024 * 1024 + 1))
    for args in (["--dry-run"], ["--yes"]):
        outcome = runner.invoke(args=["caselog", "import", str(path), *args])
        assert outcome.exit_code == 1 and "1 MB" in outcome.output, outcome.output
    assert written() == (0, 0)

    sparse = tmp_path / "sepuluh-gb.csv"
    with sparse.open("wb") as file:
        file.truncate(10 * 1024 ** 3)  # 10 GB that are never read
    outcome = runner.invoke(args=["caselog", "import", str(sparse), "--dry-run"])
    assert outcome.exit_code == 1 and "1 MB" in outcome.output

    path.write_bytes(build.csv_with_one_enormous_field(1024 * 1024 - 1000))  # under the limit: read
    outcome = runner.invoke(args=["caselog", "import", str(path), "--dry-run"])
    assert "2\tkronologi\t" in outcome.output and written()[0] == 0


# --- through the web upload -----------------------------------------------------------------------

@pytest.fixture
def caseworker(client):
    worker = factories.make_user(roles=("caseworker",))
    db.session.commit()
    factories.log_in(client, worker)
    return worker


def upload(client, data, name):
    return client.post("/kasus/impor", data={"source": "polres", "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_a_nul_byte_uploaded_on_the_web_is_a_row_problem_not_a_server_error(client, caseworker):
    sent = upload(client, build.csv_with_nuls(rows=1), "polisi.csv")
    assert sent.status_code == 302
    page = text(client.get(sent.headers["Location"]))
    assert "2 no_laporan Berisi karakter kendali (U+0000)" in page
    assert "2 kronologi Berisi karakter kendali (U+0000)" in page
    assert written()[0] == 0


def test_a_zip_bomb_uploaded_on_the_web_is_refused_beside_the_file_field(client, caseworker):
    sent = upload(client, build.xlsx_zip_bomb(cells=5_000_000), "polisi.xlsx")
    assert sent.status_code == 200
    assert "dimampatkan lebih dari 100 kali" in error_beside(sent, "file")
    assert written() == (0, 0)

"""Imports people can finish (issue 13, point 3): rows sharing a report number are one case with
several victims or perpetrators; a label that names two entries is reported as ambiguous with
both; the docs' own examples (`Pacar`, `Istri`) are read; blank rows are counted and reported;
reports already recorded are listed and skipped only when the person confirming chooses so."""
from datetime import date

import pytest
from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models.caselog import Case, ImportBatch
from course_app.services import DomainError
from course_app.services.caselog import cases, imports, lookups

from .. import factories
from ..caselog_import_builders import HEADER, import_csv, import_row

TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _lists():
    factories.seed_caselog()


def parse(rows, header=HEADER):
    return imports.parse_file("polres.csv", import_csv(rows, header=header), "polres", today=TODAY)


def preview(rows, header=HEADER):
    batch, result = imports.preview_file("polres.csv", import_csv(rows, header=header), "polres", None,
                                         today=TODAY)
    db.session.commit()
    return batch, result


def case_count():
    return db.session.scalar(select(func.count()).select_from(Case))


# --- several victims or perpetrators: rows sharing the report number -------------------------

def test_rows_sharing_a_report_number_are_one_case_with_each_victim_and_perpetrator():
    rows = [
        import_row(no_laporan="LP/G/1", korban_nama="Korban Satu", korban_umur="12", hubungan="orang tua"),
        import_row(no_laporan="LP/G/2", korban_nama="Korban Lain"),
        import_row(no_laporan="lp/g/1", korban_nama="Korban Dua", korban_umur="9", hubungan="orang tua"),
        import_row(no_laporan="LP/G/1", korban_nama="Korban Satu", korban_umur="12",
                   pelaku_nama="Pelaku Dua", pelaku_umur="40", hubungan="tetangga"),
        import_row(no_laporan="LP/G/1", korban_nama="Korban Satu", korban_umur="12", hubungan="orang tua"),
    ]
    batch, result = preview(rows)

    assert result.problems == [] and len(result.rows) == 2
    assert result.row_numbers == [2, 3] and result.grouped_rows == [[4, 5, 6], []]
    first_id, _second_id = imports.confirm_import(batch, None)
    db.session.commit()

    case = cases.get_case(first_id)
    assert [v.name for v in case.victims] == ["Korban Satu", "Korban Dua"]  # the repeat is one person
    assert [p.name for p in case.perpetrators] == ["Pelaku Sintetis", "Pelaku Dua"]
    assert case.victim_count == 2 and case_count() == 2
    pairs = {(r.victim.name, r.perpetrator.name): r.relationship_kind.code if r.relationship_kind else None
             for r in case.relationships}
    assert pairs == {("Korban Satu", "Pelaku Sintetis"): "orang_tua", ("Korban Dua", "Pelaku Sintetis"): "orang_tua",
                     ("Korban Satu", "Pelaku Dua"): "tetangga", ("Korban Dua", "Pelaku Dua"): None}


def test_rows_of_one_report_that_disagree_on_the_case_are_a_problem_naming_the_column():
    rows = [import_row(no_laporan="LP/G/9", korban_nama="A"),
            import_row(no_laporan="LP/G/9", korban_nama="B", tanggal_lapor="04/08/2026", jenis_kekerasan="psikis"),
            import_row(no_laporan="LP/G/9", korban_nama="A", pelaku_nama="C", hubungan="tetangga"),
            import_row(no_laporan="LP/G/9", korban_nama="A", pelaku_nama="C", hubungan="guru")]
    result = parse(rows)

    found = {(r, c): str(m) for r, c, m in result.problems}
    assert set(found) == {(3, "tanggal_lapor"), (3, "jenis_kekerasan"), (5, "hubungan")}
    assert "baris 2" in found[(3, "tanggal_lapor")] and "nomor laporan yang sama" in found[(3, "tanggal_lapor")]
    assert "'tetangga'" in found[(5, "hubungan")]
    assert not result.ok


# --- labels: the docs' examples, and ambiguity named as such ----------------------------------

@pytest.mark.parametrize("written,code", [
    ("Pacar", "pacar_teman"), ("Istri", "suami_istri"), ("suami", "suami_istri"), ("teman", "pacar_teman"),
    ("Mantan istri", "mantan_pasangan"), ("mantan pacar", "mantan_pasangan"),
    ("Mantan suami/istri/pacar", "mantan_pasangan"), ("Pacar/teman", "pacar_teman"),
])
def test_the_docs_relationship_examples_import_as_the_list_means_them(written, code):
    result = parse([import_row(hubungan=written)])
    assert result.problems == [], result.problems
    assert result.rows[0]["relationships"] == {(0, 0): code}


def test_a_label_naming_two_entries_is_reported_as_ambiguous_with_both():
    lookups.add_lookup("relationship", code="teman_sekolah", label="Teman/teman sekolah")
    result = parse([import_row(hubungan="Teman"), import_row(no_laporan="LP/2", hubungan="teman sekolah")])

    ((number, column, reason),) = result.problems
    assert (number, column) == (2, "hubungan")
    assert "ambigu" in str(reason) and "tidak dikenal" not in str(reason)
    assert "pacar_teman (Pacar/teman)" in str(reason) and "teman_sekolah (Teman/teman sekolah)" in str(reason)
    assert result.rows[0]["relationships"] == {(0, 0): "teman_sekolah"}


# --- blank rows ---------------------------------------------------------------------------------

def test_blank_rows_between_cases_are_counted_and_reported():
    rows = [import_row(no_laporan="LP/B/1"), {}, import_row(no_laporan="LP/B/2"), {}, {},
            import_row(no_laporan="LP/B/3"), {}]
    batch, result = preview(rows)

    assert result.problems == [] and len(result.rows) == 3
    assert result.blank_rows == [[3, 3], [5, 6]] and result.blank_row_count == 3  # not the last one
    assert str(imports.describe_blank_rows(result)) == "3 baris kosong dilewati: baris 3, 5–6"
    assert imports.load_preview(batch).blank_rows == [[3, 3], [5, 6]]


# --- duplicates: listed, skipped only by choice -------------------------------------------------

def test_duplicates_are_listed_and_skipped_only_when_chosen_nothing_written_before():
    existing = factories.make_case(source="polres", external_ref="LP/D/1")
    db.session.commit()
    batch, result = preview([import_row(no_laporan="LP/D/1"), import_row(no_laporan="LP/D/2"),
                             import_row(no_laporan="LP/D/3")])

    assert result.ok and result.duplicates == [(2, "LP/D/1", existing.number)]
    assert [r["external_ref"] for r in result.rows] == ["LP/D/2", "LP/D/3"]
    assert case_count() == 1  # the preview writes nothing
    with pytest.raises(DomainError, match="Lewati duplikat"):
        imports.confirm_import(batch, None)
    db.session.rollback()
    assert case_count() == 1

    ids = imports.confirm_import(db.session.get(ImportBatch, batch.id), None, skip_duplicates=True)
    db.session.commit()
    assert len(ids) == 2 and case_count() == 3
    assert {cases.get_case(i).external_ref for i in ids} == {"LP/D/2", "LP/D/3"}


def test_a_file_of_nothing_but_duplicates_imports_nothing_even_when_skipping():
    factories.make_case(source="polres", external_ref="LP/D/9")
    db.session.commit()
    batch, result = preview([import_row(no_laporan="LP/D/9")])
    assert result.rows == [] and len(result.duplicates) == 1
    with pytest.raises(DomainError, match="tidak ada yang diimpor"):
        imports.confirm_import(batch, None, skip_duplicates=True)

"""Kota Kupang's kecamatan and kelurahan (issue 11, point 9): the official Kemendagri codes and
names, and the names police registers write — local spellings and abbreviations — accepted on
import, never guessed. Synthetic data only."""
import csv
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from course_app.extensions import db
from course_app.models.caselog import Case, Kelurahan
from course_app.services.caselog import imports, lookups
from course_app.services.caselog.reference import WILAYAH_CSV

from .. import factories
from ..caselog_import_builders import import_csv, import_row

TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _lists():
    factories.seed_caselog()


def kelurahan(name):
    return db.session.scalar(select(Kelurahan).where(Kelurahan.name == name))


def parse(*rows):
    return imports.parse_file("polres.csv", import_csv(list(rows)), "polres", today=TODAY)


def imported_kelurahan(text, kecamatan=""):
    """The kelurahan a one-row file naming `text` lands in, or the file's problems."""
    result = parse(import_row(kecamatan=kecamatan, kelurahan=text))
    if result.problems:
        return [(column, str(reason)) for _row, column, reason in result.problems]
    return db.session.get(Kelurahan, result.rows[0]["kelurahan_id"]).name


def test_the_wilayah_list_has_the_official_kemendagri_codes_and_names():
    """Kepmendagri 300.2.2-2138/2025: kecamatan 53.71.0x, kelurahan 53.71.0x.1nnn (the 1 marks a
    kelurahan), written without dots."""
    kecamatan = {k.code: k.name for k in lookups.kecamatan_list()}
    assert kecamatan == {"537101": "Alak", "537102": "Maulafa", "537103": "Kelapa Lima",
                         "537104": "Oebobo", "537105": "Kota Raja", "537106": "Kota Lama"}
    stored = lookups.kelurahan_list()
    assert len(stored) == 51
    for kel in stored:
        assert re.fullmatch(r"53710[1-6]1\d{3}", kel.code), kel.code
        assert kel.code.startswith(kel.kecamatan.code)
    by_name = {k.name: k.code for k in stored}
    assert by_name["Oesapa"] == "5371031010" and by_name["Tuak Daun Merah"] == "5371041014"
    assert by_name["Namosain"] == "5371011001" and by_name["Nefonaek"] == "5371061010"
    for official in ("Batu Plat", "Bello", "Bakunase Dua", "Naikoten Satu", "Naikoten Dua",
                     "Lai Lai Bisi Kopan"):
        assert official in by_name
    counts = {}
    for kel in stored:
        counts[kel.kecamatan.name] = counts.get(kel.kecamatan.name, 0) + 1
    assert counts == {"Alak": 12, "Maulafa": 9, "Kelapa Lima": 5, "Oebobo": 7, "Kota Raja": 8,
                      "Kota Lama": 10}


def test_the_seeded_list_is_the_reference_csv_with_its_local_spellings_as_aliases():
    with WILAYAH_CSV.open(encoding="utf-8", newline="") as handle:
        reference = list(csv.DictReader(handle))
    stored = {k.code: k for k in lookups.kelurahan_list()}
    assert set(stored) == {r["kelurahan_code"] for r in reference}
    for r in reference:
        kel = stored[r["kelurahan_code"]]
        assert kel.name == r["kelurahan"]
        expected = [a for a in (r["local_spelling"], r["aliases"]) if a]
        assert (kel.aliases or "") == "; ".join(expected)
    assert kelurahan("Lai Lai Bisi Kopan").aliases == "Lai-Lai Bisi Kopan; LLBK"
    assert kelurahan("Tuak Daun Merah").aliases == "TDM"
    assert kelurahan("Bello").aliases == "Belo" and kelurahan("Batu Plat").aliases == "Batuplat"


@pytest.mark.parametrize("written,official", [
    ("LLBK", "Lai Lai Bisi Kopan"),      # police abbreviation
    ("TDM", "Tuak Daun Merah"),          # police abbreviation
    ("Bakunase 2", "Bakunase Dua"),
    ("Naikoten 1", "Naikoten Satu"),
    ("Batuplat", "Batu Plat"),           # local spelling
    ("Belo", "Bello"),                   # local spelling
    ("Bakunase II", "Bakunase Dua"),
    ("Naikoten I", "Naikoten Satu"),
    ("Naikoten II", "Naikoten Dua"),
    ("Naikoten 2", "Naikoten Dua"),
    ("Lai-Lai Bisi Kopan", "Lai Lai Bisi Kopan"),
    ("Manulai 2", "Manulai II"),
    ("Bakunase", "Bakunase"),            # the exact name wins over Bakunase Dua
    ("5371041014", "Tuak Daun Merah"),   # the official code
])
def test_police_abbreviations_and_local_spellings_are_accepted_on_import(written, official):
    assert imported_kelurahan(written) == official
    kecamatan = kelurahan(official).kecamatan.name
    assert imported_kelurahan(written, kecamatan=kecamatan) == official


@pytest.mark.parametrize("written,official", [
    (" llbk ", "Lai Lai Bisi Kopan"), ("tdm", "Tuak Daun Merah"), ("BÉLO", "Bello"),
    ("batu  plat", "Batu Plat"), ("Batu-Plat", "Batu Plat"), ("Kel. Batuplat", "Batu Plat"),
    ("naikoten-1", "Naikoten Satu"), ("Kelurahan Bakunase dua", "Bakunase Dua"),
    ("Lai Lai Bisi-Kopan", "Lai Lai Bisi Kopan"), ("Kayuputih", "Kayu Putih"),
])
def test_an_alias_is_matched_case_accent_punctuation_and_space_insensitively(written, official):
    assert imported_kelurahan(written) == official


def test_a_name_missing_its_number_is_reported_as_ambiguous_naming_each_kelurahan():
    problems = imported_kelurahan("Naikoten")
    assert [column for column, _reason in problems] == ["kelurahan"]
    reason = problems[0][1]
    assert "ambigu" in reason and "Naikoten Satu (Kota Raja)" in reason and "Naikoten Dua (Kota Raja)" in reason
    # one numbered kelurahan only: still not guessed
    problems = imported_kelurahan("Manulai")
    assert "ambigu" in problems[0][1] and "Manulai II (Alak)" in problems[0][1]


def test_an_alias_two_kelurahan_share_is_reported_as_ambiguous_unless_the_kecamatan_decides():
    kelurahan("Liliba").aliases = "LLBK"  # e.g. an alias added to a second kelurahan by mistake
    db.session.flush()
    problems = imported_kelurahan("LLBK")
    assert len(problems) == 1 and problems[0][0] == "kelurahan"
    assert "ambigu" in problems[0][1]
    assert "Lai Lai Bisi Kopan (Kota Lama)" in problems[0][1] and "Liliba (Oebobo)" in problems[0][1]
    assert imported_kelurahan("LLBK", kecamatan="Kota Lama") == "Lai Lai Bisi Kopan"


def test_an_alias_of_another_kecamatan_or_an_unknown_name_is_refused():
    problems = imported_kelurahan("TDM", kecamatan="Alak")
    assert problems == [("kelurahan", "Kelurahan 'TDM' tidak dikenal di kecamatan ini.")]
    problems = imported_kelurahan("Oelamasi")
    assert problems == [("kelurahan", "Kelurahan 'Oelamasi' bukan kelurahan Kota Kupang.")]


def test_a_kecamatan_is_matched_by_its_kemendagri_code_or_its_name_spaces_aside():
    result = parse(import_row(no_laporan="LP/K/1", kecamatan="537105", kelurahan=""),
                   import_row(no_laporan="LP/K/2", kecamatan="Kec. Kotaraja", kelurahan=""))
    assert result.problems == []
    assert {row["kecamatan_id"] for row in result.rows} == {factories.kecamatan_id("Kota Raja")}


def test_an_imported_case_keeps_the_official_kelurahan_its_alias_named():
    batch, result = imports.preview_file("polres.csv", import_csv([
        import_row(no_laporan="LP/A/1", kecamatan="", kelurahan="LLBK"),
        import_row(no_laporan="LP/A/2", kecamatan="Oebobo", kelurahan="TDM"),
    ]), "polres", None, today=TODAY)
    assert result.problems == []
    imports.confirm_import(batch, None)
    stored = {c.external_ref: (c.kecamatan.name, c.kelurahan.code, c.kelurahan.name)
              for c in db.session.scalars(select(Case))}
    assert stored == {"LP/A/1": ("Kota Lama", "5371061002", "Lai Lai Bisi Kopan"),
                      "LP/A/2": ("Oebobo", "5371041014", "Tuak Daun Merah")}


def test_the_import_documentation_names_every_accepted_alias():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "caselog-lists.md").read_text(encoding="utf-8")
    for kel in lookups.kelurahan_list():
        for alias in filter(None, (a.strip() for a in (kel.aliases or "").split(";"))):
            assert f"`{alias}`" in doc, alias

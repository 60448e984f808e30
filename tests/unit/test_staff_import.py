"""Bulk onboarding of officiants from a CSV (services/staff_import.py): every problem of every
row in the preview, nothing written before confirmation, all rows or none, audited."""
import pytest
from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models import User
from course_app.models.caselog import AuditEntry
from course_app.services import DomainError, staff_import
from tests import factories
from tests.mailbox import Outbox

HEADER = "nama,email,jenis_lembaga,nama_lembaga\n"


def csv(*lines, header=HEADER):
    return (header + "\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def admin():
    person = factories.make_user(roles=("admin",))
    db.session.commit()
    return person


def problems_by_line(batch):
    return {row["line"]: [(column, reason) for column, reason in row["problems"]]
            for row in batch.rows if row["problems"]}


def users():
    return db.session.scalar(select(func.count()).select_from(User))


def test_a_clean_file_previews_every_row_and_writes_no_account(admin):
    before = users()
    batch = staff_import.preview_file("petugas.csv", csv(
        "Pdt. Yohana Lado,yohana@example.org,gereja,GMIT Jemaat Contoh",
        "Ustaz Harun,harun@example.org,Masjid / KUA,KUA Kecamatan Contoh"), admin)

    assert batch.error_count == 0
    assert [(r["line"], r["email"], r["institution_type"]) for r in batch.rows] == [
        (2, "yohana@example.org", "gereja"), (3, "harun@example.org", "masjid_kua")]
    assert users() == before
    assert len(Outbox()) == 0


def test_the_preview_lists_every_problem_of_every_row(admin):
    factories.make_user(email="sudah@example.org")
    batch = staff_import.preview_file("petugas.csv", csv(
        ",bukan-email,kuil,",                                      # 2: four problems
        "Romo Paulus,paulus@example.org,gereja,Paroki Contoh",     # 3: fine
        "Romo Paulus Dua,PAULUS@example.org,gereja,Paroki Contoh",  # 4: duplicate of row 3
        "Maria Tefa,sudah@example.org,gereja,Jemaat Contoh",       # 5: already an account
        "Made Contoh,made@example.org,,Pura Contoh"), admin)       # 6: type missing

    found = problems_by_line(batch)
    assert sorted(found) == [2, 4, 5, 6]
    assert {column for column, _reason in found[2]} == {"nama", "email", "jenis_lembaga", "nama_lembaga"}
    assert any("tidak dikenal" in reason and "kuil" in reason for _c, reason in found[2])
    assert found[4] == [("email", "Duplikat dalam berkas: email yang sama sudah ada di baris 3.")]
    assert found[5] == [("email", "Sudah ada akun dengan email ini.")]
    assert found[6] == [("jenis_lembaga", "Jenis lembaga kosong.")]
    assert batch.error_count == 7


@pytest.mark.parametrize("written,code", [
    ("GEREJA", "gereja"), ("Gérèja", "gereja"), ("masjid_kua", "masjid_kua"), ("KUA", "masjid_kua"),
    ("Catatan Sipil (Dukcapil)", "catatan_sipil"), ("dukcapil", "catatan_sipil"), ("Vihara", "vihara"),
    ("Civil registry (Dukcapil)", "catatan_sipil"),
])
def test_institution_types_match_without_case_or_accents(admin, written, code):
    batch = staff_import.preview_file("p.csv", csv(f"Nama Contoh,a@example.org,{written},Lembaga Contoh"), admin)
    assert batch.rows[0]["institution_type"] == code, batch.rows[0]["problems"]


def test_english_headers_and_a_semicolon_are_read(admin):
    batch = staff_import.preview_file("p.csv", csv(
        "Pdt. Yohana Lado;yohana@example.org;church;GMIT Jemaat Contoh",
        header="Name;E-mail;Institution type;Institution name\n"), admin)
    assert batch.error_count == 0
    assert batch.rows[0]["institution_type"] == "gereja"


def test_a_file_without_the_required_columns_is_refused_whole(admin):
    with pytest.raises(DomainError) as error:
        staff_import.preview_file("p.csv", csv("Nama,a@example.org", header="nama,email\n"), admin)
    assert "jenis_lembaga" in str(error.value) and error.value.field == "file"


def test_more_rows_than_the_limit_are_refused(admin):
    rows = [f"Orang {n},o{n}@example.org,gereja,Jemaat Contoh" for n in range(staff_import.MAX_ROWS + 1)]
    with pytest.raises(DomainError) as error:
        staff_import.preview_file("p.csv", csv(*rows), admin)
    assert str(staff_import.MAX_ROWS) in str(error.value)


def test_confirm_creates_every_account_with_its_invitation_and_audits_it(admin):
    batch = staff_import.preview_file("petugas.csv", csv(
        "Pdt. Yohana Lado,yohana@example.org,gereja,GMIT Jemaat Contoh",
        "Ustaz Harun,harun@example.org,kua,KUA Kecamatan Contoh"), admin)
    db.session.commit()

    made = staff_import.confirm_import(batch, admin)
    db.session.commit()

    assert sorted(u.email for u in made) == ["harun@example.org", "yohana@example.org"]
    assert all(u.role_codes == {"officiant"} for u in made)
    assert {(u.institution_type, u.institution_name) for u in made} == {
        ("gereja", "GMIT Jemaat Contoh"), ("masjid_kua", "KUA Kecamatan Contoh")}
    assert sorted(m["To"] for m in Outbox()) == ["harun@example.org", "yohana@example.org"]
    assert batch.state == "imported"
    assert batch.rows == []  # no second copy of the names and emails once the accounts hold them
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.object_type) for e in entries if e.object_type == "staff_import"] == [
        ("staff_import_preview", "staff_import"), ("staff_import", "staff_import")]
    for user in made:
        assert [e.action for e in entries if e.object_id == str(user.id) and e.object_type == "user"] == [
            "user_import", "invitation_send"]


def test_confirm_is_refused_while_any_row_has_a_problem(admin):
    before = users()
    batch = staff_import.preview_file("p.csv", csv(
        "Pdt. Yohana Lado,yohana@example.org,gereja,GMIT Jemaat Contoh",
        "Tanpa Email,,gereja,Jemaat Contoh"), admin)
    with pytest.raises(DomainError):
        staff_import.confirm_import(batch, admin)
    assert users() == before
    assert len(Outbox()) == 0


def test_an_email_taken_since_the_preview_refuses_the_whole_import(admin):
    batch = staff_import.preview_file("p.csv", csv(
        "Pdt. Yohana Lado,yohana@example.org,gereja,GMIT Jemaat Contoh",
        "Ustaz Harun,harun@example.org,kua,KUA Kecamatan Contoh"), admin)
    factories.make_user(email="harun@example.org")
    before = users()
    with pytest.raises(DomainError):
        staff_import.confirm_import(batch, admin)
    assert users() == before


def test_a_confirmed_import_cannot_be_confirmed_again(admin):
    batch = staff_import.preview_file("p.csv", csv(
        "Pdt. Yohana Lado,yohana@example.org,gereja,GMIT Jemaat Contoh"), admin)
    staff_import.confirm_import(batch, admin)
    with pytest.raises(DomainError):
        staff_import.confirm_import(batch, admin)


def test_the_sample_file_in_docs_imports_cleanly(admin):
    from pathlib import Path
    sample = Path(__file__).resolve().parents[2] / "docs" / "staff-import-sample.csv"
    batch = staff_import.preview_file(sample.name, sample.read_bytes(), admin)
    assert batch.error_count == 0 and batch.row_count == 5


def test_control_characters_and_overlong_cells_are_problems_of_their_row(admin):
    batch = staff_import.preview_file("p.csv", csv(
        "Nama\x00Contoh,a@example.org,gereja,Jemaat Contoh",
        "Nama Contoh,b@example.org,gereja," + "x" * 161), admin)
    found = problems_by_line(batch)
    assert [column for column, _r in found[2]] == ["nama"]
    assert [column for column, _r in found[3]] == ["nama_lembaga"]


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, b"PK\x03\x04 not a workbook", b""])
def test_a_file_that_is_no_table_is_refused_with_a_message(admin, data):
    with pytest.raises(DomainError) as error:
        staff_import.preview_file("p.csv", data, admin)
    assert error.value.field == "file"

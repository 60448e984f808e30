"""The import's preview and confirmation as a caseworker sees them (issue 13, point 3): the
reports already recorded listed with an explicit 'Lewati duplikat dan impor sisanya', blank rows
reported, and after confirming the list of the cases just imported, headed by the batch."""
import io

from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models.caselog import AuditEntry, Case

from .. import factories
from ..caselog_import_builders import import_csv, import_row
from .pages import flashes, text


def upload(client, rows):
    response = client.post("/kasus/impor", data={"source": "polres", "file": (io.BytesIO(import_csv(rows)), "polres.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.status_code
    return response.headers["Location"].rsplit("/", 1)[-1]


def case_count():
    return db.session.scalar(select(func.count()).select_from(Case))


def test_duplicates_are_listed_and_skipped_only_by_the_explicit_choice(client, staff):
    existing = factories.make_case(source="polres", external_ref="LP/W/1")
    other = factories.make_case(source="p3a", external_ref="LP/LAIN")  # not in the batch
    db.session.commit()
    batch_id = upload(client, [import_row(no_laporan="LP/W/1"), {}, import_row(no_laporan="LP/W/2"),
                               import_row(no_laporan="LP/W/2", korban_nama="Korban Kedua"),
                               import_row(no_laporan="LP/W/3")])

    page = text(client.get(f"/kasus/impor/{batch_id}"))
    assert "1 nomor laporan sudah tercatat" in page and f"2 LP/W/1 {existing.number}" in page
    assert "Lewati duplikat dan impor sisanya (2 kasus)" in page and "Batalkan" in page
    assert "1 baris kosong dilewati: baris 3" in page
    assert case_count() == 2

    refused = client.post(f"/kasus/impor/{batch_id}/konfirmasi")  # the choice not made
    assert refused.headers["Location"].endswith(f"/kasus/impor/{batch_id}") and case_count() == 2

    done = client.post(f"/kasus/impor/{batch_id}/konfirmasi", data={"lewati_duplikat": "1"})
    assert done.status_code == 302 and case_count() == 4
    assert f"impor={batch_id}" in done.headers["Location"]
    listing = client.get(done.headers["Location"])
    assert ("success", "2 kasus diimpor; 1 duplikat dilewati.") in flashes(listing)
    page = text(listing)
    assert "Kasus dari impor polres.csv" in page and "2 kasus" in page
    assert "LP/W/2" in page and "LP/W/3" in page
    assert existing.number not in page and other.number not in page
    audit = db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "import_confirm")).one()
    assert audit == "cases=2 skipped=1"


def test_a_clean_import_lands_on_its_cases_and_their_export(client, staff):
    batch_id = upload(client, [import_row(no_laporan="LP/K/1"), import_row(no_laporan="LP/K/2")])
    assert "Impor 2 kasus" in text(client.get(f"/kasus/impor/{batch_id}"))
    done = client.post(f"/kasus/impor/{batch_id}/konfirmasi")
    assert case_count() == 2
    exported = client.get(f"/kasus/unduh?format=csv&impor={batch_id}&pemilik=semua").get_data().decode("utf-8-sig")
    assert exported.count("LP/K/") == 2
    assert "2 kasus" in text(client.get(done.headers["Location"]))
    assert "0 kasus" in text(client.get("/kasus/?impor=999999&pemilik=semua"))

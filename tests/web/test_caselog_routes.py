"""Case-log screens (issue 5, point 2): list, create/edit with several victims and
perpetrators (without JavaScript), detail with timeline, services, import, reports, exports,
API, admin lists and the audit log — each view and change audited."""
import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models.caselog import AuditEntry, Case, Lookup

from .. import factories
from .pages import error_beside, flashes, text


@pytest.fixture
def admin(client):
    factories.seed_caselog()
    boss = factories.make_user(roles=("admin",))
    db.session.commit()
    factories.log_in(client, boss)
    return boss


def actions():
    return [a for a in db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))]


def case_form(victims=1, perpetrators=1, **overrides):
    """What a caseworker types into the case form."""
    data = {"report_date": "2026-08-05", "incident_date": "2026-08-02", "source": "polres",
            "external_ref": "LP/B/500/VIII/2026", "types": ["fisik", "psikis"], "kdrt": "y",
            "causes": ["ekonomi"], "impacts": ["trauma"], "place": "rumah_tangga",
            "location": str(factories.kecamatan_id("Oebobo")), "kelurahan_id": str(factories.kelurahan_id("Oebobo")),
            "location_detail": "", "narrative": "Kronologi sintetis untuk uji", "legal_stage": "pelaporan",
            "consent_services": "y", "consent_nonidentifiable": "y", "save": "1"}
    for i in range(victims):
        data.update({f"victims-{i}-name": f"Korban Uji {i + 1}", f"victims-{i}-sex": "P",
                     f"victims-{i}-age": str(10 + i * 20), f"victims-{i}-id": ""})
    for j in range(perpetrators):
        data.update({f"perpetrators-{j}-name": f"Pelaku Uji {j + 1}", f"perpetrators-{j}-sex": "L",
                     f"perpetrators-{j}-age": "41", f"perpetrators-{j}-id": ""})
    n = 0
    for i in range(victims):
        for j in range(perpetrators):
            data.update({f"relationships-{n}-victim_key": str(i), f"relationships-{n}-perpetrator_key": str(j),
                         f"relationships-{n}-relationship": "orang_tua" if i == 0 else "suami_istri"})
            n += 1
    data.update(overrides)
    return data


def test_add_victim_button_renders_another_victim_without_javascript(client, staff):
    page = client.post("/kasus/baru", data=case_form(add_victim="1"))
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'name="victims-1-name"' in body and "Korban 2" in text(page)
    assert 'name="relationships-1-relationship"' in body  # a relationship for the new pair
    assert 'value="Korban Uji 1"' in body  # nothing typed is lost
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0

    removed = client.post("/kasus/baru", data=case_form(victims=2, remove_victim="0"))
    body = removed.get_data(as_text=True)
    assert 'name="victims-0-name"' not in body and 'value="Korban Uji 2"' in body


def test_create_a_case_with_two_victims_and_one_perpetrator(client, staff):
    response = client.post("/kasus/baru", data=case_form(victims=2))
    assert response.status_code == 302, text(response)[:800]
    case = db.session.scalar(select(Case))
    assert response.headers["Location"].endswith(f"/kasus/{case.id}")
    assert [v.name for v in case.victims] == ["Korban Uji 1", "Korban Uji 2"]
    assert sorted(r.relationship_kind.code for r in case.relationships) == ["orang_tua", "suami_istri"]
    assert case.kelurahan.name == "Oebobo" and case.kdrt and case.created_by_id == staff.id

    detail = client.get(f"/kasus/{case.id}")
    page = text(detail)
    assert case.number in page and "Korban Uji 2" in page and "Pelaku Uji 1" in page
    assert "Kasus dicatat" in page  # the timeline opens with the recording
    assert actions()[-2:] == ["case_create", "case_view"]


def test_problems_are_shown_beside_the_field_even_inside_a_victim(client, staff):
    response = client.post("/kasus/baru", data=case_form(
        victims=2, **{"victims-1-name": "", "incident_date": "2026-08-09",
                      "location": str(factories.kecamatan_id("Alak"))}))
    assert response.status_code == 200
    assert "nama atau inisial" in error_beside(response, "victims-1-name")
    assert "sesudah tanggal lapor" in error_beside(response, "incident_date")
    assert "tidak berada di kecamatan" in error_beside(response, "kelurahan_id")
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_missing_required_values_are_all_reported_at_once(client, staff):
    response = client.post("/kasus/baru", data=case_form(report_date="", place="", types=[],
                                                         **{"victims-0-sex": ""}))
    assert response.status_code == 200
    assert "Isi tanggal lapor" in error_beside(response, "report_date")
    assert error_beside(response, "place") and error_beside(response, "victims-0-sex")
    assert "sedikitnya satu jenis" in text(response)
    assert re.search(r'<input[^>]*id="report_date"[^>]*\brequired\b', response.get_data(as_text=True))


def test_kelurahan_alone_sets_the_kecamatan_and_the_select_works_without_javascript(client, staff):
    page = client.get("/kasus/baru").get_data(as_text=True)
    assert '<optgroup label="Alak">' in page and 'data-kecamatan=' in page
    response = client.post("/kasus/baru", data=case_form(location="", kelurahan_id=str(factories.kelurahan_id("Naioni"))))
    assert response.status_code == 302
    assert db.session.scalar(select(Case)).kecamatan.name == "Alak"


def test_edit_form_is_filled_in_and_saves(client, staff):
    case = factories.make_case(victims=[{"name": "Nama Lama", "sex": "P", "age": 20}])
    db.session.commit()
    form = client.get(f"/kasus/{case.id}/ubah")
    assert 'value="Nama Lama"' in form.get_data(as_text=True)
    data = case_form(**{"victims-0-id": str(case.victims[0].id), "victims-0-name": "Nama Baru"})
    response = client.post(f"/kasus/{case.id}/ubah", data=data)
    assert response.status_code == 302, text(response)[:600]
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert [v.name for v in case.victims] == ["Nama Baru"] and case.external_ref == "LP/B/500/VIII/2026"
    assert "case_update" in actions()


def test_the_service_form_of_a_sexual_violence_case_names_the_one_exception_to_no_mediation(client, staff):
    """UU 12/2022 Pasal 23: no mediation or 'damai' — except a child offender's diversion (UU 11/2012)."""
    sexual, physical = factories.make_case(types=["seksual"]), factories.make_case(types=["fisik"])
    db.session.commit()
    page = text(client.get(f"/kasus/{sexual.id}/layanan"))
    assert "tidak boleh diselesaikan dengan mediasi atau 'damai' (UU 12/2022 Pasal 23)" in page
    assert "pelaku Anak (di bawah 18 tahun), melalui diversi menurut UU 11/2012 (SPPA)" in page
    assert "diversi" not in text(client.get(f"/kasus/{physical.id}/layanan"))


def test_status_change_and_service_appear_on_the_timeline(client, staff):
    case = factories.make_case(types=["seksual"])
    db.session.commit()
    assert client.post(f"/kasus/{case.id}/status", data={"status": "in_handling", "note": "Mulai"}).status_code == 302
    refused = client.post(f"/kasus/{case.id}/layanan", data={
        "victim_id": case.victims[0].id, "service": "mediasi", "status": "dilayani", "service_date": "2026-03-05"})
    assert "Mediasi tidak boleh" in error_beside(refused, "service")
    done = client.post(f"/kasus/{case.id}/layanan", data={
        "victim_id": case.victims[0].id, "service": "konseling_psikologis", "status": "dilayani",
        "institution": "", "service_date": "2026-03-05", "follow_up_date": "2026-03-19", "notes": "Sesi pertama"})
    assert done.status_code == 302
    page = text(client.get(f"/kasus/{case.id}"))
    assert "Dibuka → Dalam penanganan" in page and "Mulai" in page
    assert "Konseling psikologis — Korban 1" in page and "Sesi pertama" in page
    assert {"case_status", "service_add"} <= set(actions())


def test_list_searches_by_number_or_reference_and_filters(client, staff):
    # The caseworker's own cases: the list shows those by default (issue 13 point 2).
    a = factories.make_case(staff, external_ref="LP/A/1", types=["fisik"], report_date=date(2026, 3, 4))
    b = factories.make_case(staff, external_ref="LP/B/2", types=["seksual"], causes=["medsos"],
                            kecamatan_id=factories.kecamatan_id("Alak"), report_date=date(2026, 6, 1),
                            incident_date=date(2026, 5, 30))
    db.session.commit()
    assert a.number in text(client.get("/kasus/?q=LP/A")) and b.number not in text(client.get("/kasus/?q=LP/A"))
    assert b.number in text(client.get(f"/kasus/?q={b.number.lower()}"))
    page = text(client.get(f"/kasus/?type=seksual&cause=medsos&kecamatan={factories.kecamatan_id('Alak')}"))
    assert b.number in page and a.number not in page
    page = text(client.get("/kasus/?from=2026-01-01&to=2026-03-31&status=open"))
    assert a.number in page and b.number not in page
    assert "1 kasus" in page
    detail = db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "case_list")
                               .order_by(AuditEntry.id.desc()))
    assert "LP/A" not in (detail or "")  # what was typed is never logged


def test_search_takes_percent_and_underscore_literally(client, staff):
    literal = factories.make_case(external_ref="LP/50%_A")
    other = factories.make_case(external_ref="LP/500xA")
    db.session.commit()
    page = text(client.get("/kasus/?q=50%25_"))
    assert literal.number in page and other.number not in page


def test_a_child_victim_without_guardian_consent_is_flagged_on_the_case_page(client, staff):
    """UU 35/2014: a child is under 18 at the incident — 17 is a child, 18 is not."""
    child = factories.make_case(victims=[{"name": "A", "sex": "P", "age": 17}], relationships={})
    adult = factories.make_case(victims=[{"name": "B", "sex": "P", "age": 18}], relationships={})
    consented = factories.make_case(victims=[{"name": "C", "sex": "P", "age": 9}], relationships={},
                                    guardian_consent=True, guardian_name="Wali Contoh")
    db.session.commit()
    notice = "persetujuan orang tua/wali belum dicatat"
    assert notice in text(client.get(f"/kasus/{child.id}"))
    assert notice not in text(client.get(f"/kasus/{adult.id}"))
    assert notice not in text(client.get(f"/kasus/{consented.id}"))


def test_a_missing_case_batch_or_lookup_answers_404(client, staff, admin):
    assert client.get("/kasus/999999").status_code == 404
    assert client.get("/kasus/999999/ubah").status_code == 404
    assert client.get("/kasus/impor/999999").status_code == 404
    assert client.get("/kasus/daftar-pilihan/999999").status_code == 404


def test_export_file_names_are_quoted_attachments(client, staff):
    factories.make_case(report_date=date(2026, 3, 4))
    db.session.commit()
    response = client.get("/kasus/unduh?format=csv")
    assert re.fullmatch(r'attachment; filename="?kasus-[\w-]+\.csv"?', response.headers["Content-Disposition"])
    response = client.get("/kasus/laporan/unduh?format=xlsx&dimension=cause&from=2026-01-01&to=2026-12-31")
    assert response.headers["Content-Disposition"] == \
        "attachment; filename=laporan-kasus-cause-2026-01-01-2026-12-31.xlsx"


def test_list_is_paginated(client, staff):
    for i in range(27):
        factories.make_case(staff, external_ref=f"LP/P/{i}")
    db.session.commit()
    first = text(client.get("/kasus/"))
    assert "Halaman 1 dari 2" in first
    assert "Halaman 2 dari 2" in text(client.get("/kasus/?page=2"))


def test_report_page_counts_cases_and_victims_and_draws_an_svg_chart(client, staff):
    factories.make_case(report_date=date(2026, 3, 4), causes=["ekonomi"],
                        victims=[{"name": "A", "sex": "P", "age": 9}, {"name": "B", "sex": "P", "age": 30}],
                        relationships={})
    db.session.commit()
    response = client.get("/kasus/laporan?dimension=cause&from=2026-01-01&to=2026-12-31")
    body = response.get_data(as_text=True)
    assert "<svg" in body and "style=" not in body.split("<main", 1)[1] and "<script>" not in body
    page = text(response)
    assert "1 kasus" in page and "2 korban" in page and "Ekonomi 1 2" in page
    assert "dua korban adalah 1 kasus dan 2 korban" in page
    published = text(client.get("/kasus/laporan?dimension=cause&from=2026-01-01&to=2026-12-31&publication=1"))
    assert "Ekonomi <5 <5" in published
    assert actions()[-1] == "report_view"


def test_report_exports_neutralise_formulas(client, staff, admin):
    bad = db.session.scalar(select(Lookup).where(Lookup.kind == "cause", Lookup.code == "ekonomi"))
    bad.label = "=HYPERLINK(\"http://contoh.invalid\")"
    factories.make_case(report_date=date(2026, 3, 4), causes=["ekonomi"])
    db.session.commit()
    response = client.get("/kasus/laporan/unduh?format=csv&dimension=cause&from=2026-01-01&to=2026-12-31")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert ["ekonomi", "'=HYPERLINK(\"http://contoh.invalid\")", "1", "1"] in rows
    xlsx = client.get("/kasus/laporan/unduh?format=xlsx&dimension=all&from=2026-01-01&to=2026-12-31")
    workbook = load_workbook(io.BytesIO(xlsx.get_data()))
    assert len(workbook.sheetnames) == 11
    values = [c.value for row in workbook["Faktor penyebab"].iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://contoh.invalid\")" in values
    assert "report_export" in actions()


def test_api_returns_the_same_figures_as_json(client, staff):
    for age in (9, 30):
        factories.make_case(report_date=date(2026, 3, 4), victims=[{"name": "A", "sex": "P", "age": age}],
                            relationships={})
    db.session.commit()
    body = client.get("/api/v1/caselog/reports/child_adult?from=2026-01-01&to=2026-12-31").get_json()
    assert body["total"] == {"cases": 2, "victims": 2}
    assert {r["code"]: (r["cases"], r["victims"]) for r in body["rows"]} == {"anak": (1, 1), "dewasa": (1, 1)}
    published = client.get("/api/v1/caselog/reports/child_adult?publication=1").get_json()
    assert published["rows"][0]["cases"] == "<5" and published["total"]["cases"] == "<5"
    delay = client.get("/api/v1/caselog/reports/delay").get_json()
    assert delay["cases"] == 2 and delay["median_days"] == 3
    assert client.get("/api/v1/caselog/reports/cause?from=kemarin").status_code == 400
    assert actions().count("api_report") == 3


def test_import_upload_preview_and_confirm(client, staff):
    from pathlib import Path
    sample = (Path(__file__).resolve().parents[2] / "docs" / "caselog-import-sample.csv").read_bytes()
    upload = client.post("/kasus/impor", data={"source": "polres", "file": (io.BytesIO(sample), "polisi.csv")},
                         content_type="multipart/form-data")
    assert upload.status_code == 302
    preview = client.get(upload.headers["Location"])
    assert "4 baris siap diimpor" in text(preview)
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
    batch_id = upload.headers["Location"].rsplit("/", 1)[-1]
    done = client.post(f"/kasus/impor/{batch_id}/konfirmasi")
    assert done.status_code == 302 and db.session.scalar(select(func.count()).select_from(Case)) == 4
    assert ("success", "4 kasus diimpor.") in flashes(client.get("/kasus/"))
    assert actions()[:4] == ["import_preview", "import_view", "import_confirm", "case_list"]


def test_import_with_problems_shows_each_and_writes_nothing(client, staff):
    data = (b"no_laporan;tanggal_kejadian;tanggal_lapor;jenis_kekerasan;tempat_kejadian;kecamatan;korban_nama;korban_jk\n"
            b"LP/1;01/08/2026;02/08/2026;fisik;rumah tangga;Alak;A;P\n"
            b"LP/2;01/08/2026;02/08/2026;verbal;rumah tangga;Alak;B;P\n")
    upload = client.post("/kasus/impor", data={"source": "polres", "file": (io.BytesIO(data), "x.csv")},
                         content_type="multipart/form-data")
    page = text(client.get(upload.headers["Location"]))
    assert "1 masalah ditemukan — belum ada yang diimpor" in page
    assert "3 jenis_kekerasan 'verbal' tidak dikenal" in page
    batch_id = upload.headers["Location"].rsplit("/", 1)[-1]
    client.post(f"/kasus/impor/{batch_id}/konfirmasi")
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
    assert client.post(f"/kasus/impor/{batch_id}/batal").status_code == 302
    assert "import_discard" in actions()


def test_upload_of_an_unreadable_file_is_refused_beside_the_field(client, staff):
    response = client.post("/kasus/impor", data={"source": "polres", "file": (io.BytesIO(b"PK\x03\x04junk"), "x.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and "tidak dapat dibaca" in error_beside(response, "file")


def test_admin_edits_lookup_lists_and_cannot_delete_one_in_use(client, admin):
    factories.make_case(causes=["miras"])
    db.session.commit()
    miras = db.session.scalar(select(Lookup).where(Lookup.kind == "cause", Lookup.code == "miras"))
    page = text(client.get("/kasus/daftar-pilihan?kind=cause"))
    assert "miras" in page and "Minuman keras/alkohol" in page
    client.post(f"/kasus/daftar-pilihan/{miras.id}", data={"label": "Alkohol", "position": "3"})
    db.session.expire_all()
    assert (miras.label, miras.active) == ("Alkohol", False)
    refused = client.post(f"/kasus/daftar-pilihan/{miras.id}/hapus", follow_redirects=True)
    assert "tidak dapat dihapus" in text(refused)
    assert db.session.get(Lookup, miras.id) is not None
    client.post("/kasus/daftar-pilihan/cause/baru", data={"code": "kecanduan_gim", "label": "Kecanduan gim"})
    assert db.session.scalar(select(Lookup).where(Lookup.code == "kecanduan_gim")).label == "Kecanduan gim"
    assert {"lookup_update", "lookup_create"} <= set(actions())


def test_admin_searches_the_audit_log(client, admin):
    case = factories.make_case()
    db.session.commit()
    client.get(f"/kasus/{case.id}")
    page = text(client.get(f"/kasus/audit?action=case_view&object_type=case&object_id={case.id}&email={admin.email}"))
    assert "1 catatan" in page and admin.email in page and "case_view" in page
    assert actions()[-1] == "audit_view"


def test_audit_entries_carry_no_personal_data(client, staff):
    client.post("/kasus/baru", data=case_form(victims=2))
    case = db.session.scalar(select(Case))
    client.get(f"/kasus/{case.id}")
    client.get("/kasus/?q=Korban Uji 1")
    dump = " ".join(f"{e.action} {e.object_type} {e.object_id} {e.detail}"
                    for e in db.session.scalars(select(AuditEntry)))
    for secret in ("Korban Uji", "Pelaku Uji", "Kronologi", "LP/B/500"):
        assert secret not in dump


@pytest.mark.parametrize("path", ["/kasus/?from=2026-13-40", "/kasus/laporan?to=kemarin",
                                  "/kasus/audit?from=bukan-tanggal", "/api/v1/caselog/reports/cause?from=x"])
def test_a_date_in_the_address_that_is_not_a_date_answers_400_on_pages_and_api_alike(client, admin, path):
    assert client.get(path).status_code == 400

"""Access matrix of the case-log (issue 5): only caseworker and admin reach any page or API;
everyone else — anonymous visitors included — gets 404, so the area's existence stays hidden.
Lookup lists and the audit log are for admins only. The Polres channel's own pages (/polres, issue 13
point 1) are the police liaison's only; the rest of the case-log answers 404 to liaisons too."""
from datetime import date

import pytest

from course_app.extensions import db
from course_app.models.caselog import Lookup
from course_app.services.caselog import imports, submissions
from course_app.services.caselog.management import attachments, closure, referrals, tasks

from .. import factories
from .access import NOT_FOUND, check_row, hidden, one_user_per_role, only

STAFF = hidden("caseworker", "admin")
ADMIN = hidden("admin")
#: Case supervisors only (a flag on a caseworker, not a role): every role of the matrix gets 404.
NOBODY = hidden()
#: The Polres channel's own pages: the liaison only; anonymous visitors log in, everyone else 404.
LIAISON = only("police", others=NOT_FOUND)

MATRIX = [
    ("GET", "/kasus/", STAFF),
    ("GET", "/kasus/unduh", STAFF),
    ("GET", "/kasus/baru", STAFF),
    ("POST", "/kasus/baru", STAFF),
    ("GET", "/kasus/{case}", STAFF),
    ("GET", "/kasus/{case}/ubah", STAFF),
    ("POST", "/kasus/{case}/ubah", STAFF),
    ("POST", "/kasus/{case}/status", STAFF),
    ("GET", "/kasus/{case}/layanan", STAFF),
    ("POST", "/kasus/{case}/layanan", STAFF),
    ("GET", "/kasus/impor", STAFF),
    ("POST", "/kasus/impor", STAFF),
    ("GET", "/kasus/impor/contoh.csv", STAFF),
    ("GET", "/kasus/impor/{batch}", STAFF),
    ("POST", "/kasus/impor/{batch}/konfirmasi", STAFF),
    ("POST", "/kasus/impor/{batch}/batal", STAFF),
    ("GET", "/kasus/laporan", STAFF),
    ("GET", "/kasus/laporan/unduh", STAFF),
    ("GET", "/kasus/laporan/tahunan", STAFF),
    ("GET", "/kasus/laporan/simfoni", STAFF),
    ("GET", "/kasus/daftar-pilihan", ADMIN),
    ("POST", "/kasus/daftar-pilihan/{kind}/baru", ADMIN),
    ("GET", "/kasus/daftar-pilihan/{lookup}", ADMIN),
    ("POST", "/kasus/daftar-pilihan/{lookup}", ADMIN),
    ("POST", "/kasus/daftar-pilihan/{lookup}/hapus", ADMIN),
    ("GET", "/kasus/audit", ADMIN),
    ("GET", "/api/v1/caselog/reports/{dimension}", STAFF),
    ("GET", "/kasus/setoran", STAFF),
    ("GET", "/kasus/setoran/{submission}", STAFF),
    ("POST", "/kasus/setoran/{submission}/terima", STAFF),
    ("POST", "/kasus/setoran/{submission}/kembalikan", STAFF),
    ("GET", "/polres/", LIAISON),
    ("GET", "/polres/kirim", LIAISON),
    ("POST", "/polres/kirim", LIAISON),
    ("GET", "/polres/formulir", LIAISON),
    ("POST", "/polres/formulir", LIAISON),
    ("GET", "/polres/{submission}", LIAISON),
    # Case management (issue 13 point 2). Supervisor-only actions answer 404 to everyone who
    # is not a supervisor (no role is one by itself; see the supervisor tests below).
    ("GET", "/kasus/tugas", STAFF),
    ("GET", "/kasus/{case}/penanggung-jawab", NOBODY),
    ("POST", "/kasus/{case}/penanggung-jawab", NOBODY),
    ("GET", "/kasus/{case}/rujukan", STAFF),
    ("POST", "/kasus/{case}/rujukan", STAFF),
    ("POST", "/kasus/{case}/rujukan/{referral}/status", STAFF),
    ("GET", "/kasus/{case}/tugas", STAFF),
    ("POST", "/kasus/{case}/tugas", STAFF),
    ("POST", "/kasus/{case}/tugas/{task}/selesai", STAFF),
    ("GET", "/kasus/{case}/penutupan", STAFF),
    ("POST", "/kasus/{case}/penutupan", STAFF),
    ("POST", "/kasus/{case}/penutupan/{closure}/keputusan", NOBODY),
    ("GET", "/kasus/{case}/lampiran", STAFF),
    ("POST", "/kasus/{case}/lampiran", STAFF),
    ("GET", "/kasus/{case}/lampiran/{attachment}", STAFF),
    ("GET", "/kasus/{case}/gabung", NOBODY),
    ("POST", "/kasus/{case}/gabung", NOBODY),
    ("POST", "/kasus/pengguna/{user}/supervisor", ADMIN),
]

#: Supervisor-only routes, (method, url template): a caseworker with the flag gets through.
SUPERVISOR_ROUTES = [(m, t) for m, t, expected in MATRIX if expected is NOBODY]

SAMPLE = (b"no_laporan,tanggal_kejadian,tanggal_lapor,jenis_kekerasan,tempat_kejadian,kecamatan,"
          b"korban_nama,korban_jk\nLP/1,01/08/2026,02/08/2026,fisik,rumah tangga,Alak,Korban A,P\n")


@pytest.fixture
def world():
    factories.seed_caselog()
    users = one_user_per_role()
    case = factories.make_case()
    batch, _result = imports.preview_file("polisi.csv", SAMPLE, "polres", users["caseworker"],
                                          today=date(2026, 11, 27))
    lookup = db.session.scalar(db.select(Lookup).where(Lookup.kind == "place", Lookup.code == "lainnya"))
    submission = submissions.submit_file(users["police"], "2026-11", "polisi.csv", SAMPLE,
                                         today=date(2026, 12, 6))
    worker = users["caseworker"]
    referral = referrals.add_referral(case, service="uptd_ppa", sent_on=date(2026, 3, 5), user=worker)
    task = tasks.add_task(case, title="Kunjungan rumah", due_date=date(2026, 12, 1), user=worker)
    closure_request = closure.request_closure(case, reason="selesai_ditangani", user=worker)
    attachment = attachments.add_attachment(case, kind="surat", filename="surat.pdf",
                                            data=factories.pdf_bytes(), user=worker)
    db.session.commit()
    return {"users": users, "ids": {"case": case.id, "batch": batch.id, "lookup": lookup.id,
                                    "kind": "place", "dimension": "cause", "submission": submission.id,
                                    "referral": referral.id, "task": task.id, "closure": closure_request.id,
                                    "attachment": attachment.id, "user": worker.id}}


@pytest.mark.parametrize("method,template,expected", MATRIX, ids=[f"{m} {t}" for m, t, _ in MATRIX])
def test_access_matrix(app, world, method, template, expected):
    check_row(app, world["users"], method, template.format(**world["ids"]), expected)


def test_anonymous_visitors_get_404_not_the_login_page(client, world):
    for url in ("/kasus/", f"/kasus/{world['ids']['case']}", "/kasus/laporan", "/api/v1/caselog/reports/cause"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "/masuk" not in response.headers.get("Location", "")


def test_the_api_answers_404_as_json_to_everyone_else(app, world):
    client = app.test_client()
    factories.log_in(client, world["users"]["reviewer"])
    response = client.get("/api/v1/caselog/reports/cause")
    assert response.status_code == NOT_FOUND
    assert response.get_json()["error"] == 404


def test_unknown_ids_answer_404_to_case_staff(app, world):
    client = app.test_client()
    factories.log_in(client, world["users"]["caseworker"])
    for url in ("/kasus/999999", "/kasus/999999/ubah", "/kasus/999999/layanan", "/kasus/impor/999999",
                "/api/v1/caselog/reports/no-such-dimension"):
        assert client.get(url).status_code == 404, url


def test_another_caseworkers_import_batch_answers_404(app, world):
    other = factories.make_user(roles=("caseworker",))
    db.session.commit()
    client = app.test_client()
    factories.log_in(client, other)
    assert client.get(f"/kasus/impor/{world['ids']['batch']}").status_code == 404
    assert client.post(f"/kasus/impor/{world['ids']['batch']}/konfirmasi").status_code == 404


def test_case_pages_are_never_cached(app, world):
    client = app.test_client()
    factories.log_in(client, world["users"]["caseworker"])
    for url in ("/kasus/", f"/kasus/{world['ids']['case']}", "/api/v1/caselog/reports/cause"):
        assert client.get(url).headers["Cache-Control"] == "private, no-store", url


@pytest.mark.parametrize("method,template", SUPERVISOR_ROUTES, ids=[f"{m} {t}" for m, t in SUPERVISOR_ROUTES])
def test_a_case_supervisor_reaches_the_supervisor_routes_and_a_plain_caseworker_gets_404(
        app, world, method, template):
    url = template.format(**world["ids"])
    supervisor = factories.make_user(roles=("caseworker",))
    supervisor.case_supervisor = True
    db.session.commit()
    for user, allowed in ((supervisor, True), (world["users"]["caseworker"], False)):
        client = app.test_client()
        factories.log_in(client, user)
        status = client.open(url, method=method, data={}).status_code
        assert (status in (200, 302, 400)) is allowed, f"{user.email} {method} {url}: {status}"
        assert allowed or status == NOT_FOUND


def test_case_management_ids_of_another_case_answer_404(app, world):
    other = factories.make_case()
    db.session.commit()
    client = app.test_client()
    factories.log_in(client, world["users"]["caseworker"])
    ids = world["ids"]
    assert client.get(f"/kasus/{other.id}/lampiran/{ids['attachment']}").status_code == 404
    assert client.post(f"/kasus/{other.id}/tugas/{ids['task']}/selesai").status_code == 404
    assert client.post(f"/kasus/{other.id}/rujukan/{ids['referral']}/status").status_code == 404
    assert client.get(f"/kasus/{ids['case']}/lampiran/999999").status_code == 404

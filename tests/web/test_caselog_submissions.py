"""The Polres channel on the web (issue 13 point 1): the liaison sends and follows, the
caseworker reviews, accepts or returns. Synthetic rows only; the clock is frozen in Kupang."""
from datetime import UTC, datetime
from io import BytesIO

import pytest
import time_machine
from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models.caselog import AuditEntry, Case, PoliceSubmission
from course_app.services.caselog import submissions

from .. import factories
from ..caselog_import_builders import import_csv, import_row
from ..mailbox import Outbox
from .pages import flashes, text

NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)  # 10:00 WITA


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people():
    factories.seed_caselog()
    people = {"liaison": factories.make_user(roles=("police",)),
              "other_liaison": factories.make_user(roles=("police",)),
              "caseworker": factories.make_user(roles=("caseworker",))}
    db.session.commit()
    return people


def logged_in(app, user):
    client = app.test_client()
    factories.log_in(client, user)
    return client


def upload(client, data, month="2026-11", name="register.csv"):
    return client.post("/polres/kirim", data={"month": month, "file": (BytesIO(data), name)},
                       content_type="multipart/form-data")


def audit_actions():
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_the_liaison_sends_a_file_and_sees_its_status(app, people):
    client = logged_in(app, people["liaison"])
    response = upload(client, import_csv([import_row(no_laporan="LP/W1")]))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "November 2026" in page and "Diterima, menunggu pemeriksaan" in page
    assert "submission_send" in audit_actions()


def test_the_liaison_sees_row_numbers_and_problems_never_case_data(app, people):
    client = logged_in(app, people["liaison"])
    data = import_csv([import_row(no_laporan="LP/W2", korban_nama="Namasintetis Rahasia", korban_jk="X")])
    location = upload(client, data).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "korban_jk" in page and "1 masalah" in page
    assert "Namasintetis Rahasia" not in page and "LP/W2" not in page
    listing = client.get("/polres/").get_data(as_text=True)
    assert "Namasintetis Rahasia" not in listing


def test_a_file_that_is_no_table_is_refused_beside_the_field_and_nothing_is_stored(app, people):
    client = logged_in(app, people["liaison"])
    response = upload(client, b"PK\x03\x04 broken", name="register.xlsx")
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(PoliceSubmission)) == 0


def test_the_web_form_adds_one_case_and_shows_its_problems_beside_the_fields(app, people):
    client = logged_in(app, people["liaison"])
    bad = {"month": "2026-11", **import_row(no_laporan="LP/F1", korban_jk="X")}
    response = client.post("/polres/formulir", data=bad)
    assert response.status_code == 200
    assert 'id="korban_jk-err"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PoliceSubmission)) == 0
    good = {"month": "2026-11", **import_row(no_laporan="LP/F1")}
    assert client.post("/polres/formulir", data=good).status_code == 302
    item = db.session.scalar(select(PoliceSubmission))
    assert (item.kind, item.row_count, item.problem_count) == ("form", 1, 0)


def test_another_liaisons_submission_answers_404(app, people):
    item = submissions.submit_file(people["liaison"], "2026-11", "r.csv", import_csv([import_row()]))
    db.session.commit()
    assert logged_in(app, people["other_liaison"]).get(f"/polres/{item.id}").status_code == 404
    assert logged_in(app, people["liaison"]).get(f"/polres/{item.id}").status_code == 200


def test_a_liaison_gets_404_on_every_other_caselog_page(app, people):
    client = logged_in(app, people["liaison"])
    for url in ("/kasus/", "/kasus/setoran", "/kasus/impor", "/kasus/laporan", "/api/v1/caselog/reports/cause"):
        assert client.get(url).status_code == 404, url


def test_case_staff_are_not_liaisons(app, people):
    client = logged_in(app, people["caseworker"])
    for url in ("/polres/", "/polres/kirim", "/polres/formulir"):
        assert client.get(url).status_code == 404, url


def test_the_caseworker_reviews_then_accepts_and_the_cases_are_created(app, people):
    Outbox().clear()
    item = submissions.submit_file(people["liaison"], "2026-11", "r.csv",
                                   import_csv([import_row(no_laporan="LP/A1"), import_row(no_laporan="LP/A2")]))
    db.session.commit()
    client = logged_in(app, people["caseworker"])
    queue = client.get("/kasus/setoran").get_data(as_text=True)
    assert "November 2026" in queue and "Belum ada setoran" in queue  # months missing, e.g. Oktober 2026
    assert people["liaison"].full_name in queue and people["liaison"].email not in queue  # who sent it, by name
    review = client.get(f"/kasus/setoran/{item.id}").get_data(as_text=True)
    assert "LP/A1" in review and "Setujui dan catat 2 kasus" in review
    response = client.post(f"/kasus/setoran/{item.id}/terima")
    assert response.status_code == 302
    db.session.expire_all()
    item = db.session.get(PoliceSubmission, item.id)
    assert item.status == "accepted"
    assert db.session.scalar(select(func.count()).select_from(Case).where(
        Case.import_batch_id == item.import_batch_id)) == 2
    assert audit_actions()[-3:] == ["submission_list", "submission_view", "submission_accept"]
    (mail,) = Outbox().messages()
    assert mail["To"] == people["liaison"].email and "LP/A1" not in mail.get_content()
    after = client.get(f"/kasus/setoran/{item.id}").get_data(as_text=True)
    assert "2 kasus dicatat dari setoran ini" in after and "Setujui" not in after
    status = logged_in(app, people["liaison"]).get(f"/polres/{item.id}").get_data(as_text=True)
    assert "Disetujui" in status and "LP/A1" not in status


def test_a_submission_with_problems_offers_no_accept_and_refuses_one(app, people):
    item = submissions.submit_file(people["liaison"], "2026-11", "r.csv", import_csv([import_row(korban_jk="X")]))
    db.session.commit()
    client = logged_in(app, people["caseworker"])
    assert "Setujui" not in client.get(f"/kasus/setoran/{item.id}").get_data(as_text=True)
    client.post(f"/kasus/setoran/{item.id}/terima")
    db.session.expire_all()
    assert db.session.get(PoliceSubmission, item.id).status == "received"
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_returning_needs_a_reason_and_the_liaison_reads_it(app, people):
    Outbox().clear()
    item = submissions.submit_file(people["liaison"], "2026-11", "r.csv", import_csv([import_row()]))
    db.session.commit()
    client = logged_in(app, people["caseworker"])
    client.post(f"/kasus/setoran/{item.id}/kembalikan", data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(PoliceSubmission, item.id).status == "received"
    client.post(f"/kasus/setoran/{item.id}/kembalikan", data={"reason": "Baris 2: umur korban kosong."})
    db.session.expire_all()
    assert db.session.get(PoliceSubmission, item.id).status == "returned"
    assert "submission_return" in audit_actions()
    assert len(Outbox()) == 1
    page = logged_in(app, people["liaison"]).get(f"/polres/{item.id}").get_data(as_text=True)
    assert "Baris 2: umur korban kosong." in page and "Dikembalikan" in page


def test_the_liaisons_pages_are_never_cached(app, people):
    item = submissions.submit_file(people["liaison"], "2026-11", "r.csv", import_csv([import_row()]))
    db.session.commit()
    client = logged_in(app, people["liaison"])
    for url in ("/polres/", "/polres/kirim", "/polres/formulir", f"/polres/{item.id}"):
        assert client.get(url).headers["Cache-Control"] == "private, no-store", url


def test_a_liaison_lands_on_their_submissions_and_finds_them_in_the_menu(app):
    liaison = factories.make_user(roles=("police",))
    db.session.commit()
    client = app.test_client()
    response = client.post("/masuk", data={"email": liaison.email, "password": factories.PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/polres/")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/polres/"' in html[html.index("<nav"):html.index("</nav>")]


# --- the review page and the import preview share one rendering of the import's findings --------

def _section(html, marker):
    """The first table after `marker` (a heading's id or a class), as rendered."""
    start = html.index(marker)
    return html[html.index("<table", start):html.index("</table>", start) + len("</table>")]


def _both_pages(app, people, rows, header=None):
    """The same file read by the import preview and by the review of a Polres submission."""
    data = import_csv(rows, header=header) if header else import_csv(rows)
    worker = logged_in(app, people["caseworker"])
    upload = worker.post("/kasus/impor", data={"source": "polres", "file": (BytesIO(data), "register.csv")},
                         content_type="multipart/form-data")
    preview = worker.get(upload.headers["Location"]).get_data(as_text=True)
    item = submissions.submit_file(people["liaison"], "2026-11", "register.csv", data)
    db.session.commit()
    review = worker.get(f"/kasus/setoran/{item.id}").get_data(as_text=True)
    liaison = logged_in(app, people["liaison"]).get(f"/polres/{item.id}").get_data(as_text=True)
    return preview, review, liaison


def test_the_problem_table_and_the_ignored_columns_are_the_import_previews_on_every_page(app, people):
    header = [*import_row(), "kolom_lain"]
    preview, review, liaison = _both_pages(app, people, [
        import_row(no_laporan="LP/S1", korban_jk="X"), import_row(no_laporan="LP/S2", jenis_kekerasan="verbal")],
        header=header)
    table = _section(preview, 'id="problems-title"')
    assert "korban_jk" in table and "&#39;verbal&#39; tidak dikenal" in table
    assert _section(review, 'id="problems-title"') == table
    assert _section(liaison, 'id="problems-title"') == table  # no case number in these messages
    note = "Kolom yang tidak dikenal dan diabaikan: kolom_lain"
    assert note in preview and note in review


def test_the_review_counts_rows_sharing_a_report_number_as_the_preview_does(app, people):
    """Three rows, two of them one case with two victims: the review page said '2 baris siap
    dicatat' and left row 3 out; it now shows the import preview's table of cases."""
    preview, review, _liaison = _both_pages(app, people, [
        import_row(no_laporan="LP/G1"), import_row(no_laporan="LP/G1", korban_nama="Korban Kedua"),
        import_row(no_laporan="LP/G2")])
    assert "3 baris siap dicatat" in review
    assert "menjadi satu kasus dengan beberapa korban atau pelaku: 2 kasus" in review
    table = _section(preview, "<h2>3 baris siap diimpor</h2>")
    assert ">2, 3</td><td>LP/G1</td>" in table
    assert _section(review, "<h2>3 baris siap dicatat</h2>") == table
    assert "Setujui dan catat 2 kasus" in review


def test_accepting_leads_to_the_cases_just_recorded(app, people):
    """Accepting landed on the queue with no way to the new cases, and 'Daftar kasus' opens on
    the caseworker's own cases, where unassigned Polres cases are not: the caseworker saw none.
    Now, as after an import, the list of the cases the submission brought."""
    item = submissions.submit_file(people["liaison"], "2026-11", "register-ppa.csv",
                                   import_csv([import_row(no_laporan="LP/L1"), import_row(no_laporan="LP/L2")]))
    db.session.commit()
    client = logged_in(app, people["caseworker"])
    response = client.post(f"/kasus/setoran/{item.id}/terima")
    db.session.expire_all()
    batch = db.session.get(PoliceSubmission, item.id).import_batch_id
    assert response.headers["Location"].endswith(f"/kasus/?impor={batch}")
    listing = client.get(response.headers["Location"])
    assert ("success", "Setoran disetujui: 2 kasus dicatat.") in flashes(listing)
    page = text(listing)
    assert "Kasus dari impor register-ppa.csv" in page and "2 kasus" in page
    assert "LP/L1" in page and "LP/L2" in page
    review = client.get(f"/kasus/setoran/{item.id}").get_data(as_text=True)
    assert f'href="/kasus/?impor={batch}"' in review


def test_the_fix_of_a_submission_is_sent_for_its_own_month(app, people):
    """A register for 2026-10 with a row problem: its page offered no way to send the fix, and
    the file form opens on last month (2026-11) — a fix sent as it stood went to the wrong month
    and left the faulty register waiting. 'Kirim perbaikan' now opens the form on its month."""
    item = submissions.submit_file(people["liaison"], "2026-10", "r.csv", import_csv([import_row(korban_jk="X")]))
    db.session.commit()
    client = logged_in(app, people["liaison"])
    page = client.get(f"/polres/{item.id}").get_data(as_text=True)
    assert 'href="/polres/kirim?bulan=2026-10">Kirim perbaikan</a>' in page
    form = client.get("/polres/kirim?bulan=2026-10").get_data(as_text=True)
    assert '<option selected value="2026-10">' in form
    assert '<option selected value="2026-11">' not in form
    default = client.get("/polres/kirim?bulan=1999-01").get_data(as_text=True)  # not offered: last month
    assert '<option selected value="2026-11">' in default

"""Item statistics on the staff desk (issue 11 point 6): what a reviewer sees, the CSV, the empty
state and the version selector. The numbers themselves: tests/unit/test_item_statistics.py."""
import csv
import io
import re
from datetime import UTC, datetime

import pytest
import time_machine
from werkzeug.http import parse_options_header

from course_app.extensions import db
from tests import factories
from tests.web.pages import text


def option(question, text_):
    return next(o for o in question.options if o.text == text_)


@pytest.fixture
def answered():
    """Module `gizi_uji`: version 1 with six attempts by Rina Contoh, version 2 with five.
    In version 1 everyone is right on Q1 (too easy); Q2's wrong option B is the favourite."""
    module = factories.make_module(code="gizi_uji", lessons=1, questions=2, multiple=0,
                                   questions_per_attempt=2)
    q1, q2 = factories.questions_of(module)
    q1.lesson_slug = "pelajaran-1"
    q1.text = "Berapa tablet tambah darah yang diminum setiap minggu?"
    person = factories.make_user(full_name="Rina Contoh", email="rina@contoh.test")
    for answer in ["Salah satu"] * 4 + ["Benar", "Benar"]:
        factories.make_answered_attempt(person, module, {
            q1: [option(q1, "Benar")], q2: [option(q2, answer)]})
    for answer in ["Benar", "Salah satu", "Benar", "Salah dua", "Benar"]:
        factories.make_answered_attempt(person, module, {
            q1: [option(q1, answer)], q2: [option(q2, "Benar")]}, version=2)
    db.session.commit()
    return module, q1, q2



def rows_of(response):
    html = response.get_data(as_text=True)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split())
            for row in re.findall(r"<tr id=\"soal-\d+\">(.*?)</tr>", html, re.S)]


def test_the_module_list_shows_the_versions_that_have_attempts(reviewer_desk, answered):
    quiet = factories.make_module(code="imunisasi_uji")
    db.session.commit()

    response = reviewer_desk.get("/tinjau/statistik-soal")

    page = text(response)
    assert response.status_code == 200
    assert "versi 2 (5 percobaan; terakhir" in page and "versi 1 (6 percobaan; terakhir" in page
    assert re.search(rf"{quiet.title} {quiet.code} Belum ada percobaan", page)
    assert 'href="/tinjau/statistik-soal/gizi_uji?versi=1"' in response.get_data(as_text=True)
    assert 'aria-current="page">Statistik soal<' in response.get_data(as_text=True)


def test_a_reviewer_sees_one_row_per_question_with_indices_shares_and_flags_in_words(reviewer_desk, answered):
    module, q1, q2 = answered

    response = reviewer_desk.get("/tinjau/statistik-soal/gizi_uji?versi=1")

    page = text(response)
    assert response.status_code == 200
    assert "Versi 1: 6 percobaan dikirim, 2 soal, 2 perlu ditinjau." in page
    assert "Bukan versi konten yang berlaku sekarang" not in page
    first, second = rows_of(response)
    assert first.startswith(f"{q1.key} pelajaran-1 Berapa tablet tambah darah")
    assert "6 100,0 —" in first
    assert "Semua jawaban benar, jadi soal ini tidak membedakan peserta." in first
    assert "Perlu ditinjau Terlalu mudah: hampir semua peserta menjawab benar." in first
    assert "A. Benar — 100,0% (6) kunci jawaban" in first
    assert second.startswith(f"{q2.key} pelajaran")
    assert "6 33,3 —" in second  # Q1's score is the same in every attempt: no rest to compare
    assert "B. Salah satu — 66,7% (4)" in second
    assert "Pilihan salah B dipilih lebih sering daripada jawaban yang benar" in second
    # Aggregates only: no participant on the page.
    assert "Rina Contoh" not in page and "rina@contoh.test" not in page
    assert response.headers["Cache-Control"] == "private, no-store"


def test_the_version_selector_defaults_to_the_newest_version_with_attempts(reviewer_desk, answered):
    module, q1, _q2 = answered

    response = reviewer_desk.get("/tinjau/statistik-soal/gizi_uji")

    html = response.get_data(as_text=True)
    assert "Versi 2: 5 percobaan dikirim" in text(response)
    assert "Bukan versi konten yang berlaku sekarang" in text(response)  # the module is at 1
    assert re.search(r'<option selected value="2">Versi 2 \(5 percobaan\)</option>', html)
    assert re.search(r'<option value="1">Versi 1 \(6 percobaan\)</option>', html)
    (row,) = [r for r in rows_of(response) if r.startswith(q1.key)]
    assert "5 60,0" in row
    assert "A. Benar — 60,0% (3) kunci jawaban" in row


def test_a_version_without_attempts_answers_404_and_a_garbled_one_means_the_newest(reviewer_desk, answered):
    assert reviewer_desk.get("/tinjau/statistik-soal/gizi_uji?versi=7").status_code == 404
    assert "Versi 2: 5 percobaan" in text(reviewer_desk.get("/tinjau/statistik-soal/gizi_uji?versi=abc"))
    assert reviewer_desk.get("/tinjau/statistik-soal/tidak_ada").status_code == 404


def test_a_module_without_attempts_says_when_statistics_appear(reviewer_desk):
    factories.make_module(code="kosong_uji")
    db.session.commit()

    response = reviewer_desk.get("/tinjau/statistik-soal/kosong_uji")

    page = text(response)
    assert response.status_code == 200
    assert "Belum ada percobaan kuis yang dikirim untuk materi ini." in page
    assert "Statistik muncul setelah peserta mengerjakan kuis." in page
    assert "Unduh CSV" not in page
    assert reviewer_desk.get("/tinjau/statistik-soal/kosong_uji/csv").status_code == 404


def test_the_csv_has_the_tables_columns_one_row_per_option_and_kupangs_date_in_its_name(
        app, answered):
    module, q1, _q2 = answered
    admin = factories.make_user(roles=("admin",))
    db.session.commit()
    # 00:30 on 6 December in Kupang, still the 5th in UTC.
    with time_machine.travel(datetime(2026, 12, 5, 16, 30, tzinfo=UTC), tick=False):
        client = app.test_client()
        factories.log_in(client, admin)
        response = client.get("/tinjau/statistik-soal/gizi_uji/csv?versi=1")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition, params = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == "attachment"
    assert params["filename"] == "statistik-soal-gizi_uji-versi-1-2026-12-06.csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["Kode materi", "Versi", "Kode soal", "Revisi", "Pelajaran", "Jenis soal",
                       "Pertanyaan", "Jumlah jawaban", "Indeks kemudahan", "Indeks daya beda",
                       "Catatan daya beda", "Perlu ditinjau", "Pilihan", "Teks pilihan",
                       "Kunci jawaban", "Dipilih (jumlah)", "Dipilih (%)"]
    assert len(rows) == 1 + 3 + 3
    assert rows[1] == ["gizi_uji", "1", q1.key, "1", "pelajaran-1", "satu jawaban", q1.text, "6",
                       "100.0", "", "Semua jawaban benar, jadi soal ini tidak membedakan peserta.",
                       "Terlalu mudah: hampir semua peserta menjawab benar.", "A", "Benar", "ya",
                       "6", "100.0"]
    assert "Rina" not in response.get_data(as_text=True)


def test_the_page_has_a_link_to_the_csv_of_the_shown_version(reviewer_desk, answered):
    html = reviewer_desk.get("/tinjau/statistik-soal/gizi_uji?versi=1").get_data(as_text=True)

    assert 'href="/tinjau/statistik-soal/gizi_uji/csv?versi=1"' in html


def test_an_admin_without_the_reviewer_role_sees_the_page_without_the_reviewers_nav(app, answered):
    admin = factories.make_user(roles=("admin",))
    db.session.commit()
    client = app.test_client()
    factories.log_in(client, admin)

    response = client.get("/tinjau/statistik-soal/gizi_uji")

    assert response.status_code == 200
    assert "Antrean SKCK" not in text(response)

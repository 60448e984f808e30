"""Uploading a good-conduct letter through the pages, and serving it safely (issue 3, points 1–4)."""
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from werkzeug.http import parse_options_header

from course_app.extensions import db
from course_app.models.letters import FileBlob, Letter, LetterEvent
from course_app.services import clock, letters
from tests import factories
from tests.certificate_builders import keys_fixture, make_modules, make_ready_couple  # noqa: F401
from tests.web.pages import csrf_token, error_beside, flashes, text

ISSUED = (clock.today() - timedelta(days=3)).isoformat()


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def upload_token(response):
    match = re.search(r'name="upload_token"[^>]*value="([0-9a-f]{32})"|value="([0-9a-f]{32})"[^>]*name="upload_token"',
                      response.get_data(as_text=True))
    assert match, "no upload token on the page"
    return match.group(1) or match.group(2)


def form(data=None, filename="foto-skck.jpg", field="photo", token=None, **overrides):
    fields = {field: (io.BytesIO(factories.jpeg_bytes() if data is None else data), filename),
              "number": "SKCK/YANMAS/1234/XI/2026", "police_office": "polres_kupang_kota",
              "issued_on": ISSUED, "upload_token": token or "0" * 32}
    fields.update(overrides)
    return fields


def post(client, **kwargs):
    return client.post("/surat/unggah", data=form(**kwargs), content_type="multipart/form-data")


@pytest.fixture
def maria(client):
    user = factories.make_user(full_name="Mawar Contoh")
    db.session.commit()
    factories.log_in(client, user)
    return user


# --- the form ----------------------------------------------------------------------------------

def test_the_upload_form_offers_the_camera_and_the_file_picker_and_shows_the_limit(client, maria):
    response = client.get("/surat/unggah")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    camera = re.search(r'<input[^>]*name="photo"[^>]*>', page).group(0)
    picker = re.search(r'<input[^>]*name="file"[^>]*>', page).group(0)
    assert 'type="file"' in camera and 'capture="environment"' in camera and 'accept="image/jpeg,image/png"' in camera
    assert 'accept="application/pdf,image/jpeg,image/png"' in picker and "capture" not in picker
    assert 'enctype="multipart/form-data"' in page
    assert "Paling besar 5 MB" in text(response)
    assert "ditambah 6 bulan" in text(response)
    assert len(upload_token(response)) == 32
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_phone_photo_is_uploaded_and_the_participant_sees_it_pending(client, maria):
    response = post(client, token=upload_token(client.get("/surat/unggah")))

    assert response.status_code == 302 and response.headers["Location"].endswith("/surat/")
    page = client.get("/surat/")
    assert ("success", "SKCK Anda sudah terkirim dan menunggu pemeriksaan petugas P3A. Hasilnya tampil di beranda dan dikirim ke email Anda.") in flashes(page)
    assert "Menunggu pemeriksaan" in text(page) and "SKCK/YANMAS/1234/XI/2026" in text(page)
    letter = db.session.scalar(select(Letter))
    assert letter.user_id == maria.id and letter.blob.content_type == "image/jpeg"
    assert letter.valid_until == letters.default_valid_until(date.fromisoformat(ISSUED))


def test_a_scanned_pdf_is_uploaded_through_the_file_picker(client, maria):
    response = post(client, data=factories.pdf_bytes(), filename="pindaian.pdf", field="file",
                    police_office="polsek", police_office_name="Polsek Maulafa",
                    valid_until=(clock.today() + timedelta(days=30)).isoformat())

    assert response.status_code == 302
    letter = db.session.scalar(select(Letter))
    assert letter.blob.content_type == "application/pdf" and letter.blob.data == factories.pdf_bytes()
    assert letter.valid_until == clock.today() + timedelta(days=30)


def test_an_html_file_renamed_pdf_is_refused_kindly_and_nothing_is_stored(client, maria):
    response = client.post("/surat/unggah", content_type="multipart/form-data", data=form(
        data=factories.HTML_PAGE, filename="skck.pdf", field="file") | {
        "file": (io.BytesIO(factories.HTML_PAGE), "skck.pdf", "application/pdf")})

    assert response.status_code == 400
    assert "halaman web (HTML)" in error_beside(response, "file")
    # What was typed is kept; only the file must be chosen again.
    assert 'value="SKCK/YANMAS/1234/XI/2026"' in response.get_data(as_text=True)
    assert count(Letter) == 0 and count(FileBlob) == 0


def test_the_type_comes_from_the_bytes_not_the_name_or_declared_type(client, maria):
    png_named_pdf = {"file": (io.BytesIO(factories.png_bytes()), "surat.pdf", "application/pdf")}

    response = client.post("/surat/unggah", content_type="multipart/form-data",
                           data=form(field="file") | png_named_pdf)

    assert response.status_code == 302
    letter = db.session.scalar(select(Letter))
    assert letter.blob.content_type == "image/png" and letter.original_filename == "surat.pdf"
    served = client.get(f"/surat/{letter.id}/berkas")
    assert served.headers["Content-Type"] == "image/png"
    assert parse_options_header(served.headers["Content-Disposition"])[1]["filename"] == "surat.png"


def test_no_file_or_two_files_are_explained_beside_the_field(client, maria):
    none = client.post("/surat/unggah", content_type="multipart/form-data",
                       data={k: v for k, v in form().items() if k != "photo"})
    both = client.post("/surat/unggah", content_type="multipart/form-data",
                       data=form() | {"file": (io.BytesIO(factories.pdf_bytes()), "a.pdf")})

    assert none.status_code == 400 and error_beside(none, "file") == "Pilih foto atau berkas surat Anda."
    assert "Pilih salah satu saja" in error_beside(both, "file")
    assert count(Letter) == 0


def test_a_polsek_needs_its_name(client, maria):
    response = post(client, police_office="polsek")

    assert response.status_code == 400
    assert error_beside(response, "police_office_name") == "Tulis nama kantor polisi yang menerbitkan surat."


def test_rules_of_the_service_show_beside_their_field(client, maria):
    response = post(client, issued_on=(clock.today() - timedelta(days=300)).isoformat())

    assert response.status_code == 400
    assert "sudah kedaluwarsa" in error_beside(response, "valid_until")
    assert count(Letter) == 0


def test_a_form_without_its_token_is_refused_with_a_fresh_one(client, maria):
    response = post(client, upload_token="")

    assert response.status_code == 400
    assert ("error", "Formulir ini sudah kedaluwarsa. Pilih berkas lalu kirim sekali lagi.") in flashes(response)
    assert len(upload_token(response)) == 32
    assert count(Letter) == 0


# --- one submit, one letter; all or nothing ----------------------------------------------------

def test_a_double_submit_creates_one_letter(client, maria):
    token = upload_token(client.get("/surat/unggah"))

    answers = [post(client, token=token) for _ in range(2)]

    assert [a.status_code for a in answers] == [302, 302]
    assert count(Letter) == 1 and count(FileBlob) == 1 and count(LetterEvent) == 1


def test_a_crash_between_storing_the_file_and_the_letter_leaves_neither(client, maria):
    def crash(*args):
        assert count(FileBlob) == 1  # the file is in the transaction already...
        raise RuntimeError("the disk is full")

    event.listen(Letter, "before_insert", crash)
    try:
        response = post(client)
    finally:
        event.remove(Letter, "before_insert", crash)

    assert response.status_code == 500
    assert "Data Anda tidak berubah" in text(response)
    assert count(FileBlob) == 0 and count(Letter) == 0 and count(LetterEvent) == 0  # ...and gone


# --- size limit --------------------------------------------------------------------------------

def test_a_body_over_the_limit_is_refused_before_it_is_read(app, client, maria):
    too_big = app.config["MAX_CONTENT_LENGTH"] + 1

    class Unreadable(io.RawIOBase):
        """A body that announces its size (Content-Length) and fails the test if read."""
        position = 0

        def readable(self):
            return True

        def seekable(self):
            return True

        def seek(self, offset, whence=0):
            self.position = too_big if whence == 2 else offset
            return self.position

        def tell(self):
            return self.position

        def readinto(self, buffer):
            raise AssertionError("the body was read")

    response = client.post("/surat/unggah", input_stream=Unreadable(),
                           content_type="multipart/form-data; boundary=batas")

    assert response.status_code == 413
    assert "Berkas terlalu besar" in text(response) and "Perkecil berkas" in text(response)
    assert count(Letter) == 0


def test_a_six_megabyte_photo_gets_the_friendly_413_page(app, client, maria):
    big = factories.jpeg_bytes() + b"\x00" * (6 * 1024 * 1024)

    response = post(client, data=big)

    assert response.status_code == 413 and "Berkas terlalu besar" in text(response)
    assert count(Letter) == 0 and count(FileBlob) == 0


def test_a_file_just_over_five_megabytes_is_refused_beside_the_field(app, client, maria):
    just_over = factories.jpeg_bytes() + b"\x00" * (5 * 1024 * 1024)

    response = post(client, data=just_over)

    assert response.status_code == 400
    assert "lebih besar dari 5 MB" in error_beside(response, "file")


# --- CSRF --------------------------------------------------------------------------------------

def test_an_upload_without_a_csrf_token_is_refused_and_stores_nothing(make_app):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    user = factories.make_user()
    db.session.commit()
    browser = csrf_app.test_client()
    page = browser.get("/masuk")
    browser.post("/masuk", data={"email": user.email, "password": factories.PASSWORD,
                                 "csrf_token": csrf_token(page)})
    upload_page = browser.get("/surat/unggah")

    refused = browser.post("/surat/unggah", content_type="multipart/form-data",
                           data=form(token=upload_token(upload_page)))
    accepted = browser.post("/surat/unggah", content_type="multipart/form-data",
                            data=form(token=upload_token(upload_page)) | {"csrf_token": csrf_token(upload_page)})

    assert refused.status_code == 400
    assert "Formulir sudah kedaluwarsa atau dikirim dari tempat lain" in text(refused)
    assert accepted.status_code == 302
    assert count(Letter) == 1


# --- serving the file --------------------------------------------------------------------------

def test_the_owner_gets_the_file_with_safe_headers(client, maria):
    letter = factories.make_letter(maria, data=factories.pdf_bytes())
    letter.original_filename = "Surat Kelakuan Baik “Maria” ñ.pdf"
    db.session.commit()

    response = client.get(f"/surat/{letter.id}/berkas")

    assert response.status_code == 200 and response.data == factories.pdf_bytes()
    headers = response.headers
    assert headers["Content-Type"] == "application/pdf"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "private, no-store"
    csp = headers["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp and "frame-ancestors 'self'" in csp
    kind, options = parse_options_header(headers["Content-Disposition"])
    assert kind == "inline"
    assert options["filename"] == "Surat Kelakuan Baik \u201cMaria\u201d \u00f1.pdf"  # RFC 5987 decoded
    assert "filename=\"Surat Kelakuan Baik Maria n.pdf\"" in headers["Content-Disposition"]  # ASCII fallback
    download = client.get(f"/surat/{letter.id}/berkas?unduh=1")
    assert download.headers["Content-Disposition"].startswith("attachment; ")


def test_a_file_name_cannot_break_the_header(client, maria):
    letter = factories.make_letter(maria)
    letter.original_filename = 'a"; filename=evil.html\r\nX-Injected: 1'
    db.session.commit()

    response = client.get(f"/surat/{letter.id}/berkas")

    disposition = response.headers["Content-Disposition"]
    kind, options = parse_options_header(disposition)
    # One parameter holding the whole (cleaned) name: the quote inside it is escaped, not an end.
    assert kind == "inline" and list(options) == ["filename"]
    assert options["filename"] == 'a"; filename=evil.png'
    assert "X-Injected" not in response.headers
    assert "\r" not in disposition and "\n" not in disposition


def test_another_participants_letter_answers_404(client, maria):
    other = factories.make_letter(factories.make_user(full_name="Orang Lain"))
    db.session.commit()

    assert client.get(f"/surat/{other.id}/berkas").status_code == 404
    assert client.get(f"/surat/{other.id}/berkas?unduh=1").status_code == 404
    assert client.get("/surat/999999/berkas").status_code == 404
    assert "Orang Lain" not in text(client.get("/surat/"))


# --- where the participant sees it -------------------------------------------------------------

def test_my_letters_page_shows_the_history_with_reasons(client, maria):
    reviewer = factories.make_user(roles=("reviewer",), full_name="Petugas Rahasia")
    factories.make_letter(maria, status="rejected", reviewer=reviewer, reason_code="lainnya",
                          reason_text="Cap basah tidak terlihat.")
    factories.make_letter(maria, status="pending")
    db.session.commit()

    page = text(client.get("/surat/"))

    assert "Riwayat unggahan" in page
    assert "Alasan penolakan: Alasan lain" in page and "Cap basah tidak terlihat." in page
    assert "Ditolak oleh petugas P3A" in page and "Diunggah" in page
    assert "Petugas Rahasia" not in page  # staff names stay on the desk


def test_the_dashboard_shows_each_partners_letter(client, maria):
    yosef = factories.make_user(full_name="Yosef Lado", sex="L")
    factories.make_couple(maria, yosef)
    factories.make_letter(maria, status="rejected", reason_code="tidak_terbaca", reason_text="Terlalu gelap.")
    factories.make_letter(yosef, status="rejected", reason_code="nama_tidak_sesuai", reason_text="Nama lain.")
    db.session.commit()

    response = client.get("/beranda")

    lines = re.findall(r'<li class="letter-line">(.*?)</li>', response.get_data(as_text=True), re.S)
    mine, theirs = (" ".join(re.sub(r"<[^>]+>", " ", line).split()) for line in lines)
    assert "Ditolak" in mine and "Alasan penolakan: Tulisan atau foto tidak terbaca — Terlalu gelap." in mine
    assert "Unggah lagi" in mine
    assert "Ditolak" in theirs and "Perlu diunggah ulang" in theirs
    assert "Nama lain" not in theirs and "Alasan" not in theirs and "Unggah" not in theirs


def test_the_dashboard_shows_an_approved_letter_until_when(client, maria):
    letter = factories.make_letter(maria)
    db.session.commit()

    line = text(client.get("/beranda"))

    assert "Disetujui" in line
    assert "Berlaku sampai" in line
    assert letter.valid_until.year == letters.default_valid_until(letter.issued_on).year


def test_the_dashboard_invites_an_upload_when_there_is_none(client, maria):
    response = client.get("/beranda")
    assert "Belum diunggah" in text(response)
    assert 'href="/surat/unggah"' in response.get_data(as_text=True)


# --- a path without dead ends (issue 12 point 4) -------------------------------------------------

def next_step_link(response):
    match = re.search(r'<a class="button next-step" data-next-step="(\w+)" href="([^"]+)">([^<]+)</a>',
                      response.get_data(as_text=True))
    return match.groups() if match else None


@pytest.mark.parametrize("sent, kept", [
    ("C:\\Users\\x\\Desktop\\skck.pdf", "skck.pdf"),
    ("/home/x/Dokumen/skck.pdf", "skck.pdf"),
    ("D:\\scan/Surat SKCK.pdf", "Surat SKCK.pdf"),
])
def test_an_uploaded_file_keeps_its_base_name_only(client, maria, sent, kept):
    """Old Windows browsers send the whole path; werkzeug read "C:\\Users..." as an escaped
    string and showed "C:UsersxDesktopskck.pdf"."""
    response = post(client, data=factories.pdf_bytes(), filename=sent, field="file",
                    token=upload_token(client.get("/surat/unggah")))

    assert response.status_code == 302
    assert db.session.scalar(select(Letter.original_filename)) == kept
    assert f'<dd class="filename">{kept}</dd>' in client.get("/surat/").get_data(as_text=True)


def test_the_police_office_example_does_not_double_polsek(client, maria):
    """The hint said "Contoh: Polsek Oebobo" under a choice already called "Polsek": following
    it showed "Polsek Polsek Oebobo"."""
    form_page = text(client.get("/surat/unggah"))
    assert "Polsek Oebobo" not in form_page and "misalnya Oebobo" in form_page

    post(client, police_office="polsek", police_office_name="Polsek Oebobo",
         token=upload_token(client.get("/surat/unggah")))

    page = text(client.get("/surat/"))
    assert "Diterbitkan oleh Polsek Oebobo" in page and "Polsek Polsek" not in page


def test_waiting_for_the_review_the_main_action_is_to_go_on_learning(client, maria):
    factories.make_module(code="gizi")
    factories.make_couple(maria)
    factories.make_letter(maria, status="pending")
    db.session.commit()

    response = client.get("/surat/")

    html = response.get_data(as_text=True)
    code, href, label = next_step_link(response)
    assert (code, href) == ("module", "/materi/gizi") and label.startswith("Mulai belajar")
    assert '<a class="button secondary" href="/surat/unggah">Ganti surat yang sedang diperiksa</a>' in html
    assert html.index('class="button next-step"') < html.index("Ganti surat")


def test_an_approved_letter_leads_to_the_certificate_once_issued(client, maria, keys):
    modules = make_modules(1)
    make_ready_couple(modules, first=maria)
    db.session.commit()

    response = client.get("/surat/")

    assert next_step_link(response) == ("certificate", "/beranda#certificate", "Lihat sertifikat")
    assert '<a class="button secondary" href="/surat/unggah">Unggah SKCK baru</a>' in response.get_data(as_text=True)


def test_the_reviewer_sees_the_letter_beside_the_participants_data_on_a_desktop(app):
    reviewer = factories.make_user(roles=("reviewer",))
    letter = factories.make_letter(factories.make_user(full_name="Mawar Contoh"), status="pending",
                                   data=factories.pdf_bytes())
    db.session.commit()
    client = app.test_client()
    factories.log_in(client, reviewer)

    html = client.get(f"/tinjau/surat/{letter.id}").get_data(as_text=True)

    layout = html[html.index('<div class="review-layout">'):]
    data, view, decision = (layout.index(s) for s in ("Data peserta", 'class="card panel letter-view"',
                                                      'class="review-decision"'))
    assert data < view < decision  # stacked on a phone: data, the letter, the decision
    css = (Path(app.root_path).parent / "static/css/app.css").read_text(encoding="utf-8")
    wide = re.search(r"@media \(min-width: 900px\) \{(.*?)\n\}", css, re.S)
    assert wide and "grid-template-areas" in wide.group(1) and ".review-layout" in wide.group(1)

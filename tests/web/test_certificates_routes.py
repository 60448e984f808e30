"""Certificate pages, the verification page and the API as people and scripts use them
(issue 4 points 1, 5–10)."""
import json
import logging
import re
from datetime import timedelta

import pytest
from werkzeug.http import parse_options_header

from course_app.extensions import db
from course_app.models import Couple, QuizAttempt
from course_app.models.certificates import Certificate
from course_app.services import certificate_pdf, certificates, clock, signing
from course_app.services.clock import utcnow

from .. import factories
from ..certificate_builders import (  # noqa: F401
    keys_dir_fixture,
    keys_fixture,
    make_certificate,
    make_modules,
    make_ready_couple,
)
from ..mailbox import Outbox
from .pages import error_beside, flashes, text


def server_verdict(response):
    """The verdict the server shows on /v/<id>: (its colour class, the big word, the sentence
    under it), or None. Read from its own block: the page also carries a hidden "TIDAK SAH"
    block for the QR check, so "SAH" somewhere on the page proves nothing."""
    match = re.search(r'<div class="verdict (verdict-\w+)" id="server-verdict"(?P<hidden> hidden)?>.*?'
                      r'<p class="verdict-word">(.*?)</p>\s*<p class="verdict-text">(.*?)</p>',
                      response.get_data(as_text=True), re.S)
    if match is None or match.group("hidden"):
        return None
    return match.group(1), " ".join(match.group(3).split()), " ".join(match.group(4).split())


def logged_in(app, user):
    client = app.test_client()
    factories.log_in(client, user)
    return client


@pytest.fixture
def issued(keys):
    certificate, couple, first, second = make_certificate()
    db.session.commit()
    return certificate, couple, first, second


# --- the dashboard panel ---------------------------------------------------------------------

def test_the_dashboard_says_exactly_what_is_still_missing(app, keys):
    modules = make_modules(2)
    couple, first, second = make_ready_couple(modules, pass_all=False, letters=False)
    factories.make_letter(first)
    db.session.commit()

    page = text(logged_in(app, first).get("/beranda"))

    assert "Yang masih kurang" in page
    assert f"{second.full_name}: materi belum selesai — {modules[-1].title}" in page
    assert f"{second.full_name}: SKCK belum disetujui" in page
    assert f"{first.full_name}: SKCK" not in page


def test_the_dashboard_offers_the_pdf_and_qr_once_issued(app, issued):
    certificate, couple, first, second = issued
    for person in (first, second):
        response = logged_in(app, person).get("/beranda")
        html = response.get_data(as_text=True)
        assert f"/sertifikat/{certificate.id}/pdf" in html
        assert f"/sertifikat/{certificate.id}/qr.svg" in html and f"/sertifikat/{certificate.id}/qr.png" in html
        assert " ".join(certificate.id[i:i + 4] for i in range(0, 16, 4)) in text(response)


def test_an_eligible_couple_without_a_key_gets_its_certificate_on_the_next_dashboard_view(app, keys_dir):
    modules = make_modules(1)
    couple, first, second = make_ready_couple(modules)
    db.session.commit()
    client = logged_in(app, first)
    page = text(client.get("/beranda"))
    assert "Sertifikat sedang disiapkan oleh Dinas P3A" in page
    assert certificates.live_certificate(couple) is None

    signing.generate_key()
    db.session.commit()
    response = client.get("/beranda")

    db.session.expire_all()
    certificate = certificates.live_certificate(couple)
    assert certificate is not None
    assert ("success", "Selamat! Sertifikat pasangan Anda sudah terbit.") in flashes(response)
    assert f"/sertifikat/{certificate.id}/pdf" in response.get_data(as_text=True)


def test_the_dashboard_offers_no_button_to_issue_by_hand(app, keys):
    modules = make_modules(1)
    couple, first, second = make_ready_couple(modules, pass_all=False)
    db.session.commit()
    html = logged_in(app, first).get("/beranda").get_data(as_text=True)
    assert "/sertifikat/terbitkan" not in html and "Terbitkan sertifikat" not in html
    assert app.test_client().post("/sertifikat/terbitkan").status_code == 404


# --- a failed issue never undoes the quiz that triggered it ------------------------------------

def _submit_last_quiz(app, person, module):
    client = logged_in(app, person)
    response = client.post(f"/materi/{module.code}/kuis/mulai")
    assert response.status_code == 302, text(response)
    attempt_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    answers = {f"q-{aq_id}": [str(o) for o in options]
               for aq_id, options in factories.answers_for(attempt).items()}
    return client, attempt_id, client.post(f"/materi/kuis/{attempt_id}", data=answers)


@pytest.fixture
def failed_issue(app, keys, monkeypatch, caplog):
    """The second partner passes the last quiz while building the PDF fails (the error's
    message names them, as a font error might)."""
    modules = make_modules(1)
    couple, first, second = make_ready_couple(modules, pass_all=False)
    db.session.commit()

    def broken_render(snapshot):
        raise RuntimeError(f"no glyph for {second.full_name}")

    working_render = certificate_pdf.render
    monkeypatch.setattr(certificate_pdf, "render", broken_render)
    caplog.set_level(logging.INFO, logger="course_app")
    client, attempt_id, response = _submit_last_quiz(app, second, modules[0])
    monkeypatch.setattr(certificate_pdf, "render", working_render)  # the builder is mended
    logged = [record.getMessage() for record in caplog.records]
    return couple, first, second, client, attempt_id, response, logged


def test_a_failing_pdf_on_the_last_quiz_keeps_the_pass_and_logs_without_names(app, failed_issue):
    couple, first, second, client, attempt_id, response, logged = failed_issue

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/materi/kuis/{attempt_id}/hasil")
    assert "Selamat, Anda lulus kuis ini" in text(client.get(response.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt_id).passed is True
    assert certificates.live_certificate(couple) is None
    assert db.session.get(Couple, couple.id).locked_at is None
    [line] = [message for message in logged if "failed" in message]
    assert f"couple {couple.id}" in line and "RuntimeError" in line
    for name in (first.full_name, second.full_name, second.full_name.split()[0]):
        assert name not in "\n".join(logged)


def test_a_failed_issue_is_made_good_by_issue_pending(app, failed_issue, runner):
    couple, *_ = failed_issue

    result = runner.invoke(args=["certificates", "issue-pending"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    certificate = certificates.live_certificate(couple)
    assert certificate is not None
    assert f"issued {certificate.id} for couple {couple.id}" in result.output
    assert "1 issued, 0 failed" in result.output


def test_a_failed_issue_is_made_good_by_the_next_dashboard_view(app, failed_issue):
    couple, first, second, client, *_ = failed_issue

    page = client.get("/beranda")

    db.session.expire_all()
    certificate = certificates.live_certificate(couple)
    assert certificate is not None
    assert ("success", "Selamat! Sertifikat pasangan Anda sudah terbit.") in flashes(page)
    assert f"/sertifikat/{certificate.id}/pdf" in page.get_data(as_text=True)


# --- downloads -------------------------------------------------------------------------------

def test_both_partners_download_the_stored_pdf_unchanged(app, issued):
    certificate, couple, first, second = issued
    for person in (first, second):
        response = logged_in(app, person).get(f"/sertifikat/{certificate.id.lower()}/pdf")
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.data == certificate.pdf
        assert parse_options_header(response.headers["Content-Disposition"]) == \
            ("attachment", {"filename": f"sertifikat-pranikah-{certificate.id}.pdf"})
        assert response.headers["Cache-Control"] == "private, no-store"


def test_the_qr_downloads_as_svg_and_png(app, issued):
    certificate, couple, first, second = issued
    client = logged_in(app, first)
    svg = client.get(f"/sertifikat/{certificate.id}/qr.svg")
    png = client.get(f"/sertifikat/{certificate.id}/qr.png")
    assert svg.mimetype == "image/svg+xml" and svg.data.startswith(b"<?xml")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")


# --- the verification page -------------------------------------------------------------------

def test_the_public_page_shows_the_status_and_masked_names_only(client, issued):
    certificate, couple, first, second = issued
    response = client.get(f"/v/{certificate.id}")
    page = text(response)
    assert response.status_code == 200
    assert "SAH" in page and "Cocokkan nama dan tanggal lahir dengan KTP" in page
    assert certificates.mask_name(first.full_name) in page
    assert first.full_name not in page and second.full_name not in page
    assert "lahir" not in text_of_names(response)  # birth dates: only staff and the signed token
    assert certificate.expires_at.year and str(certificate.expires_at.year) in page
    assert response.cache_control.public and "no-store" not in response.headers["Cache-Control"]
    colour, word, sentence = server_verdict(response)
    assert (colour, word) == ("verdict-valid", "SAH")  # the green block (static/css/app.css)
    assert sentence.startswith("Sertifikat ini asli dan berlaku sampai ")
    assert str(certificate.expires_at.year) in sentence


def text_of_names(response):
    """What the server wrote in the names list(s) (the token's list is empty until JS fills it)."""
    return " ".join(re.sub(r"<[^>]+>", " ", m) for m in re.findall(
        r'<ul class="names[^"]*"[^>]*>(.*?)</ul>', response.get_data(as_text=True), re.S))


def test_the_page_answers_the_qr_spelling_and_either_case(client, issued):
    certificate, *_ = issued
    for path in (f"/V/{certificate.id}", f"/v/{certificate.id.lower()}", f"/V/{certificate.id.lower()}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert server_verdict(response)[:2] == ("verdict-valid", "SAH"), path


def test_an_unknown_id_gets_the_unknown_status_page_not_an_error(client, keys):
    for raw in (certificates.new_certificate_id(), "bukan-nomor", "A" * 64):
        response = client.get(f"/v/{raw}")
        assert response.status_code == 200
        assert "TIDAK DIKENAL" in text(response)


def test_the_page_loads_its_scripts_from_the_site_only(client, issued):
    certificate, *_ = issued
    html = client.get(f"/v/{certificate.id}").get_data(as_text=True)
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert "style=" not in html


@pytest.mark.parametrize("status, word, change", [
    ("expired", "KEDALUWARSA", lambda c: setattr(c, "expires_at", utcnow() - timedelta(seconds=1))),
    ("revoked", "DICABUT", lambda c: certificates.revoke_certificate(
        c, factories.make_user(roles=("reviewer",)), "false_document")),
])
def test_expired_and_revoked_certificates_say_so_with_the_reason(client, issued, status, word, change):
    certificate, *_ = issued
    change(certificate)
    db.session.commit()
    page = text(client.get(f"/v/{certificate.id}"))
    assert word in page
    if status == "revoked":
        assert "Dokumen persyaratan tidak sah" in page


def test_an_officiant_sees_full_names_and_records_the_marriage_once(app, issued):
    certificate, couple, first, second = issued
    officiant = factories.make_user(roles=("officiant",), full_name="Pdt. Yakobus Contoh")
    other = factories.make_user(roles=("officiant",))
    db.session.commit()
    client = logged_in(app, officiant)

    response = client.get(f"/v/{certificate.id}")
    page = text(response)
    assert first.full_name in page and second.full_name in page
    assert "Catat pernikahan" in page
    # format 2: each name with its date of birth, to match with the KTP (issue 12 point 3)
    names = " ".join(text_of_names(response).split())
    assert f"{first.full_name} · lahir 11 April 1996" in names
    assert f"{second.full_name} · lahir 30 September 1998" in names

    response = client.post(f"/v/{certificate.id}/nikah", data={
        "marriage_date": clock.today().strftime("%d/%m/%Y"), "institution_type": "gereja",
        "institution_name": "Jemaat Contoh Kota"})
    assert response.status_code == 302
    page = text(client.get(f"/v/{certificate.id}"))
    assert "SUDAH DIPAKAI" in page and "Jemaat Contoh Kota" in page
    assert "Dicatat oleh Pdt. Yakobus Contoh" in page

    again = logged_in(app, other)
    response = again.post(f"/v/{certificate.id}/nikah", data={
        "marriage_date": clock.today().isoformat(), "institution_type": "gereja", "institution_name": "Jemaat Lain"},
        follow_redirects=True)
    [(category, message)] = flashes(response)
    assert category == "error" and "sudah dicatat oleh Pdt. Yakobus Contoh" in message
    assert db.session.get(Certificate, certificate.id).marriage_institution_name == "Jemaat Contoh Kota"


def test_a_future_marriage_date_is_refused_beside_the_field(app, issued):
    certificate, *_ = issued
    officiant = factories.make_user(roles=("officiant",))
    db.session.commit()
    response = logged_in(app, officiant).post(f"/v/{certificate.id}/nikah", data={
        "marriage_date": (clock.today() + timedelta(days=3)).isoformat(), "institution_type": "gereja",
        "institution_name": "Jemaat Contoh"})
    assert response.status_code == 400
    assert error_beside(response, "marriage_date") == "Tanggal pernikahan tidak boleh di masa depan."
    assert certificates.status_of(db.session.get(Certificate, certificate.id)) == "valid"


def test_verification_is_rate_limited(make_app, issued):
    certificate, *_ = issued
    limited = make_app(RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    codes = [client.get(f"/v/{certificate.id}").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    api = [client.get(f"/api/v1/certificates/{certificate.id}").status_code for _ in range(4)]
    assert api == [200, 200, 200, 429]


# --- the API ---------------------------------------------------------------------------------

def test_the_anonymous_status_api_answers_status_and_validity_only(client, issued):
    """Issue 12 point 9: no names, no marriage date, no institution for anyone anonymous."""
    certificate, couple, first, second = issued
    certificates.record_marriage(certificate, factories.make_user(roles=("officiant",)), marriage_date=clock.today(),
                                 institution_type="gereja", institution_name="Jemaat Contoh Kota")
    db.session.commit()
    response = client.get(f"/api/v1/certificates/{certificate.id.lower()}")
    data = response.get_json()
    assert data == {"id": certificate.id, "status": "used", "issued_at": signing.iso(certificate.issued_at),
                    "expires_at": signing.iso(certificate.expires_at)}
    assert "Jemaat" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store" and "Cookie" in response.headers["Vary"]


@pytest.mark.parametrize("role, more", [("officiant", True), ("reviewer", True), ("participant", False)])
def test_signed_in_officiants_and_reviewers_also_get_the_marriage_record(app, issued, role, more):
    certificate, couple, first, second = issued
    certificates.record_marriage(certificate, factories.make_user(roles=("officiant",)), marriage_date=clock.today(),
                                 institution_type="gereja", institution_name="Jemaat Contoh Kota")
    user = factories.make_user(roles=(role,)) if role != "participant" else factories.make_user()
    db.session.commit()
    data = logged_in(app, user).get(f"/api/v1/certificates/{certificate.id}").get_json()
    assert ("used" in data) is more
    if more:
        assert data["used"]["institution_name"] == "Jemaat Contoh Kota" and data["revoked"] is None
    assert first.full_name not in str(data) and certificates.mask_name(first.full_name) not in str(data)


def test_the_status_api_answers_unknown_ids_the_same_way(client, keys):
    response = client.get(f"/api/v1/certificates/{certificates.new_certificate_id()}")
    assert response.status_code == 200
    assert response.get_json()["status"] == "unknown"
    assert client.get("/api/v1/certificates/%3Cscript%3E").get_json() == {
        "id": None, "status": "unknown", "issued_at": None, "expires_at": None}


def test_the_keys_api_publishes_public_keys_with_validity(client, keys):
    data = client.get("/api/v1/keys").get_json()
    [key] = data["keys"]
    assert key["kid"] == keys.kid and key["crv"] == "Ed25519" and key["alg"] == "EdDSA"
    assert signing.b64url_decode(key["x"]) == keys.public_key
    assert key["valid_from"].endswith("Z") and key["signs_until"] is None


def test_the_status_list_api_is_signed(client, issued):
    certificate, *_ = issued
    certificates.revoke_certificate(certificate, factories.make_user(roles=("reviewer",)), "other")
    db.session.commit()
    response = client.get("/api/v1/status-list")
    data = response.get_json()
    assert data["version"] == 2
    assert data["revoked"] == [{"id_hash": certificates.id_hash(certificate.id).hex(), "reason": "other"}]
    assert certificate.id not in response.get_data(as_text=True)
    key, payload = signing.verify_sign1(signing.b64url_decode(data["signed"]), signing.find_key_by_kid,
                                        content_type=signing.STATUS_LIST_CONTENT_TYPE)
    assert signing.cbor2.loads(payload)[2] > 0


def test_the_status_list_without_a_key_answers_503(client, keys_dir):
    assert client.get("/api/v1/status-list").status_code == 503


# --- reviewers -------------------------------------------------------------------------------

def test_a_reviewer_finds_and_revokes_a_certificate_and_the_couple_is_emailed(app, issued):
    certificate, couple, first, second = issued
    reviewer = factories.make_user(roles=("reviewer",))
    db.session.commit()
    client = logged_in(app, reviewer)
    outbox = Outbox()
    outbox.clear()

    found = text(client.get("/sertifikat/kelola", query_string={"q": first.full_name.split()[0]}))
    assert first.full_name in found

    missing = client.post(f"/sertifikat/kelola/{certificate.id}/cabut", data={"reason": ""})
    assert missing.status_code == 400 and error_beside(missing, "reason")

    response = client.post(f"/sertifikat/kelola/{certificate.id}/cabut",
                           data={"reason": "data_error", "note": "nama salah ketik"}, follow_redirects=True)
    assert ("success", "Sertifikat dicabut. Pasangan akan diberi tahu lewat email.") in flashes(response)
    assert sorted(m["To"] for m in outbox) == sorted([first.email, second.email])
    assert certificates.status_of(db.session.get(Certificate, certificate.id)) == "revoked"


def test_a_reviewer_records_a_dispensation_and_the_certificate_is_issued(app, keys):
    young = factories.make_user(full_name="Ana Muda", birth_date=clock.today() - timedelta(days=18 * 365))
    couple, first, second = make_ready_couple(make_modules(1), second=young)
    reviewer = factories.make_user(roles=("reviewer",))
    db.session.commit()
    client = logged_in(app, reviewer)

    page = text(client.get("/sertifikat/dispensasi"))
    assert "Ana Muda: 18 tahun pada tanggal pernikahan" in page

    prefix = f"c{couple.id}-"
    empty = client.post(f"/sertifikat/dispensasi/{couple.id}", data={prefix + "user_id": young.id})
    assert empty.status_code == 400 and error_beside(empty, prefix + "court_number")

    response = client.post(f"/sertifikat/dispensasi/{couple.id}", data={
        prefix + "user_id": young.id, prefix + "court_number": "12/Pdt.P/2026/PA.Kpg"}, follow_redirects=True)
    assert any("Sertifikat pasangan ini langsung terbit" in m for _c, m in flashes(response))
    assert certificates.live_certificate(couple) is not None


# --- the offline verifier's plumbing ---------------------------------------------------------

def test_the_scan_page_sends_a_typed_id_to_its_verification_page(client, issued):
    certificate, *_ = issued
    spaced = " ".join(certificate.id[i:i + 4] for i in range(0, 16, 4)).lower()
    response = client.get("/verify/scan", query_string={"id": spaced})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/v/{certificate.id}")
    bad = client.get("/verify/scan", query_string={"id": "123"})
    assert bad.status_code == 200 and flashes(bad)[0][0] == "error"


def test_the_service_worker_may_control_the_whole_site_and_lists_what_it_caches(client):
    response = client.get("/verify/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    body = response.get_data(as_text=True)
    precache = json.loads(re.search(r"self.PK_PRECACHE = (\[.*?\]);", body).group(1))
    # Static files by their fingerprinted URLs, the ones the pages ask for (static_files.py).
    plain = {re.sub(r"^/static/[0-9a-f]{12}/", "/static/", path) for path in precache}
    assert {"/verify/scan", "/api/v1/keys", "/api/v1/status-list", "/static/js/verify.js",
            "/static/js/scan.js", "/static/vendor/jsqr-1.4.0/dist/jsQR.js"} <= plain
    for path in precache:
        if path.startswith("/static/"):
            assert re.match(r"/static/[0-9a-f]{12}/", path), path
            assert client.get(path).status_code == 200, path


def test_the_manifest_makes_the_verifier_installable(client):
    data = json.loads(client.get("/verify/manifest.webmanifest").get_data(as_text=True))
    assert data["start_url"] == "/verify/scan" and data["display"] == "standalone"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in data["icons"]}

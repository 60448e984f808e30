"""Certificates in Chromium (issue 4 point 12; issue 12 points 3, 9): the browser verifier
refuses altered tokens and reads token formats 1 and 2 (with birth dates), the offline verifier
works with the network off and looks ids up by hash in the status list, the scan page reads a
QR from a camera, and the whole journey from the last quiz passed to the officiant recording
the marriage."""
import hashlib
import io
import re

from PIL import Image
from pypdf import PdfReader

from course_app.extensions import db
from course_app.models import Option
from course_app.models.certificates import Certificate
from course_app.services import certificates, clock, qr, signing

from .. import factories
from ..certificate_builders import make_modules, make_ready_couple
from ..mailbox import Outbox
from ..unit.test_signing import doc_vector
from .conftest import CHROMIUM_ARGS, PHONE, watch_console

#: The documented vectors' key (RFC 8032 test 1), as /api/v1/keys would publish it.
VECTOR_KEYS = [{"kid": "21fe31df", "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
                "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "valid_from": "2026-01-01T00:00:00Z",
                "signs_until": None, "valid_until": None}]


def issue(modules=None):
    certificate, *_ = issue_with_people(modules)
    return certificate


def issue_with_people(modules=None):
    couple, first, second = make_ready_couple(modules or make_modules(1))
    certificate = certificates.live_certificate(couple)
    db.session.commit()
    return certificate, couple, first, second


def link_parts(certificate):
    url = certificate.snapshot["verify_url"]
    return certificate.id, url.split("#", 1)[1]


def mutations(token_text):
    """A handful of altered tokens: bytes changed in each part, characters, case, length."""
    raw = signing.b32decode(token_text)
    out = []
    for position in (0, 1, 3, 8, 12, 20, 40, len(raw) - 70, len(raw) - 64, len(raw) - 1):
        changed = bytearray(raw)
        changed[position] ^= 0x01
        out.append(signing.b32encode(bytes(changed)))
    out.append(token_text[:-1] + ("A" if token_text[-1] != "A" else "B"))  # last character
    out.append(token_text[:50] + token_text[50].lower() + token_text[51:])  # mixed case
    out.append(token_text[:-8])  # truncated
    out.append(token_text + "AAAA")  # extended
    return out


def new_context(browser, live_server, **extra):
    context = browser.new_context(viewport=PHONE, base_url=live_server, locale="id-ID", **extra)
    context.set_default_timeout(15_000)
    return context


def test_the_browser_verifier_accepts_the_real_token_and_refuses_every_altered_one(browser, live_server, live_keys, shot):
    certificate = issue()
    cid, token = link_parts(certificate)
    tampered = mutations(token)
    context = new_context(browser, live_server)
    page = context.new_page()
    page.goto("/verify/scan")
    page.wait_for_function("() => window.PKVerify")
    script = """async ([tokens, forceNoble]) => {
        const keys = (await (await fetch('/api/v1/keys')).json()).keys;
        const results = [];
        for (const t of tokens) {
            const r = await PKVerify.verifyToken(t, keys, {forceNoble});
            results.push(r.ok ? 'ok' : r.reason);
        }
        return results;
    }"""
    for force_noble in (False, True):  # WebCrypto's Ed25519, then the vendored @noble/ed25519
        results = page.evaluate(script, [[token] + tampered, force_noble])
        assert results[0] == "ok", (force_noble, results[0])
        assert "ok" not in results[1:], (force_noble, results)
    assert page.evaluate("async () => { try { await crypto.subtle.importKey('raw', new Uint8Array(32),"
                         " {name: 'Ed25519'}, false, ['verify']); return true; } catch (e) { return e.name; } }") is True
    context.close()


def test_the_browser_reads_both_documented_token_formats_and_hashes_ids_as_the_server(browser, live_server, live_keys):
    """The version-1 and version-2 test vectors of docs/certificate-format.md verify in the
    browser (v2 with its birth dates, v1 without), and PKVerify.idHash (WebCrypto, then the
    vendored noble-hashes) gives the status list's key for an id, as the server computes it."""
    v1, v2 = doc_vector("certificate"), doc_vector("certificate-v2")
    context = new_context(browser, live_server)
    page = context.new_page()
    page.goto("/verify/scan")
    page.wait_for_function("() => window.PKVerify")
    read = page.evaluate("""async ([tokens, keys]) => {
        const out = [];
        for (const t of tokens) {
            const r = await PKVerify.verifyToken(t, keys);
            out.push(r.ok ? {version: r.claims.version, names: r.claims.names,
                             born: r.claims.birthDates && r.claims.birthDates.map(d => d.toISOString().slice(0, 10)),
                             shown: r.claims.birthDates && r.claims.birthDates.map(d => PKVerify.formatBirthDate(d, 'id'))}
                           : r.reason);
        }
        return out;
    }""", [[v1["token_base32"], v2["token_base32"]], VECTOR_KEYS])
    assert read[0] == {"version": 1, "names": [v1["name_1"], v1["name_2"]], "born": None, "shown": None}
    assert read[1] == {"version": 2, "names": [v2["name_1"], v2["name_2"]],
                       "born": ["1968-02-29", "1998-09-30"], "shown": ["29 Februari 1968", "30 September 1998"]}
    refused = page.evaluate("""async ([tokens, keys]) => {
        const out = [];
        for (const t of tokens) { const r = await PKVerify.verifyToken(t, keys); out.push(r.ok ? 'ok' : r.reason); }
        return out;
    }""", [mutations(v2["token_base32"]), VECTOR_KEYS])
    assert "ok" not in refused, refused
    ids = [certificates.new_certificate_id() for _ in range(3)] + ["AAAQEAYEAUDAOCAJ"]
    for force_noble in (False, True):
        hashes = page.evaluate("async ([ids, forceNoble]) => Promise.all(ids.map(id => PKVerify.idHash(id, {forceNoble})))",
                               [ids, force_noble])
        assert hashes == [certificates.id_hash(i).hex() for i in ids], force_noble
    assert hashes[-1] == doc_vector("status-list")["revoked_hash"]
    context.close()


def test_the_verification_page_shows_the_signed_names_or_warns_of_a_forgery(browser, live_server, live_keys, shot):
    certificate, couple, first, second = issue_with_people()
    cid, token = link_parts(certificate)
    context = new_context(browser, live_server)
    page = context.new_page()

    page.goto(f"/V/{cid}#{token}")
    page.wait_for_selector("#verify-page[data-token-check=valid]")
    assert page.locator("#token-names").is_visible()
    names = page.locator("#token-names-list").inner_text()
    assert first.full_name in names and second.full_name in names
    # format 2: "lahir <date>" beside each name, from the signed token (first, second: 1996, 1998)
    assert "lahir 11 April 1996" in names and "lahir 30 September 1998" in names
    assert page.locator("#server-verdict .verdict-word").inner_text().strip() == "SAH"
    assert "Cocokkan nama dan tanggal lahir dengan KTP" in page.locator("main").inner_text()
    shot(page, "01-valid-with-signed-names")

    forged = mutations(token)[5]
    page.goto(f"/v/{cid.lower()}#{forged}")
    page.wait_for_selector("#verify-page[data-token-check=invalid]")
    assert page.locator("#token-invalid").is_visible()
    assert not page.locator("#server-verdict").is_visible()
    assert "TIDAK SAH" in page.locator("main").inner_text()
    assert not page.locator("#login-hint").is_visible()
    shot(page, "02-forged")

    page.goto(f"/v/{certificates.new_certificate_id()}")
    assert "TIDAK DIKENAL" in page.locator("main").inner_text()
    shot(page, "03-unknown")
    context.close()


def test_the_verification_page_works_without_javascript(browser, live_server, live_keys, shot):
    certificate, couple, first, second = issue_with_people()
    cid, token = link_parts(certificate)
    context = new_context(browser, live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"/V/{cid}#{token}")
    main = page.locator("main").inner_text()
    assert "SAH" in main and "Cocokkan nama dan tanggal lahir dengan KTP" in main
    assert certificates.mask_name(first.full_name) in main and first.full_name not in main
    shot(page, "no-javascript")
    page.goto("/verify/scan")
    page.fill("#manual-id", cid.lower())
    page.click("#manual-form button")
    page.wait_for_url(f"**/v/{cid}")
    assert "SAH" in page.locator("main").inner_text()
    context.close()


def test_the_offline_verifier_works_with_the_network_off(browser, live_server, live_keys, shot):
    modules = make_modules(1)
    good, couple, first, second = issue_with_people(modules)
    revoked = issue(modules)
    used = issue(modules)
    certificates.revoke_certificate(revoked, factories.make_user(roles=("reviewer",)), "false_document")
    certificates.record_marriage(used, factories.make_user(roles=("officiant",)),
                                 marriage_date=clock.local_date(used.issued_at),
                                 institution_type="gereja", institution_name="Jemaat Rahasia Contoh")
    db.session.commit()
    context = new_context(browser, live_server)
    page = context.new_page()

    page.goto("/verify/scan")  # the one visit online: the service worker caches what it needs
    page.wait_for_selector("#scan-page[data-offline-ready=yes]")
    page.wait_for_selector("#scan-page[data-ready=yes]")
    assert "diperbarui" in page.locator("#status-age").inner_text()
    shot(page, "01-scan-page-online")

    context.set_offline(True)

    cid, token = link_parts(good)
    page.goto(f"/V/{cid}#{token}")  # the QR's link, opened with no network
    page.wait_for_selector("#scan-result[data-status=valid]")
    result = page.locator("#scan-result").inner_text()
    assert first.full_name in result and second.full_name in result
    assert "lahir 11 April 1996" in result and "lahir 30 September 1998" in result
    assert "SAH" in result and "Cocokkan nama dan tanggal lahir dengan KTP" in result
    assert "daftar status dari" in page.locator("#result-source").inner_text()
    shot(page, "02-offline-valid")

    page.goto(f"/v/{cid}#{mutations(token)[6]}")
    page.wait_for_selector("#scan-result[data-status=invalid]")
    assert "TIDAK SAH" in page.locator("#scan-result").inner_text()
    assert first.full_name not in page.locator("#scan-result").inner_text()
    shot(page, "03-offline-tampered")

    rid, rtoken = link_parts(revoked)
    page.goto(f"/V/{rid}#{rtoken}")
    page.wait_for_selector("#scan-result[data-status=revoked]")
    assert "Dokumen persyaratan tidak sah" in page.locator("#scan-result").inner_text()
    shot(page, "04-offline-revoked")

    # A used one: the list (hashes only) says it was used; where and when are online only.
    uid, utoken = link_parts(used)
    page.goto(f"/V/{uid}#{utoken}")
    page.wait_for_selector("#scan-result[data-status=used]")
    result = page.locator("#scan-result").inner_text()
    assert "SUDAH DIPAKAI" in result and "halaman daring" in result
    assert "Jemaat Rahasia Contoh" not in result and not page.locator("#result-ktp").is_visible()
    shot(page, "05-offline-used")

    page.goto("/verify/scan")  # the verifier itself opens offline too
    page.fill("#manual-id", rid.lower())
    page.click("#manual-form button")
    page.wait_for_selector("#scan-result[data-status=revoked]")
    page.fill("#manual-id", uid.lower())
    page.click("#manual-form button")
    page.wait_for_selector("#scan-result[data-status=used]")
    context.close()


def write_y4m(png_bytes, path, width=640, height=480, frames=10):
    """A short YUV4MPEG2 video of the QR on white, for Chromium's fake camera."""
    code = Image.open(io.BytesIO(png_bytes)).convert("L")
    side = min(width, height) - 40
    code = code.resize((side, side), Image.Resampling.NEAREST)
    frame = Image.new("L", (width, height), 255)
    frame.paste(code, ((width - side) // 2, (height - side) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (width // 2 * height // 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)


def test_the_scan_page_reads_a_qr_code_from_the_camera(browser, live_server, live_keys, tmp_path, shot):
    certificate, couple, first, second = issue_with_people()
    video = tmp_path / "qr.y4m"
    write_y4m(qr.png(certificate.snapshot["verify_url"], module_px=6), video)
    camera_browser = watch_console(browser.browser_type.launch(
        executable_path=browser_executable(browser), args=CHROMIUM_ARGS + [
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"]))
    try:
        context = new_context(camera_browser, live_server)
        context.grant_permissions(["camera"])
        page = context.new_page()
        page.goto("/verify/scan")
        page.wait_for_selector("#scan-page[data-ready=yes]")
        page.click("#scan-start")
        page.wait_for_selector("#scan-result[data-status=valid]", timeout=30_000)
        result = page.locator("#scan-result").inner_text()
        assert first.full_name in result and second.full_name in result
        assert page.locator("#scan-page").get_attribute("data-decoder") in ("native", "jsqr")
        assert page.locator("#result-ktp").is_visible()
        # online, the result leads to the certificate's page, where the marriage is recorded
        cid, token = link_parts(certificate)
        link = page.locator("#result-online-link")
        assert link.is_visible() and link.get_attribute("href").endswith(f"/v/{cid}#{token}")
        shot(page, "scanned-valid")
        link.click()
        page.wait_for_selector("#verify-page[data-token-check=valid]")
        context.close()
    finally:
        camera_browser.close()


def browser_executable(browser):
    from .conftest import CHROMIUM
    return CHROMIUM


# --- the whole journey -------------------------------------------------------------------------

def pass_quiz_in_the_browser(page, module):
    page.goto(f"/materi/{module.code}/kuis")
    page.click("form[action$='/kuis/mulai'] button")
    page.wait_for_url(re.compile(r".*/materi/kuis/\d+$"))
    fieldsets = page.locator("fieldset.question")
    for index in range(fieldsets.count()):
        inputs = fieldsets.nth(index).locator("input")
        for i in range(inputs.count()):
            option = db.session.get(Option, int(inputs.nth(i).get_attribute("value")))
            if option.is_correct:
                inputs.nth(i).check()
    db.session.rollback()
    page.click("#quiz-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/hasil$"))


def log_in(page, user, next_path=None):
    page.goto("/masuk" + (f"?next={next_path}" if next_path else ""))
    page.fill("#email", user.email)
    page.fill("#password", factories.PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_from_the_last_quiz_passed_to_the_officiant_recording_the_marriage(phone, browser, live_server, live_keys, shot):
    modules = make_modules(2)
    couple, first, second = make_ready_couple(modules, pass_all=False)
    officiant = factories.make_user(roles=("officiant",), full_name="Pdt. Yakobus Contoh")
    late_officiant = factories.make_user(roles=("officiant",), full_name="Pastor Lain Contoh")
    db.session.commit()

    # The second partner passes the last quiz: the certificate is issued at that moment.
    partner = phone()
    log_in(partner, second)
    partner.goto("/beranda")
    assert "Yang masih kurang" in partner.locator("#certificate").inner_text()
    shot(partner, "01-dashboard-one-quiz-left")
    pass_quiz_in_the_browser(partner, modules[-1])
    partner.goto("/beranda")
    panel = partner.locator("#certificate")
    assert "Sertifikat sudah terbit" in panel.inner_text()
    shot(partner, "02-dashboard-certificate-issued")
    certificate = certificates.live_certificate(couple)
    db.session.refresh(certificate)

    with partner.expect_download() as download_info:
        partner.click("#certificate a[href$='/pdf']")
    pdf = open(download_info.value.path(), "rb").read()
    assert pdf == certificate.pdf and hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256
    pdf_text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert first.full_name in pdf_text and second.full_name in pdf_text

    # An officiant opens the QR's link, logs in, compares the names and records the marriage.
    cid, token = link_parts(certificate)
    desk = phone()
    desk.goto(f"/V/{cid}#{token}")
    desk.wait_for_selector("#verify-page[data-token-check=valid]")
    shot(desk, "03-officiant-scans-anonymous")
    log_in(desk, officiant, next_path=f"/v/{cid}")
    assert first.full_name in desk.locator("#names-section").inner_text()

    other = phone()  # another officiant opens the same page at the same time
    log_in(other, late_officiant, next_path=f"/v/{cid}")
    assert other.locator("#marriage_date").count() == 1

    shot(desk, "04-officiant-record-form")
    desk.fill("#marriage_date", clock.today().isoformat())
    desk.fill("#institution_name", "Jemaat Contoh Kota")
    desk.click("#marriage-section button[type=submit]")
    desk.wait_for_load_state()
    assert "SUDAH DIPAKAI" in desk.locator("#server-verdict").inner_text()
    assert "Dicatat oleh Pdt. Yakobus Contoh" in desk.locator("#marriage-section").inner_text()
    shot(desk, "05-marriage-recorded")

    other.fill("#institution_name", "Jemaat Lain")
    other.click("#marriage-section button[type=submit]")
    other.wait_for_load_state()
    refusal = other.locator(".flash-error").inner_text()
    assert "sudah dicatat oleh Pdt. Yakobus Contoh" in refusal
    shot(other, "06-second-officiant-refused")

    db.session.expire_all()
    stored = db.session.get(Certificate, certificate.id)
    assert stored.marriage_institution_name == "Jemaat Contoh Kota" and stored.used_by_id == officiant.id
    partner.goto("/beranda")
    assert "Pernikahan sudah dicatat" in partner.locator("#certificate").inner_text()


def test_a_reviewer_records_a_dispensation_then_revokes_the_certificate(phone, live_app, live_keys, shot):
    from datetime import timedelta

    young = factories.make_user(full_name="Ana Muda Contoh", birth_date=clock.today() - timedelta(days=18 * 365))
    couple, first, second = make_ready_couple(make_modules(1), second=young)
    reviewer = factories.make_user(roles=("reviewer",), full_name="Peninjau Contoh")
    db.session.commit()
    outbox = Outbox()
    outbox.clear()

    page = phone()
    log_in(page, reviewer)
    page.goto("/sertifikat/dispensasi")
    card = page.locator("section.card", has_text="Ana Muda Contoh").first
    assert "18 tahun pada tanggal pernikahan" in card.inner_text()
    shot(page, "01-dispensations")
    card.locator("input[name$=court_number]").fill("12/Pdt.P/2026/PA.Kpg")
    card.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "langsung terbit" in page.locator(".flash-success").inner_text()
    certificate = certificates.live_certificate(couple)
    assert certificate is not None

    page.goto("/sertifikat/kelola")
    page.fill("#q", "ana muda")
    page.click("form[role=search] button")
    page.click(f"a[href='/sertifikat/kelola/{certificate.id}']")
    shot(page, "02-certificate-detail")
    page.select_option("#reason", "data_error")
    page.fill("#note", "Nama salah ketik di KTP")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form[action$='/cabut'] button[type=submit]")
    page.wait_for_load_state()
    assert "Dicabut" in page.locator("main").inner_text()
    shot(page, "03-revoked")
    revocations = [m["To"] for m in outbox if "dicabut" in str(m["Subject"])]
    assert sorted(revocations) == sorted([first.email, young.email])

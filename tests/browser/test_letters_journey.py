"""The good-conduct letter journey in Chromium (issue 3, point 8): a participant uploads a phone
photo from a phone-sized window, a reviewer (own browser) rejects it with a reason, the
participant reads the reason on the dashboard and uploads again, the reviewer approves, and the
dashboard shows the approved letter."""
import io
import re
from datetime import timedelta

import pytest

from course_app.extensions import db
from course_app.services import clock

from .. import factories
from ..mailbox import Outbox
from .conftest import log_in

DESKTOP = {"width": 1280, "height": 900}


def phone_photo_of_a_letter():
    """A camera-sized JPEG of a (synthetic) letter, with EXIF GPS as phones write it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 1600), (236, 232, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 80, 1120, 1520), fill=(252, 251, 247), outline=(120, 120, 120), width=4)
    for index, line in enumerate(["KEPOLISIAN NEGARA REPUBLIK INDONESIA", "SURAT KETERANGAN",
                                  "CATATAN KEPOLISIAN", "No. SKCK/YANMAS/0421/XI/2026",
                                  "Nama: Maria Uji Bano", "CONTOH UNTUK PENGUJIAN"]):
        draw.text((140, 160 + index * 90), line, fill=(30, 30, 30), font_size=44)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=factories._gps_exif(orientation=1).tobytes())
    return out.getvalue()


@pytest.fixture
def people(app):
    maria = factories.make_user(full_name="Maria Uji Bano", email="maria.uji@example.com")
    yosef = factories.make_user(full_name="Yosef Uji Lado", email="yosef.uji@example.com", sex="L")
    factories.make_couple(maria, yosef)
    reviewer = factories.make_user(roles=("reviewer",), full_name="Peninjau Uji", email="peninjau.uji@example.com")
    db.session.commit()
    return maria, yosef, reviewer


def letter_line(page):
    return page.locator("section.card", has_text="(Anda)").locator("li.letter-line")


def test_upload_reject_reupload_approve(browser, live_server, live_app, phone, shot, people):
    maria, yosef, reviewer = people
    issued = (clock.today() - timedelta(days=4)).isoformat()

    # The participant, on a phone.
    participant = phone()
    log_in(participant, maria)
    participant.wait_for_url("**/beranda")
    assert "Belum diunggah" in letter_line(participant).inner_text()
    participant.click("li.letter-line >> text=Unggah SKCK")
    participant.wait_for_url("**/surat/unggah")
    assert participant.locator("#photo").get_attribute("capture") == "environment"
    participant.set_input_files("#photo", files=[{"name": "IMG_20261120_081500.jpg", "mimeType": "image/jpeg",
                                                  "buffer": phone_photo_of_a_letter()}])
    participant.fill("#number", "SKCK/YANMAS/0421/XI/2026")
    participant.fill("#issued_on", issued)
    shot(participant, "01-upload-form")
    assert participant.evaluate("document.documentElement.scrollWidth") <= 360  # nothing sticks out
    participant.click("main form button[type=submit]")
    participant.wait_for_url("**/surat/")
    assert participant.locator(".flash-success").count() == 1
    assert "Menunggu pemeriksaan" in participant.locator("main").inner_text()
    shot(participant, "02-my-letters-pending")

    # The reviewer, in their own browser, rejects it with a reason.
    context = browser.new_context(viewport=DESKTOP, base_url=live_server, locale="id-ID")
    desk = context.new_page()
    log_in(desk, reviewer)
    desk.goto("/tinjau/")
    shot(desk, "03-queue")
    desk.click("a.queue-name >> text=Maria Uji Bano")
    desk.wait_for_url(re.compile(r".*/tinjau/surat/\d+$"))
    image = desk.locator("img.letter-image")
    image.wait_for()
    desk.wait_for_function("() => { const i = document.querySelector('img.letter-image'); return i.complete && i.naturalWidth > 0; }")
    assert image.evaluate("i => i.naturalWidth") == 1200  # the re-encoded photo is shown inline
    shot(desk, "04-review-photo")
    desk.check("input[name=reason][value=tidak_terbaca]")
    desk.fill("#reason_text", "Foto terlalu gelap di bagian nomor surat. Foto ulang di tempat terang.")
    desk.click("text=Tolak SKCK")
    desk.wait_for_url("**/tinjau/")
    assert desk.locator(".flash-success").count() == 1
    mail = Outbox()[-1]
    assert mail["To"] == maria.email and "Foto terlalu gelap" in mail.get_content()

    # The participant reads the reason on the dashboard and uploads a scanned PDF instead.
    participant.goto("/beranda")
    line = letter_line(participant).inner_text()
    assert "Ditolak" in line and "Tulisan atau foto tidak terbaca" in line and "Foto terlalu gelap" in line
    shot(participant, "05-dashboard-rejected")
    participant.click("li.letter-line >> text=Unggah lagi")
    participant.wait_for_url("**/surat/unggah")
    participant.set_input_files("#file", files=[{"name": "SKCK pindaian.pdf", "mimeType": "application/pdf",
                                                 "buffer": factories.pdf_bytes(page_text="SKCK Maria Uji Bano")}])
    participant.fill("#number", "SKCK/YANMAS/0421/XI/2026")
    participant.fill("#issued_on", issued)
    participant.click("main form button[type=submit]")
    participant.wait_for_url("**/surat/")
    assert "Menunggu pemeriksaan" in participant.locator("main").inner_text()

    # The reviewer sees the PDF inline and approves.
    desk.goto("/tinjau/")
    desk.locator("li.queue-item.is-pending a.queue-name", has_text="Maria Uji Bano").click()
    desk.wait_for_url(re.compile(r".*/tinjau/surat/\d+$"))
    frame = desk.locator("iframe.letter-pdf")
    frame.wait_for()
    desk.wait_for_timeout(1500)  # let Chromium's PDF viewer draw the page
    assert any(f.url.endswith("/berkas") for f in desk.frames)
    assert "Ditolak oleh Peninjau Uji" in desk.locator("main").inner_text()  # the history
    shot(desk, "06-review-pdf")
    desk.click("text=Setujui SKCK")
    desk.wait_for_url("**/tinjau/")
    assert Outbox()[-1]["Subject"] == "SKCK Anda disetujui"
    context.close()

    # The dashboard shows the approved letter; the partner sees it too.
    participant.goto("/beranda")
    line = letter_line(participant).inner_text()
    assert "Disetujui" in line and "Berlaku sampai" in line
    shot(participant, "07-dashboard-approved")
    partner = phone()
    log_in(partner, yosef)
    partner.wait_for_url("**/beranda")
    assert "Disetujui" in partner.locator("section.card", has_text="Maria Uji Bano").locator("li.letter-line").inner_text()


def test_the_review_desk_reads_well_on_a_phone(browser, live_server, phone, shot, people):
    maria, yosef, reviewer = people
    factories.make_letter(maria, status="pending", data=phone_photo_of_a_letter())
    factories.make_letter(yosef, status="rejected", reason_code="lainnya", reason_text="Cap tidak terlihat.")
    db.session.commit()

    page = phone()
    log_in(page, reviewer)
    page.goto("/tinjau/")
    shot(page, "queue")
    page.click("a.queue-name >> text=Maria Uji Bano")
    page.wait_for_url(re.compile(r".*/tinjau/surat/\d+$"))
    shot(page, "letter")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto("/tinjau/pasangan")
    shot(page, "couples")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert "SKCK: Menunggu pemeriksaan" in page.locator("main").inner_text()

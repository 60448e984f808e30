"""The officiant's path (issue 12, point 2): from the home page to the scanner, a verdict that
says what was checked, the KTP comparison only for a genuine valid certificate, and the
outcome of "Catat pernikahan" announced at the top, where the verdict is."""
import re
from datetime import timedelta

import pytest

from course_app.extensions import db
from course_app.services import certificates, clock

from .. import factories
from ..certificate_builders import keys_dir_fixture, keys_fixture, make_certificate  # noqa: F401
from .pages import flashes, text


@pytest.fixture
def issued(keys):
    certificate, couple, first, second = make_certificate()
    db.session.commit()
    return certificate


def officiant_client(app):
    officiant = factories.make_user(roles=("officiant",))
    db.session.commit()
    client = app.test_client()
    factories.log_in(client, officiant)
    return client


def position(html, marker):
    at = html.find(marker)
    assert at >= 0, f"{marker!r} is not on the page"
    return at


def test_the_home_page_leads_to_the_scanner(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/verify/scan"' in html
    assert "Buka pemeriksa sertifikat" in text(client.get("/"))


def test_an_officiants_menu_leads_to_the_scanner(app):
    html = officiant_client(app).get("/").get_data(as_text=True)
    assert re.search(r'<nav.*href="/verify/scan".*</nav>', html, re.S)


def test_a_refused_marriage_record_is_announced_above_the_verdict(app, issued):
    response = officiant_client(app).post(f"/v/{issued.id}/nikah", data={
        "marriage_date": (clock.today() + timedelta(days=3)).isoformat(), "institution_type": "gereja",
        "institution_name": "Jemaat Contoh"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    alert = position(html, 'id="marriage-refused"')
    assert alert < position(html, 'id="server-verdict"')
    assert re.search(r'role="alert" id="marriage-refused">\s*Pernikahan belum dicatat\.', html)
    assert certificates.status_of(issued) == "valid"


def test_a_recorded_marriage_is_announced_above_a_verdict_that_says_sudah_dipakai(app, issued):
    response = officiant_client(app).post(f"/v/{issued.id}/nikah", data={
        "marriage_date": clock.today().isoformat(), "institution_type": "gereja",
        "institution_name": "Jemaat Contoh"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    [(category, message)] = flashes(response)
    assert category == "success" and message.startswith("Pernikahan dicatat.")
    assert position(html, 'class="flash flash-success"') < position(html, 'id="server-verdict"')
    assert re.search(r'id="server-verdict">.*?<p class="verdict-word">SUDAH DIPAKAI</p>', html, re.S)


def test_without_javascript_the_page_says_what_it_checked(client, issued):
    page = text(client.get(f"/v/{issued.id}"))
    assert "Diperiksa di server Dinas P3A: nomor sertifikat dan statusnya saat ini." in page
    assert "Tanda tangan digital pada kode QR diperiksa oleh browser Anda bila JavaScript aktif." in page
    # the scan prompt is for a browser that found no QR token; it starts hidden
    assert re.search(r'<p id="scan-hint" class="muted small" hidden>',
                     client.get(f"/v/{issued.id}").get_data(as_text=True))


@pytest.mark.parametrize("change, asks", [
    (lambda c: None, True),
    (lambda c: certificates.revoke_certificate(c, factories.make_user(roles=("reviewer",)), "false_document"), False),
    (lambda c: setattr(c, "expires_at", c.issued_at), False),
    (lambda c: certificates.record_marriage(c, factories.make_user(roles=("officiant",)),
                                            marriage_date=clock.today(), institution_type="gereja",
                                            institution_name="Jemaat Contoh"), False),
], ids=["valid", "revoked", "expired", "used"])
def test_only_a_valid_certificate_asks_to_compare_the_names_with_the_ktp(client, issued, change, asks):
    change(issued)
    db.session.commit()
    assert ("Cocokkan nama dan tanggal lahir dengan KTP" in text(client.get(f"/v/{issued.id}"))) is asks


def test_an_unknown_certificate_does_not_ask_to_compare_with_the_ktp(client, keys):
    assert "Cocokkan nama dan tanggal lahir dengan KTP" not in text(client.get("/v/AAAAAAAAAAAAAAAA"))

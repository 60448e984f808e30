"""Help contacts (issue 11 point 8): the national lines are always there; local contacts are
settings, and the page says clearly when they have not been set."""
import pytest

from .pages import text


def test_the_help_page_gives_the_police_emergency_number_and_sapa_129(client):
    page = text(client.get("/bantuan"))
    assert "nomor darurat 110" in page and "Telepon 129" in page
    html = client.get("/bantuan").get_data(as_text=True)
    assert 'href="tel:110"' in html and 'href="tel:129"' in html


def test_the_help_page_says_when_local_contacts_have_not_been_set(client, app, monkeypatch):
    for key in ("P3A_CONTACT_PHONE", "P3A_CONTACT_EMAIL", "P3A_CONTACT_ADDRESS", "UPTD_PPA_CONTACT_PHONE"):
        monkeypatch.setitem(app.config, key, "")
    page = text(client.get("/bantuan"))
    assert "Kontak Dinas P3A belum diisi oleh pengelola situs ini" in page
    assert "Nomor UPTD PPA belum diisi oleh pengelola situs ini" in page


@pytest.mark.parametrize("key,value", [("P3A_CONTACT_PHONE", "0000 0000 0001"),
                                       ("UPTD_PPA_CONTACT_PHONE", "0000 0000 0002")])
def test_local_contacts_come_from_the_settings(client, app, monkeypatch, key, value):
    monkeypatch.setitem(app.config, key, value)
    html = client.get("/bantuan").get_data(as_text=True)
    assert f'href="tel:{value}"' in html

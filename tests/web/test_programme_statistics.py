"""The programme's statistics on the staff desk (issue 12 point 5) and the couple's kecamatan of
residence that feeds them: what a reviewer sees, the period, publication mode, the CSV/XLSX
downloads and the empty state. The numbers themselves: tests/unit/test_programme_statistics.py."""
from datetime import timedelta

import pytest

from course_app.extensions import db
from course_app.services import clock, couples
from tests import factories
from tests.web.pages import error_beside, flashes


def couple_form(**overrides):
    data = {"planned_wedding_date": (clock.today() + timedelta(days=90)).isoformat(),
            "institution_type": "gereja", "institution_name": "Jemaat GMIT Contoh"}
    data.update(overrides)
    return data


@pytest.fixture
def maria(app):
    """A participant logged in on her own browser."""
    person = factories.make_user(full_name="Mawar Contoh")
    db.session.commit()
    browser = app.test_client()
    factories.log_in(browser, person)
    return person, browser


# --- the couple's kecamatan of residence ---------------------------------------------------------

def test_the_couple_form_offers_the_official_kecamatan_and_outside_the_city(maria):
    _person, browser = maria
    html = browser.get("/pasangan/").get_data(as_text=True)
    assert "Kecamatan tempat tinggal setelah menikah" in html
    assert '<option selected value="">Di luar Kota Kupang / tidak diisi</option>' in html
    for code, name in [("537101", "Alak"), ("537104", "Oebobo"), ("537106", "Kota Lama")]:
        assert f'<option value="{code}">{name}</option>' in html


def test_a_valid_kecamatan_of_residence_is_stored(maria):
    person, browser = maria
    response = browser.post("/pasangan/buat", data=couple_form(residence_kecamatan="537104"))
    assert response.status_code == 302
    assert couples.current_couple(person).residence_kecamatan == "537104"


def test_an_empty_kecamatan_of_residence_stores_nothing(maria):
    person, browser = maria
    browser.post("/pasangan/buat", data=couple_form(residence_kecamatan=""))
    assert couples.current_couple(person).residence_kecamatan is None


def test_a_kecamatan_not_on_the_official_list_is_refused_beside_the_field(maria):
    person, browser = maria
    response = browser.post("/pasangan/buat", data=couple_form(residence_kecamatan="537199"))
    assert response.status_code == 400
    assert error_beside(response, "residence_kecamatan") == "Pilih kecamatan dari daftar."
    assert couples.current_couple(person) is None


def test_the_kecamatan_of_residence_is_edited_with_the_wedding_plan(maria):
    person, browser = maria
    browser.post("/pasangan/buat", data=couple_form(residence_kecamatan="537101"))
    page = browser.get("/pasangan/").get_data(as_text=True)
    assert '<option selected value="537101">Alak</option>' in page

    response = browser.post("/pasangan/ubah", data=couple_form(residence_kecamatan="537105"),
                            follow_redirects=True)
    assert ("success", "Rencana pernikahan disimpan.") in flashes(response)
    couple = couples.current_couple(person)
    db.session.refresh(couple)
    assert couple.residence_kecamatan == "537105"

    browser.post("/pasangan/ubah", data=couple_form(residence_kecamatan=""))
    db.session.refresh(couple)
    assert couple.residence_kecamatan is None


def test_the_service_refuses_a_kecamatan_outside_the_list(app):
    person = factories.make_user()
    with pytest.raises(couples.DomainError) as refused:
        couples.create_couple(person, planned_wedding_date=clock.today() + timedelta(days=90),
                              institution_type="gereja", institution_name="Jemaat Contoh",
                              residence_kecamatan="Oebobo")
    assert refused.value.field == "residence_kecamatan"

"""Forming, joining, leaving and dissolving a couple through the pages (product §2, §8)."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from course_app.extensions import db
from course_app.models import Couple, CoupleMember, InviteCode
from course_app.services import clock, couples
from course_app.services.clock import utcnow
from tests import factories
from tests.web.pages import error_beside, flashes, text

IN_90_DAYS = (clock.today() + timedelta(days=90)).isoformat()


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def couple_form(**overrides):
    data = {"planned_wedding_date": IN_90_DAYS, "institution_type": "gereja",
            "institution_name": "Jemaat GMIT Contoh"}
    data.update(overrides)
    return data


def shown_code(response):
    match = re.search(r'class="code-box"[^>]*>\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*<',
                      response.get_data(as_text=True))
    return match.group(1) if match else None


@pytest.fixture
def people(app):
    """Maria and Yosef, each with their own browser, logged in."""
    maria = factories.make_user(full_name="Mawar Contoh")
    yosef = factories.make_user(full_name="Yosef Lado", sex="L")
    db.session.commit()
    browsers = {"maria": app.test_client(), "yosef": app.test_client()}
    factories.log_in(browsers["maria"], maria)
    factories.log_in(browsers["yosef"], yosef)
    return maria, yosef, browsers


def test_a_couple_forms_through_the_pages_and_the_dashboard_lists_both(people):
    maria, yosef, browsers = people

    created = browsers["maria"].post("/pasangan/buat", data=couple_form(), follow_redirects=True)
    assert created.request.path == "/pasangan/"
    assert ("success", "Pasangan dibuat. Berikan kode undangan kepada pasangan Anda.") in flashes(created)
    code = shown_code(created)
    assert code and "belum bergabung" in text(created)

    joined = browsers["yosef"].post("/pasangan/gabung", data={"code": code.lower()}, follow_redirects=True)

    assert joined.request.path == "/beranda"
    assert ("success", "Anda sudah bergabung dengan pasangan Anda.") in flashes(joined)
    for who in ("maria", "yosef"):
        dashboard = text(browsers[who].get("/beranda"))
        assert "Mawar Contoh" in dashboard and "Yosef Lado" in dashboard
        assert "Pasangan Anda belum bergabung" not in dashboard
    couple_page = browsers["maria"].get("/pasangan/")
    assert shown_code(couple_page) is None
    assert "Yosef Lado" in text(couple_page) and "belum bergabung" not in text(couple_page)


def test_the_dashboard_invites_a_participant_without_a_couple_to_form_one(people):
    _maria, _yosef, browsers = people
    page = browsers["maria"].get("/beranda").get_data(as_text=True)
    assert '<a class="button next-step" data-next-step="couple" href="/pasangan/">Bentuk atau gabung pasangan</a>' in page


def test_a_new_code_replaces_the_old_one_on_the_page(people):
    _maria, _yosef, browsers = people
    first = shown_code(browsers["maria"].post("/pasangan/buat", data=couple_form(), follow_redirects=True))

    renewed = browsers["maria"].post("/pasangan/undangan", follow_redirects=True)

    second = shown_code(renewed)
    assert second and second != first
    assert ("success", "Kode undangan baru dibuat. Kode lama tidak berlaku lagi.") in flashes(renewed)
    refused = browsers["yosef"].post("/pasangan/gabung", data={"code": first})
    assert refused.status_code == 400
    assert "Kode undangan tidak ditemukan" in error_beside(refused, "code")


@pytest.mark.parametrize("path, data, field, message", [
    ("/pasangan/gabung", {"code": ""}, "code", "Tulis kode undangan."),
    ("/pasangan/gabung", {"code": "ZZZZ-9999"}, "code", "Kode undangan tidak ditemukan."),
    ("/pasangan/buat", couple_form(planned_wedding_date=(clock.today() - timedelta(days=1)).isoformat()),
     "planned_wedding_date", "Tanggal pernikahan harus setelah hari ini."),
    ("/pasangan/buat", couple_form(planned_wedding_date=""), "planned_wedding_date",
     "Isi rencana tanggal pernikahan."),
    ("/pasangan/buat", couple_form(planned_wedding_date="besok"), "planned_wedding_date",
     "Tanggal pernikahan tidak valid."),
    ("/pasangan/buat", couple_form(institution_type=""), "institution_type", "Pilih jenis lembaga."),
    ("/pasangan/buat", couple_form(institution_type="stadion"), "institution_type",
     "Pilih jenis lembaga dari daftar."),
    ("/pasangan/buat", couple_form(institution_name=""), "institution_name",
     "Tulis nama lembaga, misalnya nama gereja atau KUA."),
], ids=["empty-code", "wrong-code", "past-date", "no-date", "unreadable-date", "no-institution",
        "unknown-institution", "no-institution-name"])
def test_bad_couple_input_answers_400_with_a_message_and_stores_nothing(people, path, data, field, message):
    _maria, _yosef, browsers = people

    response = browsers["yosef"].post(path, data=data)

    assert response.status_code == 400
    assert message in (error_beside(response, field) or ""), text(response)[:600]
    assert count(Couple) == 0 and count(CoupleMember) == 0 and count(InviteCode) == 0


def test_an_expired_code_is_explained(people):
    maria, _yosef, browsers = people
    couple = couples.create_couple(maria, planned_wedding_date=clock.today() + timedelta(days=90),
                                   institution_type="gereja", institution_name="Jemaat Contoh")
    invite = couples.open_invite(couple)
    invite.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    response = browsers["yosef"].post("/pasangan/gabung", data={"code": invite.code})

    assert response.status_code == 400
    assert "sudah kedaluwarsa" in error_beside(response, "code")
    assert count(CoupleMember) == 1


def test_joining_while_in_a_couple_is_refused_with_a_message(people):
    maria, yosef, browsers = people
    theirs = couples.create_couple(maria, planned_wedding_date=clock.today() + timedelta(days=90),
                                   institution_type="gereja", institution_name="Jemaat Contoh")
    code = couples.open_invite(theirs).code
    couples.create_couple(yosef, planned_wedding_date=clock.today() + timedelta(days=90),
                          institution_type="gereja", institution_name="Jemaat Lain")
    db.session.commit()

    response = browsers["yosef"].post("/pasangan/gabung", data={"code": code})

    assert response.status_code == 400
    assert ("error", "Anda sudah terdaftar dalam pasangan.") in flashes(response)
    assert couples.current_couple(yosef).id != theirs.id


def test_forming_a_second_couple_is_refused_with_a_message(people):
    maria, _yosef, browsers = people
    browsers["maria"].post("/pasangan/buat", data=couple_form())

    response = browsers["maria"].post("/pasangan/buat", data=couple_form(institution_name="Jemaat Lain"))

    assert response.status_code == 400
    assert any("sudah terdaftar dalam pasangan" in message for _c, message in flashes(response))
    assert count(Couple) == 1


def test_the_wedding_plan_is_edited_on_the_couple_page(people):
    maria, _yosef, browsers = people
    browsers["maria"].post("/pasangan/buat", data=couple_form())
    wedding = clock.today() + timedelta(days=150)

    response = browsers["maria"].post("/pasangan/ubah", data=couple_form(
        planned_wedding_date=wedding.isoformat(), institution_type="masjid_kua",
        institution_name="KUA Kecamatan Kelapa Lima"), follow_redirects=True)

    assert ("success", "Rencana pernikahan disimpan.") in flashes(response)
    couple = couples.current_couple(maria)
    db.session.refresh(couple)
    assert (couple.planned_wedding_date, couple.institution_name) == (wedding, "KUA Kecamatan Kelapa Lima")
    assert "KUA Kecamatan Kelapa Lima" in text(response)


def formed(maria, yosef):
    couple = couples.create_couple(maria, planned_wedding_date=clock.today() + timedelta(days=90),
                                   institution_type="gereja", institution_name="Jemaat Contoh")
    couples.join_couple(yosef, couples.open_invite(couple).code)
    db.session.commit()
    return couple


def test_leaving_asks_for_confirmation_then_keeps_the_partner(people):
    maria, yosef, browsers = people
    couple = formed(maria, yosef)

    confirm = browsers["yosef"].get("/pasangan/keluar")
    assert confirm.status_code == 200
    assert "Keluar dari pasangan?" in text(confirm)
    assert "Mawar Contoh tetap terdaftar" in text(confirm)
    assert couples.current_couple(yosef) is not None  # looking changes nothing

    done = browsers["yosef"].post("/pasangan/keluar", follow_redirects=True)

    assert ("success", "Anda sudah keluar dari pasangan.") in flashes(done)
    db.session.expire_all()
    assert couples.current_couple(yosef) is None
    assert couples.current_couple(maria).id == couple.id
    maria_page = browsers["maria"].get("/pasangan/")
    assert "belum bergabung" in text(maria_page)


def test_dissolving_asks_for_confirmation_then_ends_it_for_both(people):
    maria, yosef, browsers = people
    couple = formed(maria, yosef)

    confirm = browsers["maria"].get("/pasangan/bubarkan")
    assert confirm.status_code == 200
    assert "Bubarkan pasangan?" in text(confirm)
    assert couples.current_couple(maria) is not None

    done = browsers["maria"].post("/pasangan/bubarkan", follow_redirects=True)

    assert ("success", "Pasangan sudah dibubarkan. Anda dapat membentuk pasangan baru.") in flashes(done)
    db.session.expire_all()
    assert db.session.get(Couple, couple.id).dissolved_at is not None
    assert couples.current_couple(maria) is None and couples.current_couple(yosef) is None
    assert "Anda belum terdaftar dalam pasangan" in text(browsers["yosef"].get("/pasangan/"))


def test_a_couple_with_a_certificate_cannot_be_left(people):
    maria, yosef, browsers = people
    couple = formed(maria, yosef)
    couple.locked_at = utcnow()
    db.session.commit()

    response = browsers["yosef"].post("/pasangan/keluar", follow_redirects=True)

    assert any("Sertifikat pasangan ini sudah terbit" in m for _c, m in flashes(response))
    db.session.expire_all()
    assert couples.current_couple(yosef).id == couple.id


def test_leaving_without_a_couple_just_explains(people):
    _maria, _yosef, browsers = people
    response = browsers["maria"].get("/pasangan/keluar", follow_redirects=True)
    assert response.request.path == "/pasangan/"
    assert ("info", "Anda belum terdaftar dalam pasangan.") in flashes(response)


@pytest.mark.parametrize("roles", [("officiant",), ("reviewer",), ("admin",)])
def test_couple_pages_are_for_participants_only(app, roles):
    staff = factories.make_user(roles=roles)
    db.session.commit()
    browser = app.test_client()
    factories.log_in(browser, staff)

    assert browser.get("/pasangan/").status_code == 403
    assert browser.post("/pasangan/buat", data=couple_form()).status_code == 403
    assert count(Couple) == 0


def test_couple_pages_need_a_login(client):
    response = client.get("/pasangan/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk?next=")


def test_a_formed_couple_is_led_to_the_first_module(people):
    """Issue 12 point 4: after forming the couple, one primary button to the next step."""
    factories.make_module(code="gizi", position=1)
    factories.make_module(code="imunisasi", position=2)
    db.session.commit()
    maria, _yosef, browsers = people

    created = browsers["maria"].post("/pasangan/buat", data=couple_form(), follow_redirects=True)

    html = created.get_data(as_text=True)
    assert shown_code(created)  # the invite code stays the first thing to pass on
    step = re.search(r'<a class="button next-step" data-next-step="(\w+)" href="([^"]+)">([^<]+)</a>', html)
    assert step and step.group(1, 2) == ("module", "/materi/gizi") and step.group(3).startswith("Mulai belajar: ")
    assert html.count('class="button next-step"') == 1

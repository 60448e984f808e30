"""Administration of users and roles (product §2: admin manages users and roles)."""
import re

import pytest

from course_app.extensions import db
from course_app.models import User
from tests import factories
from tests.web.pages import error_beside, flashes, text


@pytest.fixture
def admin(client, login):
    person = factories.make_user(roles=("admin",), full_name="Admin Kantor", email="admin@contoh.test")
    db.session.commit()
    login(person)
    return person


def listed_user_ids(response):
    return [int(i) for i in re.findall(r'<td><a href="/admin/pengguna/(\d+)">', response.get_data(as_text=True))]


def roles_of(user_id):
    db.session.expire_all()
    return db.session.get(User, user_id).role_codes


def test_the_user_list_searches_names_and_emails_case_insensitively(client, admin):
    maria = factories.make_user(full_name="Mawar Bano", email="mawar@contoh.test")
    yosef = factories.make_user(full_name="Yosef Lado", email="yosef.bano@contoh.test")
    other = factories.make_user(full_name="Orang Lain", email="lain@contoh.test")
    db.session.commit()

    by_name = client.get("/admin/pengguna", query_string={"q": "BANO"})
    by_email = client.get("/admin/pengguna", query_string={"q": "yosef.bano@"})

    assert sorted(listed_user_ids(by_name)) == sorted([maria.id, yosef.id])
    assert "2 pengguna" in text(by_name)
    assert listed_user_ids(by_email) == [yosef.id]
    assert other.id not in listed_user_ids(by_name)


def test_the_user_list_filters_by_role(client, admin):
    reviewer = factories.make_user(roles=("reviewer",))
    both = factories.make_user(roles=("participant", "reviewer"))
    factories.make_user(roles=("participant",))
    db.session.commit()

    response = client.get("/admin/pengguna", query_string={"role": "reviewer"})

    assert sorted(listed_user_ids(response)) == sorted([reviewer.id, both.id])


def test_an_unknown_role_filter_shows_everyone(client, admin):
    factories.make_user()
    db.session.commit()
    assert len(listed_user_ids(client.get("/admin/pengguna?role=boss"))) == 2


def test_the_user_list_pages_by_25(client, admin):
    for _ in range(30):
        factories.make_user()
    db.session.commit()

    first = client.get("/admin/pengguna")
    second = client.get("/admin/pengguna?page=2")
    beyond = client.get("/admin/pengguna?page=9")

    assert "31 pengguna" in text(first)
    assert len(listed_user_ids(first)) == 25 and len(listed_user_ids(second)) == 6
    assert set(listed_user_ids(first)).isdisjoint(listed_user_ids(second))
    assert "Halaman 1 dari 2" in text(first) and "Halaman 2 dari 2" in text(second)
    assert 'href="/admin/pengguna?page=2' in first.get_data(as_text=True)
    assert beyond.status_code == 200 and listed_user_ids(beyond) == []


def test_pagination_keeps_the_search(client, admin):
    for n in range(27):
        factories.make_user(full_name=f"Warga Oebobo {n}")
    factories.make_user(full_name="Orang Lain")
    db.session.commit()

    first = client.get("/admin/pengguna?q=oebobo")

    assert "27 pengguna" in text(first)
    next_link = re.search(r'href="(/admin/pengguna\?[^"]*page=2[^"]*)"', first.get_data(as_text=True)).group(1)
    assert "q=oebobo" in next_link.replace("&amp;", "&")


def test_admin_changes_a_users_roles(client, admin):
    user = factories.make_user()
    db.session.commit()

    response = client.post(f"/admin/pengguna/{user.id}", data={"roles": ["participant", "reviewer"]},
                           follow_redirects=True)

    assert ("success", "Peran disimpan.") in flashes(response)
    assert roles_of(user.id) == {"participant", "reviewer"}


def test_an_unknown_role_is_refused_beside_the_roles(client, admin):
    user = factories.make_user()
    db.session.commit()

    response = client.post(f"/admin/pengguna/{user.id}", data={"roles": ["participant", "superuser"]})

    assert response.status_code == 200
    assert error_beside(response, "roles") == "Peran tidak dikenal."
    assert roles_of(user.id) == {"participant"}


def test_an_admin_cannot_remove_their_own_admin_role(client, admin):
    response = client.post(f"/admin/pengguna/{admin.id}", data={"roles": ["reviewer"]})

    assert response.status_code == 200
    assert error_beside(response, "roles") == "Anda tidak dapat mencabut peran admin dari akun Anda sendiri."
    assert roles_of(admin.id) == {"admin"}


def test_a_deactivated_user_can_no_longer_log_in(app, client, admin):
    user = factories.make_user()
    db.session.commit()

    response = client.post(f"/admin/pengguna/{user.id}/status", data={"active": "0"}, follow_redirects=True)

    assert ("success", "Akun dinonaktifkan.") in flashes(response)
    assert "nonaktif" in text(response)
    browser = app.test_client()
    refused = browser.post("/masuk", data={"email": user.email, "password": factories.PASSWORD})
    assert refused.status_code == 200
    assert error_beside(refused, "password").startswith("Email atau kata sandi salah")


def test_the_session_of_a_deactivated_user_is_dropped(app, client, admin):
    user = factories.make_user()
    db.session.commit()
    browser = app.test_client()
    factories.log_in(browser, user)
    assert browser.get("/beranda").status_code == 200

    client.post(f"/admin/pengguna/{user.id}/status", data={"active": "0"})

    response = browser.get("/beranda")
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")


def test_a_reactivated_user_logs_in_again(app, client, admin):
    user = factories.make_user()
    db.session.commit()
    client.post(f"/admin/pengguna/{user.id}/status", data={"active": "0"})

    response = client.post(f"/admin/pengguna/{user.id}/status", data={"active": "1"}, follow_redirects=True)

    assert ("success", "Akun diaktifkan.") in flashes(response)
    factories.log_in(app.test_client(), user)


def test_an_admin_cannot_deactivate_their_own_account(client, admin):
    response = client.post(f"/admin/pengguna/{admin.id}/status", data={"active": "0"}, follow_redirects=True)

    assert ("error", "Anda tidak dapat menonaktifkan akun Anda sendiri.") in flashes(response)
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_active
    assert client.get("/admin/pengguna").status_code == 200


def test_an_unknown_user_id_answers_404(client, admin):
    assert client.get("/admin/pengguna/999999").status_code == 404
    assert client.post("/admin/pengguna/999999/status", data={"active": "0"}).status_code == 404


@pytest.mark.parametrize("roles", [("participant",), ("officiant",), ("reviewer",), ("caseworker",)])
def test_admin_pages_refuse_other_roles(app, roles):
    person = factories.make_user(roles=roles)
    victim = factories.make_user()
    db.session.commit()
    browser = app.test_client()
    factories.log_in(browser, person)

    assert browser.get("/admin/pengguna").status_code == 403
    assert browser.post(f"/admin/pengguna/{victim.id}", data={"roles": ["admin"]}).status_code == 403
    assert browser.post(f"/admin/pengguna/{victim.id}/status", data={"active": "0"}).status_code == 403
    assert roles_of(victim.id) == {"participant"}
    assert db.session.get(User, victim.id).is_active


def test_admin_pages_need_a_login(client):
    response = client.get("/admin/pengguna")
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk?next=")

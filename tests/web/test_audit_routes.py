"""Audit through the pages (issue 9 point 5): every display of decrypted case data is audited,
forms shown again after an invalid POST or a refused rule included; the admin's changes to
roles and activation are audited and shown on that person's admin page."""
import pytest
from sqlalchemy import select

from course_app.extensions import db
from course_app.models.caselog import AuditEntry

from .. import factories
from .pages import error_beside, text
from .test_caselog_routes import case_form


def entries_since(last_id):
    return [(e.user_id, e.action, e.object_type, e.object_id, e.detail) for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id))]


def last_entry_id():
    return db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0


@pytest.fixture
def worker(client):
    factories.seed_caselog()
    person = factories.make_user(roles=("caseworker",))
    db.session.commit()
    factories.log_in(client, person)
    return person


@pytest.fixture
def admin(client):
    person = factories.make_user(roles=("admin",))
    db.session.commit()
    factories.log_in(client, person)
    return person


def test_an_invalid_service_post_showing_victim_names_is_audited(client, worker):
    case = factories.make_case(victims=[{"name": "Korban Terenkripsi Satu", "sex": "P", "age": 30}])
    db.session.commit()
    before = last_entry_id()

    page = client.post(f"/kasus/{case.id}/layanan", data={
        "victim_id": case.victims[0].id, "service": "konseling_psikologis", "status": "dilayani",
        "service_date": "bukan tanggal"})

    assert page.status_code == 200 and "Korban Terenkripsi Satu" in text(page)
    assert error_beside(page, "service_date")
    assert entries_since(before) == [(worker.id, "case_view", "case", str(case.id), "service_form")]


def test_a_service_refused_by_a_rule_is_audited_when_the_form_is_shown_again(client, worker):
    case = factories.make_case(types=["seksual"])
    db.session.commit()
    before = last_entry_id()

    page = client.post(f"/kasus/{case.id}/layanan", data={
        "victim_id": case.victims[0].id, "service": "mediasi", "status": "dilayani", "service_date": "2026-03-05"})

    assert "Mediasi tidak boleh" in error_beside(page, "service")
    assert case.victims[0].name in text(page)
    assert entries_since(before) == [(worker.id, "case_view", "case", str(case.id), "service_form")]


def test_the_service_form_is_audited_when_first_shown(client, worker):
    case = factories.make_case()
    db.session.commit()
    before = last_entry_id()

    assert client.get(f"/kasus/{case.id}/layanan").status_code == 200

    assert entries_since(before) == [(worker.id, "case_view", "case", str(case.id), "service_form")]


@pytest.mark.parametrize("change", [
    {"report_date": "bukan tanggal"},           # invalid form
    {"report_date": "2026-07-01"},              # a rule refuses it: reported before the incident
    {"add_victim": "1", "save": ""},            # a button that redraws the form
], ids=["invalid", "refused", "redrawn"])
def test_an_edit_form_shown_again_is_audited(client, worker, change):
    case = factories.make_case()
    db.session.commit()
    before = last_entry_id()

    data = case_form(**{"victims-0-id": str(case.victims[0].id), "victims-0-name": case.victims[0].name})
    data.update(change)
    page = client.post(f"/kasus/{case.id}/ubah", data=data)

    assert page.status_code == 200
    assert entries_since(before) == [(worker.id, "case_view", "case", str(case.id), "edit_form")]


def test_role_changes_and_deactivation_on_the_admin_page_are_audited_and_shown(client, admin):
    person = factories.make_user(roles=("participant",))
    db.session.commit()
    before = last_entry_id()

    assert client.post(f"/admin/pengguna/{person.id}", data={"roles": ["participant", "reviewer"]}).status_code == 302
    assert client.post(f"/admin/pengguna/{person.id}", data={"roles": ["reviewer"]}).status_code == 302
    assert client.post(f"/admin/pengguna/{person.id}/status", data={"active": "0"}).status_code == 302
    assert client.post(f"/admin/pengguna/{person.id}/status", data={"active": "1"}).status_code == 302

    whom = str(person.id)
    assert entries_since(before) == [
        (admin.id, "role_grant", "user", whom, "role=reviewer"),
        (admin.id, "role_revoke", "user", whom, "role=participant"),
        (admin.id, "user_deactivate", "user", whom, None),
        (admin.id, "user_activate", "user", whom, None),
    ]
    page = client.get(f"/admin/pengguna/{person.id}")
    history = text(page).split("Riwayat akun", 1)[1]
    assert "Peran diberikan: Peninjau P3A" in history and "Peran dicabut: Calon pengantin" in history
    assert "Akun dinonaktifkan oleh admin" in history and "Akun diaktifkan kembali" in history
    assert history.count(admin.email) == 4


def test_a_refused_role_change_on_the_admin_page_is_not_audited(client, admin):
    before = last_entry_id()

    page = client.post(f"/admin/pengguna/{admin.id}", data={"roles": ["reviewer"]})

    assert page.status_code == 200 and error_beside(page, "roles")
    assert [e for e in entries_since(before) if e[2] == "user"] == []


def test_the_audit_page_lists_account_events_by_object_type(client, admin):
    person = factories.make_user(roles=("participant",))
    db.session.commit()
    client.post(f"/admin/pengguna/{person.id}", data={"roles": ["officiant"]})

    page = client.get("/kasus/audit", query_string={"object_type": "user", "object_id": person.id})

    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'href="/admin/pengguna/{person.id}"' in body
    assert "role_grant" in text(page) and "role=officiant" in text(page)

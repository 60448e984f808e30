"""The audit log (product §7–8, issue 9 point 5): changes to who may do what — staff accounts
made, roles granted and removed, accounts activated and deactivated — are audited (who, whom,
what, when) in the same transaction as the change, with ids and role codes, never names or
emails; and no entry can be changed or deleted through the app, one by one or in bulk."""
import pytest
from sqlalchemy import delete, func, select, update

from course_app.extensions import db
from course_app.models import User
from course_app.models.caselog import AuditEntry
from course_app.services import DomainError, accounts
from course_app.services.caselog import audit

from .. import factories


def user_entries(user):
    return [(e.user_id, e.action, e.object_type, e.object_id, e.detail)
            for e in db.session.scalars(select(AuditEntry).where(
                AuditEntry.object_type == "user", AuditEntry.object_id == str(user.id))
                .order_by(AuditEntry.id))]


def entry_count():
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_role_grants_and_removals_are_audited_with_who_whom_and_role_codes():
    admin = factories.make_user(roles=("admin",))
    person = factories.make_user(roles=("participant", "officiant"))

    accounts.set_roles(person, ["participant", "reviewer", "caseworker"], acting_user=admin)

    assert user_entries(person) == [
        (admin.id, "role_revoke", "user", str(person.id), "role=officiant"),
        (admin.id, "role_grant", "user", str(person.id), "role=caseworker"),
        (admin.id, "role_grant", "user", str(person.id), "role=reviewer"),
    ]
    assert all(e.at is not None for e in audit.account_history(person))


def test_activation_and_deactivation_are_audited():
    admin = factories.make_user(roles=("admin",))
    person = factories.make_user(roles=("reviewer",))

    accounts.set_active(person, False, acting_user=admin)
    accounts.set_active(person, True, acting_user=admin)

    assert [(who, action) for who, action, *_rest in user_entries(person)] == [
        (admin.id, "user_deactivate"), (admin.id, "user_activate")]


def test_a_change_that_changes_nothing_writes_no_account_entry():
    admin = factories.make_user(roles=("admin",))
    person = factories.make_user(roles=("reviewer",))

    accounts.set_roles(person, ["reviewer"], acting_user=admin)
    accounts.set_active(person, True, acting_user=admin)

    assert user_entries(person) == []


def test_a_refused_role_change_writes_no_account_entry():
    admin = factories.make_user(roles=("admin", "reviewer"))
    db.session.commit()

    with pytest.raises(DomainError):
        accounts.set_roles(admin, ["reviewer"], acting_user=admin)  # no self lock-out
    with pytest.raises(DomainError):
        accounts.set_active(admin, False, acting_user=admin)
    db.session.rollback()

    assert user_entries(admin) == []


def test_account_entries_carry_ids_and_role_codes_never_names_or_emails():
    admin = factories.make_user(roles=("admin",), full_name="Admin Sintetis", email="adm@contoh.test")
    person = factories.make_user(roles=("participant",), full_name="Nama Sintetis Unik",
                                 email="unik.sintetis@contoh.test")
    accounts.set_roles(person, ["officiant"], acting_user=admin)
    accounts.set_active(person, False, acting_user=admin)
    staff = accounts.create_staff_user(email="staf.baru@contoh.test", password=factories.PASSWORD,
                                       roles=["reviewer", "admin"], full_name="Staf Sintetis Baru",
                                       acting_user=admin)

    stored = " ".join(" ".join(str(v) for v in row) for p in (person, staff) for row in user_entries(p))
    for personal in ("Sintetis", "contoh.test", "unik", "staf.baru"):
        assert personal not in stored
    assert (admin.id, "user_create", "user", str(staff.id), "roles=admin,reviewer") in user_entries(staff)


def test_staff_created_from_the_command_line_is_audited(runner):
    result = runner.invoke(args=["users", "create", "--email", "staf.cli@contoh.test", "--role", "reviewer",
                                 "--password", factories.PASSWORD])
    assert result.exit_code == 0, result.output

    staff = db.session.scalar(select(User).where(User.email == "staf.cli@contoh.test"))
    assert user_entries(staff) == [(None, "user_create", "user", str(staff.id), "roles=reviewer")]


def test_account_changes_and_their_audit_entries_commit_or_roll_back_together():
    admin = factories.make_user(roles=("admin",))
    person = factories.make_user(roles=("participant",))
    db.session.commit()

    accounts.set_roles(person, ["participant", "reviewer"], acting_user=admin)
    db.session.rollback()

    assert user_entries(person) == [] and db.session.get(User, person.id).role_codes == {"participant"}


def test_an_audit_entry_cannot_be_changed_or_deleted_through_the_session():
    entry = audit.record(None, "role_grant", "user", 1, "role=admin")
    db.session.commit()

    entry.detail = "role=participant"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()

    assert db.session.get(AuditEntry, entry.id).detail == "role=admin"


@pytest.mark.parametrize("statement", [
    lambda: update(AuditEntry).values(detail="changed"),
    lambda: update(AuditEntry).where(AuditEntry.action == "role_grant").values(user_id=None),
    lambda: delete(AuditEntry),
    lambda: delete(AuditEntry).where(AuditEntry.object_type == "user"),
    lambda: update(AuditEntry.__table__).values(detail="changed"),
    lambda: delete(AuditEntry.__table__),
], ids=["update", "update-where", "delete", "delete-where", "core-update", "core-delete"])
def test_an_audit_entry_cannot_be_changed_or_deleted_by_a_bulk_statement(statement):
    audit.record(None, "role_grant", "user", 1, "role=admin")
    db.session.commit()

    with pytest.raises(RuntimeError, match="append-only"):
        db.session.execute(statement())
    db.session.rollback()

    assert entry_count() == 1
    assert db.session.scalar(select(AuditEntry.detail)) == "role=admin"


def test_an_audit_entry_cannot_be_changed_or_deleted_by_a_legacy_query():
    audit.record(None, "role_grant", "user", 1, "role=admin")
    db.session.commit()

    with pytest.raises(RuntimeError, match="append-only"):
        db.session.query(AuditEntry).update({"detail": "changed"})
    db.session.rollback()
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.query(AuditEntry).filter(AuditEntry.id > 0).delete()
    db.session.rollback()

    assert entry_count() == 1

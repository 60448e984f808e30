"""Erasure at the participant's request (UU 27/2022; services/privacy.py), without HTTP."""
import pytest
from sqlalchemy import select

from course_app.extensions import db
from course_app.models.caselog import AuditEntry
from course_app.services import DomainError, accounts, privacy

from .. import factories


def test_a_deleted_account_frees_its_address_and_keeps_its_id_for_the_audit():
    user = factories.make_user(email="rina@contoh.test")
    privacy.delete_account(user, factories.PASSWORD)
    assert privacy.is_deleted(user) and not user.is_active
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account_delete"))
    assert (entry.user_id, entry.object_id, entry.detail) == (user.id, str(user.id), None)
    with pytest.raises(DomainError):
        accounts.authenticate("rina@contoh.test", factories.PASSWORD)
    again = accounts.create_user(email="rina@contoh.test", password=factories.PASSWORD,
                                 roles=("participant",), full_name="Rina Contoh Baru")
    assert again.id != user.id


@pytest.mark.parametrize("roles", [("reviewer",), ("participant", "admin"), ("officiant",)])
def test_staff_accounts_are_deactivated_by_an_admin_not_deleted_by_themselves(roles):
    user = factories.make_user(roles=roles)
    with pytest.raises(DomainError):
        privacy.delete_account(user, factories.PASSWORD)
    assert user.is_active and not privacy.is_deleted(user)


def test_the_export_holds_no_other_participants_data():
    mine, other = factories.make_user(), factories.make_user(email="lain@contoh.test")
    factories.make_letter(other, status="approved")
    data = privacy.export_data(mine)
    assert data["letters"] == [] and data["couples"] == []
    assert "lain@contoh.test" not in str(data)

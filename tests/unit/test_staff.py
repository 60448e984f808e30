"""Staff accounts from the web (issue 12 point 1; services/staff.py): invitations that are
single-use, expiring, stored as a hash and replaced by a resend; reset links sent by an admin;
every action in the account's audit history; the officiant's institution on the marriage."""
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from course_app.extensions import db
from course_app.models.accounts import AccountInvitation
from course_app.models.caselog import AuditEntry
from course_app.services import DomainError, accounts, certificates, clock, staff
from tests import factories
from tests.certificate_builders import keys_fixture, make_certificate  # noqa: F401
from tests.mailbox import Outbox

LINK = re.compile(r"/undangan/([A-Za-z0-9_\-]+)")
#: 10:00 WITA on 6 December 2026; the invitation then runs to the same time on the 13th.
SENT = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


@pytest.fixture
def admin():
    person = factories.make_user(roles=("admin",), full_name="Admin Contoh")
    db.session.commit()
    return person


def invite(admin, email="pendeta.contoh@contoh.test", **extra):
    values = dict(full_name="Pdt. Yosua Contoh", email=email, roles=("officiant",),
                  institution_type="gereja", institution_name="GMIT Jemaat Contoh", acting_user=admin)
    values.update(extra)
    return staff.invite_staff(**values)


def token_in(message):
    return LINK.search(message.get_content()).group(1)


def actions(user):
    return [e.action for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "user", AuditEntry.object_id == str(user.id))
        .order_by(AuditEntry.id))]


def test_an_invited_officiant_gets_an_account_with_institution_and_an_invitation_email(admin):
    person = invite(admin)
    db.session.commit()

    [mail] = Outbox()
    assert mail["To"] == "pendeta.contoh@contoh.test"
    assert "/undangan/" in mail.get_content()
    assert person.role_codes == {"officiant"}
    assert (person.institution_type, person.institution_name) == ("gereja", "GMIT Jemaat Contoh")
    assert person.is_active and not accounts.has_usable_password(person)
    assert actions(person) == ["user_create", "invitation_send"]


def test_the_token_itself_is_never_stored_only_its_hash(admin):
    invite(admin)
    db.session.commit()
    token = token_in(Outbox()[0])

    [invitation] = db.session.scalars(select(AccountInvitation)).all()
    assert invitation.token_hash == staff.token_hash(token) != token
    assert token not in invitation.token_hash


def test_an_invited_account_cannot_log_in_before_setting_a_password(admin):
    person = invite(admin)
    db.session.commit()

    for guess in ("", "!", person.password_hash, person.password_hash[1:]):
        with pytest.raises(DomainError) as error:
            accounts.authenticate(person.email, guess)
        assert str(error.value) == str(accounts.LOGIN_FAILED)


def test_an_officiant_needs_an_institution(admin):
    with pytest.raises(DomainError) as error:
        invite(admin, institution_type="")
    assert error.value.field == "institution_type"
    with pytest.raises(DomainError) as error:
        invite(admin, institution_name=" ")
    assert error.value.field == "institution_name"
    reviewer = invite(admin, email="peninjau@contoh.test", roles=("reviewer",))
    assert reviewer.institution_type is None  # other staff belong to P3A


def test_only_staff_roles_can_be_given_from_the_web(admin):
    with pytest.raises(DomainError) as error:
        invite(admin, roles=("participant",))
    assert error.value.field == "roles"


def test_an_existing_email_is_refused_and_nothing_is_created(admin):
    factories.make_user(email="sudah.ada@contoh.test")
    db.session.commit()
    with pytest.raises(DomainError) as error:
        invite(admin, email="Sudah.Ada@contoh.test ")
    assert error.value.field == "email"
    assert len(Outbox()) == 0
    assert db.session.scalars(select(AccountInvitation)).all() == []


def test_the_invitation_sets_the_password_once(admin):
    person = invite(admin)
    db.session.commit()
    token = token_in(Outbox()[0])

    staff.accept_invitation(token, "kopi pagi di oesapa")
    db.session.commit()

    assert accounts.authenticate(person.email, "kopi pagi di oesapa") == person
    with pytest.raises(DomainError) as error:
        staff.accept_invitation(token, "kata sandi kedua kali")
    assert str(error.value) == str(staff.INVITATION_INVALID)
    assert "invitation_accept" in actions(person)


def test_the_invitation_follows_the_registration_password_rules(admin):
    invite(admin)
    db.session.commit()
    token = token_in(Outbox()[0])
    with pytest.raises(DomainError) as error:
        staff.accept_invitation(token, "pendek")
    assert error.value.field == "password"
    staff.invitation_for_token(token)  # still open: a refused password uses nothing up


def test_the_invitation_expires_after_invitation_days(app, admin, monkeypatch):
    monkeypatch.setitem(app.config, "INVITATION_DAYS", 7)
    with time_machine.travel(SENT, tick=False):
        invite(admin)
        db.session.commit()
    token = token_in(Outbox()[0])

    with time_machine.travel(SENT + timedelta(days=7) - timedelta(minutes=1), tick=False):
        assert staff.invitation_for_token(token).expires_at == SENT + timedelta(days=7)
    with time_machine.travel(SENT + timedelta(days=7), tick=False):
        with pytest.raises(DomainError) as error:
            staff.accept_invitation(token, "kopi pagi di oesapa")
    assert str(error.value) == str(staff.INVITATION_EXPIRED)
    assert "admin" in str(error.value)


def test_a_resend_invalidates_the_previous_link(admin):
    person = invite(admin)
    db.session.commit()
    old = token_in(Outbox()[0])

    staff.resend_invitation(person, acting_user=admin)
    db.session.commit()
    new = token_in(Outbox()[1])

    assert new != old
    with pytest.raises(DomainError):
        staff.invitation_for_token(old)
    assert staff.accept_invitation(new, "kopi pagi di oesapa") == person
    assert actions(person) == ["user_create", "invitation_send", "invitation_resend", "invitation_accept"]


def test_no_resend_once_the_password_is_set(admin):
    person = invite(admin)
    db.session.commit()
    staff.accept_invitation(token_in(Outbox()[0]), "kopi pagi di oesapa")
    with pytest.raises(DomainError):
        staff.resend_invitation(person, acting_user=admin)


def test_a_reset_link_also_closes_an_open_invitation(admin):
    person = invite(admin)
    db.session.commit()
    token = token_in(Outbox()[0])

    accounts.reset_password(accounts.make_reset_token(person), "kopi pagi di oesapa")

    with pytest.raises(DomainError):
        staff.invitation_for_token(token)


def test_a_deactivated_account_cannot_use_its_invitation(admin):
    person = invite(admin)
    db.session.commit()
    accounts.set_active(person, False, acting_user=admin)
    with pytest.raises(DomainError):
        staff.invitation_for_token(token_in(Outbox()[0]))


def test_an_admin_sends_a_reset_link_that_is_audited(admin):
    person = factories.make_user(roles=("reviewer",))
    db.session.commit()

    staff.send_reset_link(person, acting_user=admin)
    db.session.commit()

    [mail] = Outbox()
    link = re.search(r"/atur-ulang-kata-sandi/(\S+)", mail.get_content()).group(1)
    assert accounts.user_for_reset_token(link) == person
    assert actions(person) == ["reset_link_send"]


def test_no_reset_link_for_an_account_still_waiting_for_its_invitation(admin):
    person = invite(admin)
    with pytest.raises(DomainError):
        staff.send_reset_link(person, acting_user=admin)


def test_the_invitation_state_says_open_expired_or_accepted(app, admin):
    with time_machine.travel(SENT, tick=False):
        person = invite(admin)
        db.session.commit()
        assert staff.invitation_state(person)[0] == "open"
    later = SENT + timedelta(days=app.config["INVITATION_DAYS"], minutes=1)
    assert staff.invitation_state(person, now=later)[0] == "expired"
    staff.accept_invitation(token_in(Outbox()[0]), "kopi pagi di oesapa")
    assert staff.invitation_state(person)[0] == "accepted"


# --- the officiant's institution is recorded with the marriage -----------------------------------

def test_a_recorded_marriage_stores_the_officiants_institution(keys, admin):
    certificate, *_ = make_certificate()
    officiant = invite(admin, institution_type="masjid_kua", institution_name="KUA Kecamatan Contoh")

    certificates.record_marriage(certificate, officiant, marriage_date=clock.today(),
                                 institution_type="masjid_kua", institution_name="Masjid Raya Contoh")
    db.session.commit()

    assert (certificate.used_by_institution_type, certificate.used_by_institution_name) == (
        "masjid_kua", "KUA Kecamatan Contoh")
    assert certificate.marriage_institution_name == "Masjid Raya Contoh"  # the place, from the form

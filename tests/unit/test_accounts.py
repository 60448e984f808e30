"""Accounts (product §2, §8): registration rules, login lockout, password change and reset, roles."""
import time
from datetime import date, timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from config import Config, DevelopmentConfig, ProductionConfig
from course_app.extensions import db
from course_app.models import User
from course_app.services import DomainError, accounts, clock
from course_app.services.clock import utcnow
from course_app.services.passwords import hash_password, verify_password
from tests import factories
from tests.mailbox import Outbox

STRONG = "Tiga-Kata-Acak-Sasando"
NEW_PASSWORD = "Laut-Biru-Pantai-Lasiana"


def register(**overrides):
    fields = dict(full_name="Mawar Contoh", email="mawar.contoh@contoh.test", password=STRONG,
                  birth_date=date(1998, 5, 17), sex="P")
    fields.update(overrides)
    return accounts.register_participant(**fields)


def user_count():
    return db.session.scalar(select(func.count()).select_from(User))


# --- registration ----------------------------------------------------------------------------

def test_registration_creates_a_participant_with_a_normalised_email_and_hashed_password():
    user = register(email="  Mawar.Contoh@Contoh.TEST ", full_name="  Mawar   Contoh ")

    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.email == "mawar.contoh@contoh.test"
    assert stored.full_name == "Mawar Contoh"
    assert stored.role_codes == {"participant"}
    assert STRONG not in stored.password_hash
    assert verify_password(stored.password_hash, STRONG)


def test_an_email_can_register_only_once_whatever_its_case_and_its_owner_is_told_by_email():
    first = register(email="mawar.contoh@contoh.test")

    again = register(email=" MAWAR.Contoh@CONTOH.test", full_name="Mawar Lain")

    assert again is None  # no error: the page must not tell that the address is taken
    assert user_count() == 1 and db.session.get(User, first.id).full_name == "Mawar Contoh"
    assert [(m["To"], m["Subject"]) for m in Outbox()] == [
        ("mawar.contoh@contoh.test", "Akun Pranikah Kupang Anda sudah dibuat"),
        ("mawar.contoh@contoh.test", "Pendaftaran dengan email Anda di Pranikah Kupang")]


@pytest.mark.parametrize("password, message", [
    ("Pendek-12", "minimal 10 karakter"),
    ("password123", "terlalu mudah ditebak"),
    ("SayangKamu", "terlalu mudah ditebak"),
    ("aaaabbbbaaaabbbb", "terlalu mudah ditebak"),
    ("Mawar Contoh 1998!", "tidak boleh memuat nama atau email"),
    ("mawarcontoh-kupang", "tidak boleh memuat nama atau email"),
    ("x-mawar.contoh@contoh-x", "tidak boleh memuat nama atau email"),
    ("p" * 60 + "-Panjang-Sekali-" + "q" * 60, "maksimal 128 karakter"),
], ids=["too-short", "common", "common-any-case", "too-few-characters", "contains-name",
        "contains-name-without-spaces", "contains-email", "too-long"])
def test_password_policy_refuses_weak_passwords_and_stores_nothing(password, message):
    with pytest.raises(DomainError, match=message) as refused:
        register(password=password)
    assert refused.value.field == "password"
    assert user_count() == 0


@pytest.mark.parametrize("birth_date", [
    clock.today() + timedelta(days=1),
    clock.today() - timedelta(days=365 * 10),
    date(1900, 1, 1),
], ids=["in-the-future", "a-child", "over-a-hundred-years-ago"])
def test_impossible_birth_dates_are_refused(birth_date):
    with pytest.raises(DomainError, match="Tanggal lahir tidak sesuai") as refused:
        register(birth_date=birth_date)
    assert refused.value.field == "birth_date"
    assert user_count() == 0


# --- login and lockout -----------------------------------------------------------------------

def test_login_succeeds_with_the_right_password_in_any_email_case():
    user = factories.make_user(email="yosef.lado@contoh.test")

    assert accounts.authenticate(" Yosef.Lado@CONTOH.test ", factories.PASSWORD) is user


def test_every_failed_login_gets_the_same_generic_message():
    user = factories.make_user()
    messages = []
    for email, password in [(user.email, "bukan-kata-sandinya"), ("tidak.ada@contoh.test", "apa-saja-123")]:
        with pytest.raises(DomainError) as failed:
            accounts.authenticate(email, password)
        messages.append(str(failed.value))
    assert messages == [str(accounts.LOGIN_FAILED)] * 2


def test_login_is_locked_after_max_failures_and_unlocks_after_the_lockout_time(app):
    user = factories.make_user()
    started = utcnow()
    for attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        with pytest.raises(DomainError):
            accounts.authenticate(user.email, "bukan-kata-sandinya",
                                  now=started + timedelta(seconds=attempt))
    assert user.locked_until is not None

    # Even the right password is refused while locked, with the same generic message.
    with pytest.raises(DomainError) as locked:
        accounts.authenticate(user.email, factories.PASSWORD, now=started + timedelta(minutes=1))
    assert str(locked.value) == str(accounts.LOGIN_FAILED)

    later = started + timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"], seconds=30)
    assert accounts.authenticate(user.email, factories.PASSWORD, now=later) is user
    db.session.expire_all()
    assert user.locked_until is None and user.failed_logins == 0


def test_failures_below_the_maximum_do_not_lock_and_a_success_resets_the_count(app):
    user = factories.make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        with pytest.raises(DomainError):
            accounts.authenticate(user.email, "bukan-kata-sandinya")

    assert accounts.authenticate(user.email, factories.PASSWORD) is user
    assert user.failed_logins == 0 and user.locked_until is None


def test_a_deactivated_account_cannot_log_in_even_with_the_right_password():
    admin = factories.make_user(roles=("admin",))
    user = factories.make_user()
    accounts.set_active(user, False, acting_user=admin)

    with pytest.raises(DomainError) as refused:
        accounts.authenticate(user.email, factories.PASSWORD)
    assert str(refused.value) == str(accounts.LOGIN_FAILED)


# --- password change -------------------------------------------------------------------------

def test_password_change_needs_the_current_password():
    user = factories.make_user()
    before = user.password_hash

    with pytest.raises(DomainError, match="Kata sandi saat ini salah") as refused:
        accounts.change_password(user, "tebakan-yang-salah", NEW_PASSWORD)
    assert refused.value.field == "current_password"
    assert user.password_hash == before


def test_password_change_replaces_the_password():
    user = factories.make_user()

    accounts.change_password(user, factories.PASSWORD, NEW_PASSWORD)

    assert accounts.authenticate(user.email, NEW_PASSWORD) is user
    with pytest.raises(DomainError):
        accounts.authenticate(user.email, factories.PASSWORD)


def test_a_new_password_must_follow_the_policy_too():
    user = factories.make_user()
    with pytest.raises(DomainError, match="minimal 10 karakter"):
        accounts.change_password(user, factories.PASSWORD, "pendek")
    assert verify_password(user.password_hash, factories.PASSWORD)


# --- password reset --------------------------------------------------------------------------

def test_reset_token_works_once():
    user = factories.make_user()
    token = accounts.make_reset_token(user)

    assert accounts.reset_password(token, NEW_PASSWORD) is user
    assert verify_password(user.password_hash, NEW_PASSWORD)

    with pytest.raises(DomainError, match="sudah dipakai"):
        accounts.reset_password(token, "Sandi-Lain-Lagi-Lagi")
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_reset_token_stops_working_after_the_password_changed_another_way():
    user = factories.make_user()
    token = accounts.make_reset_token(user)
    accounts.change_password(user, factories.PASSWORD, NEW_PASSWORD)

    with pytest.raises(DomainError, match="sudah dipakai"):
        accounts.user_for_reset_token(token)


def test_reset_token_expires_after_password_reset_max_age(app, monkeypatch):
    user = factories.make_user()
    issued_at = int(time.time()) - app.config["PASSWORD_RESET_MAX_AGE"] - 60
    with monkeypatch.context() as patched:
        patched.setattr(TimestampSigner, "get_timestamp", lambda self: issued_at)
        token = accounts.make_reset_token(user)

    with pytest.raises(DomainError, match="kedaluwarsa"):
        accounts.reset_password(token, NEW_PASSWORD)
    assert verify_password(user.password_hash, factories.PASSWORD)


def test_reset_token_is_accepted_within_max_age(app, monkeypatch):
    user = factories.make_user()
    issued_at = int(time.time()) - app.config["PASSWORD_RESET_MAX_AGE"] + 60
    with monkeypatch.context() as patched:
        patched.setattr(TimestampSigner, "get_timestamp", lambda self: issued_at)
        token = accounts.make_reset_token(user)

    assert accounts.user_for_reset_token(token) is user


def test_tampered_reset_tokens_are_refused(app):
    victim = factories.make_user()
    attacker = factories.make_user()
    genuine = accounts.make_reset_token(attacker)
    payload, timestamp, signature = genuine.split(".")
    other_payload = accounts.make_reset_token(victim).split(".")[0]
    flipped = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    forged = URLSafeTimedSerializer("a-guessed-secret-key", salt="password-reset").dumps(
        {"u": victim.id, "f": victim.password_hash[-16:]})

    for token in (f"{other_payload}.{timestamp}.{signature}", f"{payload}.{timestamp}.{flipped}",
                  forged, "bukan-token", ""):
        with pytest.raises(DomainError, match="tidak sah"):
            accounts.reset_password(token, NEW_PASSWORD)
    assert verify_password(victim.password_hash, factories.PASSWORD)


def test_a_deactivated_account_cannot_reset_its_password():
    admin = factories.make_user(roles=("admin",))
    user = factories.make_user()
    token = accounts.make_reset_token(user)
    accounts.set_active(user, False, acting_user=admin)

    with pytest.raises(DomainError, match="tidak sah"):
        accounts.reset_password(token, NEW_PASSWORD)


# --- roles and account status ----------------------------------------------------------------

def test_admin_sets_another_users_roles():
    admin = factories.make_user(roles=("admin",))
    user = factories.make_user()

    accounts.set_roles(user, ["participant", "reviewer"], acting_user=admin)

    db.session.expire_all()
    assert db.session.get(User, user.id).role_codes == {"participant", "reviewer"}


def test_an_admin_cannot_remove_their_own_admin_role():
    admin = factories.make_user(roles=("admin", "reviewer"))

    with pytest.raises(DomainError, match="peran admin dari akun Anda sendiri") as refused:
        accounts.set_roles(admin, ["reviewer"], acting_user=admin)
    assert refused.value.field == "roles"
    db.session.expire_all()
    assert db.session.get(User, admin.id).role_codes == {"admin", "reviewer"}


@pytest.mark.parametrize("roles, message", [
    (["participant", "superuser"], "Peran tidak dikenal"),
    ([], "setidaknya satu peran"),
])
def test_unknown_or_no_roles_are_refused(roles, message):
    admin = factories.make_user(roles=("admin",))
    user = factories.make_user()

    with pytest.raises(DomainError, match=message):
        accounts.set_roles(user, roles, acting_user=admin)
    db.session.expire_all()
    assert db.session.get(User, user.id).role_codes == {"participant"}


def test_creating_a_user_with_an_unknown_role_is_refused():
    with pytest.raises(DomainError, match="Peran tidak dikenal"):
        accounts.create_user(email="petugas@contoh.test", password=STRONG, roles=("boss",),
                             full_name="Petugas Contoh")
    assert user_count() == 0


def test_an_admin_cannot_deactivate_their_own_account():
    admin = factories.make_user(roles=("admin",))

    with pytest.raises(DomainError, match="menonaktifkan akun Anda sendiri"):
        accounts.set_active(admin, False, acting_user=admin)
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_active


def test_admin_deactivates_and_reactivates_another_account():
    admin = factories.make_user(roles=("admin",))
    user = factories.make_user()

    accounts.set_active(user, False, acting_user=admin)
    db.session.expire_all()
    assert not db.session.get(User, user.id).is_active

    accounts.set_active(user, True, acting_user=admin)
    assert accounts.authenticate(user.email, factories.PASSWORD) is user


# --- hashing ---------------------------------------------------------------------------------

def test_passwords_are_hashed_with_scrypt_outside_tests(app, monkeypatch):
    assert Config.PASSWORD_HASH_METHOD == "scrypt"
    assert DevelopmentConfig.PASSWORD_HASH_METHOD == "scrypt"
    assert ProductionConfig.PASSWORD_HASH_METHOD == "scrypt"

    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", DevelopmentConfig.PASSWORD_HASH_METHOD)
    hashed = hash_password(STRONG)

    assert hashed.startswith("scrypt:")
    assert verify_password(hashed, STRONG)
    assert not verify_password(hashed, STRONG + "x")


def test_a_user_search_takes_percent_and_underscore_as_characters(app):
    from course_app.extensions import db as database
    from course_app.services.accounts import search_users

    plain = factories.make_user(full_name="Mawar Contoh", email="mawar@example.com")
    odd = factories.make_user(full_name="Nama_Dengan%Tanda", email="tanda@example.com")
    database.session.flush()
    assert database.session.scalars(search_users("%")).all() == [odd]
    assert database.session.scalars(search_users("_")).all() == [odd]
    assert database.session.scalars(search_users("MAWAR")).all() == [plain]

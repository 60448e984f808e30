"""Accounts: registration, login with lockout, password change and reset, roles."""
import secrets
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import ROLES, User, UserRole
from ..models.accounts import AccountInvitation
from . import DomainError, NotFound, clock
from .caselog import audit
from .clock import utcnow
from .passwords import check_password_policy, hash_password, verify_password

#: One generic answer for every failed login, so the form never tells which emails exist.
LOGIN_FAILED = _l("Email atau kata sandi salah, atau akun sedang dikunci sementara.")
#: Registrants must be adults in the eyes of the product: the marriage-age rule is checked later
#: per couple (UU 16/2019); here we only refuse impossible birth dates.
MIN_REGISTRATION_AGE = 15
#: A password hash that no password matches: staff invited from the web have one until they
#: set their own through the invitation link (services/staff.py). Random, so a reset token's
#: fingerprint of it is never shared between accounts.
UNUSABLE_PASSWORD_PREFIX = "!"


def unusable_password_hash():
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(24)


def has_usable_password(user):
    return not (user.password_hash or UNUSABLE_PASSWORD_PREFIX).startswith(UNUSABLE_PASSWORD_PREFIX)


def normalise_email(email):
    return (email or "").strip().lower()


def find_user_by_email(email):
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def register_participant(*, full_name, email, password, birth_date, sex, phone=None, today=None):
    """Create a participant account and queue its welcome email; or, when the address already
    has an account, create nothing and email its owner instead. Emails are unique,
    case-insensitively.

    product §8, no account enumeration: every rule is checked before the address is looked up,
    and both paths hash the password once and queue one email, so the page (which the caller
    makes the same for both) and its timing do not tell whether the address is registered.
    Returns the new user, or None when the address was taken.
    """
    from . import account_mail  # it uses this module

    today = today or clock.today()
    if birth_date > today - timedelta(days=365 * MIN_REGISTRATION_AGE):
        raise DomainError(_l("Tanggal lahir tidak sesuai. Periksa kembali tanggal lahir Anda."),
                          field="birth_date")
    if birth_date < date(today.year - 100, 1, 1):
        raise DomainError(_l("Tanggal lahir tidak sesuai. Periksa kembali tanggal lahir Anda."),
                          field="birth_date")
    check_password_policy(password, email=normalise_email(email), full_name=full_name)
    owner = find_user_by_email(email)
    if owner is not None:
        hash_password(password)  # the work creating the account would have done
        account_mail.tell_owner_of_registration_attempt(owner)
        return None
    user = create_user(email=email, password=password, roles=("participant",),
                       full_name=full_name, birth_date=birth_date, sex=sex, phone=phone)
    account_mail.welcome_new_participant(user)
    return user


def create_user(*, email, password, roles, full_name, birth_date=None, sex=None, phone=None,
                institution_type=None, institution_name=None):
    """`password=None`: the account gets no usable password (an invited staff member sets one
    through the invitation link; until then no login succeeds)."""
    email = normalise_email(email)
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise DomainError(_l("Peran tidak dikenal."), field="roles")
    if password is not None:
        check_password_policy(password, email=email, full_name=full_name)
    if find_user_by_email(email) is not None:
        raise DomainError(_l("Email ini sudah terdaftar. Silakan masuk, atau gunakan 'Lupa kata sandi'."),
                          field="email")
    user = User(email=email, full_name=" ".join(full_name.split()), birth_date=birth_date, sex=sex,
                phone=phone or None, institution_type=institution_type or None,
                institution_name=institution_name or None,
                password_hash=hash_password(password) if password is not None else unusable_password_hash())
    user.roles = [UserRole(role=r) for r in sorted(set(roles))]
    try:
        with db.session.begin_nested():  # only this insert is undone, never the caller's work
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        # Two registrations with the same email raced past the check above.
        raise DomainError(_l("Email ini sudah terdaftar. Silakan masuk, atau gunakan 'Lupa kata sandi'."),
                          field="email") from None
    return user


def authenticate(email, password, now=None):
    """Return the user for a correct email and password, or raise the generic LOGIN_FAILED.

    After LOGIN_MAX_FAILURES wrong passwords in a row the account is locked for
    LOGIN_LOCKOUT_MINUTES (product §8: throttling and lockout, generic errors).
    """
    now = now or utcnow()
    config = current_app.config
    user = find_user_by_email(email)
    if user is None:
        verify_password(_DUMMY_HASH(), password)  # same work either way: no timing oracle
        raise DomainError(LOGIN_FAILED)
    if has_usable_password(user):
        right = verify_password(user.password_hash, password)  # the same work for a locked account
    else:  # invited, no password set yet: refused like a wrong password, after the same work
        verify_password(_DUMMY_HASH(), password)
        right = False
    if user.locked_until and user.locked_until > now:
        raise DomainError(LOGIN_FAILED)
    if not right or not user.is_active:
        user.failed_logins += 1
        if user.failed_logins >= config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
            user.failed_logins = 0
        db.session.flush()
        raise DomainError(LOGIN_FAILED)
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()
    return user


_dummy = {}


def _DUMMY_HASH():  # noqa: N802 - constant-like, computed once per hash method
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _dummy:
        _dummy[method] = hash_password("not-a-real-password-at-all")
    return _dummy[method]


def change_password(user, current_password, new_password):
    if not verify_password(user.password_hash, current_password):
        raise DomainError(_l("Kata sandi saat ini salah."), field="current_password")
    set_password(user, new_password)


def set_password(user, new_password):
    """A new password ends every session and remember cookie made with the old one."""
    check_password_policy(new_password, email=user.email, full_name=user.full_name)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    close_open_invitations(user)
    end_sessions(user)


def close_open_invitations(user, now=None):
    """A password was set (or a newer invitation sent): no earlier invitation link works."""
    db.session.execute(
        update(AccountInvitation)
        .where(AccountInvitation.user_id == user.id, AccountInvitation.accepted_at.is_(None),
               AccountInvitation.closed_at.is_(None))
        .values(closed_at=now or utcnow()))


def end_sessions(user):
    """End every session and remember cookie of `user`, on every device, at once (product §8:
    logout, password change, deactivation and role change). Both carry the generation they were
    made in (`User.session_id`); the user loader refuses any other."""
    user.session_generation = (user.session_generation or 0) + 1
    db.session.flush()


def user_for_session(session_id, now=None):
    """The active user a session or remember cookie belongs to, or None: the generation must be
    the current one and the login no older than REMEMBER_COOKIE_DURATION."""
    try:
        user_id, generation, logged_in_at = (int(part) for part in str(session_id).split("."))
    except ValueError:
        return None
    age = (now or utcnow()).timestamp() - logged_in_at
    if not 0 <= age <= current_app.config["REMEMBER_COOKIE_DURATION"].total_seconds() + 60:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or user.session_generation != generation:
        return None
    return user


# --- password reset --------------------------------------------------------------------------
# The token is signed with SECRET_KEY and carries a fingerprint of the current password hash,
# so it stops working as soon as it has been used (or the password changed another way).

def _reset_serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _fingerprint(user):
    return user.password_hash[-16:]


def make_reset_token(user):
    return _reset_serializer().dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_reset_token(token):
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise DomainError(_l("Tautan ini sudah kedaluwarsa. Minta tautan baru.")) from None
    except BadSignature:
        raise DomainError(_l("Tautan ini tidak sah atau sudah dipakai. Minta tautan baru.")) from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.is_active or data.get("f") != _fingerprint(user):
        raise DomainError(_l("Tautan ini tidak sah atau sudah dipakai. Minta tautan baru."))
    return user


def reset_password(token, new_password):
    user = user_for_reset_token(token)
    set_password(user, new_password)
    return user


# --- administration --------------------------------------------------------------------------

def search_users(query=None, role=None):
    """A select of users, newest first, optionally filtered by name/email and role."""
    statement = select(User).order_by(User.created_at.desc(), User.id.desc())
    if query and query.strip():
        # autoescape: a "%" or "_" typed in the search box is a character, not a wildcard.
        statement = statement.where(or_(User.email.icontains(query.strip(), autoescape=True),
                                        User.full_name.icontains(query.strip(), autoescape=True)))
    if role in ROLES:
        statement = statement.where(User.roles.any(UserRole.role == role))
    return statement


def find_user(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def set_roles(user, roles, acting_user):
    """Replace a user's roles. An admin can't remove their own admin role (no lock-out).
    Each grant and removal is written to the audit log, in the same transaction."""
    roles = set(roles)
    if roles - set(ROLES):
        raise DomainError(_l("Peran tidak dikenal."), field="roles")
    if not roles:
        raise DomainError(_l("Pilih setidaknya satu peran."), field="roles")
    if user.id == acting_user.id and "admin" not in roles:
        raise DomainError(_l("Anda tidak dapat mencabut peran admin dari akun Anda sendiri."),
                          field="roles")
    current = {r.role: r for r in user.roles}
    for code in sorted(set(current) - roles):
        user.roles.remove(current[code])
        audit.record(acting_user, "role_revoke", "user", user.id, f"role={code}")
    for code in sorted(roles - set(current)):
        user.roles.append(UserRole(role=code))
        audit.record(acting_user, "role_grant", "user", user.id, f"role={code}")
    if roles != set(current):
        end_sessions(user)  # what the person may see changed: they log in again
    db.session.flush()


def set_active(user, active, acting_user):
    """Activate or deactivate an account; a change is written to the audit log."""
    if user.id == acting_user.id and not active:
        raise DomainError(_l("Anda tidak dapat menonaktifkan akun Anda sendiri."))
    if user.is_active_account and not active:
        end_sessions(user)
    if bool(user.is_active_account) != bool(active):
        audit.record(acting_user, "user_activate" if active else "user_deactivate", "user", user.id)
    user.is_active_account = active
    db.session.flush()


def create_staff_user(*, email, password, roles, full_name, acting_user=None):
    """An account made by an administrator (`flask users create`), written to the audit log
    with its role codes: who (None from the command line), whom, what, when."""
    user = create_user(email=email, password=password, roles=roles, full_name=full_name)
    audit.record(acting_user, "user_create", "user", user.id,
                 "roles=" + ",".join(sorted(user.role_codes)))
    return user

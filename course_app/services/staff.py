"""Staff accounts from the web (product §2, issue 12 point 1): an admin creates an account for an
officiant, reviewer, caseworker or admin; the person sets their own password through a
single-use, expiring invitation link. Admins resend invitations and send reset links.

Invitation links carry 256 random bits; only their SHA-256 is stored (`AccountInvitation`), so
the database never holds a usable link. A new invitation closes every earlier one, and setting
a password in any way (the invitation, a reset link) closes them all. Until then the account
has no usable password (`accounts.unusable_password_hash`): no login can succeed.

Every action is written to the account's audit history (object_type "user") in the same
transaction, and every email goes through the outbox in that transaction too.
"""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import INSTITUTION_TYPES
from ..models.accounts import AccountInvitation
from . import DomainError, account_mail, accounts
from .caselog import audit
from .clock import utcnow
from .passwords import check_password_policy

#: Roles an admin may give from the web; participants register themselves.
STAFF_ROLES = ("officiant", "reviewer", "caseworker", "police", "admin")

EMAIL_TAKEN = _l("Sudah ada akun dengan email ini. Buka akun itu dari daftar pengguna.")
INVITATION_INVALID = _l("Tautan undangan ini tidak sah atau sudah tidak berlaku (sudah dipakai, "
                        "atau admin mengirim undangan yang lebih baru). Jika Anda sudah membuat "
                        "kata sandi, silakan masuk; jika belum, minta admin P3A mengirim undangan baru.")
INVITATION_EXPIRED = _l("Tautan undangan ini sudah kedaluwarsa. Minta admin Dinas P3A Kota Kupang "
                        "mengirim undangan baru ke email Anda.")


def token_hash(token):
    return hashlib.sha256(str(token).encode("utf-8")).hexdigest()


def check_institution(roles, institution_type, institution_name):
    """An officiant belongs to an institution (product §2): its type, from the list couples choose
    from, and its name. Returns the cleaned (type, name), or (None, None) for other staff."""
    if "officiant" not in set(roles):
        return None, None
    if institution_type not in INSTITUTION_TYPES:
        raise DomainError(_l("Pilih jenis lembaga petugas pemberkatan/nikah."), field="institution_type")
    name = " ".join((institution_name or "").split())
    if len(name) < 3:
        raise DomainError(_l("Tulis nama lembaga, misalnya nama gereja atau KUA."), field="institution_name")
    if len(name) > 160:
        raise DomainError(_l("Nama lembaga paling panjang 160 karakter."), field="institution_name")
    return institution_type, name


def invite_staff(*, full_name, email, roles, institution_type=None, institution_name=None,
                 acting_user, now=None, source="web"):
    """Create a staff account with no usable password and queue its invitation email.

    Refused, with nothing created, for an address that already has an account, a role that is
    not a staff role, and an officiant without an institution. `source="import"` marks an
    account made by a confirmed CSV import (its audit entry names the import instead).
    """
    roles = sorted(set(roles or ()))
    if not roles:
        raise DomainError(_l("Pilih setidaknya satu peran."), field="roles")
    if set(roles) - set(STAFF_ROLES):
        raise DomainError(_l("Peran tidak dikenal."), field="roles")
    full_name = " ".join((full_name or "").split())
    if len(full_name) < 3:
        raise DomainError(_l("Isi nama lengkap."), field="full_name")
    institution_type, institution_name = check_institution(roles, institution_type, institution_name)
    if accounts.find_user_by_email(email) is not None:
        raise DomainError(EMAIL_TAKEN, field="email")
    try:
        user = accounts.create_user(email=email, password=None, roles=roles, full_name=full_name,
                                    institution_type=institution_type,
                                    institution_name=institution_name)
    except DomainError as error:
        if error.field == "email":  # two admins raced on the same address
            raise DomainError(EMAIL_TAKEN, field="email") from None
        raise
    if source == "web":
        audit.record(acting_user, "user_create", "user", user.id, "roles=" + ",".join(roles))
    else:
        audit.record(acting_user, "user_import", "user", user.id, source)
    _send_invitation(user, acting_user, now=now, action="invitation_send")
    return user


def resend_invitation(user, acting_user, now=None):
    """A new invitation link for an account that has not set its password yet; the previous
    link stops working at once."""
    if accounts.has_usable_password(user):
        raise DomainError(_l("Orang ini sudah membuat kata sandi. Kirim tautan atur ulang kata "
                             "sandi bila perlu."))
    if not user.is_active:
        raise DomainError(_l("Akun ini nonaktif. Aktifkan dulu, lalu kirim undangan lagi."))
    return _send_invitation(user, acting_user, now=now, action="invitation_resend")


def _send_invitation(user, acting_user, *, now, action):
    now = now or utcnow()
    accounts.close_open_invitations(user, now=now)
    token = secrets.token_urlsafe(32)
    invitation = AccountInvitation(
        user_id=user.id, token_hash=token_hash(token), invited_by_id=getattr(acting_user, "id", None),
        created_at=now, expires_at=now + timedelta(days=current_app.config["INVITATION_DAYS"]))
    db.session.add(invitation)
    db.session.flush()
    account_mail.invite_staff_member(user, token, invitation.expires_at)
    audit.record(acting_user, action, "user", user.id, f"expires={invitation.expires_at:%Y-%m-%d}")
    return invitation


def invitation_for_token(token, now=None):
    """The open invitation a link carries, or DomainError saying what to do: an expired link
    (ask the admin to resend), or one that was used or replaced."""
    now = now or utcnow()
    invitation = db.session.scalar(
        select(AccountInvitation).where(AccountInvitation.token_hash == token_hash(token)))
    if invitation is None or invitation.accepted_at or invitation.closed_at \
            or not invitation.user.is_active or accounts.has_usable_password(invitation.user):
        raise DomainError(INVITATION_INVALID)
    if invitation.expires_at <= now:
        raise DomainError(INVITATION_EXPIRED)
    return invitation


def accept_invitation(token, password, now=None):
    """Set the first password through an invitation link — once. The password rules are the
    registration's (`passwords.check_password_policy`)."""
    now = now or utcnow()
    invitation = invitation_for_token(token, now=now)
    user = invitation.user
    check_password_policy(password, email=user.email, full_name=user.full_name)
    invitation.accepted_at = now
    db.session.flush()
    accounts.set_password(user, password)
    audit.record(user, "invitation_accept", "user", user.id)
    return user


def latest_invitation(user):
    return db.session.scalar(
        select(AccountInvitation).where(AccountInvitation.user_id == user.id)
        .order_by(AccountInvitation.id.desc()).limit(1))


def invitation_state(user, now=None):
    """What the admin page says about the account's invitation: None (no invitation, e.g. a
    participant or an account from the CLI), "accepted", "open" or "expired" — the last two
    with the invitation (sent when, valid until when)."""
    invitation = latest_invitation(user)
    if invitation is None:
        return None, None
    if accounts.has_usable_password(user):
        return "accepted", invitation
    if invitation.closed_at is None and invitation.expires_at > (now or utcnow()):
        return "open", invitation
    return "expired", invitation


def send_reset_link(user, acting_user):
    """An admin emails a password-reset link to an active account that has a password (one
    still waiting for its first password gets its invitation resent instead)."""
    if not user.is_active:
        raise DomainError(_l("Akun ini nonaktif; tautan atur ulang tidak dikirim."))
    if not accounts.has_usable_password(user):
        raise DomainError(_l("Orang ini belum membuat kata sandi. Kirim ulang undangannya."))
    account_mail.send_reset_link(user)
    audit.record(acting_user, "reset_link_send", "user", user.id)


def set_institution(user, institution_type, institution_name, acting_user):
    """Change an officiant's institution; audited with the type code (the name is not logged)."""
    institution_type, institution_name = check_institution(
        user.role_codes | {"officiant"}, institution_type, institution_name)
    if (user.institution_type, user.institution_name) != (institution_type, institution_name):
        user.institution_type, user.institution_name = institution_type, institution_name
        audit.record(acting_user, "institution_set", "user", user.id, f"type={institution_type}")
    db.session.flush()

"""Couples: the unit that receives one joint certificate (product §4)."""
import secrets
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import INSTITUTION_TYPES, Couple, CoupleMember, InviteCode
from . import DomainError, clock, events
from .caselog.reference import wilayah_rows
from .clock import utcnow

#: No 0/O, 1/I/L: codes are read aloud and typed on phones.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_PLANNING_DAYS = 3 * 366


def format_code(code):
    return f"{code[:4]}-{code[4:]}"


def normalise_code(raw):
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def active_membership(user):
    return db.session.scalar(select(CoupleMember).where(CoupleMember.active_user_id == user.id))


def current_couple(user):
    membership = active_membership(user)
    return membership.couple if membership else None


def partner_of(user, couple):
    for member in couple.active_members:
        if member.user_id != user.id:
            return member.user
    return None


def _check_wedding(planned_wedding_date, institution_type, institution_name, today):
    if planned_wedding_date <= today:
        raise DomainError(_l("Tanggal pernikahan harus setelah hari ini."), field="planned_wedding_date")
    if planned_wedding_date > today + timedelta(days=MAX_PLANNING_DAYS):
        raise DomainError(_l("Tanggal pernikahan paling lama tiga tahun dari sekarang."),
                          field="planned_wedding_date")
    if institution_type not in INSTITUTION_TYPES:
        raise DomainError(_l("Pilih jenis lembaga dari daftar."), field="institution_type")
    if not institution_name or len(institution_name.strip()) < 3:
        raise DomainError(_l("Tulis nama lembaga, misalnya nama gereja atau KUA."),
                          field="institution_name")


@lru_cache(maxsize=1)
def residence_kecamatan_choices():
    """The kecamatan of Kota Kupang as (Kemendagri code, official name), by name: the official
    list the case-log keeps (caselog/reference/kota-kupang-wilayah.csv), read once."""
    return tuple(sorted({r.kecamatan_code: r.kecamatan for r in wilayah_rows()}.items(),
                        key=lambda item: item[1]))


_UNCHANGED = object()


def _check_residence(code):
    """The kecamatan of residence is optional (None: not given, or outside the city); when
    given it must be a kecamatan code of the official list."""
    if not code:
        return None
    if code not in dict(residence_kecamatan_choices()):
        raise DomainError(_l("Pilih kecamatan dari daftar."), field="residence_kecamatan")
    return code


def create_couple(user, *, planned_wedding_date, institution_type, institution_name,
                  residence_kecamatan=None, today=None):
    """Start a couple and its first invite code. One active couple per person."""
    today = today or clock.today()
    if not user.has_role("participant"):
        raise DomainError(_l("Hanya calon pengantin yang dapat membentuk pasangan."))
    if active_membership(user) is not None:
        raise DomainError(_l("Anda sudah terdaftar dalam pasangan. Keluar dulu sebelum membuat pasangan baru."))
    _check_wedding(planned_wedding_date, institution_type, institution_name, today)
    couple = Couple(planned_wedding_date=planned_wedding_date, institution_type=institution_type,
                    institution_name=" ".join(institution_name.split()), created_by_id=user.id,
                    residence_kecamatan=_check_residence(residence_kecamatan))
    db.session.add(couple)
    db.session.flush()
    _add_member(couple, user)
    issue_invite(couple, user)
    return couple


def update_wedding(user, couple, *, planned_wedding_date, institution_type, institution_name,
                   residence_kecamatan=_UNCHANGED, today=None):
    """Change the wedding plan (and the kecamatan of residence, when given: None clears it)."""
    _require_member(user, couple)
    _require_unlocked(couple)
    _check_wedding(planned_wedding_date, institution_type, institution_name, today or clock.today())
    if residence_kecamatan is not _UNCHANGED:
        couple.residence_kecamatan = _check_residence(residence_kecamatan)
    couple.planned_wedding_date = planned_wedding_date
    couple.institution_type = institution_type
    couple.institution_name = " ".join(institution_name.split())
    db.session.flush()


def _add_member(couple, user):
    try:
        with db.session.begin_nested():  # only this membership is undone, never the caller's work
            db.session.add(CoupleMember(couple_id=couple.id, user_id=user.id, active_user_id=user.id))
            db.session.flush()
    except IntegrityError:
        # A parallel request already put this person in a couple (unique active_user_id).
        raise DomainError(_l("Anda sudah terdaftar dalam pasangan.")) from None


def _require_member(user, couple):
    if couple is None or not any(m.user_id == user.id for m in couple.active_members):
        raise DomainError(_l("Anda belum terdaftar dalam pasangan."))


def _require_unlocked(couple):
    if couple.locked_at is not None:
        raise DomainError(_l("Sertifikat pasangan ini sudah terbit, jadi data pasangan tidak dapat diubah lagi. Hubungi Dinas P3A bila ada kesalahan."))


def open_invite(couple, now=None):
    now = now or utcnow()
    for invite in reversed(couple.invites):
        if invite.used_at is None and invite.revoked_at is None and invite.expires_at > now:
            return invite
    return None


def issue_invite(couple, user, now=None):
    """A fresh single-use code; older unused codes of this couple stop working."""
    now = now or utcnow()
    _require_member(user, couple)
    _require_unlocked(couple)
    if len(couple.active_members) >= 2:
        raise DomainError(_l("Pasangan Anda sudah lengkap; kode undangan tidak diperlukan lagi."))
    for invite in couple.invites:
        if invite.used_at is None and invite.revoked_at is None:
            invite.revoked_at = now
    ttl = timedelta(hours=current_app.config["INVITE_CODE_TTL_HOURS"])
    invite = InviteCode(couple_id=couple.id, expires_at=now + ttl,
                        code="".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))
    db.session.add(invite)
    db.session.flush()
    db.session.refresh(couple)
    return invite


def join_couple(user, raw_code, now=None):
    """Join a partner's couple with their invite code. Codes are single-use and expire.

    Sends `partner_joined`: a partner who had already done everything completes the couple
    (the certificate is then issued at once, see `course_app/wiring.py`)."""
    now = now or utcnow()
    code = normalise_code(raw_code)
    if not user.has_role("participant"):
        raise DomainError(_l("Hanya calon pengantin yang dapat bergabung dengan pasangan."))
    membership = active_membership(user)
    invalid = DomainError(_l("Kode undangan tidak ditemukan. Periksa lagi kode dari pasangan Anda (8 huruf/angka)."),
                          field="code")
    invite = db.session.scalar(select(InviteCode).where(InviteCode.code == code)) \
        if len(code) == CODE_LENGTH else None
    if membership is not None:
        if invite is not None and invite.couple_id == membership.couple_id:
            raise DomainError(_l("Ini kode undangan Anda sendiri. Berikan kode ini kepada pasangan Anda."), field="code")
        raise DomainError(_l("Anda sudah terdaftar dalam pasangan."))
    if invite is None or invite.revoked_at is not None:
        raise invalid
    if invite.used_at is not None:
        raise DomainError(_l("Kode undangan ini sudah dipakai. Minta pasangan Anda membuat kode baru."), field="code")
    if invite.expires_at <= now:
        raise DomainError(_l("Kode undangan ini sudah kedaluwarsa. Minta pasangan Anda membuat kode baru."), field="code")
    couple = invite.couple
    if not couple.is_active or couple.locked_at is not None or len(couple.active_members) >= 2:
        raise invalid
    # Single use, even when two people type the same code at the same moment.
    claimed = db.session.execute(
        update(InviteCode).where(InviteCode.id == invite.id, InviteCode.used_at.is_(None))
        .values(used_at=now, used_by_id=user.id)).rowcount
    if claimed != 1:
        raise DomainError(_l("Kode undangan ini sudah dipakai. Minta pasangan Anda membuat kode baru."), field="code")
    _add_member(couple, user)
    db.session.refresh(couple)
    events.partner_joined.send(user, couple=couple)
    return couple


def _unlocked_membership(user):
    membership = active_membership(user)
    if membership is None:
        raise DomainError(_l("Anda belum terdaftar dalam pasangan."))
    _require_unlocked(membership.couple)
    return membership


def leave_couple(user, now=None):
    """Leave the couple; the partner stays and may invite someone else. Not after a certificate."""
    now = now or utcnow()
    membership = _unlocked_membership(user)
    couple = membership.couple
    membership.left_at = now
    membership.active_user_id = None
    db.session.flush()
    db.session.refresh(couple)
    if not couple.active_members:
        _dissolve(couple, now)
    return couple


def dissolve_couple(user, now=None):
    """End the couple for both partners. Not after a certificate."""
    now = now or utcnow()
    couple = _unlocked_membership(user).couple
    for member in couple.active_members:
        member.left_at = now
        member.active_user_id = None
    _dissolve(couple, now)
    return couple


def _dissolve(couple, now):
    couple.dissolved_at = now
    for invite in couple.invites:
        if invite.used_at is None and invite.revoked_at is None:
            invite.revoked_at = now
    db.session.flush()

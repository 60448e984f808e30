"""What officials do with a certificate: officiants record the marriage (once), reviewers
find and revoke certificates, and the couple is told."""
import logging

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from ...extensions import db
from ...models import CoupleMember, User
from ...models.certificates import REVOCATION_REASONS, Certificate
from .. import DomainError, certificate_pdf, clock
from ..clock import local_today, utcnow
from ..dates import date_time
from ..mail import send_mail
from .rules import normalise_id, revocation_label, status_of

log = logging.getLogger("course_app.services.certificates")


class MarriageAlreadyRecorded(DomainError):
    def __init__(self, certificate):
        who = certificate.used_by.full_name if certificate.used_by else _("sistem")
        super().__init__(_l("Pernikahan dengan sertifikat ini sudah dicatat oleh %(who)s pada "
                            "%(when)s. Sertifikat tidak dapat dipakai dua kali.",
                            who=who, when=date_time(certificate.used_at)))


def record_marriage(certificate, officiant, *, marriage_date, institution_type, institution_name,
                    now=None, today=None):
    """An officiant records the marriage: the certificate becomes `used`, once, with the
    place of the marriage (the form) and the officiant's own institution (their account).

    Refused for a revoked or expired certificate, a date in the future or before the
    certificate was issued, and a second time (saying who recorded it and when), even when two
    officiants press the button at the same moment (conditional UPDATE).
    """
    now = now or utcnow()
    today = today or local_today()
    if not officiant.has_role("officiant"):
        raise DomainError(_l("Hanya petugas pemberkatan/nikah yang dapat mencatat pernikahan."))
    status = status_of(certificate, now)
    if status == "used":
        raise MarriageAlreadyRecorded(certificate)
    if status == "revoked":
        raise DomainError(_l("Sertifikat ini sudah dicabut dan tidak dapat dipakai."))
    if status == "expired":
        raise DomainError(_l("Sertifikat ini sudah kedaluwarsa dan tidak dapat dipakai."))
    if marriage_date > today:
        raise DomainError(_l("Tanggal pernikahan tidak boleh di masa depan."), field="marriage_date")
    if marriage_date < clock.local_date(certificate.issued_at):
        raise DomainError(_l("Tanggal pernikahan tidak boleh sebelum sertifikat terbit."),
                          field="marriage_date")
    name = " ".join((institution_name or "").split())
    if len(name) < 3:
        raise DomainError(_l("Tulis nama lembaga, misalnya nama gereja atau KUA."), field="institution_name")
    recorded = db.session.execute(
        update(Certificate).where(Certificate.id == certificate.id, Certificate.used_at.is_(None),
                                  Certificate.revoked_at.is_(None))
        .values(used_at=now, used_by_id=officiant.id, marriage_date=marriage_date,
                marriage_institution_type=institution_type, marriage_institution_name=name,
                # Who vouched for the marriage: the officiant's own institution, as it is today.
                used_by_institution_type=officiant.institution_type,
                used_by_institution_name=officiant.institution_name)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(certificate)
    if recorded != 1:
        raise MarriageAlreadyRecorded(certificate)
    log.info("marriage recorded on certificate %s", certificate.id)
    return certificate


def revoke_certificate(certificate, reviewer, reason, note=None, now=None):
    """A reviewer (or the CLI, `reviewer=None`) revokes with a reason category. The couple
    stays locked and no new certificate is issued on its own; P3A decides what follows."""
    now = now or utcnow()
    if reviewer is not None and not reviewer.has_role("reviewer"):
        raise DomainError(_l("Hanya peninjau P3A yang dapat mencabut sertifikat."))
    if reason not in REVOCATION_REASONS:
        raise DomainError(_l("Pilih alasan pencabutan dari daftar."), field="reason")
    revoked = db.session.execute(
        update(Certificate).where(Certificate.id == certificate.id, Certificate.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by_id=reviewer.id if reviewer else None,
                revocation_reason=reason, revocation_note=(note or "").strip() or None,
                live_couple_id=None)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(certificate)
    if revoked != 1:
        raise DomainError(_l("Sertifikat ini sudah dicabut sebelumnya."))
    log.info("certificate %s revoked (%s)", certificate.id, reason)
    return certificate


def notify_revocation(certificate):
    """Email both partners that their certificate was revoked, each in their language.
    Queued in the revocation's transaction (the outbox): nobody is told of a revocation that
    was rolled back, and a mail server that is down never undoes or misreports one."""
    for member in certificate.couple.members:
        user = member.user
        with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            subject = _("Sertifikat pranikah Anda dicabut")
            body = "\n\n".join([
                _("Halo %(name)s,", name=user.full_name),
                _("Sertifikat pranikah nomor %(id)s sudah dicabut oleh Dinas P3A Kota Kupang.",
                  id=certificate_pdf.group_id(certificate.id)),
                _("Alasan: %(reason)s", reason=revocation_label(certificate.revocation_reason)),
                _("Sertifikat ini tidak dapat dipakai lagi. Hubungi Dinas P3A untuk langkah "
                  "selanjutnya."),
                _("Dinas P3A Kota Kupang"),
            ])
        send_mail(user.email, subject, body)


def search_certificates(query=None, limit=50):
    """Reviewers' search: by id (any spelling) or by a partner's name or email."""
    statement = select(Certificate).order_by(Certificate.issued_at.desc()).limit(limit)
    query = (query or "").strip()
    if query:
        certificate_id = normalise_id(query)
        pattern = f"%{query.lower()}%"
        statement = statement.where(or_(
            Certificate.id == (certificate_id or ""),
            Certificate.couple_id.in_(
                select(CoupleMember.couple_id).join(User, User.id == CoupleMember.user_id)
                .where(or_(db.func.lower(User.full_name).like(pattern),
                           db.func.lower(User.email).like(pattern))))))
    return db.session.scalars(statement).all()

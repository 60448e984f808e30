"""Referrals of a case to services (issue 13 point 2): UPTD PPA, Puskesmas/RS, Polres, legal
aid, shelter, Dinas Sosial, psychologist — lookup kind `referral_service`, stable codes — with
a status (sent → accepted → completed, or refused) whose every change is kept with its day.
Referring an open case, or one in handling, moves it to "referred" (product §7's workflow)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ....extensions import db
from ....models.caselog import Lookup, Referral, ReferralStatusChange, StatusChange
from ... import DomainError, NotFound, clock
from ...clock import utcnow
from .merge import refuse_if_merged

STATUS_LABELS = {"sent": _l("Dikirim"), "accepted": _l("Diterima"), "completed": _l("Selesai"),
                 "refused": _l("Ditolak")}
#: A referral moves forward only; completed and refused are final.
TRANSITIONS = {"sent": ("accepted", "completed", "refused"), "accepted": ("completed", "refused"),
               "completed": (), "refused": ()}


def services():
    return list(db.session.scalars(select(Lookup).where(Lookup.kind == "referral_service",
                                                        Lookup.active.is_(True))
                                   .order_by(Lookup.position, Lookup.id)))


def get_referral(case, referral_id):
    referral = db.session.get(Referral, referral_id)
    if referral is None or referral.case_id != case.id:
        raise NotFound()
    return referral


def _check_day(day, case, field, today, not_before=None):
    if day is None:
        raise DomainError(_l("Isi tanggal."), field=field)
    if day > today:
        raise DomainError(_l("Tanggal tidak boleh di masa depan."), field=field)
    if not_before is not None and day < not_before:
        raise DomainError(_l("Tanggal sebelum tanggal status sebelumnya."), field=field)
    if day < case.incident_date:
        raise DomainError(_l("Tanggal sebelum tanggal kejadian."), field=field)


def add_referral(case, *, service, sent_on, user, institution=None, victim_id=None, notes=None,
                 today=None):
    """Refer a case (or one of its victims) to a service; status `sent` on `sent_on`."""
    refuse_if_merged(case)
    today = today or clock.today()
    lookup = db.session.scalar(select(Lookup).where(Lookup.kind == "referral_service",
                                                    Lookup.code == service))
    if lookup is None:
        raise DomainError(_l("Pilih layanan rujukan."), field="service")
    if victim_id and victim_id not in {v.id for v in case.victims}:
        raise DomainError(_l("Pilih korban dari kasus ini."), field="victim_id")
    _check_day(sent_on, case, "sent_on", today)
    referral = Referral(case_id=case.id, victim_id=victim_id or None, service_id=lookup.id,
                        institution=" ".join((institution or "").split())[:160] or None,
                        status="sent", sent_on=sent_on, status_on=sent_on,
                        notes=(notes or "").strip() or None, created_by_id=user.id)
    referral.history.append(ReferralStatusChange(from_status=None, to_status="sent", on=sent_on,
                                                 changed_by_id=user.id))
    db.session.add(referral)
    if case.status in ("open", "in_handling"):  # in its status history, with the service
        db.session.add(StatusChange(case=case, from_status=case.status, to_status="referred",
                                    note=lookup.label, changed_by_id=user.id))
        case.status, case.updated_at = "referred", utcnow()
    db.session.flush()
    return referral


def change_referral_status(referral, case, *, status, on, user, note=None, today=None):
    """Record the service's answer: accepted, completed or refused, on a day not before the
    last one; completed and refused are final."""
    today = today or clock.today()
    if status not in TRANSITIONS.get(referral.status, ()):
        raise DomainError(_l("Perubahan status rujukan ini tidak diperbolehkan."), field="status")
    _check_day(on, case, "on", today, not_before=referral.status_on)
    referral.history.append(ReferralStatusChange(from_status=referral.status, to_status=status, on=on,
                                                 note=(note or "").strip() or None, changed_by_id=user.id))
    referral.status, referral.status_on = status, on
    db.session.flush()
    return referral

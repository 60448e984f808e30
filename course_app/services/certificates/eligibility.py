"""Eligibility, in one function (product §6), and the court dispensations that can lift the
age condition (UU 16/2019, art. 7)."""
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ...extensions import db
from ...models import Couple, CoupleMember, User
from ...models.certificates import Dispensation
from .. import DomainError, NotFound, events, learning, letters
from ..clock import local_today, utcnow
from .rules import age_on, revoked_certificate


@dataclass
class Missing:
    """One condition that does not hold yet. `code` is stable; `message` is for people."""

    code: str
    message: object
    user: User | None = None


@dataclass
class Eligibility:
    couple: Couple | None
    missing: list = field(default_factory=list)

    @property
    def eligible(self):
        return not self.missing


def dispensation_for(couple, user):
    return db.session.scalar(select(Dispensation).where(Dispensation.couple_id == couple.id,
                                                        Dispensation.user_id == user.id))


def eligibility(couple, today=None):
    """Everything a couple still lacks for its certificate; nothing missing means eligible.

    The rules (product §6):
    - two partners in an active couple;
    - each has completed every required module (all lessons read, each quiz passed); which
      modules are required is data (`required:` in module.yaml, product §4);
    - each has a good-conduct letter (SKCK) approved and not expired today;
    - each is at least 19 on the planned wedding date (UU 16/2019, art. 7(1)), unless a P3A
      reviewer has recorded the court's dispensation number for them (art. 7(2));
    - the couple's certificate was not revoked (a revoked certificate is not reissued on its own).
    """
    today = today or local_today()
    if couple is None or not couple.is_active:
        return Eligibility(couple, [Missing("couple", _l("Bentuk pasangan terlebih dahulu."))])
    missing = []
    members = [m.user for m in couple.active_members]
    if len(members) < 2:
        missing.append(Missing("partner", _l("Pasangan Anda belum bergabung.")))
    minimum = current_app.config["MINIMUM_MARRIAGE_AGE"]
    for user in members:
        # Only the modules the content marks as required count; an optional one never blocks.
        progress = [p for p in learning.module_progress(user) if p.module.required]
        if not progress:
            missing.append(Missing("modules", _l("%(name)s: materi belum tersedia.", name=user.full_name), user))
        unfinished = [p.module.title for p in progress if not p.is_complete]
        if unfinished:
            missing.append(Missing("modules", _l("%(name)s: materi belum selesai — %(modules)s.",
                                                 name=user.full_name, modules=", ".join(unfinished)), user))
        if letters.approved_letter(user, today) is None:
            missing.append(Missing("letter", _l("%(name)s: SKCK belum disetujui, atau sudah tidak berlaku.",
                                                name=user.full_name), user))
        if user.birth_date is None:
            missing.append(Missing("birth_date", _l("%(name)s: tanggal lahir belum diisi. Hubungi Dinas P3A.",
                                                    name=user.full_name), user))
        elif (age_on(user.birth_date, couple.planned_wedding_date) < minimum
              and dispensation_for(couple, user) is None):
            missing.append(Missing("age", _l(
                "%(name)s: belum berumur %(age)d tahun pada tanggal pernikahan (UU 16/2019). "
                "Sertifikat hanya dapat terbit setelah Dinas P3A mencatat nomor dispensasi dari "
                "pengadilan.", name=user.full_name, age=minimum), user))
    if revoked_certificate(couple) is not None:
        missing.append(Missing("revoked", _l("Sertifikat pasangan ini sudah dicabut. Hubungi Dinas P3A.")))
    return Eligibility(couple, missing)


def record_dispensation(couple, user, court_number, reviewer, now=None):
    """A reviewer records the court's dispensation number for a partner under 19 (UU 16/2019,
    art. 7(2)); the certificate is issued at once if that was the last condition."""
    now = now or utcnow()
    if not reviewer.has_role("reviewer"):
        raise DomainError(_l("Hanya peninjau P3A yang dapat mencatat dispensasi."))
    if couple is None or not couple.is_active or all(m.user_id != user.id for m in couple.active_members):
        raise DomainError(_l("Orang ini bukan anggota pasangan tersebut."))
    number = " ".join((court_number or "").split())
    if not 3 <= len(number) <= 80:
        raise DomainError(_l("Tulis nomor penetapan dispensasi dari pengadilan."), field="court_number")
    existing = dispensation_for(couple, user)
    if existing is not None:
        raise DomainError(_l("Dispensasi untuk orang ini sudah dicatat dengan nomor %(number)s.",
                             number=existing.court_number))
    dispensation = Dispensation(couple_id=couple.id, user_id=user.id, court_number=number,
                                recorded_by_id=reviewer.id, recorded_at=now)
    db.session.add(dispensation)
    db.session.flush()
    events.dispensation_recorded.send(user, couple=couple)
    return dispensation


def couples_needing_dispensation(today=None, query=None, limit=50):
    """Active, not yet certified couples with a partner under 19 on the wedding date and no
    dispensation recorded for them: the reviewers' to-do list."""
    minimum = current_app.config["MINIMUM_MARRIAGE_AGE"]
    statement = (select(Couple).where(Couple.dissolved_at.is_(None), Couple.locked_at.is_(None))
                 .order_by(Couple.planned_wedding_date, Couple.id))
    if query:
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(Couple.id.in_(
            select(CoupleMember.couple_id).join(User, User.id == CoupleMember.user_id)
            .where(CoupleMember.left_at.is_(None),
                   or_(db.func.lower(User.full_name).like(pattern), db.func.lower(User.email).like(pattern)))))
    result = []
    for couple in db.session.scalars(statement):
        young = [m.user for m in couple.active_members
                 if m.user.birth_date is not None
                 and age_on(m.user.birth_date, couple.planned_wedding_date) < minimum
                 and dispensation_for(couple, m.user) is None]
        if young:
            result.append((couple, young))
            if len(result) >= limit:
                break
    return result


def find_couple(couple_id):
    couple = db.session.get(Couple, couple_id)
    if couple is None:
        raise NotFound()
    return couple

"""Merging a duplicate case into the case that carries on (issue 13 point 2): two records of
the same incident, say a P3A complaint and the police register's row.

Choice (docs/caselog-management.md): nothing moves. The duplicate B keeps its victims,
perpetrators, services, referrals, tasks, attachments, status history and audit trail as they
were, is closed (its status history says so), and points to A (`merged_into_id`); A's page
lists the cases merged into it. Moving rows would rewrite B's history under A's number and
break the audit entries that name B; a pointer keeps both readable. A merged case takes no new
work (referrals, tasks, closure requests, attachments, status changes are refused).
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ....extensions import db
from ....models.caselog import Case, StatusChange
from ... import DomainError
from ...clock import utcnow
from . import require_supervisor


def find_target(number):
    number = (number or "").strip().upper()
    return db.session.scalar(select(Case).where(Case.number == number)) if number else None


def merge_case(source, target, user):
    """A supervisor merges `source` (B) into `target` (A). Refused: the same case, a case that
    is already merged (either side: no chains), or a target missing."""
    require_supervisor(user)
    if target is None:
        raise DomainError(_l("Nomor kasus tujuan tidak ditemukan."), field="target")
    if target.id == source.id:
        raise DomainError(_l("Pilih kasus lain: kasus tidak dapat digabung ke dirinya sendiri."), field="target")
    if source.merged_into_id is not None:
        raise DomainError(_l("Kasus ini sudah digabung ke kasus lain."))
    if target.merged_into_id is not None:
        raise DomainError(_l("Kasus tujuan sudah digabung ke kasus lain: gabungkan ke kasus yang berlanjut."),
                          field="target")
    now = utcnow()
    if source.status != "closed":
        db.session.add(StatusChange(case=source, from_status=source.status, to_status="closed",
                                    note=f"→ {target.number}", changed_by_id=user.id, changed_at=now))
        source.status = "closed"
    source.merged_into_id, source.merged_at, source.merged_by_id = target.id, now, user.id
    source.updated_at = target.updated_at = now
    db.session.flush()
    return source


def merged_cases(case):
    """The cases merged into `case`, by number."""
    return list(db.session.scalars(select(Case).where(Case.merged_into_id == case.id).order_by(Case.number)))


def refuse_if_merged(case):
    """New work goes to the case that carries on, never to a merged duplicate."""
    if case is not None and case.merged_into_id is not None:
        raise DomainError(_l("Kasus ini sudah digabung ke kasus lain; catat di kasus tujuan."))

"""Case management in the demo (`flask demo`): the demo caseworker owns a handful of cases
under the demo supervisor, with a referral, follow-up tasks (one overdue) and a closure request
waiting for the supervisor — so "Kasus saya", "Tugas saya" and a supervisor's decision can be
tried at once. Made through the same services as real use; idempotent (nothing is added
when the caseworker owns a case already)."""
from datetime import timedelta

from sqlalchemy import func, select

from ....extensions import db
from ....models.caselog import Case
from .closure import request_closure
from .referrals import add_referral
from .tasks import add_task

#: How many of the newest open demo cases the demo caseworker owns.
OWNED = 8


def add_demo_management(caseworker, supervisor, today):
    """Returns the number of cases assigned (0 when the demo has them already)."""
    if db.session.scalar(select(func.count()).select_from(Case).where(Case.owner_id == caseworker.id)):
        return 0
    cases = list(db.session.scalars(
        select(Case).where(Case.merged_into_id.is_(None), Case.status != "closed",
                           Case.report_date <= today - timedelta(days=14))
        .order_by(Case.report_date.desc(), Case.id.desc()).limit(OWNED)))
    if not cases:
        return 0
    for case in cases:
        case.owner_id, case.supervisor_id = caseworker.id, supervisor.id
    db.session.flush()
    first, second = cases[0], cases[-1]
    add_referral(first, service="puskesmas_rs", sent_on=first.report_date + timedelta(days=1),
                 user=caseworker, institution="Puskesmas (demo)", today=today,
                 victim_id=first.victims[0].id if first.victims else None)
    add_task(first, title="Kunjungan rumah dan tanyakan hasil pemeriksaan Puskesmas",
             due_date=today - timedelta(days=2), user=caseworker, today=today)
    add_task(first, title="Hubungi keluarga korban untuk pendampingan",
             due_date=today + timedelta(days=3), user=caseworker, today=today)
    request_closure(second, reason="selesai_ditangani", user=caseworker,
                    note="Layanan selesai; korban dan keluarga setuju kasus ditutup.")
    return len(cases)

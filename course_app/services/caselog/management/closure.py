"""Closing a case (issue 13 point 2): a caseworker asks with a reason (lookup kind
`closure_reason`), a supervisor approves — the case's status becomes `closed`, in its status
history — or refuses with a note. No other path closes a case (services/caselog/cases.py
refuses `closed` in `change_status`)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ....extensions import db
from ....models.caselog import ClosureRequest, Lookup, StatusChange
from ... import DomainError, NotFound
from ...clock import utcnow
from . import require_supervisor
from .merge import refuse_if_merged


def reasons():
    return list(db.session.scalars(select(Lookup).where(Lookup.kind == "closure_reason",
                                                        Lookup.active.is_(True))
                                   .order_by(Lookup.position, Lookup.id)))


def pending_request(case):
    return next((r for r in case.closure_requests if r.state == "pending"), None)


def waiting_requests():
    """Closure requests waiting for a supervisor, oldest first (a supervisor's "Tugas saya")."""
    return list(db.session.scalars(select(ClosureRequest).where(ClosureRequest.state == "pending")
                                   .order_by(ClosureRequest.requested_at, ClosureRequest.id)))


def unfinished(case):
    """What is still under way in a case about to close: referrals without the service's final
    answer (sent or accepted) and tasks not done. Closing does not end them — a closed case's
    tasks leave "Tugas saya", and a referral's answer can still be recorded — so whoever asks
    and whoever approves sees them first."""
    return ([r for r in case.referrals if r.status in ("sent", "accepted")],
            [t for t in case.tasks if t.done_at is None])


def get_request(case, request_id):
    found = db.session.get(ClosureRequest, request_id)
    if found is None or found.case_id != case.id:
        raise NotFound()
    return found


def request_closure(case, *, reason, user, note=None):
    """Ask to close a case. One request waits at a time; "lainnya" needs a note."""
    refuse_if_merged(case)
    if case.status == "closed":
        raise DomainError(_l("Kasus ini sudah ditutup."))
    if pending_request(case) is not None:
        raise DomainError(_l("Pengajuan penutupan kasus ini sedang menunggu keputusan supervisor."))
    lookup = db.session.scalar(select(Lookup).where(Lookup.kind == "closure_reason", Lookup.code == reason))
    if lookup is None:
        raise DomainError(_l("Pilih alasan penutupan."), field="reason")
    note = (note or "").strip() or None
    if reason == "lainnya" and not note:
        raise DomainError(_l("Jelaskan alasannya."), field="note")
    request = ClosureRequest(case_id=case.id, reason_id=lookup.id, note=note, requested_by_id=user.id)
    case.closure_requests.append(request)
    db.session.flush()
    return request


def decide_closure(request, case, *, approve, user, note=None):
    """A supervisor's decision. Approved: the case is closed (status history keeps who and the
    reason's code); refused: with a note saying why, and the case stays as it is."""
    require_supervisor(user)
    if request.state != "pending":
        raise DomainError(_l("Pengajuan ini sudah diputuskan."))
    note = (note or "").strip() or None
    if not approve and not note:
        raise DomainError(_l("Tulis alasan penolakan."), field="note")
    if approve and case.status == "closed":
        raise DomainError(_l("Kasus ini sudah ditutup."))
    request.state = "approved" if approve else "refused"
    request.decided_by_id, request.decided_at, request.decision_note = user.id, utcnow(), note
    if approve:
        db.session.add(StatusChange(case=case, from_status=case.status, to_status="closed",
                                    note=note, changed_by_id=user.id))
        case.status = "closed"
        case.updated_at = utcnow()
    db.session.flush()
    return request

"""Case management (issue 13 point 2; product §2, §7 — "as in Primero"): who is in charge of a
case (owner and supervisor), referrals to services, follow-up tasks and their daily digest,
closure approved by a supervisor, and encrypted attachments.

Layout: this module holds the people (supervisor flag, owner and supervisor of a case);
`referrals`, `tasks`, `closure` and `attachments` hold the rest. Services flush; views and
commands commit and write the audit entries of what a user saw or did.

Access: case-log data stays visible to every caseworker and admin (product §2). "A caseworker's
own cases" is the list's default filter, not an access rule; what only a supervisor may do —
assign a case, decide a closure — is checked here (`require_supervisor`) and hidden as 404 by
the views, as the case-log hides every page a person may not use.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ....extensions import db
from ....models import User, UserRole
from ... import DomainError, NotFound
from ...accounts import end_sessions
from ..audit import record


def is_supervisor(user):
    """A case supervisor is a caseworker with the supervisor flag (product §2)."""
    return bool(user is not None and getattr(user, "is_authenticated", True)
                and user.has_role("caseworker") and user.case_supervisor)


def require_supervisor(user):
    """Supervisor-only actions: anyone else is told nothing exists (the case-log's 404)."""
    if not is_supervisor(user):
        raise NotFound()


def caseworkers(supervisors_only=False):
    """Active caseworkers, by name: who may own a case (or supervise it)."""
    query = (select(User).join(UserRole).where(UserRole.role == "caseworker",
                                               User.is_active_account.is_(True))
             .order_by(User.full_name, User.id))
    if supervisors_only:
        query = query.where(User.case_supervisor.is_(True))
    return list(db.session.scalars(query).unique())


def _caseworker(user_id, field, supervisor=False):
    if user_id is None:
        return None
    person = db.session.get(User, user_id)
    if person is None or not person.is_active_account or not person.has_role("caseworker"):
        raise DomainError(_l("Pilih petugas kasus yang aktif."), field=field)
    if supervisor and not person.case_supervisor:
        raise DomainError(_l("Pilih petugas yang berstatus supervisor."), field=field)
    return person


def list_scope(user, requested=None, searching=False):
    """The case list's "pemilik" filter: "saya" (own cases) or "semua". A caseworker who is not
    a supervisor sees their own cases by default; supervisors and admins see all, and so does a
    search for a case or report number (whoever's case it is, it is the one being looked for)."""
    if requested in ("saya", "semua"):
        return requested
    if searching:
        return "semua"
    return "saya" if user.has_role("caseworker") and not is_supervisor(user) else "semua"


def default_owner(user):
    """Who owns a new case: its recorder when they are a caseworker; otherwise unassigned."""
    return user.id if user is not None and user.has_role("caseworker") else None


def assign_case(case, *, owner_id, supervisor_id, acting_user):
    """A supervisor sets a case's owner and supervisor (either may be left empty: unassigned).
    Written to the audit log with the user ids (never names)."""
    require_supervisor(acting_user)
    _caseworker(owner_id, "owner_id")
    _caseworker(supervisor_id, "supervisor_id", supervisor=True)
    if (case.owner_id, case.supervisor_id) == (owner_id, supervisor_id):
        return False
    case.owner_id, case.supervisor_id = owner_id, supervisor_id
    record(acting_user, "case_assign", "case", case.id,
           f"owner={owner_id or '-'} supervisor={supervisor_id or '-'}")
    db.session.flush()
    return True


def set_supervisor(user, flag, acting_user):
    """An admin sets or clears a person's supervisor flag — audited like a role change, and
    like one it ends the person's sessions (what they may do changed). Only caseworkers can
    be supervisors."""
    flag = bool(flag)
    if flag and not user.has_role("caseworker"):
        raise DomainError(_l("Hanya petugas kasus yang dapat menjadi supervisor."))
    if bool(user.case_supervisor) == flag:
        return False
    user.case_supervisor = flag
    record(acting_user, "supervisor_grant" if flag else "supervisor_revoke", "user", user.id)
    end_sessions(user)
    db.session.flush()
    return True

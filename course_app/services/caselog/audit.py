"""The audit log: every view, change, import and export of the case-log (product §7), and
every change to who may do what — staff accounts made, roles granted and removed, accounts
activated and deactivated (object type "user"). One log, for both.

Entries say who, what, when and which object — never personal data: `detail` carries codes,
dates, counts and filter settings only (ids and role codes, never names or emails). The log
is append-only (see `AuditEntry`).
"""
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from ...extensions import db
from ...models import User
from ...models.caselog import AuditEntry

#: Action codes (stable; labels in the UI).
ACTIONS = ("case_list", "case_view", "case_create", "case_update", "case_status", "service_add",
           "import_preview", "import_view", "import_confirm", "import_discard", "report_view", "report_export",
           "case_export", "api_report", "lookup_create", "lookup_update", "lookup_delete",
           "audit_view", "keys_rotate", "generate",
           "user_create", "role_grant", "role_revoke", "user_activate", "user_deactivate",
           # Staff from the web (services/staff.py, staff_import.py).
           "user_import", "invitation_send", "invitation_resend", "invitation_accept",
           "reset_link_send", "institution_set", "staff_import_preview", "staff_import",
           "staff_import_discard",
           # Personal data (UU 27/2022, services/privacy.py and letters/retention.py).
           "data_export", "account_delete", "letters_purge",
           # The Polres channel (services/caselog/submissions.py).
           "submission_send", "submission_list", "submission_view", "submission_accept",
           "submission_return",
           # Case management (issue 13 point 2, services/caselog/management/).
           "case_assign", "referral_add", "referral_status", "task_add", "task_done", "task_list",
           "task_digest", "closure_request", "closure_decide", "attachment_add", "attachment_view",
           "supervisor_grant", "supervisor_revoke", "case_merge")

#: Object types, for the audit page's filter.
OBJECT_TYPES = ("case", "import", "report", "lookup", "audit", "user", "staff_import", "submission")


def record(user, action, object_type=None, object_id=None, detail=None):
    """Append one entry. `user` may be None for CLI runs."""
    entry = AuditEntry(user_id=getattr(user, "id", None), action=action, object_type=object_type,
                       object_id=None if object_id is None else str(object_id),
                       detail=(detail or None) and str(detail)[:300])
    db.session.add(entry)
    db.session.flush()
    return entry


def describe_filters(**filters):
    """Filter settings as `key=value` pairs for `detail` — pass only non-personal values."""
    return " ".join(f"{k}={v}" for k, v in filters.items() if v not in (None, "", [], ()))


def search(*, email=None, action=None, object_type=None, object_id=None, date_from=None,
           date_to=None):
    """A select of entries, newest first, for the admins' audit page."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if email:
        query = query.join(User, User.id == AuditEntry.user_id).where(
            User.email.ilike(f"%{email.strip().lower()}%"))
    if action:
        query = query.where(AuditEntry.action == action)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == str(object_id))
    if date_from:
        query = query.where(AuditEntry.at >= datetime.combine(date_from, time.min, tzinfo=UTC))
    if date_to:
        query = query.where(AuditEntry.at < datetime.combine(date_to + timedelta(days=1), time.min,
                                                             tzinfo=UTC))
    return query


def account_history(user, limit=100):
    """What was done to `user`'s account (made, roles, activation), newest first."""
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "user", AuditEntry.object_id == str(user.id))
        .order_by(AuditEntry.id.desc()).limit(limit)).all()

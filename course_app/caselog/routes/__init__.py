"""Case-log for P3A case staff (caseworker, admin only; everyone else gets 404).

Every view writes an audit entry (who, what, which object — never personal data) and commits
once. Rules live in services/caselog; these views shape input and choose templates. One
blueprint, its views split by job: `cases` (list, form, case page, services), `imports`,
`reports`, `admin_lists` (lookup lists and the audit log), `management` (owner, referrals, tasks,
closure, attachments — issue 13 point 2).
"""
from . import (  # noqa: F401  (their views register on bp)
    admin_lists,
    cases,
    imports,
    management,
    reports,
    submissions,
)
from .blueprint import bp  # noqa: F401  (create_app registers it)

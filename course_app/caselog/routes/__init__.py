"""Case-log for P3A case staff (caseworker, admin only; everyone else gets 404).

Every view writes an audit entry (who, what, which object — never personal data) and commits
once. Rules live in services/caselog; these views shape input and choose templates. One
blueprint, its views split by job: `cases` (list, form, case page, services), `imports`,
`reports`, `admin_lists` (lookup lists and the audit log).
"""
from flask import Blueprint

from ...extensions import db
from ...services.caselog import lookups
from ..access import hide_caselog_from_non_staff, require_case_staff

bp = Blueprint("caselog", __name__, url_prefix="/kasus")
bp.before_request(require_case_staff)
bp.before_app_request(hide_caselog_from_non_staff)


@bp.before_request
def _reference_data():
    """A fresh database gets its category lists on the first case-log visit."""
    if lookups.ensure_seeded():
        db.session.commit()


from . import admin_lists, cases, imports, reports  # noqa: E402, F401  (registers the views)

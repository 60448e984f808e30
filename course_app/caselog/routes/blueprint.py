"""The case-log blueprint and what runs before every case-log request: hiding the case-log from
everyone but case staff, and seeding the category lists on a fresh database. Its own module so
the view modules import it without importing each other (no import cycle)."""
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

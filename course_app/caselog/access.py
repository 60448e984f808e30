"""Who reaches the case-log: `caseworker` and `admin` only; everyone else — anonymous visitors
included — gets 404, because even the existence of a case is sensitive (product §2, §7).

`course_app.access.roles_required(..., hide=True)` sends anonymous visitors to the login page,
which would reveal the area; hence these checks of our own. Every case-log answer is also
marked `no-store` so no shared cache keeps it.
"""
import re
from functools import wraps

from flask import abort, g, request
from flask_login import current_user

CASE_ROLES = ("caseworker", "admin")
#: Every spelling of every case-log address: /kasus, /kasus/, /KASUS//1, /api/v1/caselog/...
CASELOG_PATH = re.compile(r"^/+(kasus|api/+v1/+caselog)(/|$)", re.IGNORECASE)


def is_case_staff(user=None):
    user = user or current_user
    return bool(user and user.is_authenticated and user.has_role(*CASE_ROLES))


def require_case_staff():
    """`before_request` of the case-log blueprint: every route behind it is covered."""
    if not is_case_staff():
        abort(404)
    g.no_store = True


def hide_caselog_from_non_staff():
    """`before_app_request`: before routing answers 308 (a missing slash), 405 (another method)
    or anything else that would show the case-log exists, non-staff get the same 404."""
    if CASELOG_PATH.match(request.path) and not is_case_staff():
        abort(404)


def case_staff_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        require_case_staff()
        return view(*args, **kwargs)
    return wrapped


def case_admin_required(view):
    """Lookup lists and the audit log: admins only; caseworkers too get 404."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        require_case_staff()
        if not current_user.has_role("admin"):
            abort(404)
        return view(*args, **kwargs)
    return wrapped

"""Access checks, in one place (STYLE.md habit 4)."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def roles_required(*roles, hide=False):
    """Require a logged-in user holding at least one of `roles`.

    Anonymous visitors are sent to the login page. A logged-in user without the role gets
    403, or 404 with `hide=True` for areas whose existence is itself sensitive (case-log).
    """
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(404 if hide else 403)
            return view(*args, **kwargs)
        return wrapped
    return decorator

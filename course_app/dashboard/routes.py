"""The participant's home: the couple's checklist."""
from flask import Blueprint, render_template
from flask_login import current_user

from ..access import roles_required
from ..services.dashboard import checklist_for

bp = Blueprint("dashboard", __name__)


@bp.get("/beranda")
@roles_required("participant")
def index():
    return render_template("dashboard/index.html", checklist=checklist_for(current_user))

"""The participant's home: the certificate once issued, the next step, the couple's checklist."""
from flask import Blueprint, flash, render_template
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required
from ..extensions import db
from ..services import certificates
from ..services.dashboard import checklist_for, next_step

bp = Blueprint("dashboard", __name__)


@bp.get("/beranda")
@roles_required("participant")
def index():
    # A certificate that is due but missing (an issue that failed, no signing key then) is
    # issued now; a failure is logged and the page shows as usual.
    if certificates.issue_pending_for(current_user) is not None:
        db.session.commit()
        flash(_("Selamat! Sertifikat pasangan Anda sudah terbit."), "success")
    checklist = checklist_for(current_user)
    return render_template("dashboard/index.html", checklist=checklist,
                           panel=certificates.certificate_panel(checklist.couple, current_user),
                           step=next_step(current_user))

"""Administration: users and their roles."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ..access import roles_required
from ..extensions import db
from ..models import ROLES
from ..services import DomainError, accounts, mail
from ..services.caselog import audit
from .forms import RolesForm

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 25


@bp.get("/pengguna")
@roles_required("admin")
def users():
    query = request.args.get("q", "").strip()[:100]
    role = request.args.get("role", "")
    page = db.paginate(accounts.search_users(query, role), per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, query=query, role=role, roles=ROLES,
                           mail_counts=mail.outbox_counts())


@bp.route("/pengguna/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def user(user_id):
    person = accounts.find_user(user_id)
    form = RolesForm(roles=sorted(person.role_codes))
    if form.validate_on_submit():
        try:
            accounts.set_roles(person, form.roles.data, acting_user=current_user)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form.roles.errors = [error.message]
        else:
            flash(_("Peran disimpan."), "success")
            return redirect(url_for("admin.user", user_id=person.id))
    return render_template("admin/user.html", person=person, form=form, status_form=FlaskForm(),
                           history=audit.account_history(person))


@bp.post("/pengguna/<int:user_id>/status")
@roles_required("admin")
def user_status(user_id):
    person = accounts.find_user(user_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        accounts.set_active(person, active, acting_user=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Akun diaktifkan.") if active else _("Akun dinonaktifkan."), "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.get("/email")
@roles_required("admin")
def outbox():
    """The mail outbox: how many messages wait or failed, and the newest of them."""
    return render_template("admin/outbox.html", counts=mail.outbox_counts(),
                           messages=mail.unsent_messages())

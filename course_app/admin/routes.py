"""Administration: users, their roles and activation, the mail outbox."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ..access import roles_required
from ..extensions import db
from ..models import ROLES
from ..services import DomainError, accounts, mail, staff
from ..services.caselog import audit
from . import staff_accounts, staff_import  # noqa: F401  (their views register on bp)
from .blueprint import bp
from .forms import InstitutionForm, RolesForm

PER_PAGE = 25


@bp.get("/pengguna")
@roles_required("admin")
def users():
    query = request.args.get("q", "").strip()[:100]
    role = request.args.get("role", "")
    page = db.paginate(accounts.search_users(query, role), per_page=PER_PAGE, error_out=False)
    awaiting_password = {u.id for u in page.items if not accounts.has_usable_password(u)}
    return render_template("admin/users.html", page=page, query=query, role=role, roles=ROLES,
                           mail_counts=mail.outbox_counts(), awaiting_password=awaiting_password)


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
    state, invitation = staff.invitation_state(person)
    institution_form = InstitutionForm(institution_type=person.institution_type,
                                       institution_name=person.institution_name)
    return render_template("admin/user.html", person=person, form=form, status_form=FlaskForm(),
                           institution_form=institution_form, invitation_state=state,
                           invitation=invitation, has_password=accounts.has_usable_password(person),
                           history=audit.account_history(person))


@bp.route("/pengguna/<int:user_id>/status", methods=["GET", "POST"])
@roles_required("admin")
def user_status(user_id):
    """GET: the confirmation page for deactivating (it ends every session of the person at
    once); POST: activate or deactivate."""
    person = accounts.find_user(user_id)
    if request.method == "GET":
        return render_template("admin/user_deactivate.html", person=person, form=FlaskForm())
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

"""Admin views for staff accounts made from the web: a new account with its invitation,
resending the invitation, sending a reset link, an officiant's institution."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ..access import roles_required
from ..extensions import db
from ..forms import show_domain_error
from ..services import DomainError, accounts, staff
from .blueprint import bp
from .forms import InstitutionForm, NewStaffForm


@bp.route("/pengguna/baru", methods=["GET", "POST"])
@roles_required("admin")
def new_user():
    form = NewStaffForm()
    if form.validate_on_submit():
        try:
            person = staff.invite_staff(
                full_name=form.full_name.data, email=form.email.data, roles=form.roles.data,
                institution_type=form.institution_type.data, institution_name=form.institution_name.data,
                acting_user=current_user)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(_("Akun dibuat. Undangan untuk membuat kata sandi dikirim ke %(email)s.",
                    email=person.email), "success")
            return redirect(url_for("admin.user", user_id=person.id))
    return render_template("admin/new_user.html", form=form)


@bp.post("/pengguna/<int:user_id>/undangan")
@roles_required("admin")
def resend_invitation(user_id):
    person = accounts.find_user(user_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        staff.resend_invitation(person, acting_user=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Undangan baru dikirim. Tautan sebelumnya tidak berlaku lagi."), "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/pengguna/<int:user_id>/atur-ulang")
@roles_required("admin")
def send_reset_link(user_id):
    person = accounts.find_user(user_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        staff.send_reset_link(person, acting_user=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Tautan atur ulang kata sandi dikirim ke %(email)s.", email=person.email), "success")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/pengguna/<int:user_id>/lembaga")
@roles_required("admin")
def user_institution(user_id):
    person = accounts.find_user(user_id)
    form = InstitutionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        staff.set_institution(person, form.institution_type.data, form.institution_name.data,
                              acting_user=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Lembaga disimpan."), "success")
    return redirect(url_for("admin.user", user_id=person.id))

"""Forming, joining, leaving and dissolving a couple."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ..access import roles_required
from ..extensions import db
from ..services import DomainError, couples
from .forms import CoupleForm, JoinForm

bp = Blueprint("couples", __name__, url_prefix="/pasangan")


def _render(create_form=None, join_form=None, edit_form=None):
    couple = couples.current_couple(current_user)
    if couple is not None and edit_form is None:
        edit_form = CoupleForm(obj=couple)
    return render_template(
        "couples/index.html", couple=couple,
        partner=couples.partner_of(current_user, couple) if couple else None,
        invite=couples.open_invite(couple) if couple else None, format_code=couples.format_code,
        create_form=create_form or CoupleForm(), join_form=join_form or JoinForm(),
        edit_form=edit_form)


def _attach(form, error):
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        flash(error.message, "error")


@bp.get("/")
@roles_required("participant")
def index():
    return _render()


@bp.post("/buat")
@roles_required("participant")
def create():
    form = CoupleForm()
    if form.validate_on_submit():
        try:
            couples.create_couple(current_user, planned_wedding_date=form.planned_wedding_date.data,
                                  institution_type=form.institution_type.data,
                                  institution_name=form.institution_name.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            _attach(form, error)
        else:
            flash(_("Pasangan dibuat. Berikan kode undangan kepada pasangan Anda."), "success")
            return redirect(url_for("couples.index"))
    return _render(create_form=form), 400


@bp.post("/ubah")
@roles_required("participant")
def edit():
    form = CoupleForm()
    couple = couples.current_couple(current_user)
    if form.validate_on_submit():
        try:
            couples.update_wedding(current_user, couple,
                                   planned_wedding_date=form.planned_wedding_date.data,
                                   institution_type=form.institution_type.data,
                                   institution_name=form.institution_name.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            _attach(form, error)
        else:
            flash(_("Rencana pernikahan disimpan."), "success")
            return redirect(url_for("couples.index"))
    return _render(edit_form=form), 400


@bp.post("/gabung")
@roles_required("participant")
def join():
    form = JoinForm()
    if form.validate_on_submit():
        try:
            couples.join_couple(current_user, form.code.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            _attach(form, error)
        else:
            flash(_("Anda sudah bergabung dengan pasangan Anda."), "success")
            return redirect(url_for("dashboard.index"))
    return _render(join_form=form), 400


@bp.post("/undangan")
@roles_required("participant")
def new_invite():
    try:
        couples.issue_invite(couples.current_couple(current_user), current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Kode undangan baru dibuat. Kode lama tidak berlaku lagi."), "success")
    return redirect(url_for("couples.index"))


@bp.route("/keluar", methods=["GET", "POST"])
@roles_required("participant")
def leave():
    return _confirm_then("leave", couples.leave_couple,
                         _("Anda sudah keluar dari pasangan."))


@bp.route("/bubarkan", methods=["GET", "POST"])
@roles_required("participant")
def dissolve():
    return _confirm_then("dissolve", couples.dissolve_couple,
                         _("Pasangan sudah dibubarkan. Anda dapat membentuk pasangan baru."))


def _confirm_then(action, operation, done_message):
    """GET shows a confirmation page (works without JavaScript); POST does it."""
    couple = couples.current_couple(current_user)
    if couple is None:
        flash(_("Anda belum terdaftar dalam pasangan."), "info")
        return redirect(url_for("couples.index"))
    form = FlaskForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            operation(current_user)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(done_message, "success")
        return redirect(url_for("couples.index"))
    return render_template("couples/confirm.html", action=action, couple=couple, form=form,
                           partner=couples.partner_of(current_user, couple))

"""Forming, joining, leaving and dissolving a couple."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ..access import roles_required
from ..extensions import db
from ..forms import show_domain_error
from ..services import DomainError, couples
from ..services.dashboard import next_step
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
        edit_form=edit_form, step=next_step(current_user) if couple is not None else None)


@bp.get("/")
@roles_required("participant")
def index():
    return _render()


def _submit(form, operation, done_message, redirect_to, form_slot):
    """Validate, run one service call, commit once; else show the form again with the reason."""
    if form.validate_on_submit():
        try:
            operation()
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(done_message, "success")
            return redirect(url_for(redirect_to))
    return _render(**{form_slot: form}), 400


def _wedding(form):
    return dict(planned_wedding_date=form.planned_wedding_date.data,
                institution_type=form.institution_type.data,
                institution_name=form.institution_name.data,
                residence_kecamatan=form.residence_kecamatan.data or None)


@bp.post("/buat")
@roles_required("participant")
def create():
    form = CoupleForm()
    return _submit(form, lambda: couples.create_couple(current_user, **_wedding(form)),
                   _("Pasangan dibuat. Berikan kode undangan kepada pasangan Anda."),
                   "couples.index", "create_form")


@bp.post("/ubah")
@roles_required("participant")
def edit():
    form = CoupleForm()
    return _submit(form, lambda: couples.update_wedding(
        current_user, couples.current_couple(current_user), **_wedding(form)),
        _("Rencana pernikahan disimpan."), "couples.index", "edit_form")


@bp.post("/gabung")
@roles_required("participant")
def join():
    form = JoinForm()
    return _submit(form, lambda: couples.join_couple(current_user, form.code.data),
                   _("Anda sudah bergabung dengan pasangan Anda."), "dashboard.index", "join_form")


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

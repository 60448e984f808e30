"""The participant's own data from the account page (UU 27/2022): "Unduh data saya" (a JSON
file) and "Hapus akun" (with the password asked again). Rules: services/privacy.py. The views
are registered on the `auth` blueprint (imported by auth/__init__.py)."""
import io

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired

from ..access import roles_required
from ..extensions import db
from ..forms import show_domain_error
from ..services import DomainError, clock, privacy
from .routes import bp


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Kata sandi Anda"),
                             validators=[DataRequired(_l("Isi kata sandi Anda untuk menghapus akun."))],
                             render_kw={"autocomplete": "current-password"})
    hints = {"password": _l("Untuk memastikan yang menghapus adalah pemilik akun.")}


class ExportForm(FlaskForm):
    """Only the CSRF token: the download is a POST, so no link or prefetch can start it."""


@bp.post("/akun/data-saya")
@login_required
def export_my_data():
    if not ExportForm().validate_on_submit():
        flash(_("Formulir sudah kedaluwarsa. Coba lagi."), "error")
        return redirect(url_for("auth.account"))
    body = privacy.export_json(current_user)
    db.session.commit()  # the audit entry
    response = send_file(io.BytesIO(body), mimetype="application/json", as_attachment=True,
                         download_name=privacy.export_filename(clock.today()), etag=False, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/akun/hapus", methods=["GET", "POST"])
@roles_required("participant")
def delete_account():
    if not privacy.can_delete_own_account(current_user):
        return render_template("auth/delete_account.html", form=None, kept=None), 403
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            privacy.delete_account(current_user, form.password.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            logout_user()
            flash(_("Akun Anda sudah dihapus. Terima kasih telah menggunakan Pranikah Kupang."), "success")
            return redirect(url_for("main.index"))
    kept = privacy.what_deletion_keeps(current_user)
    return render_template("auth/delete_account.html", form=form, kept=kept), \
        400 if form.is_submitted() else 200

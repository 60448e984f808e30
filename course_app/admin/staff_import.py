"""Admin views for bulk onboarding of officiants from a CSV: upload, preview with every problem
of every row, confirm (all rows or none), discard. Format: docs/staff-import.md."""
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ..access import roles_required
from ..extensions import db
from ..services import DomainError, staff_import
from .blueprint import bp
from .forms import StaffImportForm


@bp.route("/pengguna/impor", methods=["GET", "POST"])
@roles_required("admin")
def import_upload():
    form = StaffImportForm()
    if form.validate_on_submit():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors = [_("Pilih berkas CSV.")]
        else:
            try:
                batch = staff_import.preview_file(upload.filename, upload.read(), current_user)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                form.file.errors = [error.message]
            else:
                return redirect(url_for("admin.import_preview", import_id=batch.id))
    return render_template("admin/import_upload.html", form=form, columns=staff_import.COLUMNS,
                           max_rows=staff_import.MAX_ROWS)


@bp.get("/pengguna/impor/contoh.csv")
@roles_required("admin")
def import_sample():
    path = Path(current_app.root_path).parent / "docs" / "staff-import-sample.csv"
    if not path.exists():
        abort(404)
    return send_file(path, mimetype="text/csv", as_attachment=True,
                     download_name="contoh-impor-petugas.csv")


@bp.get("/pengguna/impor/<int:import_id>")
@roles_required("admin")
def import_preview(import_id):
    batch = staff_import.get_import(import_id)
    problem_rows = [row for row in batch.rows if row["problems"]]
    return render_template("admin/import_preview.html", batch=batch, problem_rows=problem_rows,
                           form=FlaskForm())


@bp.post("/pengguna/impor/<int:import_id>/konfirmasi")
@roles_required("admin")
def import_confirm(import_id):
    batch = staff_import.get_import(import_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        users = staff_import.confirm_import(batch, current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.import_preview", import_id=import_id))
    flash(_("%(n)d akun petugas dibuat; undangan dikirim ke setiap email.", n=len(users)), "success")
    return redirect(url_for("admin.users", role="officiant"))


@bp.post("/pengguna/impor/<int:import_id>/batal")
@roles_required("admin")
def import_discard(import_id):
    batch = staff_import.get_import(import_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    staff_import.discard_import(batch, current_user)
    db.session.commit()
    flash(_("Impor dibatalkan; tidak ada akun yang dibuat."), "info")
    return redirect(url_for("admin.import_upload"))

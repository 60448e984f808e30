"""Case-log views: importing police data (upload, preview, confirm, discard)."""
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ...extensions import db
from ...services import DomainError
from ...services.caselog import audit, imports, lookups
from ..forms import (
    ImportForm,
)
from .blueprint import bp


@bp.route("/impor", methods=["GET", "POST"])
def import_upload():
    form = ImportForm()
    if request.method == "GET":
        form.source.data = "polres"
    if form.validate_on_submit():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors = [_("Pilih berkas CSV atau XLSX.")]
        else:
            try:
                batch, result = imports.preview_file(upload.filename, upload.read(), form.source.data,
                                                     current_user)
                audit.record(current_user, "import_preview", "import", batch.id,
                             f"rows={result.row_count} problems={len(result.problems)}")
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                form.file.errors = [error.message]
            else:
                return redirect(url_for("caselog.import_preview", batch_id=batch.id))
    return render_template("caselog/import_upload.html", form=form, columns=imports.COLUMNS)


@bp.get("/impor/contoh.csv")
def import_sample():
    from pathlib import Path
    path = Path(current_app.root_path).parent / "docs" / "caselog-import-sample.csv"
    if not path.exists():
        abort(404)
    return send_file(path, mimetype="text/csv", as_attachment=True, download_name="contoh-impor-kasus.csv")


@bp.get("/impor/<int:batch_id>")
def import_preview(batch_id):
    batch = imports.get_batch(batch_id, current_user)
    result = imports.load_preview(batch) if batch.state == "preview" else None
    audit.record(current_user, "import_view", "import", batch.id)
    db.session.commit()
    return render_template("caselog/import_preview.html", batch=batch, result=result,
                           confirm_form=FlaskForm(), lookups=_preview_labels(),
                           blank_rows=imports.describe_blank_rows(result) if result else None)


def _preview_labels():
    return {kind: {x.code: x.label for x in lookups.lookups(kind, active_only=False)}
            for kind in ("violence_type", "place", "source")}


@bp.post("/impor/<int:batch_id>/konfirmasi")
def import_confirm(batch_id):
    """Write the batch's cases; with `lewati_duplikat`, the reports already recorded (listed on
    the preview) are skipped. Then the list of the cases just imported."""
    batch = imports.get_batch(batch_id, current_user)
    if not FlaskForm().validate_on_submit():
        abort(400)
    skip = request.form.get("lewati_duplikat") == "1"
    try:
        skipped = len(imports.load_preview(batch).duplicates) if skip and batch.state == "preview" else 0
        ids = imports.confirm_import(batch, current_user, skip_duplicates=skip)
        audit.record(current_user, "import_confirm", "import", batch.id, f"cases={len(ids)} skipped={skipped}")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("caselog.import_preview", batch_id=batch_id))
    if skipped:
        flash(_("%(n)d kasus diimpor; %(skipped)d duplikat dilewati.", n=len(ids), skipped=skipped), "success")
    else:
        flash(_("%(n)d kasus diimpor.", n=len(ids)), "success")
    return redirect(url_for("caselog.cases", impor=batch.id))


@bp.post("/impor/<int:batch_id>/batal")
def import_discard(batch_id):
    batch = imports.get_batch(batch_id, current_user)
    if not FlaskForm().validate_on_submit():
        abort(400)
    imports.discard_import(batch)
    audit.record(current_user, "import_discard", "import", batch.id)
    db.session.commit()
    flash(_("Impor dibatalkan; tidak ada data yang ditulis."), "info")
    return redirect(url_for("caselog.import_upload"))

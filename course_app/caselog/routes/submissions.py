"""The Polres channel (issue 13, point 1): two sides of one queue.

- `/polres/...` (blueprint `polres`): the police liaison sends the month's register (a file, or
  one case at a time on the web form) and sees the status and row problems of their own
  submissions only. Role `police` only: anonymous visitors go to the login page, everyone
  else — caseworkers and admins included — gets 404; another liaison's submission is a 404.
- `/kasus/setoran/...` (the case-log blueprint, so case staff only): the queue with the months
  still missing, the review page (the import preview of the submission, audited), accept and
  return.

The `polres` blueprint is registered with the case-log's (`bp.record_once`), so the case-log
stays one line in `create_app`; its pages sit outside /kasus, where the case-log's own 404 for
everyone but case staff (`hide_caselog_from_non_staff`) keeps applying to liaisons.
"""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ...access import roles_required
from ...extensions import db
from ...forms import strip
from ...services import DomainError
from ...services.caselog import audit, lookups, submissions
from ...services.caselog.submissions import FORM_COLUMNS, STATUS_LABELS, RowProblems
from ...services.dates import month_name
from .blueprint import bp

polres = Blueprint("polres", __name__, url_prefix="/polres")
bp.record_once(lambda state: state.app.register_blueprint(polres))
liaison_required = roles_required("police", hide=True)


@polres.before_request
def _no_store():
    g.no_store = True


# --- forms --------------------------------------------------------------------------------------

def _month_field():
    return SelectField(_l("Bulan register"), validators=[InputRequired(_l("Pilih bulan."))],
                       validate_choice=False)


class SubmissionFileForm(FlaskForm):
    month = _month_field()
    file = FileField(_l("Berkas CSV atau XLSX"), render_kw={"accept": ".csv,.xlsx"})

    hints = {"file": _l("Kolom sama dengan impor P3A (docs/caselog-import.md). Setoran baru untuk "
                        "bulan yang sama menggantikan setoran yang masih menunggu.")}


#: Web-form labels, in the import's column names (the same validation reads them).
FORM_LABELS = {
    "no_laporan": _l("Nomor laporan polisi"), "tanggal_kejadian": _l("Tanggal kejadian"),
    "tanggal_lapor": _l("Tanggal lapor"), "jenis_kekerasan": _l("Jenis kekerasan"),
    "kdrt": _l("KDRT (ya/tidak)"), "penyebab": _l("Faktor penyebab"), "dampak": _l("Dampak"),
    "tempat_kejadian": _l("Tempat kejadian"), "kecamatan": _l("Kecamatan"),
    "kelurahan": _l("Kelurahan"), "lokasi_luar_kota": _l("Lokasi (bila di luar Kota Kupang)"),
    "proses_hukum": _l("Proses hukum"), "kronologi": _l("Kronologi singkat"),
    "korban_nama": _l("Nama/inisial korban"), "korban_jk": _l("Jenis kelamin korban (L/P)"),
    "korban_tanggal_lahir": _l("Tanggal lahir korban"), "korban_umur": _l("Umur korban"),
    "korban_alamat": _l("Alamat korban"), "pelaku_nama": _l("Nama/inisial pelaku"),
    "pelaku_jk": _l("Jenis kelamin pelaku (L/P)"), "pelaku_umur": _l("Umur pelaku"),
    "hubungan": _l("Hubungan pelaku dengan korban"),
}
LONG = {"kronologi": 5000, "korban_alamat": 300, "lokasi_luar_kota": 200, "korban_nama": 160,
        "pelaku_nama": 160, "no_laporan": 80}


class SubmissionCaseForm(FlaskForm):
    month = _month_field()
    hints = {"tanggal_kejadian": _l("Misalnya 12/08/2026."),
             "jenis_kekerasan": _l("Kode atau label; beberapa dipisah titik koma."),
             "kecamatan": _l("Atau 'luar kota' dan isi lokasinya.")}


for _name in FORM_COLUMNS:
    _field = TextAreaField if _name == "kronologi" else StringField
    setattr(SubmissionCaseForm, _name, _field(FORM_LABELS[_name], filters=[strip],
                                              validators=[Length(max=LONG.get(_name, 500))]))


class ReturnForm(FlaskForm):
    reason = TextAreaField(_l("Alasan pengembalian"), filters=[strip], validators=[
        InputRequired(_l("Tulis alasan pengembalian.")), Length(max=submissions.MAX_REASON)])

    hints = {"reason": _l("Dibaca penghubung Polres dan dikirim lewat email: jangan tulis nama atau "
                          "data pribadi; sebut nomor baris.")}


def _months(form):
    """The months a liaison may pick; first shown: `?bulan=` (the month whose register is being
    fixed, from 'Kirim perbaikan'), else last month."""
    form.month.choices = [(m, month_name(m)) for m in submissions.month_choices()]
    if request.method == "GET" and not form.month.data:
        asked = request.args.get("bulan", "")
        form.month.data = (asked if asked in dict(form.month.choices)
                           else submissions.previous_month(submissions.month_choices()[0]))


# --- the liaison's pages ------------------------------------------------------------------------

@polres.get("/", endpoint="submissions")
@liaison_required
def liaison_submissions():
    return render_template("caselog/submissions/liaison_list.html",
                           items=submissions.liaison_submissions(current_user), labels=STATUS_LABELS)


@polres.route("/kirim", methods=["GET", "POST"], endpoint="submit_file")
@liaison_required
def liaison_submit_file():
    form = SubmissionFileForm()
    _months(form)
    if form.validate_on_submit():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors = [_("Pilih berkas CSV atau XLSX.")]
        else:
            try:
                item = submissions.submit_file(current_user, form.month.data, upload.filename, upload.read())
                audit.record(current_user, "submission_send", "submission", item.id,
                             f"month={item.month} rows={item.row_count} problems={item.problem_count}")
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                (form.month if error.field == "month" else form.file).errors = [error.message]
            else:
                flash(_("Setoran diterima dan menunggu pemeriksaan P3A."), "success")
                return redirect(url_for("polres.submission", submission_id=item.id))
    return render_template("caselog/submissions/liaison_file.html", form=form)


@polres.route("/formulir", methods=["GET", "POST"], endpoint="submit_form")
@liaison_required
def liaison_submit_form():
    form = SubmissionCaseForm()
    _months(form)
    if form.validate_on_submit():
        try:
            item = submissions.add_form_case(current_user, form.month.data,
                                             {name: form[name].data for name in FORM_COLUMNS})
            audit.record(current_user, "submission_send", "submission", item.id,
                         f"month={item.month} rows={item.row_count} via=form")
            db.session.commit()
        except RowProblems as error:
            db.session.rollback()
            for column, message in error.problems:
                target = form[column] if column in FORM_COLUMNS else form.month
                target.errors = list(target.errors) + [message]
        except DomainError as error:
            db.session.rollback()
            form.month.errors = [error.message]
        else:
            flash(_("Kasus ditambahkan ke setoran bulan %(month)s.", month=item.month), "success")
            return redirect(url_for("polres.submission", submission_id=item.id))
    return render_template("caselog/submissions/liaison_form.html", form=form)


@polres.get("/<int:submission_id>", endpoint="submission")
@liaison_required
def liaison_submission(submission_id):
    item = submissions.get_own_submission(submission_id, current_user)
    return render_template("caselog/submissions/liaison_submission.html", item=item,
                           problems=submissions.row_problems(item), labels=STATUS_LABELS)


# --- the caseworkers' pages (case-log blueprint: case staff only) -------------------------------

@bp.get("/setoran", endpoint="submissions")
def submission_queue():
    items = submissions.queue()
    audit.record(current_user, "submission_list", "submission", None)
    db.session.commit()
    return render_template("caselog/submissions/queue.html", items=items, labels=STATUS_LABELS,
                           months=submissions.month_overview())


@bp.get("/setoran/<int:submission_id>", endpoint="submission_review")
def submission_review(submission_id):
    item = submissions.get_submission(submission_id)
    try:
        result = submissions.review(item)
    except DomainError as error:  # a file that no longer reads (the limits may have changed)
        result, unreadable = None, error.message
    else:
        unreadable = None
    audit.record(current_user, "submission_view", "submission", item.id,
                 f"rows={item.row_count} problems={item.problem_count}")
    db.session.commit()
    return render_template("caselog/submissions/review.html", item=item, result=result,
                           unreadable=unreadable, labels=STATUS_LABELS, return_form=ReturnForm(formdata=None),
                           lookups={kind: {x.code: x.label for x in lookups.lookups(kind, active_only=False)}
                                    for kind in ("violence_type", "place")})


@bp.post("/setoran/<int:submission_id>/terima", endpoint="submission_accept")
def submission_accept(submission_id):
    item = submissions.get_submission(submission_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        ids = submissions.accept_submission(item, current_user)
        audit.record(current_user, "submission_accept", "submission", item.id,
                     f"cases={len(ids)} import={item.import_batch_id}")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("caselog.submission_review", submission_id=submission_id))
    flash(_("Setoran disetujui: %(n)d kasus dicatat.", n=len(ids)), "success")
    # As after an import: the cases just recorded. They are unassigned, so the list's default
    # (the caseworker's own cases) would not show them.
    return redirect(url_for("caselog.cases", impor=item.import_batch_id))


@bp.post("/setoran/<int:submission_id>/kembalikan", endpoint="submission_return")
def submission_return(submission_id):
    item = submissions.get_submission(submission_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        for message in form.reason.errors or [_("Tulis alasan pengembalian.")]:
            flash(message, "error")
        return redirect(url_for("caselog.submission_review", submission_id=submission_id))
    try:
        submissions.return_submission(item, current_user, form.reason.data)
        audit.record(current_user, "submission_return", "submission", item.id)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("caselog.submission_review", submission_id=submission_id))
    flash(_("Setoran dikembalikan; penghubung Polres diberi tahu lewat email."), "success")
    return redirect(url_for("caselog.submissions"))

"""Good-conduct letters: participant upload (`bp`) and the reviewers' desk (`review_bp`).

The desk is for the `reviewer` role only. Admins manage accounts, not letters: an admin who
must review grants themselves the reviewer role, which is recorded like any role change.
"""
import io
from pathlib import PurePosixPath

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import roles_required
from ..extensions import db
from ..forms import show_domain_error
from ..services import DomainError, clock, letters, uploads
from ..services.dashboard import next_step
from ..services.letters import desk
from ..services.mail import send_mail
from .forms import (
    ApproveForm,
    CoupleSearchForm,
    QueueFilterForm,
    RejectForm,
    UploadForm,
    new_upload_token,
)

bp = Blueprint("letters", __name__, url_prefix="/surat")
review_bp = Blueprint("review", __name__, url_prefix="/tinjau")

QUEUE_PER_PAGE = 20
COUPLES_PER_PAGE = 10
#: A stored file, opened on its own or inside the review page's frame: nothing in it may run,
#: load anything, or be framed by another site. Chromium still shows images and PDFs under it.
FILE_CSP = ("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
            "frame-ancestors 'self'; sandbox")


@bp.record_once
def _template_helpers(state):
    """Labels for letter codes, for these pages and the dashboard's letter line."""
    state.app.jinja_env.globals.update(
        letter_status_label=letters.status_label, reason_label=letters.reason_label,
        action_label=lambda code: letters.ACTION_LABELS.get(code, code),
        police_office_text=letters.police_office_text)


@bp.before_request
@review_bp.before_request
def _private_pages():
    # Letters and decisions are personal data: shared caches must not keep these pages.
    g.no_store = True


# --- participants ------------------------------------------------------------------------------

@bp.get("/")
@roles_required("participant")
def index():
    return render_template("letters/index.html", summary=letters.letter_summary(current_user),
                           history=letters.letters_of(current_user), step=next_step(current_user))


@bp.route("/unggah", methods=["GET", "POST"])
@roles_required("participant")
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        chosen = form.upload
        try:
            letters.submit_letter(
                current_user, data=chosen.read(uploads.max_upload_bytes() + 1),
                filename=form.upload_filename, number=form.number.data,
                police_office=form.police_office.data,
                police_office_name=form.police_office_name.data, issued_on=form.issued_on.data,
                valid_until=form.valid_until.data, token=form.upload_token.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(_("SKCK Anda sudah terkirim dan menunggu pemeriksaan petugas P3A. Hasilnya tampil di beranda dan dikirim ke email Anda."), "success")
            return redirect(url_for(".index"))
    elif form.is_submitted() and form.upload_token.errors:
        form.upload_token.data = new_upload_token()
        flash(_("Formulir ini sudah kedaluwarsa. Pilih berkas lalu kirim sekali lagi."), "error")
    return render_template("letters/upload.html", form=form,
                           summary=letters.letter_summary(current_user),
                           max_mb=uploads.max_upload_mb()), 400 if form.is_submitted() else 200


@bp.get("/<int:letter_id>/berkas")
@login_required
def file(letter_id):
    """The stored file, for its owner and reviewers only (anyone else: 404)."""
    letter = letters.find_letter(letter_id, current_user)
    if letter.file_deleted_at is not None:  # retention or account deletion: gone for good
        back_url = url_for("review.letter", letter_id=letter.id) if letter.user_id != current_user.id \
            else url_for(".index")
        return render_template("privacy/file_deleted.html", letter=letter, back_url=back_url), 410
    data, content_type = letters.letter_file(letter)
    # send_file writes Content-Disposition (an ASCII filename plus filename*=UTF-8 for the rest).
    response = send_file(io.BytesIO(data), mimetype=content_type, as_attachment=bool(request.args.get("unduh")),
                         download_name=download_name(letter, content_type), etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def download_name(letter, content_type):
    """The participant's file name with the extension of what is actually stored."""
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[content_type]
    stem = PurePosixPath(letter.original_filename).stem or "skck"
    return f"{stem}{extension}"




# --- the reviewers' desk -----------------------------------------------------------------------

@review_bp.get("/")
@roles_required("reviewer")
def queue():
    form = QueueFilterForm(request.args)
    form.validate()
    value = lambda field: None if field.errors else field.data  # noqa: E731
    statement = desk.review_queue(status=value(form.status), date_from=value(form.dari),
                                     date_to=value(form.sampai), query=value(form.q))
    page = db.paginate(statement, per_page=QUEUE_PER_PAGE, error_out=False)
    filters = {k: v for k, v in request.args.items() if k in form._fields and v}
    return render_template("review/queue.html", form=form, page=page, filters=filters,
                           pending=desk.pending_count(), today=clock.today())


def _render_letter(letter, approve_form=None, reject_form=None, status=200):
    return render_template(
        "review/letter.html", letter=letter, person=letter.user,
        summary=letters.letter_summary(letter.user), others=letters.letters_of(letter.user),
        duplicates=letters.duplicates_of(letter), expired=letters.is_expired(letter),
        approve_form=approve_form or ApproveForm(), reject_form=reject_form or RejectForm(),
        today=clock.today()), status


@review_bp.get("/surat/<int:letter_id>")
@roles_required("reviewer")
def letter(letter_id):
    return _render_letter(letters.find_letter(letter_id, current_user))


@review_bp.post("/surat/<int:letter_id>/setujui")
@roles_required("reviewer")
def approve(letter_id):
    letter = letters.find_letter(letter_id, current_user)
    if not ApproveForm().validate_on_submit():
        return redirect(url_for(".letter", letter_id=letter.id))
    try:
        letters.approve_letter(letter, current_user)
        _tell_participant(letter)  # queued in the same transaction as the decision
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".letter", letter_id=letter_id))
    flash(_("SKCK %(name)s disetujui.", name=letter.user.full_name), "success")
    return redirect(url_for(".queue"))


@review_bp.post("/surat/<int:letter_id>/tolak")
@roles_required("reviewer")
def reject(letter_id):
    letter = letters.find_letter(letter_id, current_user)
    form = RejectForm()
    if not form.validate_on_submit():
        return _render_letter(letter, reject_form=form, status=400)
    try:
        letters.reject_letter(letter, current_user, form.reason.data, form.reason_text.data)
        _tell_participant(letter)  # queued in the same transaction as the decision
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        letter = letters.find_letter(letter_id, current_user)
        show_domain_error(form, error)
        return _render_letter(letter, reject_form=form, status=400)
    flash(_("SKCK %(name)s ditolak; peserta diberi tahu alasannya.", name=letter.user.full_name), "success")
    return redirect(url_for(".queue"))


def _tell_participant(letter):
    """Queue the decision's email, in the participant's language, in the decision's own
    transaction (the outbox): a mail server that is down delays the email, never the decision."""
    person = letter.user
    link = current_app.config["PUBLIC_BASE_URL"] + url_for("letters.index")
    with force_locale(person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = (_("SKCK Anda disetujui") if letter.status == "approved"
                   else _("SKCK Anda perlu diunggah ulang"))
        body = render_template("letters/email_decision.txt", letter=letter, person=person,
                               link=link, reason=letters.reason_label(letter.reason_code))
    send_mail(person.email, subject, body)


@review_bp.get("/pasangan")
@roles_required("reviewer")
def couples():
    form = CoupleSearchForm(request.args)
    form.validate()
    query = None if form.q.errors else form.q.data
    page = db.paginate(desk.couples_query(query), per_page=COUPLES_PER_PAGE, error_out=False)
    rows = [(couple, desk.couple_progress(couple)) for couple in page.items]
    return render_template("review/couples.html", form=form, page=page, rows=rows, query=query or "")

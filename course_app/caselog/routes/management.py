"""Case-log views for case management (issue 13 point 2): owner and supervisor of a case,
referrals, tasks and "Tugas saya", closure requests and decisions, attachments, and the
admins' supervisor flag. Rules are in services/caselog/management/; supervisor-only actions
answer 404 to anyone else, like every case-log page a person may not use."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ...auth.forms import DATE_FORMATS
from ...extensions import db
from ...forms import show_domain_error, strip
from ...services import DomainError, clock
from ...services.accounts import find_user
from ...services.caselog import audit, cases
from ...services.caselog import management as people
from ...services.caselog.management import attachments, closure, merge, referrals, tasks
from ...services.uploads import max_upload_mb
from ..access import case_admin_required
from ..forms import BLANK, DATE_MESSAGE, lookup_choices
from .blueprint import bp
from .downloads import attachment as file_answer


def _date(label, required=True):
    return DateField(label, format=DATE_FORMATS, invalid_value_message=DATE_MESSAGE,
                     validators=[InputRequired(_l("Isi tanggal."))] if required else [Optional()])


class AssignForm(FlaskForm):
    owner_id = SelectField(_l("Petugas penanggung jawab"), coerce=lambda v: int(v) if v else None,
                           validate_choice=False)
    supervisor_id = SelectField(_l("Supervisor"), coerce=lambda v: int(v) if v else None,
                                validate_choice=False)


class ReferralForm(FlaskForm):
    service = SelectField(_l("Layanan rujukan"), choices=lookup_choices("referral_service"),
                          validate_choice=False)
    institution = StringField(_l("Nama lembaga (tidak wajib)"), filters=[strip], validators=[Length(max=160)])
    victim_id = SelectField(_l("Korban"), coerce=lambda v: int(v) if v else None, validate_choice=False)
    sent_on = _date(_l("Tanggal dikirim"))
    notes = TextAreaField(_l("Catatan"), filters=[strip], validators=[Length(max=2000)], render_kw={"rows": 3})

    hints = {"notes": _l("Disimpan terenkripsi.")}


class ReferralStatusForm(FlaskForm):
    status = SelectField(_l("Status rujukan"), validate_choice=False,
                         choices=[SelectChoice(code, label) for code, label in referrals.STATUS_LABELS.items()])
    on = _date(_l("Tanggal"))
    note = StringField(_l("Catatan (tidak wajib)"), filters=[strip], validators=[Length(max=300)])


class TaskForm(FlaskForm):
    title = StringField(_l("Tugas"), filters=[strip],
                        validators=[InputRequired(_l("Tulis tugasnya.")), Length(max=200)])
    due_date = _date(_l("Jatuh tempo"))
    assignee_id = SelectField(_l("Dikerjakan oleh"), coerce=lambda v: int(v) if v else None,
                              validate_choice=False)

    hints = {"title": _l("Terlihat di email pengingat: jangan tulis nama korban.")}


class ClosureForm(FlaskForm):
    reason = SelectField(_l("Alasan penutupan"), choices=lookup_choices("closure_reason"), validate_choice=False)
    note = TextAreaField(_l("Catatan"), filters=[strip], validators=[Length(max=1000)], render_kw={"rows": 3})


class DecisionForm(FlaskForm):
    note = StringField(_l("Catatan keputusan"), filters=[strip], validators=[Length(max=1000)])


class MergeForm(FlaskForm):
    target = StringField(_l("Nomor kasus tujuan (yang berlanjut)"), filters=[strip],
                         validators=[InputRequired(_l("Tulis nomor kasus tujuan.")), Length(max=20)])


class AttachmentForm(FlaskForm):
    kind = SelectField(_l("Jenis lampiran"), validate_choice=False,
                       choices=[SelectChoice("", BLANK)] + [SelectChoice(code, label)
                                                            for code, label in attachments.KINDS.items()])
    file = FileField(_l("Berkas (PDF, JPG atau PNG)"))


@bp.context_processor
def _management_helpers():
    return {"is_case_supervisor": people.is_supervisor, "referral_labels": referrals.STATUS_LABELS,
            "referral_next": referrals.TRANSITIONS, "attachment_kinds": attachments.KINDS,
            "pending_closure": closure.pending_request, "task_overdue": tasks.is_overdue,
            "closure_unfinished": closure.unfinished,
            "kupang_today": clock.today}


def _to_case(record, anchor=""):
    return redirect(url_for("caselog.case", case_id=record.id) + anchor)


def _person_choices(users, blank):
    return [SelectChoice("", blank)] + [SelectChoice(str(u.id), u.full_name) for u in users]


@bp.route("/<int:case_id>/penanggung-jawab", methods=["GET", "POST"])
def assign_case(case_id):
    record = cases.get_case(case_id)
    if not people.is_supervisor(current_user):
        abort(404)
    form = AssignForm(data={"owner_id": record.owner_id, "supervisor_id": record.supervisor_id}
                      if request.method == "GET" else None)
    form.owner_id.choices = _person_choices(people.caseworkers(), _("— belum ditentukan —"))
    form.supervisor_id.choices = _person_choices(people.caseworkers(supervisors_only=True), _("— tidak ada —"))
    if form.validate_on_submit():
        try:
            people.assign_case(record, owner_id=form.owner_id.data, supervisor_id=form.supervisor_id.data,
                               acting_user=current_user)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(_("Penanggung jawab kasus disimpan."), "success")
            return _to_case(record)
    return render_template("caselog/management/assign.html", case=record, form=form)


@bp.route("/<int:case_id>/rujukan", methods=["GET", "POST"])
def add_referral(case_id):
    record = cases.get_case(case_id)
    form = ReferralForm()
    form.victim_id.choices = [SelectChoice("", _("— seluruh kasus —"))] + [
        SelectChoice(str(v.id), _("Korban %(n)d: %(name)s", n=i, name=v.name or ""))
        for i, v in enumerate(record.victims, 1)]
    if request.method == "GET":
        form.sent_on.data = clock.today()
    if form.validate_on_submit():
        try:
            entry = referrals.add_referral(record, service=form.service.data, sent_on=form.sent_on.data,
                                           institution=form.institution.data, victim_id=form.victim_id.data,
                                           notes=form.notes.data, user=current_user)
            audit.record(current_user, "referral_add", "case", record.id, f"referral={entry.id}")
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            record = cases.get_case(case_id)
        else:
            flash(_("Rujukan dicatat."), "success")
            return _to_case(record, "#rujukan")
    audit.record(current_user, "case_view", "case", record.id, "referral_form")  # names victims
    db.session.commit()
    return render_template("caselog/management/form.html", case=record, form=form,
                           title=_("Rujuk ke layanan"), submit=_("Simpan rujukan"),
                           action=url_for("caselog.add_referral", case_id=record.id))


@bp.post("/<int:case_id>/rujukan/<int:referral_id>/status")
def referral_status(case_id, referral_id):
    record = cases.get_case(case_id)
    entry = referrals.get_referral(record, referral_id)
    form = ReferralStatusForm()
    if not form.validate_on_submit():
        flash(_("Pilih status dan tanggal rujukan."), "error")
        return _to_case(record, "#rujukan")
    try:
        before = entry.status
        referrals.change_referral_status(entry, record, status=form.status.data, on=form.on.data,
                                         note=form.note.data, user=current_user)
        audit.record(current_user, "referral_status", "case", record.id,
                     f"referral={entry.id} {before}->{entry.status}")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Status rujukan disimpan."), "success")
    return _to_case(record, "#rujukan")


@bp.route("/<int:case_id>/tugas", methods=["GET", "POST"])
def add_task(case_id):
    record = cases.get_case(case_id)
    form = TaskForm()
    form.assignee_id.choices = _person_choices(people.caseworkers(), _("— penanggung jawab kasus —"))
    if form.validate_on_submit():
        try:
            task = tasks.add_task(record, title=form.title.data, due_date=form.due_date.data,
                                  assignee_id=form.assignee_id.data, user=current_user)
            audit.record(current_user, "task_add", "case", record.id, f"task={task.id}")
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(_("Tugas dicatat."), "success")
            return _to_case(record, "#tugas")
    return render_template("caselog/management/form.html", case=record, form=form,
                           title=_("Tugas tindak lanjut"), submit=_("Simpan tugas"),
                           action=url_for("caselog.add_task", case_id=record.id))


@bp.post("/<int:case_id>/tugas/<int:task_id>/selesai")
def complete_task(case_id, task_id):
    record = cases.get_case(case_id)
    task = tasks.get_task(record, task_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    tasks.complete_task(task, current_user)
    audit.record(current_user, "task_done", "case", record.id, f"task={task.id}")
    db.session.commit()
    flash(_("Tugas ditandai selesai."), "success")
    if request.form.get("from") == "tugas":
        return redirect(url_for("caselog.my_tasks"))
    return _to_case(record, "#tugas")


@bp.get("/tugas")
def my_tasks():
    groups = tasks.my_tasks(current_user)
    waiting = closure.waiting_requests() if people.is_supervisor(current_user) else []
    audit.record(current_user, "task_list", "case", None)
    db.session.commit()
    return render_template("caselog/management/my_tasks.html", groups=groups, waiting=waiting,
                           today=clock.today())


@bp.route("/<int:case_id>/penutupan", methods=["GET", "POST"])
def request_closure(case_id):
    record = cases.get_case(case_id)
    form = ClosureForm()
    if form.validate_on_submit():
        try:
            entry = closure.request_closure(record, reason=form.reason.data, note=form.note.data,
                                            user=current_user)
            audit.record(current_user, "closure_request", "case", record.id, f"request={entry.id}")
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            record = cases.get_case(case_id)
        else:
            flash(_("Pengajuan penutupan dikirim ke supervisor."), "success")
            return _to_case(record, "#penutupan")
    return render_template("caselog/management/form.html", case=record, form=form, closing=True,
                           title=_("Ajukan penutupan kasus"), submit=_("Ajukan penutupan"),
                           action=url_for("caselog.request_closure", case_id=record.id))


@bp.post("/<int:case_id>/penutupan/<int:request_id>/keputusan")
def decide_closure(case_id, request_id):
    record = cases.get_case(case_id)
    if not people.is_supervisor(current_user):
        abort(404)
    entry = closure.get_request(record, request_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    approve = request.form.get("decision") == "approve"
    try:
        closure.decide_closure(entry, record, approve=approve, note=form.note.data, user=current_user)
        audit.record(current_user, "closure_decide", "case", record.id,
                     f"request={entry.id} {entry.state}")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Kasus ditutup.") if approve else _("Pengajuan penutupan ditolak."), "success")
    return _to_case(record, "#penutupan")


@bp.route("/<int:case_id>/lampiran", methods=["GET", "POST"])
def add_attachment(case_id):
    record = cases.get_case(case_id)
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors = [_("Pilih berkas PDF, JPG atau PNG.")]
        else:
            try:
                entry = attachments.add_attachment(record, kind=form.kind.data, filename=upload.filename,
                                                   data=upload.read(), user=current_user)
                audit.record(current_user, "attachment_add", "case", record.id, f"attachment={entry.id}")
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                if error.field == "kind":
                    form.kind.errors = [error.message]
                else:  # a refused file: what to do instead, beside the field
                    form.file.errors = [error.message]
            else:
                flash(_("Lampiran disimpan (terenkripsi)."), "success")
                return _to_case(record, "#lampiran")
    return render_template("caselog/management/form.html", case=record, form=form,
                           title=_("Tambah lampiran"), submit=_("Unggah"), enctype="multipart/form-data",
                           hint=_("Paling besar %(mb)d MB. Foto disimpan ulang tanpa data lokasi.",
                                  mb=max_upload_mb()),
                           action=url_for("caselog.add_attachment", case_id=record.id))


@bp.get("/<int:case_id>/lampiran/<int:attachment_id>")
def attachment(case_id, attachment_id):
    record = cases.get_case(case_id)
    entry = attachments.get_attachment(record, attachment_id)
    audit.record(current_user, "attachment_view", "case", record.id, f"attachment={entry.id}")
    db.session.commit()
    response = file_answer(entry.content, entry.content_type, entry.filename)
    if request.args.get("lihat") == "1":
        response.headers.set("Content-Disposition", "inline", filename=entry.filename)
    return response


@bp.route("/<int:case_id>/gabung", methods=["GET", "POST"])
def merge_case(case_id):
    record = cases.get_case(case_id)
    if not people.is_supervisor(current_user):
        abort(404)
    form = MergeForm()
    if form.validate_on_submit():
        target = merge.find_target(form.target.data)
        try:
            merge.merge_case(record, target, current_user)
            audit.record(current_user, "case_merge", "case", record.id, f"into={target.id}")
            audit.record(current_user, "case_merge", "case", target.id, f"from={record.id}")
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(_("Kasus %(b)s digabung ke %(a)s.", b=record.number, a=target.number), "success")
            return _to_case(target)
    return render_template("caselog/management/form.html", case=record, form=form,
                           title=_("Gabungkan kasus %(number)s ke kasus lain", number=record.number),
                           submit=_("Gabungkan"), action=url_for("caselog.merge_case", case_id=record.id),
                           hint=_("Untuk dua catatan dari kejadian yang sama. Kasus ini ditutup dan menunjuk "
                                  "ke kasus tujuan; data dan riwayat keduanya tetap utuh."))


@bp.post("/pengguna/<int:user_id>/supervisor")
@case_admin_required
def set_supervisor(user_id):
    person = find_user(user_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        people.set_supervisor(person, request.form.get("supervisor") == "1", acting_user=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Status supervisor disimpan."), "success")
    return redirect(url_for("admin.user", user_id=person.id))


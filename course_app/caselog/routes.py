"""Case-log for P3A case staff (caseworker, admin only; everyone else gets 404).

Every view writes an audit entry (who, what, which object — never personal data) and commits
once. Rules live in services/caselog; these views shape input and choose templates.
"""
from datetime import date

from flask import (
    Blueprint,
    Response,
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

from ..extensions import db
from ..services import DomainError, clock
from ..services.caselog import audit, cases, exports, imports, lookups, reports
from ..services.caselog.cases import CaseRuleError
from ..services.caselog.reference import LOOKUP_KINDS, STATUS_LABELS
from .access import case_admin_required, hide_caselog_from_non_staff, require_case_staff
from .forms import (
    CaseForm,
    ImportForm,
    LookupForm,
    NewLookupForm,
    ServiceForm,
    StatusForm,
    formdata_from_payload,
)

bp = Blueprint("caselog", __name__, url_prefix="/kasus")
bp.before_request(require_case_staff)
bp.before_app_request(hide_caselog_from_non_staff)


@bp.before_request
def _reference_data():
    """A fresh database gets its category lists on the first case-log visit."""
    if lookups.ensure_seeded():
        db.session.commit()

PER_PAGE = 25
EXPORT_LIMIT = 50000


def _date_arg(name):
    try:
        return date.fromisoformat(request.args.get(name, "").strip()) if request.args.get(name) else None
    except ValueError:
        return None


def _case_filters():
    args = request.args
    kecamatan = args.get("kecamatan", "")
    return {
        "q": args.get("q", "").strip()[:80], "status": args.get("status", ""),
        "type_": args.get("type", ""), "cause": args.get("cause", ""), "impact": args.get("impact", ""),
        "kecamatan_id": int(kecamatan) if kecamatan.isdigit() else (kecamatan if kecamatan == "luar_kota" else None),
        "date_from": _date_arg("from"), "date_to": _date_arg("to"),
    }


def _filters_for_audit(filters):
    shown = {k: v for k, v in filters.items() if k != "q"}
    shown["search"] = "yes" if filters.get("q") else None  # typed text is never logged
    return audit.describe_filters(**shown)


@bp.get("/", endpoint="cases")
def cases_list():
    filters = _case_filters()
    page = db.paginate(cases.search_cases(**filters), per_page=PER_PAGE, error_out=False)
    audit.record(current_user, "case_list", "case", None, _filters_for_audit(filters))
    db.session.commit()
    return render_template("caselog/cases.html", page=page, filters=filters, args=request.args,
                           statuses=STATUS_LABELS, kecamatan=lookups.kecamatan_list(),
                           types=lookups.lookups("violence_type"), causes=lookups.lookups("cause"),
                           impacts=lookups.lookups("impact"))


@bp.get("/unduh")
def cases_export():
    filters = _case_filters()
    kind = request.args.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        abort(404)
    rows = db.session.scalars(cases.search_cases(**filters).limit(EXPORT_LIMIT)).all()
    audit.record(current_user, "case_export", "case", None,
                 f"format={kind} rows={len(rows)} " + _filters_for_audit(filters))
    db.session.commit()
    stamp = clock.stamp()
    if kind == "csv":
        return Response(exports.cases_csv(rows), mimetype="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="kasus-{stamp}.csv"'})
    return Response(exports.cases_xlsx(rows), mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="kasus-{stamp}.xlsx"'})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _show_problems(form, error):
    problems = error.problems if isinstance(error, CaseRuleError) else [(error.field, error.message)]
    for path, message in problems:
        field = form.field_for(path) if path else None
        if field is not None:
            field.errors = list(field.errors) + [message]
        else:
            flash(message, "error")


def _case_form_page(form, case=None):
    """The case form. Showing an existing case's form (first display, a re-render after an
    invalid POST or a refused rule) shows its decrypted data: each display is audited."""
    if case is not None:
        audit.record(current_user, "case_view", "case", case.id, "edit_form")
        db.session.commit()
    form.sync_relationships()
    return render_template("caselog/case_form.html", form=form, case=case)


@bp.route("/baru", methods=["GET", "POST"])
def new_case():
    form = CaseForm()
    if request.method == "GET":
        form.source.data = form.source.data or "p3a"
        form.report_date.data = clock.today()
    elif form.apply_button(request.form):
        return _case_form_page(form)
    elif form.validate_on_submit():
        form.sync_relationships()
        try:
            case = cases.create_case(form.payload(), current_user)
            audit.record(current_user, "case_create", "case", case.id)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            _show_problems(form, error)
        else:
            flash(_("Kasus %(number)s tersimpan.", number=case.number), "success")
            return redirect(url_for("caselog.case", case_id=case.id))
    return _case_form_page(form)


@bp.get("/<int:case_id>")
def case(case_id):
    record = cases.get_case_or_404(case_id)
    audit.record(current_user, "case_view", "case", record.id)
    db.session.commit()
    status_form = StatusForm(formdata=None)
    status_form.status.choices = [(code, _(STATUS_LABELS[code])) for code in cases.TRANSITIONS[record.status]]
    return render_template("caselog/case.html", case=record, timeline=cases.timeline(record),
                           status_form=status_form,
                           statuses=STATUS_LABELS, child_without_guardian=_child_without_guardian(record))


def _child_without_guardian(record):
    return not record.guardian_consent and any(
        v.age_at_incident is not None and v.age_at_incident < 18 for v in record.victims)


@bp.route("/<int:case_id>/ubah", methods=["GET", "POST"])
def edit_case(case_id):
    record = cases.get_case_or_404(case_id)
    if request.method == "GET":
        form = CaseForm(formdata=None, data=formdata_from_payload(cases.payload_from_case(record)))
        return _case_form_page(form, record)
    form = CaseForm()
    if form.apply_button(request.form):
        return _case_form_page(form, record)
    if form.validate_on_submit():
        form.sync_relationships()
        try:
            cases.update_case(record, form.payload(), current_user)
            audit.record(current_user, "case_update", "case", record.id)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            _show_problems(form, error)
            record = cases.get_case_or_404(case_id)
        else:
            flash(_("Perubahan kasus %(number)s tersimpan.", number=record.number), "success")
            return redirect(url_for("caselog.case", case_id=record.id))
    return _case_form_page(form, record)


@bp.post("/<int:case_id>/status")
def change_status(case_id):
    record = cases.get_case_or_404(case_id)
    form = StatusForm()
    form.status.choices = [(code, STATUS_LABELS[code]) for code in STATUS_LABELS]
    if not form.validate_on_submit():
        flash(_("Pilih status baru."), "error")
        return redirect(url_for("caselog.case", case_id=record.id))
    try:
        before = record.status
        cases.change_status(record, form.status.data, current_user, note=form.note.data)
        audit.record(current_user, "case_status", "case", record.id, f"{before}->{record.status}")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Status diubah menjadi: %(status)s.", status=_(STATUS_LABELS[record.status])), "success")
    return redirect(url_for("caselog.case", case_id=record.id))


@bp.route("/<int:case_id>/layanan", methods=["GET", "POST"])
def add_service(case_id):
    record = cases.get_case_or_404(case_id)
    form = ServiceForm()
    form.victim_id.choices = [(v.id, _("Korban %(n)d: %(name)s", n=i, name=v.name or ""))
                              for i, v in enumerate(record.victims, 1)]
    if request.method == "GET":
        form.service_date.data = form.service_date.data or clock.today()
    if form.validate_on_submit():
        try:
            entry = cases.add_service(
                record, victim_id=form.victim_id.data, service=form.service.data, status=form.status.data,
                service_date=form.service_date.data, institution=form.institution.data or None,
                notes=form.notes.data, follow_up_date=form.follow_up_date.data, user=current_user)
            audit.record(current_user, "service_add", "case", record.id, f"service_entry={entry.id}")
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            field = getattr(form, error.field, None) if error.field else None
            if field is not None:
                field.errors = list(field.errors) + [error.message]
            else:
                flash(error.message, "error")
            record = cases.get_case_or_404(case_id)
        else:
            flash(_("Layanan dicatat."), "success")
            return redirect(url_for("caselog.case", case_id=record.id) + "#linimasa")
    # The form names the victims (decrypted): every display is audited, re-renders after an
    # invalid POST or a refused rule included.
    audit.record(current_user, "case_view", "case", record.id, "service_form")
    db.session.commit()
    return render_template("caselog/service_form.html", case=record, form=form)


# --- import ---------------------------------------------------------------------------------

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
    batch = imports.get_batch_or_404(batch_id, current_user)
    result = imports.load_preview(batch) if batch.state == "preview" else None
    audit.record(current_user, "import_view", "import", batch.id)
    db.session.commit()
    return render_template("caselog/import_preview.html", batch=batch, result=result,
                           confirm_form=FlaskForm(), lookups=_preview_labels())


def _preview_labels():
    return {kind: {x.code: x.label for x in lookups.lookups(kind, active_only=False)}
            for kind in ("violence_type", "place", "source")}


@bp.post("/impor/<int:batch_id>/konfirmasi")
def import_confirm(batch_id):
    batch = imports.get_batch_or_404(batch_id, current_user)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        ids = imports.confirm_import(batch, current_user)
        audit.record(current_user, "import_confirm", "import", batch.id, f"cases={len(ids)}")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("caselog.import_preview", batch_id=batch_id))
    flash(_("%(n)d kasus diimpor.", n=len(ids)), "success")
    return redirect(url_for("caselog.cases"))


@bp.post("/impor/<int:batch_id>/batal")
def import_discard(batch_id):
    batch = imports.get_batch_or_404(batch_id, current_user)
    if not FlaskForm().validate_on_submit():
        abort(400)
    imports.discard_import(batch)
    audit.record(current_user, "import_discard", "import", batch.id)
    db.session.commit()
    flash(_("Impor dibatalkan; tidak ada data yang ditulis."), "info")
    return redirect(url_for("caselog.import_upload"))


# --- reports --------------------------------------------------------------------------------

def _report_args():
    period = request.args.get("period", "")
    date_from, date_to = _date_arg("from"), _date_arg("to")
    if period:
        date_from, date_to = reports.period_range(period, clock.today())
    elif not date_from and not date_to and "from" not in request.args:
        date_from, date_to = reports.period_range("this_year", clock.today())
    dimension = request.args.get("dimension", "cause")
    if dimension not in reports.DIMENSIONS and dimension != "all":
        dimension = "cause"
    return dimension, date_from, date_to, request.args.get("publication") == "1", period


@bp.get("/laporan", endpoint="reports")
def reports_page():
    dimension, date_from, date_to, publication, period = _report_args()
    if dimension == "all":
        dimension = "cause"
    report = reports.build_report(dimension, date_from, date_to, publication)
    delay = reports.reporting_delay(date_from, date_to, publication)
    audit.record(current_user, "report_view", "report", dimension, audit.describe_filters(
        date_from=date_from, date_to=date_to, publication=int(publication)))
    db.session.commit()
    return render_template("caselog/reports.html", report=report, delay=delay, dimension=dimension,
                           dimensions=reports.DIMENSIONS, date_from=date_from, date_to=date_to,
                           publication=publication, period=period, periods=reports.PERIODS,
                           small_cell=reports.small_cell())


@bp.get("/laporan/unduh")
def reports_export():
    dimension, date_from, date_to, publication, _period = _report_args()
    kind = request.args.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        abort(404)
    chosen = list(reports.DIMENSIONS) if dimension == "all" else [dimension]
    built = [reports.build_report(d, date_from, date_to, publication) for d in chosen]
    audit.record(current_user, "report_export", "report", dimension, audit.describe_filters(
        format=kind, date_from=date_from, date_to=date_to, publication=int(publication)))
    db.session.commit()
    name = f"laporan-kasus-{dimension}-{date_from or 'awal'}-{date_to or 'kini'}"
    if kind == "csv":
        return Response(exports.reports_csv(built), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return Response(exports.reports_xlsx(built), mimetype=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


# --- administration: lookup lists and the audit log ---------------------------------------

@bp.get("/daftar-pilihan")
@case_admin_required
def lookup_lists():
    kind = request.args.get("kind", "violence_type")
    if kind not in LOOKUP_KINDS:
        kind = "violence_type"
    entries = lookups.lookups(kind, active_only=False)
    return render_template("caselog/lookups.html", kind=kind, kinds=LOOKUP_KINDS, entries=entries,
                           usage=lookups.usage_counts(kind), new_form=NewLookupForm(formdata=None),
                           delete_form=FlaskForm())


@bp.route("/daftar-pilihan/<kind>/baru", methods=["POST"])
@case_admin_required
def lookup_new(kind):
    if kind not in LOOKUP_KINDS:
        abort(404)
    form = NewLookupForm()
    if form.validate_on_submit():
        try:
            entry = lookups.add_lookup(kind, code=form.code.data, label=form.label.data,
                                       position=form.position.data)
            audit.record(current_user, "lookup_create", "lookup", entry.id, f"{kind}:{entry.code}")
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(_("Pilihan ditambahkan."), "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("caselog.lookup_lists", kind=kind))


@bp.route("/daftar-pilihan/<int:lookup_id>", methods=["GET", "POST"])
@case_admin_required
def lookup_edit(lookup_id):
    entry = lookups.get_lookup_or_404(lookup_id)
    form = LookupForm(obj=entry)
    if form.validate_on_submit():
        try:
            lookups.update_lookup(entry, label=form.label.data, active=form.active.data,
                                  position=form.position.data)
            audit.record(current_user, "lookup_update", "lookup", entry.id, f"{entry.kind}:{entry.code}")
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form.label.errors = [error.message]
        else:
            flash(_("Pilihan disimpan."), "success")
            return redirect(url_for("caselog.lookup_lists", kind=entry.kind))
    return render_template("caselog/lookup_form.html", entry=entry, form=form, kinds=LOOKUP_KINDS,
                           used=lookups.usage_count(entry), delete_form=FlaskForm())


@bp.post("/daftar-pilihan/<int:lookup_id>/hapus")
@case_admin_required
def lookup_delete(lookup_id):
    entry = lookups.get_lookup_or_404(lookup_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    kind, code = entry.kind, entry.code
    try:
        lookups.delete_lookup(entry)
        audit.record(current_user, "lookup_delete", "lookup", lookup_id, f"{kind}:{code}")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("caselog.lookup_edit", lookup_id=lookup_id))
    flash(_("Pilihan dihapus."), "success")
    return redirect(url_for("caselog.lookup_lists", kind=kind))


@bp.get("/audit")
@case_admin_required
def audit_log():
    args = request.args
    object_id = args.get("object_id", "").strip()[:40]
    filters = {"email": args.get("email", "").strip()[:120], "action": args.get("action", ""),
               "object_type": args.get("object_type", "").strip()[:30], "object_id": object_id,
               "date_from": _date_arg("from"), "date_to": _date_arg("to")}
    page = db.paginate(audit.search(**filters), per_page=50, error_out=False)
    audit.record(current_user, "audit_view", "audit", None, audit.describe_filters(
        action=filters["action"], object_type=filters["object_type"], object_id=object_id,
        date_from=filters["date_from"], date_to=filters["date_to"],
        user="yes" if filters["email"] else None))
    db.session.commit()
    return render_template("caselog/audit.html", page=page, filters=filters, actions=audit.ACTIONS,
                           object_types=audit.OBJECT_TYPES)

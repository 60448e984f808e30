"""Case-log views: the case list and export, the case form, the case page, status and services."""
from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...forms import query_date, show_domain_error
from ...services import DomainError, clock
from ...services.caselog import audit, cases, exports, imports, lookups
from ...services.caselog.cases import CaseRuleError
from ...services.caselog.management import list_scope
from ...services.caselog.reference import STATUS_LABELS
from ..forms import (
    CaseForm,
    ServiceForm,
    StatusForm,
    formdata_from_payload,
)
from .blueprint import bp
from .downloads import CSV, XLSX, streamed, written_file

PER_PAGE = 25
EXPORT_LIMIT = 50000


def _case_filters():
    args = request.args
    kecamatan = args.get("kecamatan", "")
    return {
        "q": args.get("q", "").strip()[:80], "status": args.get("status", ""),
        "type_": args.get("type", ""), "cause": args.get("cause", ""), "impact": args.get("impact", ""),
        "kecamatan_id": int(kecamatan) if kecamatan.isdigit() else (kecamatan if kecamatan == "luar_kota" else None),
        "date_from": query_date("from"), "date_to": query_date("to"),
        # Own cases by default (issue 13 point 2); a search or an import's cases look at all.
        "owner_id": current_user.id if list_scope(
            current_user, args.get("pemilik"),
            searching=bool(args.get("q", "").strip() or args.get("impor"))) == "saya" else None,
    }


def _filters_for_audit(filters):
    shown = {k: v for k, v in filters.items() if k != "q"}
    shown["search"] = "yes" if filters.get("q") else None  # typed text is never logged
    return audit.describe_filters(**shown)


def _import_batch_id():
    """`?impor=<batch id>`: only the cases one import brought (where a confirmed import lands)."""
    batch = request.args.get("impor", "")
    return int(batch) if batch.isdigit() and len(batch) <= 9 else None  # an id, never an overflow


def _listed(filters, batch_id):
    query = cases.search_cases(**filters)
    return imports.of_batch(query, batch_id) if batch_id else query


@bp.get("/", endpoint="cases")
def cases_list():
    filters, batch_id = _case_filters(), _import_batch_id()
    page = db.paginate(_listed(filters, batch_id), per_page=PER_PAGE, error_out=False)
    audit.record(current_user, "case_list", "case", None,
                 _filters_for_audit(dict(filters, import_batch=batch_id)))
    db.session.commit()
    return render_template("caselog/cases.html", page=page, filters=filters, args=request.args,
                           import_batch=imports.find_batch(batch_id),
                           statuses=STATUS_LABELS, kecamatan=lookups.kecamatan_list(),
                           types=lookups.lookups("violence_type"), causes=lookups.lookups("cause"),
                           impacts=lookups.lookups("impact"))


@bp.get("/unduh")
def cases_export():
    """The filtered case list as CSV (streamed) or XLSX (written to a temporary file, then
    sent): cases are read in chunks, so memory stays flat at any size (product §9)."""
    filters = _case_filters()
    kind = request.args.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        abort(404)
    batch_id = _import_batch_id()
    ids = exports.case_ids(_listed(filters, batch_id), EXPORT_LIMIT)
    audit.record(current_user, "case_export", "case", None,
                 f"format={kind} rows={len(ids)} " + _filters_for_audit(dict(filters, import_batch=batch_id)))
    db.session.commit()
    stamp = clock.stamp()
    rows = exports.export_rows(ids)
    if kind == "csv":
        return streamed(exports.csv_chunks(rows), CSV, f"kasus-{stamp}.csv")
    return written_file(lambda file: exports.xlsx_file(rows, file), XLSX, f"kasus-{stamp}.xlsx")


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
    record = cases.get_case(case_id)
    audit.record(current_user, "case_view", "case", record.id)
    db.session.commit()
    status_form = StatusForm(formdata=None)
    status_form.status.choices = [(code, _(STATUS_LABELS[code])) for code in cases.TRANSITIONS[record.status]]
    return render_template("caselog/case.html", case=record, timeline=cases.timeline(record),
                           status_form=status_form,
                           statuses=STATUS_LABELS, child_without_guardian=cases.child_without_guardian(record))


@bp.route("/<int:case_id>/ubah", methods=["GET", "POST"])
def edit_case(case_id):
    record = cases.get_case(case_id)
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
            record = cases.get_case(case_id)
        else:
            flash(_("Perubahan kasus %(number)s tersimpan.", number=record.number), "success")
            return redirect(url_for("caselog.case", case_id=record.id))
    return _case_form_page(form, record)


@bp.post("/<int:case_id>/status")
def change_status(case_id):
    record = cases.get_case(case_id)
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
    record = cases.get_case(case_id)
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
            show_domain_error(form, error)
            record = cases.get_case(case_id)
        else:
            flash(_("Layanan dicatat."), "success")
            return redirect(url_for("caselog.case", case_id=record.id) + "#linimasa")
    # The form names the victims (decrypted): every display is audited, re-renders after an
    # invalid POST or a refused rule included.
    audit.record(current_user, "case_view", "case", record.id, "service_form")
    db.session.commit()
    return render_template("caselog/service_form.html", case=record, form=form)

"""Case-log views for admins: lookup lists and the audit log."""
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
from flask_wtf import FlaskForm

from ...extensions import db
from ...forms import query_date
from ...services import DomainError
from ...services.caselog import audit, lookups
from ...services.caselog.reference import LOOKUP_KINDS
from ..access import case_admin_required
from ..forms import (
    LookupForm,
    NewLookupForm,
)
from .blueprint import bp


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
    entry = lookups.get_lookup(lookup_id)
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
    entry = lookups.get_lookup(lookup_id)
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
               "date_from": query_date("from"), "date_to": query_date("to")}
    page = db.paginate(audit.search(**filters), per_page=50, error_out=False)
    audit.record(current_user, "audit_view", "audit", None, audit.describe_filters(
        action=filters["action"], object_type=filters["object_type"], object_id=object_id,
        date_from=filters["date_from"], date_to=filters["date_to"],
        user="yes" if filters["email"] else None))
    db.session.commit()
    return render_template("caselog/audit.html", page=page, filters=filters, actions=audit.ACTIONS,
                           object_types=audit.OBJECT_TYPES)

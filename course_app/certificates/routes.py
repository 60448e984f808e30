"""Certificates for couples: downloads for the partners (`bp`), and the reviewers' pages to
revoke a certificate and to record a court dispensation."""
import io

from flask import Blueprint, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required
from ..extensions import db
from ..forms import show_domain_error
from ..services import DomainError, certificate_pdf, qr
from ..services import certificates as service
from .forms import DispensationForm, RevokeForm

bp = Blueprint("certificates", __name__, url_prefix="/sertifikat")


@bp.app_context_processor
def certificate_helpers():
    """Labels and formats of certificates, for every template that shows one."""
    return {"group_id": certificate_pdf.group_id,
            "certificate_status_label": service.status_label,
            "revocation_label": service.revocation_label, "mask_name": service.mask_name}


def _download(data, mimetype, filename, attachment=True):
    g.no_store = True
    return send_file(io.BytesIO(data if isinstance(data, bytes) else data.encode()), mimetype=mimetype,
                     as_attachment=attachment, download_name=filename, etag=False, max_age=0)


def _qr_attachment():
    """A QR opens as an image (on a phone a download lands out of sight); `?unduh=1` saves it."""
    return bool(request.args.get("unduh"))


# --- the partners' downloads -----------------------------------------------------------------

@bp.get("/<cid>/pdf")
@roles_required("participant", "reviewer")
def pdf(cid):
    certificate = service.find_own_certificate(cid, current_user)
    return _download(certificate.pdf, "application/pdf", f"sertifikat-pranikah-{certificate.id}.pdf")


@bp.get("/<cid>/qr.svg")
@roles_required("participant", "reviewer")
def qr_svg(cid):
    certificate = service.find_own_certificate(cid, current_user)
    return _download(qr.svg(certificate.snapshot["verify_url"]), "image/svg+xml",
                     f"qr-sertifikat-{certificate.id}.svg", attachment=_qr_attachment())


@bp.get("/<cid>/qr.png")
@roles_required("participant", "reviewer")
def qr_png(cid):
    certificate = service.find_own_certificate(cid, current_user)
    return _download(qr.png(certificate.snapshot["verify_url"]), "image/png",
                     f"qr-sertifikat-{certificate.id}.png", attachment=_qr_attachment())


# --- reviewers: find, revoke -----------------------------------------------------------------

@bp.get("/kelola")
@roles_required("reviewer")
def manage():
    query = request.args.get("q", "").strip()[:100]
    return render_template("certificates/manage.html", query=query,
                           certificates=service.search_certificates(query),
                           status_of=service.status_of)


def _detail(certificate, form=None, code=200):
    g.no_store = True
    return render_template("certificates/detail.html", certificate=certificate,
                           status=service.status_of(certificate), form=form or RevokeForm()), code


@bp.get("/kelola/<cid>")
@roles_required("reviewer")
def detail(cid):
    certificate = service.find_certificate(cid)
    return _detail(certificate)


@bp.post("/kelola/<cid>/cabut")
@roles_required("reviewer")
def revoke(cid):
    certificate = service.find_certificate(cid)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            service.revoke_certificate(certificate, current_user, form.reason.data, form.note.data)
            service.notify_revocation(certificate)  # the outbox: committed with the revocation
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(_("Sertifikat dicabut. Pasangan akan diberi tahu lewat email."), "success")
            return redirect(url_for("certificates.detail", cid=certificate.id))
    return _detail(certificate, form, 400)


# --- reviewers: court dispensations ----------------------------------------------------------

def _dispensation_page(forms=None, code=200):
    g.no_store = True
    query = request.args.get("q", "").strip()[:100]
    rows = service.couples_needing_dispensation(query=query)
    forms = forms or {}
    for couple, young in rows:
        if couple.id not in forms:
            form = DispensationForm(formdata=None, prefix=f"c{couple.id}")
            form.user_id.choices = [(u.id, u.full_name) for u in young]
            forms[couple.id] = form
    return render_template("certificates/dispensations.html", rows=rows, forms=forms,
                           query=query, age_on=service.age_on), code


@bp.get("/dispensasi")
@roles_required("reviewer")
def dispensations():
    return _dispensation_page()


@bp.post("/dispensasi/<int:couple_id>")
@roles_required("reviewer")
def record_dispensation(couple_id):
    couple = service.find_couple(couple_id)
    form = DispensationForm(prefix=f"c{couple.id}")
    form.user_id.choices = [(m.user_id, m.user.full_name) for m in couple.active_members]
    if form.validate_on_submit():
        person = next((m.user for m in couple.active_members if m.user_id == form.user_id.data), None)
        try:
            if person is None:
                raise DomainError(_("Orang ini bukan anggota pasangan tersebut."))
            service.record_dispensation(couple, person, form.court_number.data, current_user)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            issued = service.live_certificate(couple) is not None
            flash(_("Dispensasi dicatat.") + (" " + _("Sertifikat pasangan ini langsung terbit.")
                                              if issued else ""), "success")
            return redirect(url_for("certificates.dispensations"))
    return _dispensation_page({couple.id: form}, 400)

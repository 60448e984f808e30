"""Public verification: `/v/<id>` (and `/V/<id>`, as QR codes spell it), the offline verifier
`/verify/scan` with its service worker and web app manifest.

The QR's token rides in the URL fragment, which browsers never send: the server only ever
sees the random id, so neither names nor tokens can end up in a server log (product §6).
"""
import hashlib
import json
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required
from ..extensions import db, limiter
from ..forms import show_domain_error
from ..services import DomainError
from ..services import certificates as service
from .forms import MarriageForm

bp = Blueprint("verify", __name__)

#: Who sees the full names on the server-rendered page (the public sees masked names).
FULL_NAME_ROLES = ("officiant", "reviewer")

#: What the offline verifier needs, cached by its service worker (static paths). `url_for` gives
#: their fingerprinted URLs (static_files.py): the ones the pages and the vendored modules'
#: relative imports ask for, so the worker's copies are the ones found offline.
OFFLINE_STATIC = ("css/app.css", "js/app.js", "js/verify.js", "js/scan.js", "img/icon.svg",
                  "img/verify-192.png", "img/verify-512.png", "vendor/jsqr-1.4.0/dist/jsQR.js",
                  "vendor/noble-ed25519-3.2.0/index.js", "vendor/noble-hashes-2.0.1/sha2.js",
                  "vendor/noble-hashes-2.0.1/_md.js", "vendor/noble-hashes-2.0.1/_u64.js",
                  "vendor/noble-hashes-2.0.1/utils.js")


def verify_rate_limit():
    return current_app.config["VERIFY_RATE_LIMIT"]


#: Seconds a browser or shared cache may reuse the page of a visitor without a session
#: (docs/api.md): short, because a certificate can become used or revoked at any moment, and
#: an officiant must not be shown "valid" for longer than this after it did.
PUBLIC_MAX_AGE = 5


def _is_plain_visitor():
    """A visitor without a session (so without an account, without messages to flash and
    without a remembered login): the page is the same for all of them but for the language
    cookie, so shared caches may keep it (`Vary: Cookie`)."""
    cookies = request.cookies
    return (current_app.config["SESSION_COOKIE_NAME"] not in cookies
            and current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") not in cookies)


def _page(cid, form=None, code=200):
    """The page, rendered from the database on every request: nothing is kept in the process.
    A plain visitor's page is cacheable for `PUBLIC_MAX_AGE` seconds and carries an ETag of
    its body, so a revalidation after a change gets the new page (200), never a 304; every
    other page is `private, no-store` (officiants see full names; messages are personal)."""
    certificate = service.get_certificate(cid)
    response = make_response(_render_page(cid, certificate, service.status_of(certificate), form), code)
    if form is None and code == 200 and _is_plain_visitor():
        response.cache_control.public = True
        response.cache_control.max_age = PUBLIC_MAX_AGE
        response.vary.add("Cookie")
        response.add_etag()
        return response.make_conditional(request)
    g.no_store = True
    return response


def _render_page(cid, certificate, status, form):
    officiant = current_user.is_authenticated and current_user.has_role("officiant")
    if form is None and officiant and status == "valid":
        form = MarriageForm(formdata=None, institution_type=certificate.snapshot["wedding"]["institution_type"],
                            institution_name=certificate.snapshot["wedding"]["institution_name"])
    return render_template(
        "verify/page.html", certificate=certificate, status=status, requested_id=cid,
        names=service.names_of(certificate) if certificate else [],
        people=service.people_of(certificate) if certificate else [],
        full_names=current_user.is_authenticated and current_user.has_role(*FULL_NAME_ROLES),
        officiant=officiant, form=form)


@bp.get("/v/<cid>")
@limiter.limit(verify_rate_limit)
def page(cid):
    return _page(cid)


@bp.get("/V/<cid>")
@limiter.limit(verify_rate_limit)
def page_upper(cid):
    """QR codes spell the path in capitals (alphanumeric mode): same page, same id."""
    return _page(cid)


@bp.post("/v/<cid>/nikah")
@limiter.limit(verify_rate_limit)
@roles_required("officiant")
def record_marriage(cid):
    certificate = service.find_certificate(cid)
    form = MarriageForm()
    if form.validate_on_submit():
        try:
            service.record_marriage(certificate, current_user, marriage_date=form.marriage_date.data,
                                    institution_type=form.institution_type.data,
                                    institution_name=form.institution_name.data)
            db.session.commit()
        except service.MarriageAlreadyRecorded as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("verify.page", cid=certificate.id))
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(_("Pernikahan dicatat. Sertifikat ini sekarang berstatus sudah dipakai."), "success")
            return redirect(url_for("verify.page", cid=certificate.id))
    return _page(certificate.id, form, 400)


# --- the offline verifier --------------------------------------------------------------------

@bp.get("/verify/scan")
def scan():
    raw = request.args.get("id")
    if raw is not None:
        certificate_id = service.normalise_id(raw)
        if certificate_id:
            return redirect(url_for("verify.page", cid=certificate_id))
        flash(_("Nomor sertifikat terdiri dari 16 huruf dan angka, misalnya ABCD EFGH JKLM NPQR."), "error")
    return render_template("verify/scan.html", revocation_labels={
        code: str(label) for code, label in service.REVOCATION_LABELS.items()})


def _static_path(filename):
    return Path(current_app.static_folder) / filename


@bp.get("/verify/sw.js")
def service_worker():
    """The service worker, with the list of what it caches and a version that changes whenever
    one of those files changes (so phones pick up new code): the static URLs carry their files'
    content hashes. Its scope is the whole site (`Service-Worker-Allowed: /`) so that `/V/<id>`
    links still open offline."""
    precache = [url_for("verify.scan"), url_for("verify.manifest"), url_for("api.keys"),
                url_for("api.status_list")] + [url_for("static", filename=f) for f in OFFLINE_STATIC]
    source = _static_path("js/verify-sw.js").read_bytes()
    digest = hashlib.sha256(source)
    digest.update(json.dumps(precache).encode())
    body = (f"self.PK_VERSION = {json.dumps(digest.hexdigest()[:16])};\n"
            f"self.PK_PRECACHE = {json.dumps(precache)};\n"
            f"self.PK_SCAN_PAGE = {json.dumps(url_for('verify.scan'))};\n").encode() + source
    response = make_response(body)
    response.mimetype = "text/javascript"
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/verify/manifest.webmanifest")
def manifest():
    """Web app manifest: the verifier installs as an app that opens on the scan page."""
    data = {
        "id": url_for("verify.scan"),
        "name": _("Pemeriksa Sertifikat Pranikah Kupang"),
        "short_name": _("Cek Sertifikat"),
        "description": _("Periksa keaslian sertifikat pranikah dengan kamera, juga tanpa internet."),
        "lang": str(get_locale() or "id"),
        "start_url": url_for("verify.scan"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f7f4",
        "theme_color": "#0b6e4f",
        "icons": [
            {"src": url_for("static", filename="img/verify-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": url_for("static", filename="img/verify-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": url_for("static", filename="img/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = make_response(json.dumps(data, ensure_ascii=False))
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response

"""Public pages: home, help, language switch, health checks."""
from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from ..extensions import csrf, db
from ..i18n import LANG_COOKIE
from ..security import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated and current_user.has_role("participant"):
        return redirect(url_for("dashboard.index"))
    return render_template("main/index.html")


@bp.get("/bantuan")
def help():
    """Where to get help. Local numbers and addresses are settings (never invented in the code);
    the national lines — police emergency 110 and SAPA 129 — are the same everywhere."""
    config = current_app.config
    p3a = {key: config.get(f"P3A_CONTACT_{key.upper()}", "") for key in ("phone", "email", "address")}
    return render_template("main/help.html", p3a=p3a, uptd_phone=config.get("UPTD_PPA_CONTACT_PHONE", ""))


@bp.post("/bahasa")
@csrf.exempt
def set_language():
    """A visitor's language only sets their own `lang` cookie: harmless and idempotent, so it
    needs no CSRF token, and public pages (the verification page above all) then render without
    one, so they write no session. A signed-in user's choice is saved on the account: that
    still requires the token."""
    if current_user.is_authenticated and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next"), url_for("main.index"))
    response = make_response(redirect(target))
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, httponly=True,
                            samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return response


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers. Never touches the database."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/readyz")
def readyz():
    """Readiness: the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        db.session.rollback()
        return "database unavailable", 503, {"Content-Type": "text/plain; charset=utf-8",
                                             "Cache-Control": "no-store"}
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}

"""Friendly error pages in the user's language; the 500 handler rolls the session back."""
import traceback

from flask import g, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .services import Forbidden, NotFound


def _wants_json():
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json")


def register(app):
    messages = {
        400: lambda: (_("Permintaan tidak dapat diproses"),
                      _("Ada yang tidak beres dengan data yang dikirim. Muat ulang halaman lalu coba lagi.")),
        403: lambda: (_("Akses ditolak"),
                      _("Akun Anda tidak memiliki izin untuk membuka halaman ini.")),
        404: lambda: (_("Halaman tidak ditemukan"),
                      _("Alamat ini tidak ada atau sudah tidak tersedia. Periksa kembali tautannya.")),
        405: lambda: (_("Cara akses tidak didukung"),
                      _("Halaman ini tidak dapat dibuka dengan cara tersebut.")),
        413: lambda: (_("Berkas terlalu besar"),
                      _("Berkas yang Anda kirim melebihi batas ukuran. Perkecil berkas (misalnya foto dengan resolusi lebih rendah) lalu coba lagi.")),
        429: lambda: (_("Terlalu banyak percobaan"),
                      _("Anda mencoba terlalu sering. Tunggu beberapa menit, lalu coba lagi.")),
        500: lambda: (_("Terjadi kesalahan pada server"),
                      _("Maaf, ada gangguan di pihak kami. Data Anda tidak berubah. Silakan coba lagi beberapa saat lagi.")),
        503: lambda: (_("Layanan sedang tidak tersedia"),
                      _("Sistem sedang sibuk atau dalam perawatan. Silakan coba lagi beberapa saat lagi.")),
    }

    def render_error(code, description=None):
        title, text = messages.get(code, messages[500])()
        if _wants_json():
            return {"error": code, "message": title}, code
        return render_template("errors/error.html", code=code, title=title,
                               text=description or text), code

    @app.errorhandler(HTTPException)
    def handle_http(error):
        code = error.code or 500
        if code >= 500:
            db.session.rollback()
        # CSRF failures carry a reason the user can act on.
        description = None
        if code == 400 and getattr(error, "description", "").startswith("The CSRF"):
            description = _("Formulir sudah kedaluwarsa atau dikirim dari tempat lain. Muat ulang halaman lalu kirim lagi.")
        return render_error(code if code in messages else (500 if code >= 500 else 400),
                            description)

    @app.errorhandler(NotFound)
    def handle_not_found(error):
        """Services say NotFound (a missing object, or another user's): one translation to 404."""
        return render_error(404)

    @app.errorhandler(Forbidden)
    def handle_forbidden(error):
        return render_error(403)

    @app.errorhandler(Exception)
    def handle_exception(error):
        db.session.rollback()
        where = (request.method, request.url_rule.rule if request.url_rule else "?")
        if isinstance(error, DBAPIError):
            # The driver's text can quote the row it refused (PostgreSQL: "Failing row contains
            # (..., email, name, ...)"): log the error's kind, statement and stack, never its text.
            app.logger.error("unhandled error on %s %s: %s.%s in %s\n%s", *where,
                             type(error.orig).__module__, type(error.orig).__name__,
                             error.statement, "".join(traceback.format_tb(error.__traceback__)))
        else:
            app.logger.exception("unhandled error on %s %s", *where)
        return render_error(500)

    @app.errorhandler(OperationalError)
    def handle_db_down(error):
        # The page must render without the database: the user loader sees this flag.
        g.database_down = True
        db.session.rollback()
        app.logger.error("database unavailable on %s %s", request.method,
                         request.url_rule.rule if request.url_rule else "?")
        return render_error(503)

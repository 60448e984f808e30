"""Item statistics of the quizzes on the staff desk (/tinjau/statistik-soal; issue 11 point 6).

Reviewers and admins only: a question's numbers help the content team fix it, and they are
aggregates (no participant appears). The rules and numbers live in services/item_statistics.py.
"""
import io

from flask import abort, render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectField
from wtforms.validators import Optional

from ..access import roles_required
from ..services import clock
from ..services import item_statistics as service
from .routes import review_bp

STAFF = ("reviewer", "admin")


class VersionForm(Form):
    """The version selector, read from the query string (no CSRF: it changes nothing)."""

    versi = SelectField(_l("Versi konten"), coerce=int, validators=[Optional()])


def _requested_version():
    """`?versi=N`; anything that is not a number means the default (the newest)."""
    return request.args.get("versi", type=int)


@review_bp.get("/statistik-soal")
@roles_required(*STAFF)
def item_statistics_modules():
    return render_template("review/item_statistics_modules.html",
                           summaries=service.module_summaries())


@review_bp.get("/statistik-soal/<code>")
@roles_required(*STAFF)
def item_statistics(code):
    module = service.find_module(code)
    stats = service.version_statistics(module, _requested_version())
    form = VersionForm()
    form.versi.choices = [(v.version, _("Versi %(version)d (%(n)d percobaan)", version=v.version,
                                        n=v.attempts)) for v in stats.versions]
    form.versi.data = stats.version
    return render_template("review/item_statistics.html", stats=stats, form=form,
                           warn=service.WARN, min_answers=service.MIN_ANSWERS,
                           easy_above=service.EASY_ABOVE, hard_below=service.HARD_BELOW,
                           low_discrimination=service.LOW_DISCRIMINATION_BELOW)


@review_bp.get("/statistik-soal/<code>/csv")
@roles_required(*STAFF)
def item_statistics_csv(code):
    module = service.find_module(code)
    stats = service.version_statistics(module, _requested_version())
    if stats.version is None:
        abort(404)
    name = f"statistik-soal-{module.code}-versi-{stats.version}-{clock.stamp()}.csv"
    # send_file writes Content-Disposition and makes text/csv "text/csv; charset=utf-8".
    return send_file(io.BytesIO(service.statistics_csv(stats)), mimetype="text/csv",
                     as_attachment=True, download_name=name, etag=False, max_age=0)

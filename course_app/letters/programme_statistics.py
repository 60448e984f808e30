"""The programme's numbers on the staff desk (/tinjau/statistik; issue 12 point 5).

Reviewers and admins: aggregates only, no person appears. The rules, the SQL and the small-number
rule for publication live in services/programme_statistics.py; this reads the period and the
publication toggle from the query string and shows or sends the tables.
"""
import io
from datetime import date

from flask import abort, render_template, request, send_file
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Form, SelectField

from ..access import roles_required
from ..forms import show_domain_error
from ..services import DomainError, clock
from ..services import programme_statistics as service
from .routes import review_bp

STAFF = ("reviewer", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PeriodForm(Form):
    """The period and the publication toggle, from the query string (no CSRF: it changes nothing)."""

    dari = SelectField(_l("Dari bulan"), invalid_choice_message=_l("Pilih bulan dari daftar."))
    sampai = SelectField(_l("Sampai bulan"), invalid_choice_message=_l("Pilih bulan dari daftar."))
    publikasi = BooleanField(_l("Untuk publikasi (angka kecil disamarkan, tanpa rincian di bawah kecamatan)"))

    hints = {"dari": _l("Bulan menurut waktu Kupang (WITA).")}


def _month(value):
    year, month = value.split("-")
    return date(int(year), int(month), 1)


def _requested():
    """(form, period, publication, valid). No months asked: the default period (the last 12).
    A month not on the list or a reversed period is shown beside its field, with the default."""
    form = PeriodForm(request.args)
    form.dari.choices = form.sampai.choices = [
        (m.strftime("%Y-%m"), service.month_label(m)) for m in service.month_choices()]
    default = service.default_period()
    publication = bool(form.publikasi.data)
    if not request.args.get("dari") and not request.args.get("sampai"):
        form.dari.data, form.sampai.data = (m.strftime("%Y-%m") for m in (default.first, default.last))
        return form, default, publication, True
    if not form.validate():
        return form, default, publication, False
    try:
        return form, service.make_period(_month(form.dari.data), _month(form.sampai.data)), publication, True
    except DomainError as error:
        show_domain_error(form, error)
        return form, default, publication, False


@review_bp.get("/statistik")
@roles_required(*STAFF)
def programme_statistics():
    form, period, publication, _valid = _requested()
    stats = service.programme_statistics(period, publication)
    return render_template("review/programme_statistics.html", stats=stats, form=form,
                           month_label=service.month_label, query=_query(period, publication))


def _query(period, publication):
    """The page's arguments, for its download links."""
    return {"dari": period.first.strftime("%Y-%m"), "sampai": period.last.strftime("%Y-%m"),
            "publikasi": "y" if publication else None}


def _download(kind):
    _form, period, publication, valid = _requested()
    if not valid:  # the page only links valid periods: anything else is a hand-made address
        abort(400)
    stats = service.programme_statistics(period, publication)
    name = (f"statistik-program-{period.first:%Y-%m}-{period.last:%Y-%m}"
            f"{'-publikasi' if publication else ''}-{clock.stamp()}.{kind}")
    body = service.statistics_csv(stats) if kind == "csv" else service.statistics_xlsx(stats)
    # send_file writes Content-Disposition and makes text/csv "text/csv; charset=utf-8".
    return send_file(io.BytesIO(body), mimetype="text/csv" if kind == "csv" else XLSX,
                     as_attachment=True, download_name=name, etag=False, max_age=0)


@review_bp.get("/statistik/csv")
@roles_required(*STAFF)
def programme_statistics_csv():
    return _download("csv")


@review_bp.get("/statistik/xlsx")
@roles_required(*STAFF)
def programme_statistics_xlsx():
    return _download("xlsx")

"""Case-log views: reports (one-way and two-way), the month trend, and their export."""
from io import BytesIO

from flask import (
    abort,
    make_response,
    render_template,
    request,
    send_file,
)
from flask_babel import gettext
from flask_login import current_user

from ...extensions import db
from ...forms import query_date
from ...services import clock
from ...services.caselog import annual_summary, audit, exports, reports, simfoni
from ...services.caselog.reports import crosstab, files, trend
from .blueprint import bp
from .downloads import CSV, XLSX, attachment


def _report_args():
    period = request.args.get("period", "")
    date_from, date_to = query_date("from"), query_date("to")
    if period:
        date_from, date_to = reports.period_range(period, clock.today())
    elif not date_from and not date_to and "from" not in request.args:
        date_from, date_to = reports.period_range("this_year", clock.today())
    dimension = request.args.get("dimension", "cause")
    if dimension not in reports.DIMENSIONS and dimension != "all":
        dimension = "cause"
    return dimension, date_from, date_to, request.args.get("publication") == "1", period


def _by(dimension):
    """The `by` argument (the columns of a two-way report): None when absent; an unknown or
    repeated dimension answers 400 with the reason."""
    by = request.args.get("by") or None
    if by is not None:
        try:
            crosstab.check_dimensions(dimension, by)
        except crosstab.InvalidDimension as error:
            message, values = error.args
            abort(make_response(render_template(
                "errors/error.html", code=400, title=gettext("Permintaan tidak dapat diproses"),
                text=gettext(message, **values)), 400))
    return by


@bp.get("/laporan", endpoint="reports")
def reports_page():
    dimension, date_from, date_to, publication, period = _report_args()
    if dimension == "all":
        dimension = "cause"
    by = _by(dimension)
    table = crosstab.build_crosstab(dimension, by, date_from, date_to, publication) if by else None
    report = reports.build_report(dimension, date_from, date_to, publication)
    delay = reports.reporting_delay(date_from, date_to, publication)
    months = trend.month_trend(date_from, date_to, publication)
    audit.record(current_user, "report_view", "report", f"{dimension}×{by}" if by else dimension,
                 audit.describe_filters(date_from=date_from, date_to=date_to, publication=int(publication)))
    db.session.commit()
    return render_template("caselog/reports.html", report=report, delay=delay, dimension=dimension,
                           by=by, table=table, months=months,
                           dimensions=reports.DIMENSIONS, date_from=date_from, date_to=date_to,
                           publication=publication, period=period, periods=reports.PERIODS,
                           small_cell=reports.small_cell(), years=_years())


def _years():
    """The years the annual summary offers: this one and the five before it."""
    this_year = clock.today().year
    return list(range(this_year, this_year - 6, -1))


@bp.get("/laporan/tahunan", endpoint="annual_summary")
def annual_summary_pdf():
    """The annual summary for the city government: A4 PDF, publication-mode figures only."""
    year = request.args.get("tahun", type=int)
    if year is None or not 2000 <= year <= clock.today().year:
        abort(400)
    body = annual_summary.render(year)
    audit.record(current_user, "report_export", "report", "annual_summary",
                 audit.describe_filters(format="pdf", year=year, publication=1))
    db.session.commit()
    return send_file(BytesIO(body), mimetype="application/pdf", as_attachment=True,
                     download_name=f"ringkasan-tahunan-kasus-{year}.pdf")


def _file(body, kind, name):
    """A finished file as a download: one charset for CSV (send_file adds it to text/csv)."""
    mimetype = "text/csv" if kind == "csv" else XLSX
    return send_file(BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=f"{name}.{kind}")


@bp.get("/laporan/unduh")
def reports_export():
    dimension, date_from, date_to, publication, _period = _report_args()
    kind = request.args.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        abort(404)
    by = _by(dimension) if dimension != "all" else None
    if by:
        table = crosstab.build_crosstab(dimension, by, date_from, date_to, publication)
        audit.record(current_user, "report_export", "report", f"{dimension}×{by}", audit.describe_filters(
            format=kind, date_from=date_from, date_to=date_to, publication=int(publication)))
        db.session.commit()
        body = files.crosstab_csv(table) if kind == "csv" else files.crosstab_xlsx(table)
        return _file(body, kind, f"laporan-kasus-{dimension}-{by}-{date_from or 'awal'}-{date_to or 'kini'}")
    chosen = list(reports.DIMENSIONS) if dimension == "all" else [dimension]
    built = [reports.build_report(d, date_from, date_to, publication) for d in chosen]
    audit.record(current_user, "report_export", "report", dimension, audit.describe_filters(
        format=kind, date_from=date_from, date_to=date_to, publication=int(publication)))
    db.session.commit()
    name = f"laporan-kasus-{dimension}-{date_from or 'awal'}-{date_to or 'kini'}"
    if kind == "csv":
        return attachment(exports.reports_csv(built), CSV, f"{name}.csv")
    return attachment(exports.reports_xlsx(built), XLSX, f"{name}.xlsx")


@bp.get("/laporan/simfoni", endpoint="simfoni_export")
def simfoni_export():
    """One row per victim in SIMFONI-PPA's columns and values, for the national register."""
    _dimension, date_from, date_to, _publication, _period = _report_args()
    body = simfoni.simfoni_csv(date_from, date_to)
    audit.record(current_user, "report_export", "report", "simfoni", audit.describe_filters(
        format="csv", date_from=date_from, date_to=date_to))
    db.session.commit()
    return _file(body, "csv", f"simfoni-{date_from or 'awal'}-{date_to or 'kini'}")

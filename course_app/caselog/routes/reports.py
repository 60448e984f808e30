"""Case-log views: reports and their export."""
from flask import (
    abort,
    render_template,
    request,
)
from flask_login import current_user

from ...extensions import db
from ...forms import query_date
from ...services import clock
from ...services.caselog import audit, exports, reports
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
        return attachment(exports.reports_csv(built), CSV, f"{name}.csv")
    return attachment(exports.reports_xlsx(built), XLSX, f"{name}.xlsx")

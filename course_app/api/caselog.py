"""Case-log report API (issue 5): the report page's figures as JSON, for logged-in case staff.

`GET /api/v1/caselog/reports/<dimension>?from=YYYY-MM-DD&to=YYYY-MM-DD&publication=1`
(`dimension` also accepts `delay`). Anyone else — anonymous included — gets 404.
"""

from flask import abort, jsonify, request
from flask_babel import gettext
from flask_login import current_user

from ..caselog.access import case_staff_required
from ..extensions import db
from ..forms import query_date
from ..services.caselog import audit, reports
from .blueprint import bp


def _value(value):
    return value if value is None or isinstance(value, int) else str(value)


@bp.get("/caselog/reports/<dimension>")
@case_staff_required
def caselog_report(dimension):
    date_from, date_to = query_date("from"), query_date("to")
    publication = request.args.get("publication") in ("1", "true", "yes")
    if dimension == "delay":
        delay = reports.reporting_delay(date_from, date_to, publication)
        body = {"dimension": "delay", "title": gettext("Jeda kejadian sampai lapor"),
                "from": date_from and date_from.isoformat(), "to": date_to and date_to.isoformat(),
                "publication": publication, "unit": "cases", "cases": _value(delay["cases"]),
                "mean_days": delay["mean_days"], "median_days": delay["median_days"],
                "rows": [{"code": r.code, "label": gettext(r.label), "cases": _value(r.cases)}
                         for r in delay["rows"]]}
    elif dimension in reports.DIMENSIONS:
        report = reports.build_report(dimension, date_from, date_to, publication)
        body = {
            "dimension": dimension, "title": gettext(report.title),
            "from": date_from and date_from.isoformat(), "to": date_to and date_to.isoformat(),
            "publication": publication,
            "counting": gettext("Kasus dihitung sekali; korban dihitung per orang."),
            "note": gettext(report.note) if report.note else None,
            "total": {"cases": _value(report.total_cases), "victims": _value(report.total_victims)},
            "rows": [{"code": r.code, "label": gettext(r.label), "cases": _value(r.cases),
                      "victims": _value(r.victims),
                      **({"services": _value(r.services)} if dimension == "service" else {})}
                     for r in report.rows],
        }
    else:
        abort(404)
    audit.record(current_user, "api_report", "report", dimension, audit.describe_filters(
        date_from=date_from, date_to=date_to, publication=int(publication)))
    db.session.commit()
    return jsonify(body)

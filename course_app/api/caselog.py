"""Case-log report API (issue 5): the report page's figures as JSON, for logged-in case staff.

`GET /api/v1/caselog/reports/<dimension>?from=YYYY-MM-DD&to=YYYY-MM-DD&publication=1`
(`dimension` also accepts `delay`), and `&by=<dimension>` for a two-way report (issue 13
point 4): an unknown or repeated `by` answers 400 with the reason. Anyone else — anonymous
included — gets 404.
"""

from flask import abort, jsonify, request
from flask_babel import gettext
from flask_login import current_user

from ..caselog.access import case_staff_required
from ..extensions import db
from ..forms import query_date
from ..services.caselog import audit, reports
from ..services.caselog.reports import crosstab
from .blueprint import bp


def _value(value):
    return value if value is None or isinstance(value, int) else str(value)


def _crosstab_body(table):
    """The one-way body's shape plus `by`: rows carry their total as `cases` and their `cells`,
    in the order of `columns`."""
    return {
        "dimension": table.dimension, "by": table.by, "title": gettext(table.title),
        "by_title": gettext(table.by_title),
        "from": table.date_from and table.date_from.isoformat(),
        "to": table.date_to and table.date_to.isoformat(),
        "publication": table.publication, "unit": "cases",
        "counting": gettext(table.note), "note": None,
        "total": {"cases": _value(table.total)},
        "columns": [{"code": code, "label": gettext(label), "cases": _value(total)}
                    for (code, label), total in zip(table.columns, table.column_totals, strict=True)],
        "rows": [{"code": code, "label": gettext(label), "cases": _value(total),
                  "cells": [_value(v) for v in cells]}
                 for (code, label), cells, total in zip(table.rows, table.cells, table.row_totals, strict=True)],
    }


@bp.get("/caselog/reports/<dimension>")
@case_staff_required
def caselog_report(dimension):
    date_from, date_to = query_date("from"), query_date("to")
    publication = request.args.get("publication") in ("1", "true", "yes")
    by = request.args.get("by") or None
    if by is not None and dimension in reports.DIMENSIONS:
        try:
            crosstab.check_dimensions(dimension, by)
        except crosstab.InvalidDimension as error:
            message, values = error.args
            return jsonify({"error": 400, "message": gettext(message, **values)}), 400
        body = _crosstab_body(crosstab.build_crosstab(dimension, by, date_from, date_to, publication))
        dimension = f"{dimension}×{by}"
    elif dimension == "delay":
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

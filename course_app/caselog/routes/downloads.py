"""File answers of the case-log (exports)."""
from flask import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def attachment(body, mimetype, filename):
    """A streamed download. werkzeug quotes the file name (and adds `filename*` for a name
    that is not plain ASCII), so no name can break the header."""
    response = Response(body, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response

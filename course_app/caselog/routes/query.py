"""Reading the case-log's query-string arguments."""
from datetime import date

from flask import request


def date_arg(name):
    """`?name=YYYY-MM-DD` as a date; None when missing or not a date."""
    try:
        return date.fromisoformat(request.args.get(name, "").strip()) if request.args.get(name) else None
    except ValueError:
        return None

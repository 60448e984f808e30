"""Form pieces every blueprint shares: input filters, query-string dates and showing a service's
refusal."""
from datetime import date

from flask import abort, flash, request


def strip(value):
    """WTForms filter: surrounding spaces are never meant (phones add them after autocomplete)."""
    return value.strip() if isinstance(value, str) else value


def show_domain_error(form, error):
    """Put a service's DomainError beside the field it names, or flash it for the whole form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        flash(error.message, "error")


def query_date(name):
    """`?name=YYYY-MM-DD` as a date, None when the argument is missing or empty. Anything else
    is a hand-made address, answered 400 by the page and the API alike (one meaning)."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400)

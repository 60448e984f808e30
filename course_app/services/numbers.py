"""One way to write a count: grouped the reader's way — "20.005" in Indonesian, "20,005" in
English (Babel) — so a register of twenty thousand rows reads at a glance. Anything that is not
a whole number (a publication table's "<5" or "*") is shown as it is."""
from flask_babel import format_decimal


def count_text(value):
    if isinstance(value, bool) or not isinstance(value, int):
        return "" if value is None else value
    return format_decimal(value)


def register(app):
    app.jinja_env.filters["format_count"] = count_text

"""One way to write a date (issue 12, point 8), through Babel, in Kupang's zone.

- a date: the long form of the reader's language — "1 Desember 2026", "December 1, 2026";
- a moment: day, short month, year, hour.minute and the zone — "1 Des 2026, 05.44 WITA";
- a month (a Polres register's "2026-11"): "November 2026", "November 2026".

Pages (the `format_date` / `format_datetime` filters), emails, the PDF and exports all call
these two. A moment is shown in APP_TIMEZONE (Babel's default zone is set from it); the zone's
name is its Indonesian abbreviation (WITA) in every language, as people in Kupang write it.
Machine-readable columns of exports keep ISO 8601 beside the written date.
"""
from datetime import UTC, date, datetime

from babel.dates import format_datetime as babel_format_datetime
from flask_babel import format_date, format_datetime

from . import clock

MOMENT_PATTERN = "d MMM y, HH.mm"


def long_date(value):
    """'1 Desember 2026' (the reader's language); '' for None. A datetime is first put in
    Kupang's zone, so a moment late in the UTC evening is dated with Kupang's day."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.local_date(value if value.tzinfo else value.replace(tzinfo=UTC))
    return format_date(value, "long")


def date_time(value):
    """'1 Des 2026, 05.44 WITA' (the reader's language; zone abbreviation in Indonesian);
    '' for None. A naive datetime is taken as UTC, as the database stores it."""
    if value is None:
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return long_date(value)
    return f"{format_datetime(value, MOMENT_PATTERN)} {zone_name()}"


def month_name(value):
    """'November 2026' for a month written "2026-11" (or any date in it), in the reader's
    language; a value that is not a month is shown as it is."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(f"{value}-01")
        except ValueError:
            return value
    if value is None:
        return ""
    return format_date(value, "LLLL y")


def zone_name():
    """'WITA' for Asia/Makassar: the zone's short Indonesian name from Babel's data."""
    zone = clock.local_zone()
    return babel_format_datetime(datetime(2026, 1, 1, 12), "z", tzinfo=zone, locale="id")


def register(app):
    app.jinja_env.filters["format_date"] = long_date
    app.jinja_env.filters["format_datetime"] = date_time
    app.jinja_env.filters["format_month"] = month_name
    app.jinja_env.globals["zone_name"] = zone_name


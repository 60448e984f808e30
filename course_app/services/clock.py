"""Kupang's clock: the one source of "now" and "today" for every rule, default and name.

The users live in WITA (UTC+8, `APP_TIMEZONE`); the server and CI may run in any zone and at any
hour. A date decision taken from the server's own calendar day is a day behind in Kupang
from 00:00 to 08:00 WITA, so nothing outside this module asks the server for the date
(`tests/unit/test_clock.py` walks the source to keep it so).

Instants are stored as aware UTC datetimes (`utcnow()`); days are Kupang's days (`today()`,
`local_date()`), and a range of Kupang days becomes a range of instants with `day_start()`.
"""
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from ..models.base import utcnow  # noqa: F401  (the column defaults' clock; services import it from here)

DEFAULT_ZONE = "Asia/Makassar"  # WITA; Kota Kupang has no daylight saving time


@lru_cache(maxsize=8)
def _zone(name):
    return ZoneInfo(name)


def local_zone():
    """The office's time zone (`APP_TIMEZONE`, default Asia/Makassar = WITA). Outside an
    application (a script, a test helper) the default zone is used."""
    name = current_app.config.get("APP_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return _zone(name)


def local_now():
    """This instant on Kupang's wall clock."""
    return utcnow().astimezone(local_zone())


def today():
    """Today in Kupang, not on the server's clock."""
    return local_now().date()


def local_date(moment):
    """The Kupang day an aware instant falls on."""
    return moment.astimezone(local_zone()).date()


def day_start(day):
    """The first instant (UTC) of a Kupang day: ranges of days become ranges of instants."""
    return datetime.combine(day, time.min, local_zone()).astimezone(UTC)


def day_end(day):
    """The first instant (UTC) after a Kupang day."""
    return day_start(day + timedelta(days=1))


def stamp():
    """Today's date for a file name (kasus-2026-12-06.csv): Kupang's day."""
    return today().isoformat()


# The name the letters and certificates services already use.
local_today = today

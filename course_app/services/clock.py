"""Kupang's calendar: dates people see and rules count in are in WITA, not the server's zone."""
from zoneinfo import ZoneInfo

from flask import current_app

from ..models.base import utcnow


def local_zone():
    """The office's time zone (APP_TIMEZONE, default Asia/Makassar = WITA)."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_today():
    """Today in Kupang, not on the server's clock."""
    return utcnow().astimezone(local_zone()).date()

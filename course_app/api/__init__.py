"""JSON API, version 1. Each feature adds its endpoints in its own module of this package."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import caselog, certificates  # noqa: E402,F401  (register their routes on bp)

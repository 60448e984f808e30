"""The API blueprint itself, apart from the package so the feature modules can import it
without importing each other (no import cycle)."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

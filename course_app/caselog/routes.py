"""Case-log for P3A case staff (caseworker, admin only; everyone else gets 404)."""
from flask import Blueprint

bp = Blueprint("caselog", __name__, url_prefix="/kasus")

"""Public verification: /v/<id>, the offline verifier /verify/scan."""
from flask import Blueprint

bp = Blueprint("verify", __name__)

"""Good-conduct letters: participant upload (`bp`) and the reviewers' desk (`review_bp`)."""
from flask import Blueprint

bp = Blueprint("letters", __name__, url_prefix="/surat")
review_bp = Blueprint("review", __name__, url_prefix="/tinjau")

"""Certificates for couples: download PDF / QR (`bp`)."""
from flask import Blueprint

bp = Blueprint("certificates", __name__, url_prefix="/sertifikat")

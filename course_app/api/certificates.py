"""Certificate status, public keys and status list API (issue 4; docs/api.md).

Stable, for scripts and other offices. All three are rate-limited like the verification page.
An unknown or malformed id answers 200 with status `unknown`, exactly like a real one would
answer with its status: ids can't be probed for existence by the response code.
"""
from flask import current_app, jsonify

from ..extensions import limiter
from ..services import certificates as service
from ..services import signing
from .blueprint import bp


def _verify_limit():
    return current_app.config["VERIFY_RATE_LIMIT"]


@bp.get("/certificates/<cid>")
@limiter.limit(_verify_limit)
def certificate_status(cid):
    response = jsonify(service.api_status(cid))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/keys")
@limiter.limit(_verify_limit)
def keys():
    response = jsonify({"keys": signing.published_keys()})
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/status-list")
@limiter.limit(_verify_limit)
def status_list():
    try:
        data = service.status_list()
    except signing.NoSigningKey:
        return jsonify({"error": 503, "message": "no signing key"}), 503
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-cache"
    return response

"""Certificate status, public keys and status list API (issue 4; docs/api.md).

Stable, for scripts and other offices. All three are rate-limited like the verification page.
An unknown or malformed id answers 200 with status `unknown`, exactly like a real one would
answer with its status: ids can't be probed for existence by the response code. Anonymous
callers get a certificate's status and validity only; a signed-in officiant or reviewer (the
site's session cookie) also gets the marriage record or the revocation.
"""
from flask import current_app, jsonify
from flask_login import current_user

from ..extensions import limiter
from ..services import certificates as service
from ..services import signing
from .blueprint import bp

#: Who gets more than the status and validity from the status API.
STAFF_ROLES = ("officiant", "reviewer")


def _verify_limit():
    return current_app.config["VERIFY_RATE_LIMIT"]


@bp.get("/certificates/<cid>")
@limiter.limit(_verify_limit)
def certificate_status(cid):
    staff = current_user.is_authenticated and current_user.has_role(*STAFF_ROLES)
    response = jsonify(service.api_status(cid, staff=staff))
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
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

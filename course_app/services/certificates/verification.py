"""Answering "is this certificate good?": the public status JSON, checking a QR's token the
way the browser does, and the signed status list for offline verifiers."""
import re
from dataclasses import dataclass

from sqlalchemy import or_, select

from ...extensions import db
from ...models.certificates import Certificate
from .. import signing
from ..clock import utcnow
from .rules import get_certificate, mask_name, names_of, normalise_id, status_of


def api_status(raw_id, now=None):
    """The public JSON for `GET /api/v1/certificates/<id>`: nothing personal but masked names."""
    certificate = get_certificate(raw_id)
    status = status_of(certificate, now)
    if certificate is None:
        return {"id": normalise_id(raw_id), "status": status, "issued_at": None,
                "expires_at": None, "masked_names": [], "used": None, "revoked": None}
    return {
        "id": certificate.id, "status": status,
        "issued_at": signing.iso(certificate.issued_at),
        "expires_at": signing.iso(certificate.expires_at),
        "masked_names": [mask_name(n) for n in names_of(certificate)],
        "used": {"marriage_date": certificate.marriage_date.isoformat(),
                 "institution_type": certificate.marriage_institution_type,
                 "institution_name": certificate.marriage_institution_name,
                 "recorded_at": signing.iso(certificate.used_at)} if certificate.used_at else None,
        "revoked": {"reason": certificate.revocation_reason,
                    "revoked_at": signing.iso(certificate.revoked_at)} if certificate.revoked_at else None,
    }


@dataclass
class Verification:
    """What a token says, checked. `reason` explains an `unknown`: malformed, unknown_key,
    bad_signature, key_not_valid, id_mismatch or not_found."""

    status: str
    reason: str | None = None
    claims: signing.CertificateClaims | None = None
    certificate: Certificate | None = None


def split_verify_input(text):
    """(id from the URL path or None, token text) from a QR's URL or a bare token."""
    text = (text or "").strip()
    if "#" in text:
        address, _sep, token = text.partition("#")
        match = re.search(r"/v/([^/?#]+)/?$", address, re.IGNORECASE)
        return (match.group(1) if match else None), token
    return None, text


def verify_token(text, now=None):
    """Check a QR's content (URL or bare token) the way the browser does, then ask the
    database for the status. Any failure of the signature makes the answer `unknown`."""
    now = now or utcnow()
    path_id, token = split_verify_input(text)
    try:
        claims = signing.verify_certificate_token(signing.b32decode(token))
    except signing.VerificationError as error:
        return Verification("unknown", error.reason)
    if path_id is not None and normalise_id(path_id) != claims.certificate_id:
        return Verification("unknown", "id_mismatch", claims)
    certificate = db.session.get(Certificate, claims.certificate_id)
    if certificate is None:
        return Verification("unknown", "not_found", claims)
    status = status_of(certificate, now)
    if status == "valid" and claims.expires_at <= now:
        status = "expired"
    return Verification(status, None, claims, certificate)


STATUS_LIST_VERSION = 1


def status_list(now=None):
    """Revoked and used certificates that have not expired yet (an expired one is refused on
    its own expiry date), signed with the current key so the offline verifier can trust a
    cached copy. docs/api.md describes the format."""
    now = (now or utcnow()).replace(microsecond=0)
    rows = db.session.scalars(select(Certificate).where(
        Certificate.expires_at > now,
        or_(Certificate.revoked_at.is_not(None), Certificate.used_at.is_not(None)))
        .order_by(Certificate.id)).all()
    revoked = [c for c in rows if c.revoked_at is not None]
    used = [c for c in rows if c.revoked_at is None]
    payload = signing.cbor2.dumps({
        1: STATUS_LIST_VERSION,
        2: int(now.timestamp()),
        3: [[signing.b32decode(c.id), int(c.revoked_at.timestamp()), c.revocation_reason] for c in revoked],
        4: [[signing.b32decode(c.id), c.marriage_date.isoformat(), c.marriage_institution_name or ""]
            for c in used],
    }, canonical=True)
    key, private_key = signing.current_signing_key()
    signed = signing.sign1(payload, private_key, key.kid_bytes,
                           content_type=signing.STATUS_LIST_CONTENT_TYPE)
    return {
        "version": STATUS_LIST_VERSION,
        "generated_at": signing.iso(now),
        "kid": key.kid,
        "revoked": [{"id": c.id, "revoked_at": signing.iso(c.revoked_at),
                     "reason": c.revocation_reason} for c in revoked],
        "used": [{"id": c.id, "marriage_date": c.marriage_date.isoformat(),
                  "institution_name": c.marriage_institution_name or ""} for c in used],
        "signed": signing.b64url(signed),
    }

"""Answering "is this certificate good?": the public status JSON, checking a QR's token the
way the browser does, and the signed status list for offline verifiers."""
import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import or_, select

from ...extensions import db
from ...models.certificates import Certificate
from .. import signing
from ..clock import utcnow
from .rules import get_certificate, normalise_id, status_of


def api_status(raw_id, now=None, staff=False):
    """The JSON of `GET /api/v1/certificates/<id>` (product §6, §8 data minimisation).

    Anyone gets the status and the validity period only: no names, no marriage date, no
    institution. A signed-in officiant or reviewer (`staff`) also gets what the staff page
    shows about a marriage recorded with it or a revocation — never the names, which are in
    the signed token."""
    certificate = get_certificate(raw_id)
    status = status_of(certificate, now)
    if certificate is None:
        answer = {"id": normalise_id(raw_id), "status": status, "issued_at": None, "expires_at": None}
        return answer | ({"used": None, "revoked": None} if staff else {})
    answer = {"id": certificate.id, "status": status,
              "issued_at": signing.iso(certificate.issued_at),
              "expires_at": signing.iso(certificate.expires_at)}
    if not staff:
        return answer
    return answer | {
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


#: Version 2: ids replaced by their truncated hashes, no dates or institutions (issue 12).
STATUS_LIST_VERSION = 2
#: Bytes of SHA-256 kept per id. 128 bits, as EU DCC revocation lists: with even a million
#: entries, the chance that any id ever issued shares a hash with a listed one is below
#: 2^-88, so no valid certificate is ever shown as revoked or used by accident.
ID_HASH_BYTES = 16


def id_hash(certificate_id):
    """The status list's key for a certificate: SHA-256 of the id's 10 bytes (claim 2 of the
    token, the base32-decoded id), first 16 bytes. The list publishes these, never the ids."""
    return hashlib.sha256(signing.b32decode(certificate_id)).digest()[:ID_HASH_BYTES]


def status_list(now=None):
    """Revoked and used certificates that have not expired yet (an expired one is refused on
    its own expiry date), signed with the current key so the offline verifier can trust a
    cached copy. Each is listed by the truncated hash of its id only (with the reason
    category of a revocation): the list can't be read as a register of who married where and
    when, and its entries can't be looked up on the page or the API. docs/api.md describes it."""
    now = (now or utcnow()).replace(microsecond=0)
    rows = db.session.scalars(select(Certificate).where(
        Certificate.expires_at > now,
        or_(Certificate.revoked_at.is_not(None), Certificate.used_at.is_not(None)))).all()
    revoked = sorted((id_hash(c.id), c.revocation_reason) for c in rows if c.revoked_at is not None)
    used = sorted(id_hash(c.id) for c in rows if c.revoked_at is None)
    payload = signing.cbor2.dumps({
        1: STATUS_LIST_VERSION,
        2: int(now.timestamp()),
        3: [[digest, reason] for digest, reason in revoked],
        4: used,
    }, canonical=True)
    key, private_key = signing.current_signing_key()
    signed = signing.sign1(payload, private_key, key.kid_bytes,
                           content_type=signing.STATUS_LIST_CONTENT_TYPE)
    return {
        "version": STATUS_LIST_VERSION,
        "generated_at": signing.iso(now),
        "kid": key.kid,
        "revoked": [{"id_hash": digest.hex(), "reason": reason} for digest, reason in revoked],
        "used": [{"id_hash": digest.hex()} for digest in used],
        "signed": signing.b64url(signed),
    }

"""Signing keys on disk and signed tokens: COSE_Sign1 (RFC 9052) with Ed25519 (product §6).

Private keys are PKCS#8 PEM files, mode 0600, in SIGNING_KEYS_DIR — never in the database or
in git. The database keeps each key's public half and validity period (`SigningKey`), which
`GET /api/v1/keys` publishes. A key signs until it is retired by a rotation and keeps
verifying what it signed until the last of those certificates has expired.

Token layout (docs/certificate-format.md is the spec, with test vectors):

    COSE_Sign1 = #6.18([protected: bstr .cbor {1: -8, 4: kid}, unprotected: {},
                        payload: bstr .cbor {1: version, 2: id, 3: iat, 4: exp,
                                             5: [name, name], 6: office,
                                             7: [birth, birth]}, signature: bstr])

Format version 2 (new certificates) adds claim 7, both birth dates as days since 1970-01-01
(RFC 8943's date number, untagged), so an officiant matches name *and* birth date with the
KTP; version 1 (no claim 7) keeps verifying.

Every byte of the envelope is checked: the decoder refuses anything but the one canonical
encoding, so a token with any single byte changed never verifies.
"""
import base64
import hashlib
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models.certificates import SigningKey
from .clock import utcnow

COSE_SIGN1_TAG = 18
ALG_EDDSA = -8  # RFC 9053: EdDSA; with an Ed25519 key (RFC 8037 "OKP", crv Ed25519)
HEADER_ALG, HEADER_CONTENT_TYPE, HEADER_KID = 1, 3, 4
KID_LENGTH = 4
SIGNATURE_LENGTH = 64

#: Certificate payload: CBOR map with small integer keys. New certificates carry version 2.
FORMAT_VERSION = 2
CLAIM_VERSION, CLAIM_ID, CLAIM_ISSUED, CLAIM_EXPIRES, CLAIM_NAMES, CLAIM_OFFICE = 1, 2, 3, 4, 5, 6
CLAIM_BIRTH_DATES = 7
V1_CLAIMS = {CLAIM_VERSION, CLAIM_ID, CLAIM_ISSUED, CLAIM_EXPIRES, CLAIM_NAMES, CLAIM_OFFICE}
#: The claims of each format version a verifier accepts; any other version is refused.
CERTIFICATE_CLAIMS = {1: V1_CLAIMS, 2: V1_CLAIMS | {CLAIM_BIRTH_DATES}}
ID_BYTES = 10  # 80 random bits = 16 base32 characters

#: Birth dates are whole days since 1970-01-01 (negative before it), RFC 8943's date number
#: without its tag: 3 bytes each in CBOR for anyone born 1791-2149, against 5 for a YYYYMMDD
#: integer. A verifier refuses dates before 1900-01-01 or after the day of issue.
EPOCH_DAY = date(1970, 1, 1)
EARLIEST_BIRTH_DAY = (date(1900, 1, 1) - EPOCH_DAY).days

#: The status list is signed the same way, told apart by a content type in its protected header.
STATUS_LIST_CONTENT_TYPE = "application/vnd.pranikah-kupang.status-list+cbor"

_BASE32 = re.compile(r"[A-Z2-7]+")


class NoSigningKey(Exception):
    """No usable signing key: none generated yet, or its file is missing on this host."""


class VerificationError(Exception):
    """A token did not verify. `reason`: malformed | unknown_key | bad_signature | key_not_valid."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


# --- base32 ----------------------------------------------------------------------------------

def b32encode(data):
    """RFC 4648 base32, upper case, without padding: all QR alphanumeric-mode characters."""
    return base64.b32encode(data).decode("ascii").rstrip("=")


def b32decode(text):
    """The bytes of a base32 text, accepting only its one canonical spelling (in one case).

    A text whose unused trailing bits are not zero, with padding, in mixed case or with any
    other character is refused, so two different texts never decode to the same bytes.
    """
    if not isinstance(text, str) or not text or not (text == text.upper() or text == text.lower()):
        raise VerificationError("malformed")
    upper = text.upper()
    if not _BASE32.fullmatch(upper) or len(upper) % 8 in (1, 3, 6):
        raise VerificationError("malformed")
    data = base64.b32decode(upper + "=" * (-len(upper) % 8))
    if b32encode(data) != upper:
        raise VerificationError("malformed")
    return data


def b64url(data):
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def iso(moment):
    """A UTC instant as `2026-11-27T08:30:00Z` (whole seconds)."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- COSE_Sign1 ------------------------------------------------------------------------------

def _sig_structure(protected, payload):
    return cbor2.dumps(["Signature1", protected, b"", payload])


def sign1(payload, private_key, kid, content_type=None):
    """COSE_Sign1 over `payload` (bytes) with Ed25519; `kid` (bytes) in the protected header."""
    header = {HEADER_ALG: ALG_EDDSA}
    if content_type is not None:
        header[HEADER_CONTENT_TYPE] = content_type
    header[HEADER_KID] = kid
    protected = cbor2.dumps(header, canonical=True)
    signature = private_key.sign(_sig_structure(protected, payload))
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def _decode_exact(data):
    """One CBOR item spanning exactly `data`; anything else is malformed."""
    stream = io.BytesIO(data)
    try:
        value = cbor2.CBORDecoder(stream).decode()
    except Exception:  # noqa: BLE001 - cbor2 raises several kinds on garbage; all mean "malformed"
        raise VerificationError("malformed") from None
    if stream.tell() != len(data):
        raise VerificationError("malformed")
    return value


def open_sign1(data, content_type=None):
    """Parse a COSE_Sign1 strictly. Returns (kid, protected, payload, signature) unverified."""
    envelope = _decode_exact(data)
    if not isinstance(envelope, cbor2.CBORTag) or envelope.tag != COSE_SIGN1_TAG:
        raise VerificationError("malformed")
    parts = envelope.value
    if type(parts) is not list or len(parts) != 4:
        raise VerificationError("malformed")
    protected, unprotected, payload, signature = parts
    if not (type(protected) is bytes and type(unprotected) is dict and not unprotected
            and type(payload) is bytes and type(signature) is bytes
            and len(signature) == SIGNATURE_LENGTH):
        raise VerificationError("malformed")
    if cbor2.dumps(envelope) != data:  # one canonical encoding only
        raise VerificationError("malformed")
    header = _decode_exact(protected)
    expected_keys = {HEADER_ALG, HEADER_KID} | ({HEADER_CONTENT_TYPE} if content_type else set())
    if type(header) is not dict or set(header) != expected_keys or any(type(k) is not int for k in header):
        raise VerificationError("malformed")
    kid = header[HEADER_KID]
    if (type(header[HEADER_ALG]) is not int or header[HEADER_ALG] != ALG_EDDSA
            or type(kid) is not bytes or len(kid) != KID_LENGTH
            or (content_type and header[HEADER_CONTENT_TYPE] != content_type)
            or cbor2.dumps(header, canonical=True) != protected):
        raise VerificationError("malformed")
    return kid, protected, payload, signature


def verify_sign1(data, find_key, content_type=None):
    """Verify a COSE_Sign1. `find_key(kid)` returns the SigningKey (or None if unknown).

    Returns (SigningKey, payload bytes). Raises VerificationError.
    """
    kid, protected, payload, signature = open_sign1(data, content_type)
    key = find_key(kid)
    if key is None:
        raise VerificationError("unknown_key")
    try:
        Ed25519PublicKey.from_public_bytes(key.public_key).verify(
            signature, _sig_structure(protected, payload))
    except InvalidSignature:
        raise VerificationError("bad_signature") from None
    return key, payload


# --- certificate payload ---------------------------------------------------------------------

@dataclass(frozen=True)
class CertificateClaims:
    """What a token says. With `birth_dates` (two dates, in the order of `names`) it is a
    version-2 token; without, version 1."""

    certificate_id: str  # 16 upper-case base32 characters
    issued_at: datetime
    expires_at: datetime
    names: tuple
    office_code: str
    birth_dates: tuple | None = None

    @property
    def version(self):
        return 1 if self.birth_dates is None else 2


def date_number(day):
    """A date as days since 1970-01-01 (RFC 8943)."""
    return (day - EPOCH_DAY).days


def encode_claims(claims):
    names = [unicodedata.normalize("NFC", name) for name in claims.names]
    data = {
        CLAIM_VERSION: claims.version,
        CLAIM_ID: b32decode(claims.certificate_id),
        CLAIM_ISSUED: int(claims.issued_at.timestamp()),
        CLAIM_EXPIRES: int(claims.expires_at.timestamp()),
        CLAIM_NAMES: names,
        CLAIM_OFFICE: claims.office_code,
    }
    if claims.birth_dates is not None:
        if len(claims.birth_dates) != 2 or any(not isinstance(d, date) for d in claims.birth_dates):
            raise ValueError("a version-2 token needs both partners' birth dates")
        data[CLAIM_BIRTH_DATES] = [date_number(d) for d in claims.birth_dates]
    return cbor2.dumps(data, canonical=True)


def _birth_dates(value, issued):
    """Claim 7, checked: two whole days from 1900-01-01 to the day of issue."""
    last = issued // 86400
    if not (type(value) is list and len(value) == 2
            and all(type(d) is int and EARLIEST_BIRTH_DAY <= d <= last for d in value)):
        raise VerificationError("malformed")
    return tuple(EPOCH_DAY + timedelta(days=d) for d in value)


def decode_claims(payload):
    data = _decode_exact(payload)
    if type(data) is not dict or any(type(k) is not int for k in data):
        raise VerificationError("malformed")
    version = data.get(CLAIM_VERSION)
    if type(version) is not int or set(data) != CERTIFICATE_CLAIMS.get(version):
        raise VerificationError("malformed")
    names = data[CLAIM_NAMES]
    if not (type(data[CLAIM_ID]) is bytes and len(data[CLAIM_ID]) == ID_BYTES
            and type(data[CLAIM_ISSUED]) is int and type(data[CLAIM_EXPIRES]) is int
            and 0 <= data[CLAIM_ISSUED] < data[CLAIM_EXPIRES] < 2**32
            and type(names) is list and len(names) == 2
            and all(type(n) is str and n and unicodedata.normalize("NFC", n) == n for n in names)
            and type(data[CLAIM_OFFICE]) is str
            and cbor2.dumps(data, canonical=True) == payload):
        raise VerificationError("malformed")
    birth_dates = _birth_dates(data[CLAIM_BIRTH_DATES], data[CLAIM_ISSUED]) if version >= 2 else None
    return CertificateClaims(
        certificate_id=b32encode(data[CLAIM_ID]),
        issued_at=datetime.fromtimestamp(data[CLAIM_ISSUED], UTC),
        expires_at=datetime.fromtimestamp(data[CLAIM_EXPIRES], UTC),
        names=tuple(names), office_code=data[CLAIM_OFFICE], birth_dates=birth_dates)


def certificate_token(claims, signing_key, private_key):
    """The signed token of a certificate (COSE_Sign1 bytes)."""
    return sign1(encode_claims(claims), private_key, signing_key.kid_bytes)


def key_signed_at(key, moment):
    """Whether `key` was a signing key at `moment` (its signing period: valid_from → retired)."""
    return key.valid_from - timedelta(minutes=5) <= moment and (
        key.retired_at is None or moment <= key.retired_at)


def verify_certificate_token(token_bytes, find_key=None):
    """Check a certificate token's signature against the published keys. Returns its claims.

    Refused: anything malformed (reason `malformed`), an unknown key id (`unknown_key`), a
    signature that doesn't match (`bad_signature`), a key outside its signing period
    (`key_not_valid`).
    """
    key, payload = verify_sign1(token_bytes, find_key or find_key_by_kid)
    claims = decode_claims(payload)
    if not key_signed_at(key, claims.issued_at):
        raise VerificationError("key_not_valid")
    return claims


# --- keys on disk ----------------------------------------------------------------------------

def keys_dir():
    return Path(current_app.config["SIGNING_KEYS_DIR"])


def key_path(kid):
    return keys_dir() / f"{kid}.pem"


def kid_for(public_bytes):
    """The key id: the first 4 bytes of SHA-256 over the raw 32-byte public key."""
    return hashlib.sha256(public_bytes).digest()[:KID_LENGTH].hex()


def _raw_public(private_key):
    return private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                 serialization.PublicFormat.Raw)


def find_key_by_kid(kid_bytes):
    return db.session.scalar(select(SigningKey).where(SigningKey.kid == kid_bytes.hex()))


def write_private_key(private_key, path):
    """Write a PEM file readable by its owner only (0600) in a 0700 directory; never overwrite."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.chmod(path, 0o600)


def generate_key(now=None, private_key=None):
    """Make a new Ed25519 signing key: its private file and its public metadata row."""
    now = now or utcnow()
    while True:
        candidate = private_key or Ed25519PrivateKey.generate()
        kid = kid_for(_raw_public(candidate))
        if find_key_by_kid(bytes.fromhex(kid)) is None and not key_path(kid).exists():
            break
        if private_key is not None:
            raise ValueError("a key with this id already exists")
    write_private_key(candidate, key_path(kid))
    key = SigningKey(kid=kid, public_key=_raw_public(candidate), valid_from=now, created_at=now)
    db.session.add(key)
    db.session.flush()
    return key


def rotate_keys(now=None):
    """Start signing with a new key. The old ones stop signing now and keep verifying until
    the certificates they signed have expired (now + CERTIFICATE_VALIDITY_DAYS)."""
    now = now or utcnow()
    retiring = active_keys()
    new_key = generate_key(now)
    validity = timedelta(days=current_app.config["CERTIFICATE_VALIDITY_DAYS"])
    for key in retiring:
        key.retired_at = now
        key.valid_until = now + validity
    db.session.flush()
    return new_key, retiring


def active_keys():
    return db.session.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))
                              .order_by(SigningKey.valid_from.desc(), SigningKey.id.desc())).all()


def all_keys():
    return db.session.scalars(select(SigningKey).order_by(SigningKey.valid_from, SigningKey.id)).all()


def has_private_file(key):
    return key_path(key.kid).is_file()


def load_private_key(key):
    """The private key of `key` from its file, checked against the published public key."""
    try:
        data = key_path(key.kid).read_bytes()
    except OSError:
        raise NoSigningKey(f"private key file for {key.kid} not found in {keys_dir()}") from None
    private_key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(private_key, Ed25519PrivateKey) or _raw_public(private_key) != key.public_key:
        raise NoSigningKey(f"key file {key.kid}.pem does not match the published public key")
    return private_key


def current_signing_key():
    """(SigningKey, private key) of the newest active key whose file is on this host."""
    for key in active_keys():
        if has_private_file(key):
            return key, load_private_key(key)
    raise NoSigningKey("no signing key: run `flask --app course_app keys generate`")


def can_sign():
    return any(has_private_file(key) for key in active_keys())


def published_keys():
    """Every key that can still verify something, as JWK-like dicts with validity periods."""
    now = utcnow()
    return [{
        "kid": key.kid, "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
        "x": b64url(key.public_key),
        "valid_from": iso(key.valid_from),
        "signs_until": iso(key.retired_at) if key.retired_at else None,
        "valid_until": iso(key.valid_until) if key.valid_until else None,
    } for key in all_keys() if key.valid_until is None or key.valid_until > now]

"""Signed tokens and keys (product §6; issue 4 points 3, 4, 12; issue 12 points 3, 9).

COSE_Sign1 with Ed25519, checked byte by byte; the documented test vectors (token formats 1
and 2, status list 2); interoperability with an independent COSE implementation (pycose);
keys in 0600 files, rotation.
"""
import hashlib
import os
import re
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import cbor2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pycose.keys import OKPKey
from pycose.keys.curves import Ed25519
from pycose.messages import Sign1Message
from sqlalchemy import inspect

from course_app.extensions import db
from course_app.models.certificates import SigningKey
from course_app.services import signing
from course_app.services.clock import utcnow
from tests.certificate_builders import keys_dir_fixture, keys_fixture, vector_key  # noqa: F401

DOCS = Path(__file__).resolve().parents[2] / "docs" / "certificate-format.md"


def doc_vector(name):
    """The `name = value` lines of a test vector block in docs/certificate-format.md."""
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(rf"<!-- vector: {name} -->\s*```text\n(.*?)```", text, re.S).group(1)
    return dict(line.split(" = ", 1) for line in block.strip().splitlines())


class VectorKey:
    """A SigningKey-like object for the fixed RFC 8032 key."""

    def __init__(self, valid_from=datetime(2026, 1, 1, tzinfo=UTC), retired_at=None):
        self.public_key = vector_key().public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.kid = signing.kid_for(self.public_key)
        self.kid_bytes = bytes.fromhex(self.kid)
        self.valid_from = valid_from
        self.retired_at = retired_at


def vector_claims(vector):
    birth_dates = None
    if "birth_date_1" in vector:
        birth_dates = (date.fromisoformat(vector["birth_date_1"]), date.fromisoformat(vector["birth_date_2"]))
    return signing.CertificateClaims(
        certificate_id=vector["id"],
        issued_at=datetime.fromtimestamp(int(vector["issued_at"]), UTC),
        expires_at=datetime.fromtimestamp(int(vector["expires_at"]), UTC),
        names=(vector["name_1"], vector["name_2"]), office_code=vector["office"],
        birth_dates=birth_dates)


#: The documented token vectors: format 1 (still verifying) and format 2 (new certificates).
TOKEN_VECTORS = ["certificate", "certificate-v2"]


def vector_token(name="certificate"):
    vector = doc_vector(name)
    return bytes.fromhex(vector["token"]), VectorKey()


def verify_with(key):
    return lambda token: signing.verify_certificate_token(token, find_key=lambda kid: key if kid == key.kid_bytes else None)


# --- the documented test vectors -------------------------------------------------------------

@pytest.mark.parametrize("name", TOKEN_VECTORS)
def test_our_tokens_match_the_documented_test_vector_byte_for_byte(name):
    vector = doc_vector(name)
    key = VectorKey()
    assert key.public_key.hex() == vector["public_key"]
    assert key.kid == vector["kid"]
    assert signing.b64url(key.public_key) == vector["x"]
    payload = signing.encode_claims(vector_claims(vector))
    assert payload.hex() == vector["payload"]

    token = signing.certificate_token(vector_claims(vector), key, vector_key())

    assert token.hex() == vector["token"]
    assert signing.b32encode(token) == vector["token_base32"]
    assert cbor2.loads(token).value[0].hex() == vector["protected"]
    assert signing._sig_structure(bytes.fromhex(vector["protected"]), payload).hex() == vector["sig_structure"]


    assert vector["qr_content"].endswith("/V/" + vector["id"] + "#" + vector["token_base32"])


@pytest.mark.parametrize("name", TOKEN_VECTORS)
def test_the_documented_vector_verifies_and_reads_back_its_claims(name):
    vector = doc_vector(name)
    claims = verify_with(VectorKey())(signing.b32decode(vector["token_base32"]))
    assert claims == vector_claims(vector)


def test_version_2_carries_both_birth_dates_as_days_since_1970_and_version_1_none():
    v2 = verify_with(VectorKey())(bytes.fromhex(doc_vector("certificate-v2")["token"]))
    v1 = verify_with(VectorKey())(bytes.fromhex(doc_vector("certificate")["token"]))
    assert (v2.version, v2.birth_dates) == (2, (date(1968, 2, 29), date(1998, 9, 30)))
    assert cbor2.loads(signing.encode_claims(v2))[7] == [-672, 10499]
    assert (v1.version, v1.birth_dates) == (1, None)
    assert signing.FORMAT_VERSION == 2


def test_the_documented_status_list_vector_matches():
    vector = doc_vector("status-list")
    revoked_hash = hashlib.sha256(signing.b32decode(vector["revoked_id"])).digest()[:16]
    used_hash = hashlib.sha256(signing.b32decode(vector["used_id"])).digest()[:16]
    assert (revoked_hash.hex(), used_hash.hex()) == (vector["revoked_hash"], vector["used_hash"])
    payload = cbor2.dumps({
        1: 2, 2: int(vector["generated_at"]),
        3: [[revoked_hash, vector["revoked_reason"]]],
        4: [used_hash],
    }, canonical=True)
    assert payload.hex() == vector["payload"]
    signed = signing.sign1(payload, vector_key(), VectorKey().kid_bytes,
                           content_type=signing.STATUS_LIST_CONTENT_TYPE)
    assert signed.hex() == vector["signed"]
    assert signing.b64url(signed) == vector["signed_base64url"]
    key, verified = signing.verify_sign1(signed, lambda kid: VectorKey(),
                                         content_type=signing.STATUS_LIST_CONTENT_TYPE)
    assert verified == payload


# --- interoperability with an independent COSE implementation --------------------------------

@pytest.mark.parametrize("name", TOKEN_VECTORS)
def test_pycose_verifies_our_token_and_reads_our_payload(name):
    token, key = vector_token(name)
    message = Sign1Message.decode(token)
    message.key = OKPKey(crv=Ed25519, x=key.public_key)
    assert message.verify_signature()
    payload = cbor2.loads(message.payload)
    assert payload[5] == ["Peserta Contoh Satu", "Peserta Contoh Dua"]
    assert payload.get(7) == ([-672, 10499] if name == "certificate-v2" else None)


@pytest.mark.parametrize("birth_dates", [None, (date(1959, 7, 1), date(2001, 1, 31))], ids=["v1", "v2"])
def test_pycose_signing_our_payload_gives_exactly_our_bytes(keys, birth_dates):
    private_key = signing.load_private_key(keys)
    now = utcnow().replace(microsecond=0)
    claims = signing.CertificateClaims("BIFQYDIOB4IBCEQT", now, now + timedelta(days=365),
                                       ("Élise Ñato", "Ana Bria"), "P3A-KPG", birth_dates)
    ours = signing.certificate_token(claims, keys, private_key)
    from pycose.algorithms import EdDSA
    from pycose.headers import KID, Algorithm

    theirs = Sign1Message(phdr={Algorithm: EdDSA, KID: keys.kid_bytes}, payload=signing.encode_claims(claims))
    theirs.key = OKPKey(crv=Ed25519, d=private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()),
        x=keys.public_key)
    assert theirs.encode() == ours
    assert signing.verify_certificate_token(theirs.encode()) == claims


# --- every single-byte change fails ----------------------------------------------------------

@pytest.mark.parametrize("name", TOKEN_VECTORS)
def test_every_single_byte_change_of_a_token_fails_verification(name):
    """All 255 other values at every position of the COSE bytes."""
    token, key = vector_token(name)
    verify = verify_with(key)
    assert verify(token)
    accepted = []
    for position in range(len(token)):
        for value in range(256):
            if value == token[position]:
                continue
            changed = token[:position] + bytes([value]) + token[position + 1:]
            try:
                verify(changed)
            except signing.VerificationError:
                continue
            accepted.append((position, value))
    assert accepted == []


@pytest.mark.parametrize("name", TOKEN_VECTORS)
def test_every_single_character_change_of_the_base32_text_fails_verification(name):
    text = doc_vector(name)["token_base32"]
    verify = verify_with(VectorKey())
    accepted = []
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" + "abcdefghijklmnopqrstuvwxyz01890=-_ #"
    for position in range(len(text)):
        for char in alphabet:
            if char == text[position]:
                continue
            changed = text[:position] + char + text[position + 1:]
            try:
                verify(signing.b32decode(changed))
            except signing.VerificationError:
                continue
            accepted.append((position, char))
    assert accepted == []


@pytest.mark.parametrize("name", TOKEN_VECTORS)
def test_a_token_with_bytes_added_or_removed_fails_verification(name):
    token, key = vector_token(name)
    verify = verify_with(key)
    for changed in (token + b"\x00", token[:-1], b"\x00" + token, token[1:]):
        with pytest.raises(signing.VerificationError):
            verify(changed)


@pytest.mark.parametrize("text", [
    "MZXW6===",       # padding
    "MZXw6",          # mixed case
    "MZXW7",          # non-zero unused trailing bits
    "MZXW6!", "", "M",
])
def test_base32_accepts_only_its_canonical_spelling(text):
    with pytest.raises(signing.VerificationError):
        signing.b32decode(text)
    assert signing.b32decode("MZXW6") == b"foo" == signing.b32decode("mzxw6")


def signed_payload(claims_map):
    """A token over an arbitrary claims map, properly signed: only the claims can be wrong."""
    payload = cbor2.dumps(claims_map, canonical=True)
    return signing.sign1(payload, vector_key(), VectorKey().kid_bytes)


def v2_claims_map(**changes):
    data = cbor2.loads(bytes.fromhex(doc_vector("certificate-v2")["payload"]))
    for key, value in changes.items():
        number = int(key[1:])
        if value is None:
            data.pop(number)
        else:
            data[number] = value
    return data


def test_the_signed_v2_claims_built_by_hand_verify():
    assert verify_with(VectorKey())(signed_payload(v2_claims_map())).birth_dates == (
        date(1968, 2, 29), date(1998, 9, 30))


@pytest.mark.parametrize("changes", [
    {"c7": None},                                   # version 2 without birth dates
    {"c1": 1},                                      # version 1 with birth dates
    {"c1": 3},                                      # a version nobody knows
    {"c7": [10499]},                                # one date only
    {"c7": [10499, 10499, 10499]},                  # three
    {"c7": ["1998-09-30", "1968-02-29"]},           # text dates
    {"c7": [-25568, 10499]},                        # 1899-12-31: before 1900
    {"c7": [10499, 1799026200 // 86400 + 1]},       # born after the day of issue
    {"c7": [cbor2.CBORTag(100, 10499), 10499]},     # tagged (RFC 8943): the tag is not used
    {"c8": 1},                                      # an extra claim
], ids=lambda c: repr(c))
def test_a_signed_token_with_wrong_birth_date_claims_is_refused_as_malformed(changes):
    with pytest.raises(signing.VerificationError) as error:
        verify_with(VectorKey())(signed_payload(v2_claims_map(**changes)))
    assert error.value.reason == "malformed"


def test_the_oldest_and_newest_accepted_birth_dates():
    issued_day = 1799026200 // 86400
    claims = verify_with(VectorKey())(signed_payload(v2_claims_map(c7=[-25567, issued_day])))
    assert claims.birth_dates == (date(1900, 1, 1), date(1970, 1, 1) + timedelta(days=issued_day))


def test_a_version_2_claim_set_needs_both_birth_dates():
    now = datetime(2027, 1, 4, tzinfo=UTC)
    with pytest.raises(ValueError):
        signing.encode_claims(signing.CertificateClaims("BIFQYDIOB4IBCEQT", now, now + timedelta(days=1),
                                                        ("A", "B"), "P3A-KPG", (date(1990, 1, 1),)))


# --- keys: unknown, wrong, outside their period ----------------------------------------------

def test_a_token_with_an_unknown_key_id_is_refused_as_unknown_key():
    token, _key = vector_token()
    with pytest.raises(signing.VerificationError) as error:
        signing.verify_certificate_token(token, find_key=lambda kid: None)
    assert error.value.reason == "unknown_key"


def test_a_token_signed_by_another_key_under_a_published_kid_is_refused_as_bad_signature():
    vector = doc_vector("certificate")
    forged = signing.certificate_token(vector_claims(vector), VectorKey(), Ed25519PrivateKey.generate())
    with pytest.raises(signing.VerificationError) as error:
        verify_with(VectorKey())(forged)
    assert error.value.reason == "bad_signature"


def test_a_token_issued_after_its_key_was_retired_is_refused():
    token, _ = vector_token()
    retired = VectorKey(retired_at=datetime(2026, 12, 1, tzinfo=UTC))
    with pytest.raises(signing.VerificationError) as error:
        verify_with(retired)(token)
    assert error.value.reason == "key_not_valid"


def test_a_status_list_never_passes_for_a_certificate_token_and_back():
    vector = doc_vector("status-list")
    signed = bytes.fromhex(vector["signed"])
    with pytest.raises(signing.VerificationError):
        verify_with(VectorKey())(signed)
    token, key = vector_token()
    with pytest.raises(signing.VerificationError):
        signing.verify_sign1(token, lambda kid: key, content_type=signing.STATUS_LIST_CONTENT_TYPE)


def test_names_are_signed_in_unicode_nfc():
    now = utcnow().replace(microsecond=0)
    decomposed = "Jose\u0301 Mari\u0301a"
    claims = signing.CertificateClaims("BIFQYDIOB4IBCEQT", now, now + timedelta(days=1),
                                       (decomposed, "Ana"), "P3A-KPG")
    token = signing.certificate_token(claims, VectorKey(valid_from=now), vector_key())
    read = verify_with(VectorKey(valid_from=now))(token)
    assert read.names[0] == "Jos\u00e9 Mar\u00eda"


# --- keys on disk ----------------------------------------------------------------------------

def test_generated_private_keys_are_0600_files_in_a_0700_directory_and_never_in_the_database(keys):
    path = signing.key_path(keys.kid)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    private = signing.load_private_key(keys)
    raw_private = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                        serialization.NoEncryption())
    columns = {c["name"] for c in inspect(db.engine).get_columns("signing_keys")}
    assert columns == {"id", "kid", "public_key", "created_at", "valid_from", "retired_at", "valid_until"}
    row = db.session.execute(db.select(SigningKey.__table__)).one()
    assert all(raw_private not in (v if isinstance(v, bytes) else str(v).encode()) for v in row)


def test_the_key_id_is_derived_from_the_public_key(keys):
    assert keys.kid == signing.kid_for(keys.public_key)
    assert len(keys.kid_bytes) == 4


def test_rotation_signs_with_the_new_key_and_the_old_one_keeps_verifying(keys, app):
    old_private = signing.load_private_key(keys)
    now = utcnow().replace(microsecond=0)
    claims = signing.CertificateClaims("BIFQYDIOB4IBCEQT", now, now + timedelta(days=365),
                                       ("Ana Bria", "Yosef Tallo"), "P3A-KPG")
    old_token = signing.certificate_token(claims, keys, old_private)

    new_key, retired = signing.rotate_keys(now + timedelta(minutes=1))
    db.session.commit()

    assert retired == [keys]
    assert signing.current_signing_key()[0] == new_key
    assert signing.verify_certificate_token(old_token) == claims
    published = {k["kid"]: k for k in signing.published_keys()}
    assert set(published) == {keys.kid, new_key.kid}
    assert published[keys.kid]["signs_until"] is not None
    assert published[keys.kid]["valid_until"] is not None
    assert published[new_key.kid]["signs_until"] is None
    # The retired key can no longer sign anything that verifies.
    with pytest.raises(signing.VerificationError):
        late = signing.CertificateClaims("BIFQYDIOB4IBCEQT", now + timedelta(days=2),
                                         now + timedelta(days=300), ("A B", "C D"), "P3A-KPG")
        signing.verify_certificate_token(signing.certificate_token(late, keys, old_private))


def test_without_a_key_file_on_this_host_nothing_can_sign(keys):
    signing.key_path(keys.kid).unlink()
    assert not signing.can_sign()
    with pytest.raises(signing.NoSigningKey):
        signing.current_signing_key()


def test_a_key_file_that_does_not_match_the_published_key_is_refused(keys):
    path = signing.key_path(keys.kid)
    path.unlink()
    signing.write_private_key(Ed25519PrivateKey.generate(), path)
    with pytest.raises(signing.NoSigningKey):
        signing.current_signing_key()

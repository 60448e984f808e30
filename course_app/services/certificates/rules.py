"""What every part of the certificates feature shares: identifiers, names as frozen on a
certificate, ages, statuses and their labels, and finding a couple's certificate."""
import re
import secrets
import unicodedata
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from ...extensions import db
from ...models.certificates import Certificate
from .. import NotFound, signing
from ..clock import utcnow

REVOCATION_LABELS = {
    "data_error": _l("Data pada sertifikat salah"),
    "false_document": _l("Dokumen persyaratan tidak sah"),
    "couple_request": _l("Permintaan pasangan / pernikahan batal"),
    "court_decision": _l("Putusan atau penetapan pengadilan"),
    "other": _l("Alasan lain"),
}

STATUS_LABELS = {
    "valid": _l("Sah dan berlaku"),
    "used": _l("Sudah dipakai"),
    "expired": _l("Kedaluwarsa"),
    "revoked": _l("Dicabut"),
    "unknown": _l("Tidak dikenal"),
}

_ID = re.compile(r"[A-Z2-7]{16}")
#: People type the id from paper: digits that look like base32 letters are read as those letters.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def revocation_label(code):
    return REVOCATION_LABELS.get(code, code or "")


def status_label(code):
    return STATUS_LABELS[code]


def new_certificate_id():
    """80 random bits as 16 base32 characters. Never sequential, never guessable."""
    return signing.b32encode(secrets.token_bytes(signing.ID_BYTES))


def normalise_id(raw):
    """The canonical id from what someone typed or a URL held (either case, spaces, dashes),
    or None when it cannot be an id at all."""
    if not isinstance(raw, str) or len(raw) > 64:
        return None
    candidate = "".join(ch for ch in raw if ch.isalnum()).upper().translate(_LOOKALIKES)
    return candidate if _ID.fullmatch(candidate) else None


def get_certificate(raw_id):
    """The certificate, or None; its signing key is not joined in (the model's eager default):
    no page or API answer reads it, and a read would still load it then."""
    certificate_id = normalise_id(raw_id)
    if not certificate_id:
        return None
    return db.session.get(Certificate, certificate_id, options=(lazyload(Certificate.signing_key),))


def find_certificate(raw_id):
    """The certificate for staff pages (reviewers, officiants); unknown ids are NotFound (the app answers 404)."""
    certificate = get_certificate(raw_id)
    if certificate is None:
        raise NotFound()
    return certificate


def clean_name(name):
    """A name as frozen on a certificate: Unicode NFC, single spaces."""
    return unicodedata.normalize("NFC", " ".join((name or "").split()))


def mask_name(name):
    """'Peserta Demo Satu' → 'P****** D*** S***': enough to tell a mistake, not to read a name
    off a public page (product §8, data minimisation)."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in clean_name(name).split())


def age_on(birth_date, on_date):
    """Whole years of age on `on_date` (someone born on 29 February turns a year older on
    1 March in common years)."""
    return on_date.year - birth_date.year - ((on_date.month, on_date.day) < (birth_date.month, birth_date.day))




def status_of(certificate, now=None):
    """valid | used | expired | revoked | unknown. A revocation outranks everything; a
    recorded marriage outranks expiry."""
    if certificate is None:
        return "unknown"
    if certificate.revoked_at is not None:
        return "revoked"
    if certificate.used_at is not None:
        return "used"
    if certificate.expires_at <= (now or utcnow()):
        return "expired"
    return "valid"


def names_of(certificate):
    return [person["name"] for person in certificate.snapshot["people"]]


def people_of(certificate):
    """(name, birth date or None) of each partner as frozen at issue; certificates of format
    version 1 were issued before the snapshot kept birth dates."""
    return [(person["name"], date.fromisoformat(person["birth_date"]) if person.get("birth_date") else None)
            for person in certificate.snapshot["people"]]


def live_certificate(couple):
    if couple is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.live_couple_id == couple.id))


def revoked_certificate(couple):
    return db.session.scalar(select(Certificate).where(
        Certificate.couple_id == couple.id, Certificate.revoked_at.is_not(None))
        .order_by(Certificate.revoked_at.desc()).limit(1))


def latest_certificate(couple):
    """The live certificate, else the last revoked one (what the couple's dashboard shows)."""
    if couple is None:
        return None
    return live_certificate(couple) or revoked_certificate(couple)


def token_text(certificate):
    return signing.b32encode(certificate.token)

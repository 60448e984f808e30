"""Certificates, signing keys metadata, court dispensations and marriage records — issue 4."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

#: Why a reviewer revoked a certificate. Codes are stable; labels live in the UI.
REVOCATION_REASONS = ("data_error", "false_document", "couple_request", "court_decision", "other")


class SigningKey(db.Model):
    """The public half of an Ed25519 signing key and its validity period.

    The private key lives only in a file in SIGNING_KEYS_DIR, named after `kid`; never here.
    A key signs from `valid_from` until it is retired; it keeps verifying the certificates it
    signed until `valid_until` (the last of them has expired by then).
    """

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(16), unique=True)  # hex of the 4-byte COSE kid
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def kid_bytes(self):
        return bytes.fromhex(self.kid)

    def __repr__(self):
        return f"<SigningKey {self.kid}>"


class Certificate(db.Model):
    """A couple's certificate, frozen at issue.

    `id` is 80 random bits as 16 upper-case base32 characters. `snapshot` holds everything
    shown on the certificate (names NFC, modules, scores, dates, institution, office, template
    version); the PDF is built from it once and stored with its SHA-256, so nothing that
    changes later (a profile, the content, a template) ever changes an issued certificate.

    `live_couple_id` equals `couple_id` until the certificate is revoked and is NULL after:
    its unique constraint means a couple never holds two live certificates, even when two
    requests issue at the same moment.
    """

    __tablename__ = "certificates"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id"), index=True)
    live_couple_id: Mapped[int | None] = mapped_column(ForeignKey("couples.id"), unique=True)
    format_version: Mapped[int]
    template_version: Mapped[int]
    snapshot: Mapped[dict] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    signing_key_id: Mapped[int] = mapped_column(ForeignKey("signing_keys.id"), index=True)
    token: Mapped[bytes] = mapped_column(LargeBinary)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))

    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marriage_date: Mapped[date | None]
    marriage_institution_type: Mapped[str | None] = mapped_column(String(20))
    marriage_institution_name: Mapped[str | None] = mapped_column(String(160))
    #: The recording officiant's own institution, as it stood when they recorded the marriage.
    used_by_institution_type: Mapped[str | None] = mapped_column(String(20))
    used_by_institution_name: Mapped[str | None] = mapped_column(String(160))

    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revocation_reason: Mapped[str | None] = mapped_column(String(30))
    revocation_note: Mapped[str | None] = mapped_column(Text)

    couple = relationship("Couple", foreign_keys=[couple_id])
    signing_key: Mapped[SigningKey] = relationship(lazy="joined")
    used_by = relationship("User", foreign_keys=[used_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    def __repr__(self):
        return f"<Certificate {self.id}>"


class Dispensation(db.Model):
    """A court's marriage dispensation for one partner under 19 (UU 16/2019, art. 7(2)),
    recorded by a P3A reviewer."""

    __tablename__ = "dispensations"
    __table_args__ = (UniqueConstraint("couple_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    court_number: Mapped[str] = mapped_column(String(80))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])

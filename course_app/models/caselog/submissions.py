"""Polres submissions: the monthly case register the police liaison sends to P3A (issue 13,
point 1; product §2, §7). Rules live in services/caselog/submissions.py.

A submission holds the file itself (uploaded, or a CSV built from the web form) encrypted at
rest, and the row problems the import validation found — also encrypted, since a problem may
quote a cell. The cases it brings are written when a caseworker accepts it, through the import
(`import_batch_id`: the batch that wrote them; `Case.import_batch_id` points at the same batch).
"""
from base64 import b64decode, b64encode
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ..base import UTCDateTime, utcnow
from .types import EncryptedText

#: received (waiting for a caseworker), accepted (cases created), returned (with a reason),
#: replaced (a newer submission for the same month took its place while it was waiting)
SUBMISSION_STATUSES = ("received", "accepted", "returned", "replaced")


class EncryptedBytes(EncryptedText):
    """A file stored encrypted: bytes → base64 → Fernet token. A subclass of `EncryptedText`,
    so key rotation (`services/caselog/crypto.rotate_keys`) re-encrypts it with the rest."""

    cache_ok = True

    def process_bind_param(self, value, dialect):
        if isinstance(value, (bytes, bytearray)):
            value = b64encode(bytes(value)).decode("ascii")
        return super().process_bind_param(value, dialect)

    def process_result_value(self, value, dialect):
        text = super().process_result_value(value, dialect)
        return None if text is None else b64decode(text)


class PoliceSubmission(db.Model):
    __tablename__ = "caselog_submissions"
    __table_args__ = (Index("ix_caselog_submissions_month_status", "month", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: the register's month, "YYYY-MM" (a Kupang month)
    month: Mapped[str] = mapped_column(String(7))
    #: file (uploaded CSV/XLSX) or form (rows typed on the web form, kept as a CSV)
    kind: Mapped[str] = mapped_column(String(10), default="file")
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(EncryptedBytes())
    size: Mapped[int] = mapped_column(default=0)
    row_count: Mapped[int] = mapped_column(default=0)
    problem_count: Mapped[int] = mapped_column(default=0)
    #: JSON [[row, column, problem], ...] as the import validation reported them
    problems: Mapped[str | None] = mapped_column(EncryptedText())
    status: Mapped[str] = mapped_column(String(20), default="received")
    #: why a caseworker returned it (shown to the liaison)
    reason: Mapped[str | None] = mapped_column(Text())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the import batch that wrote the accepted submission's cases
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_import_batches.id"))
    case_count: Mapped[int] = mapped_column(default=0)

    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

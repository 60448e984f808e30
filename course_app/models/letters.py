"""Good-conduct letters (SKCK) and their file blobs — issue 3, product §5.

A participant's every upload is a new `Letter` row; nothing is overwritten, so the rows and
their `LetterEvent`s are the full history. The file bytes live in `FileBlob`, written in the
same transaction as the letter (product §3: nothing half-saved, no shared file system).
"""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

#: Codes are stable; labels live in services/letters/ (with the statuses and actions).
POLICE_OFFICES = ("polres_kupang_kota", "polsek", "lainnya")


class FileBlob(db.Model):
    """Checked file bytes: the re-encoded image or the checked original PDF."""

    __tablename__ = "file_blobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(40))
    #: Deferred: listing letters never pulls megabytes of file data.
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self):
        return f"<FileBlob {self.id} {self.content_type} {self.size}>"


class Letter(db.Model):
    __tablename__ = "letters"
    __table_args__ = (
        # One letter per upload form: a double submit finds the first (see services/letters/).
        UniqueConstraint("user_id", "upload_token"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected', 'withdrawn')", name="status"),
        CheckConstraint("valid_until > issued_on", name="validity"),
        # The reviewers' queue: pending first, oldest first.
        Index("ix_letters_status_uploaded_at", "status", "uploaded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    number: Mapped[str] = mapped_column(String(100))
    police_office: Mapped[str] = mapped_column(String(20))
    #: The Polsek's name, or the office's name when `police_office` is "lainnya".
    police_office_name: Mapped[str | None] = mapped_column(String(120))
    issued_on: Mapped[date]
    valid_until: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default="pending")
    #: The name the file had on the participant's device: display text only, never a path.
    original_filename: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of the bytes as uploaded (the blob's hash is of the stored, re-encoded bytes).
    original_sha256: Mapped[str] = mapped_column(String(64), index=True)
    blob_id: Mapped[int] = mapped_column(ForeignKey("file_blobs.id"), unique=True)
    #: The earliest letter of *another* participant with the same file, shown to reviewers.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))
    upload_token: Mapped[str | None] = mapped_column(String(32))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason_code: Mapped[str | None] = mapped_column(String(30))
    reason_text: Mapped[str | None] = mapped_column(Text)
    #: When the file's bytes were deleted (retention, or the owner deleting their account;
    #: services/letters/retention.py). The blob row stays with its hash, size and type.
    file_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    blob: Mapped[FileBlob] = relationship()
    duplicate_of = relationship("Letter", remote_side=[id])
    events: Mapped[list["LetterEvent"]] = relationship(
        back_populates="letter", order_by="LetterEvent.id", cascade="all, delete-orphan")

    def __repr__(self):
        return f"<Letter {self.id} {self.status}>"


class LetterEvent(db.Model):
    """Who did what to a letter, and when: append-only history."""

    __tablename__ = "letter_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(12))
    reason_code: Mapped[str | None] = mapped_column(String(30))
    reason_text: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    letter: Mapped[Letter] = relationship(back_populates="events")
    actor = relationship("User", lazy="joined")

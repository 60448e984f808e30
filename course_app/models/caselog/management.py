"""Case management (issue 13 point 2, product §7 "as in Primero"): referrals to services with
their status history, follow-up tasks, closure requests a supervisor decides, and encrypted
attachments. A case's owner and supervisor are columns of the case itself (cases.py); the
per-user supervisor flag is `User.case_supervisor`.

Notes, titles, decision notes, attachment names and contents are encrypted at rest like every
other narrative of the case-log; `rotate_keys` re-encrypts them too (their types are
`EncryptedText`s).
"""
from datetime import date, datetime

from cryptography.fernet import InvalidToken
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ...extensions import db
from ...keyring import KeyRingError, key_ring
from ..base import UTCDateTime, utcnow
from .lookups import Lookup
from .types import EncryptedText

#: Referral status (stable codes; labels in services/caselog/management.py).
REFERRAL_STATUSES = ("sent", "accepted", "completed", "refused")
#: Closure request states.
CLOSURE_STATES = ("pending", "approved", "refused")


class EncryptedBytes(EncryptedText):
    """Bytes (an attachment's content) stored as one Fernet token. An `EncryptedText`, so key
    rotation (services/caselog/crypto.py) finds and re-encrypts it like any other column."""

    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return key_ring().encrypt(bytes(value)).decode("ascii")

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return key_ring().decrypt(value.encode("ascii"))
        except InvalidToken:
            raise KeyRingError("case-log attachment cannot be decrypted with the configured "
                               "CASELOG_ENCRYPTION_KEYS") from None


class Referral(db.Model):
    """A referral of a case (optionally of one victim) to a service: UPTD PPA, Puskesmas/RS,
    Polres, legal aid, shelter, Dinas Sosial, psychologist (lookup kind `referral_service`)."""

    __tablename__ = "caselog_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("caselog_cases.id", ondelete="CASCADE"), index=True)
    victim_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_victims.id", ondelete="SET NULL"))
    service_id: Mapped[int] = mapped_column(ForeignKey("caselog_lookups.id"))
    institution: Mapped[str | None] = mapped_column(String(160))
    status: Mapped[str] = mapped_column(String(20), default="sent")
    sent_on: Mapped[date]
    #: The day of the latest status (accepted, completed or refused); the sending day at first.
    status_on: Mapped[date]
    notes: Mapped[str | None] = mapped_column(EncryptedText())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    service: Mapped[Lookup] = relationship(lazy="joined")
    victim = relationship("Victim")
    history: Mapped[list["ReferralStatusChange"]] = relationship(
        back_populates="referral", order_by="ReferralStatusChange.id", cascade="all, delete-orphan")


class ReferralStatusChange(db.Model):
    """A referral's status history; the first row is its sending."""

    __tablename__ = "caselog_referral_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("caselog_referrals.id", ondelete="CASCADE"),
                                             index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    on: Mapped[date]
    note: Mapped[str | None] = mapped_column(EncryptedText())
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    referral: Mapped[Referral] = relationship(back_populates="history")
    changed_by = relationship("User", lazy="joined")


class CaseTask(db.Model):
    """A follow-up task of a case, due on a Kupang day, assigned to a caseworker."""

    __tablename__ = "caselog_tasks"
    __table_args__ = (Index("ix_caselog_tasks_assignee_open", "assignee_id", "done_at", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("caselog_cases.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(EncryptedText())
    due_date: Mapped[date]
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assignee = relationship("User", foreign_keys=[assignee_id], lazy="joined")
    case = relationship("Case", back_populates="tasks")


class TaskDigest(db.Model):
    """One row per caseworker and Kupang day the overdue-task digest was queued: the command
    can run again the same day without a second email."""

    __tablename__ = "caselog_task_digests"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date]
    task_count: Mapped[int] = mapped_column(default=0)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ClosureRequest(db.Model):
    """A request to close a case with a reason (lookup kind `closure_reason`), decided by a
    supervisor: approved (the case is closed) or refused with a note."""

    __tablename__ = "caselog_closure_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("caselog_cases.id", ondelete="CASCADE"), index=True)
    reason_id: Mapped[int] = mapped_column(ForeignKey("caselog_lookups.id"))
    note: Mapped[str | None] = mapped_column(EncryptedText())
    state: Mapped[str] = mapped_column(String(20), default="pending")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(EncryptedText())

    reason: Mapped[Lookup] = relationship(lazy="joined")
    case = relationship("Case", back_populates="closure_requests")
    requested_by = relationship("User", foreign_keys=[requested_by_id], lazy="joined")
    decided_by = relationship("User", foreign_keys=[decided_by_id], lazy="joined")


class CaseAttachment(db.Model):
    """A file of a case (visum report, photo, letter), checked like an SKCK letter and stored
    encrypted. `content` is deferred: listing a case's attachments decrypts none of them."""

    __tablename__ = "caselog_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("caselog_cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(EncryptedText())
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(EncryptedBytes(), nullable=False))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    uploaded_by = relationship("User", lazy="joined")


__all__ = ["CLOSURE_STATES", "REFERRAL_STATUSES", "CaseAttachment", "CaseTask", "ClosureRequest",
           "EncryptedBytes", "Referral", "ReferralStatusChange", "TaskDigest"]

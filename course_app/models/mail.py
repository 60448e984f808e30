"""The mail outbox (product §8): a message is a row written in the same transaction as the change
that caused it, and sent after the commit by `flask mail send` (or, in development, after the
request). A mail server that is down delays mail; it never fails or undoes the action.
"""
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow

#: waiting: not sent yet (new, or retrying after a failure); sent; failed: gave up after
#: MAIL_MAX_ATTEMPTS attempts.
MAIL_STATUSES = ("waiting", "sent", "failed")


class OutboxMessage(db.Model):
    __tablename__ = "mail_outbox"
    __table_args__ = (
        CheckConstraint("status IN ('waiting', 'sent', 'failed')", name="status"),
        # The worker's question: which waiting messages are due?
        Index("ix_mail_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    #: Emptied once sent: bodies can hold reset links, which must not sit in the database and
    #: its backups longer than needed.
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The kind of the last failure ("ConnectionRefusedError", "SMTP 451"): never the server's
    #: message text, which quotes addresses.
    last_error: Mapped[str | None] = mapped_column(String(120))

    def __repr__(self):
        return f"<OutboxMessage {self.id} {self.status} attempts={self.attempts}>"

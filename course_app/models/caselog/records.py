"""Append-only audit log and import batches (previews kept server-side until confirmed)."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ...extensions import db
from ..base import UTCDateTime, utcnow
from .lookups import Lookup
from .types import EncryptedText


class AuditEntry(db.Model):
    """Who did what, when, to which object. Never personal data in `detail` (product §7–8).

    Append-only: the code has no path that updates or deletes a row, and a session guard
    refuses to flush one (see `_refuse_audit_changes`).
    """

    __tablename__ = "caselog_audit"
    __table_args__ = (Index("ix_caselog_audit_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(30), index=True)
    object_type: Mapped[str | None] = mapped_column(String(30))
    object_id: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(String(300))

    user = relationship("User", lazy="joined")


class AuditLogIsAppendOnly(RuntimeError):
    """Raised for any attempt to change or delete an audit entry through a session."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session, _context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("the audit log is append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_audit_bulk_changes(state):
    """Bulk `update(AuditEntry)` / `delete(AuditEntry)` (and `query(...).update/delete()`) skip
    the flush: refused here. Raw SQL text is out of reach of the ORM; the app sends none."""
    if (state.is_update or state.is_delete) and getattr(state.statement, "table", None) is not None \
            and state.statement.table.name == AuditEntry.__tablename__:
        raise AuditLogIsAppendOnly("the audit log is append-only")


class ImportBatch(db.Model):
    """An uploaded file, parsed: the preview (rows and problems) waits here for confirmation.

    The parsed rows carry names and narratives, so the whole payload is one encrypted,
    compressed document. Batches are discarded or imported; nothing is written before that.
    """

    __tablename__ = "caselog_import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    filename: Mapped[str] = mapped_column(String(200))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_lookups.id"))
    #: preview (waiting), imported, discarded
    state: Mapped[str] = mapped_column(String(20), default="preview")
    row_count: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    payload: Mapped[str | None] = mapped_column(EncryptedText())
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    source: Mapped[Lookup | None] = relationship()

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

#: Role codes (product §2). A person may hold several.
ROLES = ("participant", "officiant", "reviewer", "caseworker", "police", "admin")
SEXES = ("L", "P")  # laki-laki, perempuan — as on the KTP


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    birth_date: Mapped[date | None]
    sex: Mapped[str | None] = mapped_column(String(1))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(5))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Raised to end every session and remember cookie of this user at once (logout, password
    #: change, deactivation, role change): both carry the generation they were made in.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    #: The institution an officiant belongs to (product §2): a code of INSTITUTION_TYPES, the
    #: same list couples choose from, and its name. NULL for everyone else.
    institution_type: Mapped[str | None] = mapped_column(String(20))
    institution_name: Mapped[str | None] = mapped_column(String(160))
    #: A caseworker who supervises cases (product §2): sees and assigns all, approves closure.
    #: Set by an admin, audited like a role change.
    case_supervisor: Mapped[bool] = mapped_column(default=False, server_default="0")

    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin")

    @property
    def is_active(self):
        return self.is_active_account

    @property
    def role_codes(self):
        return {r.role for r in self.roles}

    def has_role(self, *codes):
        return bool(self.role_codes.intersection(codes))

    def session_id(self):
        """What a session and a remember cookie carry (Flask-Login's `id_attribute`):
        "<id>.<generation>.<login time>". Not the bare id, so that ending the generation ends
        them all, and the login time bounds a remember cookie's life on the server too."""
        return f"{self.id}.{self.session_generation}.{int(utcnow().timestamp())}"

    def __repr__(self):  # no personal data in reprs: they end up in logs
        return f"<User {self.id}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")


class AccountInvitation(db.Model):
    """A single-use link that lets an invited staff member set their first password.

    Only the SHA-256 of the token is stored: the link in the email is the only copy of the
    token. An invitation is open until `accepted_at` (used) or `closed_at` (a newer invitation
    was sent, or the password was set another way) or `expires_at`.
    """

    __tablename__ = "account_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])


class StaffImport(db.Model):
    """An uploaded CSV of officiants, parsed: the preview (rows and their problems) waits here
    until an admin confirms or discards it. No account exists before confirmation."""

    __tablename__ = "staff_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    filename: Mapped[str] = mapped_column(String(200))
    #: preview (waiting), imported, discarded
    state: Mapped[str] = mapped_column(String(20), default="preview")
    row_count: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    #: [{"line", "full_name", "email", "institution_type", "institution_name", "problems"}]
    rows: Mapped[list] = mapped_column(JSON)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

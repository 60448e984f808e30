from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

#: Where the marriage will take place (product §2). Codes are stable; labels live in the UI.
INSTITUTION_TYPES = ("gereja", "masjid_kua", "pura", "vihara", "klenteng", "catatan_sipil")


class Couple(db.Model):
    __tablename__ = "couples"

    id: Mapped[int] = mapped_column(primary_key=True)
    planned_wedding_date: Mapped[date]
    institution_type: Mapped[str] = mapped_column(String(20))
    institution_name: Mapped[str] = mapped_column(String(160))
    #: Optional: the Kemendagri code of the Kota Kupang kecamatan where the couple will live
    #: (the programme's statistics count couples by it); NULL when not given or outside the city.
    residence_kecamatan: Mapped[str | None] = mapped_column(String(10))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    dissolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Set when a certificate is issued; from then on nobody can leave or dissolve the couple.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    members: Mapped[list["CoupleMember"]] = relationship(
        back_populates="couple", order_by="CoupleMember.id", lazy="selectin")
    invites: Mapped[list["InviteCode"]] = relationship(back_populates="couple",
                                                        order_by="InviteCode.id")

    @property
    def active_members(self):
        return [m for m in self.members if m.left_at is None]

    @property
    def is_active(self):
        return self.dissolved_at is None


class CoupleMember(db.Model):
    """Membership of a person in a couple, kept as history after leaving.

    `active_user_id` equals `user_id` while the membership is active and is NULL afterwards;
    its unique constraint is what guarantees one active couple per person, even under races.
    """

    __tablename__ = "couple_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    active_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    couple: Mapped[Couple] = relationship(back_populates="members")
    user = relationship("User", foreign_keys=[user_id], lazy="joined")


class InviteCode(db.Model):
    __tablename__ = "invite_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    couple: Mapped[Couple] = relationship(back_populates="invites")

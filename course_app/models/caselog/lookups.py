"""Lookup lists (categories with stable codes) and Kota Kupang's kecamatan and kelurahan."""
from sqlalchemy import ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db


class Lookup(db.Model):
    """One entry of a category list: `kind` names the list, `code` is stable and never reused.

    Admins edit labels, order and whether an entry is offered; an entry in use is never deleted.
    `grouping` holds the impact group (fisik, psikis, ...) where a list has one. `bit` is the
    entry's place in the case's bits of that list (`Case.cause_mask`, ...), for the lists a case
    holds several values of; given when the entry is made and never changed.
    """

    __tablename__ = "caselog_lookups"
    __table_args__ = (UniqueConstraint("kind", "code"),
                      Index("ix_caselog_lookups_kind_position", "kind", "position"),
                      Index("uq_caselog_lookups_kind_bit", "kind", "bit", unique=True))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(160))
    grouping: Mapped[str | None] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    bit: Mapped[int | None] = mapped_column(SmallInteger)

    def __repr__(self):
        return f"<Lookup {self.kind}:{self.code}>"


class Kecamatan(db.Model):
    """A kecamatan of Kota Kupang; `code` is the Kemendagri code (`537104` = 53.71.04)."""

    __tablename__ = "caselog_kecamatan"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(80))

    kelurahan: Mapped[list["Kelurahan"]] = relationship(
        back_populates="kecamatan", order_by="Kelurahan.name")


class Kelurahan(db.Model):
    """A kelurahan: the Kemendagri code (`5371041014` = 53.71.04.1014; the 1 in the seventh
    digit marks a kelurahan) and official name, and `aliases`, the other names the import
    accepts — the spelling in local use and the abbreviations of police registers — separated
    by ";" (`Lai-Lai Bisi Kopan; LLBK`)."""

    __tablename__ = "caselog_kelurahan"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    aliases: Mapped[str | None] = mapped_column(String(200))
    kecamatan_id: Mapped[int] = mapped_column(ForeignKey("caselog_kecamatan.id"), index=True)

    kecamatan: Mapped[Kecamatan] = relationship(back_populates="kelurahan")

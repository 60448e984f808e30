"""Cases, their victims and perpetrators, relationships, categories, services and status history.

Names, addresses, birth dates, narratives and notes are encrypted columns. Reports group hundreds of thousands of rows in SQL without joins, so a few values are copied
on purpose (the case service and the bulk writer keep them right):

- the case's `report_date` on every row a report groups (categories, victims, relationships,
  services), and its `victim_count` on categories — each report reads one table's index;
- `Case.delay_days`, `Case.cause_recorded`, `Case.impact_recorded`, `Victim.age_at_incident`,
  `Victim.age_group`, and `victim_mask` (which sexes, age groups and child/adult the victims
  have) on the case, and each pair's and service's own victim's on them;
- the bits of the case's causes, impacts, types, relationships and services (`cause_mask`, ...),
  and on each pair the bits of the services its victim received (`service_mask`).

The `ix_*_report*` indexes start with the column a report groups by and hold every column it
reads, so each report is one ordered pass over one index (no sort, no table access) on both
engines — even without planner statistics on SQLite. A cross-tabulation of two dimensions not
paired through one victim groups the cases by their bits and columns in
`ix_caselog_cases_report_masks`; a victim dimension by a relationship or service, or
relationship by service, reads the pairs' or entries' report index with their bits
(services/caselog/reports/crosstab.py).
"""
from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ..base import UTCDateTime, utcnow
from .lookups import Kecamatan, Kelurahan, Lookup
from .types import EncryptedDate, EncryptedText

#: Status workflow (product §7): open → in handling → referred → closed.
CASE_STATUSES = ("open", "in_handling", "referred", "closed")


class Case(db.Model):
    __tablename__ = "caselog_cases"
    __table_args__ = (
        UniqueConstraint("source_id", "external_ref"),
        Index("ix_caselog_cases_report", "report_date", "victim_count", "cause_recorded",
              "impact_recorded", "victim_mask"),
        Index("ix_caselog_cases_report_place", "place_id", "report_date", "victim_count"),
        Index("ix_caselog_cases_report_kecamatan", "kecamatan_id", "outside_city", "report_date",
              "victim_count"),
        Index("ix_caselog_cases_report_delay", "delay_days", "report_date"),
        Index("ix_caselog_cases_report_masks", "report_date", "place_id", "kecamatan_id", "outside_city",
              "victim_mask", "cause_mask", "impact_mask", "type_mask", "relationship_mask", "service_mask"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    incident_date: Mapped[date]
    report_date: Mapped[date]
    #: Days from incident to report (reporting delay), kept for the reports.
    delay_days: Mapped[int] = mapped_column(default=0)
    place_id: Mapped[int] = mapped_column(ForeignKey("caselog_lookups.id"))
    kecamatan_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_kecamatan.id"))
    kelurahan_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_kelurahan.id"))
    outside_city: Mapped[bool] = mapped_column(default=False)
    location_detail: Mapped[str | None] = mapped_column(EncryptedText())
    source_id: Mapped[int] = mapped_column(ForeignKey("caselog_lookups.id"))
    external_ref: Mapped[str | None] = mapped_column(String(80))
    narrative: Mapped[str | None] = mapped_column(EncryptedText())
    kdrt: Mapped[bool] = mapped_column(default=False)
    legal_stage_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_lookups.id"))
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    consent_services: Mapped[bool] = mapped_column(default=False)
    consent_sharing: Mapped[bool] = mapped_column(default=False)
    consent_nonidentifiable: Mapped[bool] = mapped_column(default=False)
    guardian_consent: Mapped[bool] = mapped_column(default=False)
    guardian_name: Mapped[str | None] = mapped_column(EncryptedText())
    victim_count: Mapped[int] = mapped_column(default=0)
    #: Which sexes, age groups and child/adult its victims have, as bits
    #: (services/caselog/reference.py VICTIM_MASK_BITS), kept by the case writer.
    victim_mask: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Which causes, impacts, types of violence, relationships (of its victim–perpetrator pairs)
    #: and services (to its victims) it has, as bits (`Lookup.bit`; bit 0 of
    #: `relationship_mask`: a pair whose relationship is not recorded), kept by the case writer.
    cause_mask: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    impact_mask: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    type_mask: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    relationship_mask: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    service_mask: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    #: Whether any cause / impact is recorded ("tidak dicatat" rows of the reports).
    cause_recorded: Mapped[bool] = mapped_column(default=False)
    impact_recorded: Mapped[bool] = mapped_column(default=False)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_import_batches.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Case management (models/caselog/management.py): the caseworker in charge — whoever
    #: recorded the case, NULL (unassigned) for cases from before and for imports — and an
    #: optional supervisor; a supervisor reassigns both.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: A duplicate merged into another case (same incident): it keeps its own people, services
    #: and history, is closed, and points to the case that carries on (management/merge.py).
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_cases.id"), index=True)
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    owner = relationship("User", foreign_keys=[owner_id])
    supervisor = relationship("User", foreign_keys=[supervisor_id])
    merged_into = relationship("Case", foreign_keys=[merged_into_id], remote_side=[id])
    merged_from = relationship("Case", foreign_keys=[merged_into_id], remote_side=[merged_into_id],
                               primaryjoin="Case.merged_into_id == Case.id", viewonly=True)
    referrals = relationship("Referral", order_by="Referral.id", cascade="all, delete-orphan")
    tasks = relationship("CaseTask", back_populates="case", order_by="CaseTask.due_date",
                         cascade="all, delete-orphan")
    closure_requests = relationship("ClosureRequest", back_populates="case", order_by="ClosureRequest.id",
                                    cascade="all, delete-orphan")
    attachments = relationship("CaseAttachment", order_by="CaseAttachment.id",
                               cascade="all, delete-orphan")
    place: Mapped[Lookup] = relationship(foreign_keys=[place_id], lazy="joined")
    source: Mapped[Lookup] = relationship(foreign_keys=[source_id], lazy="joined")
    legal_stage: Mapped[Lookup | None] = relationship(foreign_keys=[legal_stage_id])
    kecamatan: Mapped[Kecamatan | None] = relationship(lazy="joined")
    kelurahan: Mapped[Kelurahan | None] = relationship()
    categories: Mapped[list["CaseCategory"]] = relationship(
        back_populates="case", cascade="all, delete-orphan")
    victims: Mapped[list["Victim"]] = relationship(
        back_populates="case", order_by="Victim.position", cascade="all, delete-orphan")
    perpetrators: Mapped[list["Perpetrator"]] = relationship(
        back_populates="case", order_by="Perpetrator.position", cascade="all, delete-orphan")
    # In the order recorded (pages, exports): never left to the index a plan happens to use.
    relationships: Mapped[list["VictimPerpetrator"]] = relationship(
        back_populates="case", order_by="VictimPerpetrator.id", cascade="all, delete-orphan")
    services: Mapped[list["ServiceEntry"]] = relationship(
        back_populates="case", order_by=lambda: [ServiceEntry.service_date, ServiceEntry.id],
        cascade="all, delete-orphan")
    status_changes: Mapped[list["StatusChange"]] = relationship(
        back_populates="case", order_by="StatusChange.id", cascade="all, delete-orphan")

    def codes(self, kind):
        return [c.lookup.code for c in self.categories if c.kind == kind]

    def lookups(self, kind):
        return sorted((c.lookup for c in self.categories if c.kind == kind), key=lambda x: x.position)

    def __repr__(self):
        return f"<Case {self.id}>"


class CaseCategory(db.Model):
    """Multi-valued categories of a case: types of violence, causes and impacts."""

    __tablename__ = "caselog_case_categories"
    __table_args__ = (Index("ix_caselog_case_categories_report", "kind", "lookup_id", "report_date",
                            "victim_count", "case_id"),
                      Index("ix_caselog_case_categories_case", "case_id", "kind", "lookup_id"))

    case_id: Mapped[int] = mapped_column(ForeignKey("caselog_cases.id", ondelete="CASCADE"),
                                         primary_key=True)
    lookup_id: Mapped[int] = mapped_column(ForeignKey("caselog_lookups.id"), primary_key=True)
    #: The lookup's kind, copied: reports filter on it without joining the lookups first.
    kind: Mapped[str] = mapped_column(String(30))
    report_date: Mapped[date]  # copied from the case
    victim_count: Mapped[int] = mapped_column(default=0)  # copied from the case

    case: Mapped[Case] = relationship(back_populates="categories")
    lookup: Mapped[Lookup] = relationship(lazy="joined")


class _Person:
    """Columns shared by victims and perpetrators."""

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str | None] = mapped_column(EncryptedText())
    sex: Mapped[str | None] = mapped_column(String(1))
    birth_date: Mapped[date | None] = mapped_column(EncryptedDate())
    #: Whole years at the incident, from the birth date or as given; NULL when unknown.
    age_at_incident: Mapped[int | None]
    address: Mapped[str | None] = mapped_column(EncryptedText())
    disability: Mapped[bool] = mapped_column(default=False)


class Victim(_Person, db.Model):
    __tablename__ = "caselog_victims"
    __table_args__ = (Index("ix_caselog_victims_report", "case_id", "sex", "age_group",
                            "age_at_incident", "report_date"),
                      Index("ix_caselog_victims_report_sex", "sex", "case_id", "report_date"),
                      Index("ix_caselog_victims_report_age_group", "age_group", "case_id", "report_date"),
                      Index("ix_caselog_victims_report_age", "age_at_incident", "case_id", "report_date"))

    case_id: Mapped[int] = mapped_column(ForeignKey("caselog_cases.id", ondelete="CASCADE"))
    report_date: Mapped[date]  # copied from the case
    #: SIMFONI age group from the age at incident (0-5, 6-12, ... 60+); NULL when unknown.
    age_group: Mapped[str | None] = mapped_column(String(10))
    education_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_lookups.id"))
    occupation_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_lookups.id"))
    marital_status_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_lookups.id"))
    disability_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_lookups.id"))

    case: Mapped[Case] = relationship(back_populates="victims")
    education: Mapped[Lookup | None] = relationship(foreign_keys=[education_id])
    occupation: Mapped[Lookup | None] = relationship(foreign_keys=[occupation_id])
    marital_status: Mapped[Lookup | None] = relationship(foreign_keys=[marital_status_id])
    disability_kind: Mapped[Lookup | None] = relationship(foreign_keys=[disability_id])
    services: Mapped[list["ServiceEntry"]] = relationship(
        back_populates="victim", order_by=lambda: [ServiceEntry.service_date, ServiceEntry.id])

    def __repr__(self):
        return f"<Victim {self.id}>"


class Perpetrator(_Person, db.Model):
    __tablename__ = "caselog_perpetrators"

    case_id: Mapped[int] = mapped_column(ForeignKey("caselog_cases.id", ondelete="CASCADE"),
                                         index=True)
    #: Perpetrator age group (0-17, 18-24, 25-59, 60+), given when the exact age is unknown.
    age_group: Mapped[str | None] = mapped_column(String(10))
    education_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_lookups.id"))
    occupation_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_lookups.id"))
    marital_status_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_lookups.id"))
    disability_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_lookups.id"))

    case: Mapped[Case] = relationship(back_populates="perpetrators")
    education: Mapped[Lookup | None] = relationship(foreign_keys=[education_id])
    occupation: Mapped[Lookup | None] = relationship(foreign_keys=[occupation_id])
    marital_status: Mapped[Lookup | None] = relationship(foreign_keys=[marital_status_id])
    disability_kind: Mapped[Lookup | None] = relationship(foreign_keys=[disability_id])

    def __repr__(self):
        return f"<Perpetrator {self.id}>"


class VictimPerpetrator(db.Model):
    """How a perpetrator relates to a victim — one row per pair (product §7)."""

    __tablename__ = "caselog_victim_perpetrators"
    __table_args__ = (UniqueConstraint("victim_id", "perpetrator_id"),
                      Index("ix_caselog_victim_perpetrators_report", "relationship_id", "case_id",
                            "victim_id", "report_date", "victim_mask", "service_mask"),
                      Index("ix_caselog_victim_perpetrators_case", "case_id", "relationship_id", "victim_id",
                            "report_date"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("caselog_cases.id", ondelete="CASCADE"))
    report_date: Mapped[date]  # copied from the case
    victim_id: Mapped[int] = mapped_column(ForeignKey("caselog_victims.id", ondelete="CASCADE"))
    perpetrator_id: Mapped[int] = mapped_column(
        ForeignKey("caselog_perpetrators.id", ondelete="CASCADE"), index=True)
    relationship_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_lookups.id"))
    victim_mask: Mapped[int] = mapped_column(default=0, server_default="0")  # the victim's bits
    #: The bits of the services its victim received (`Lookup.bit`), kept by the case writer.
    service_mask: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    case: Mapped[Case] = relationship(back_populates="relationships")
    victim: Mapped[Victim] = relationship()
    perpetrator: Mapped[Perpetrator] = relationship()
    relationship_kind: Mapped[Lookup | None] = relationship(lazy="joined")


class ServiceEntry(db.Model):
    """One dated entry of a victim's services/handling log."""

    __tablename__ = "caselog_services"
    __table_args__ = (Index("ix_caselog_services_report", "service_id", "case_id", "victim_id",
                            "report_date", "victim_mask"),
                      Index("ix_caselog_services_case", "case_id", "service_id", "victim_id", "report_date"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("caselog_cases.id", ondelete="CASCADE"))
    report_date: Mapped[date]  # the case's report date, copied (reports filter on it)
    victim_mask: Mapped[int] = mapped_column(default=0, server_default="0")  # the victim's bits
    victim_id: Mapped[int] = mapped_column(ForeignKey("caselog_victims.id", ondelete="CASCADE"),
                                           index=True)
    service_date: Mapped[date]
    service_id: Mapped[int] = mapped_column(ForeignKey("caselog_lookups.id"))
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("caselog_lookups.id"))
    status_id: Mapped[int] = mapped_column(ForeignKey("caselog_lookups.id"))
    notes: Mapped[str | None] = mapped_column(EncryptedText())
    follow_up_date: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="services")
    victim: Mapped[Victim] = relationship(back_populates="services")
    service: Mapped[Lookup] = relationship(foreign_keys=[service_id], lazy="joined")
    institution: Mapped[Lookup | None] = relationship(foreign_keys=[institution_id], lazy="joined")
    status: Mapped[Lookup] = relationship(foreign_keys=[status_id], lazy="joined")


class StatusChange(db.Model):
    """History of a case's status; the first row is the case's opening."""

    __tablename__ = "caselog_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("caselog_cases.id", ondelete="CASCADE"),
                                         index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(EncryptedText())
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="status_changes")
    changed_by = relationship("User", lazy="joined")


class CaseNumberCounter(db.Model):
    """Last case number handed out per year: numbers are allocated in blocks, race-free."""

    __tablename__ = "caselog_number_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)

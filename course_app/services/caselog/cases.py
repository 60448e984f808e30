"""Cases: create, edit, status workflow, services log, list and search (product §7).

Rules live here and in `payload.check_rules`; views only shape the input and commit.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models.caselog import (
    CASE_STATUSES,
    Case,
    CaseCategory,
    Lookup,
    ServiceEntry,
    StatusChange,
)
from .. import DomainError, NotFound, clock
from ..clock import utcnow
from .management import default_owner
from .payload import CaseRuleError, LookupIndex, check_rules, is_child
from .reference import value_mask, victim_mask
from .writer import write_cases

#: Allowed status changes: open → in handling → referred; a closed case may reopen. Closing
#: is not among them: it needs a reason and a supervisor's approval (management/closure.py).
TRANSITIONS = {
    "open": ("in_handling", "referred"),
    "in_handling": ("referred",),
    "referred": ("in_handling",),
    "closed": ("in_handling",),
}


def _checked(data, index, today):
    problems = list(check_rules(data, index, today or clock.today()))
    if problems:
        raise CaseRuleError(problems)


def get_case(case_id):
    """A case with everything its page shows; NotFound when there is none."""
    case = db.session.scalar(select(Case).where(Case.id == case_id).options(
        selectinload(Case.categories), selectinload(Case.victims), selectinload(Case.perpetrators),
        selectinload(Case.relationships), selectinload(Case.services),
        selectinload(Case.status_changes)))
    if case is None:
        raise NotFound()
    return case


def create_case(data, user, today=None):
    """Record a new case with its victims, perpetrators and relationships; status `open`."""
    index = LookupIndex()
    _checked(data, index, today)
    _check_unique_reference(data)
    try:
        # Only this write is undone if it fails, never the caller's work.
        with db.session.begin_nested():
            (case_id,) = write_cases([data], index, user=user)
    except IntegrityError:
        # The same report was recorded by someone else a moment ago: say so, like above.
        _check_unique_reference(data)
        raise
    case = db.session.get(Case, case_id)
    case.owner_id = default_owner(user)  # the caseworker who records a case owns it
    db.session.flush()
    return case


def _check_unique_reference(data, case=None):
    if not data.get("external_ref"):
        return
    source = db.session.scalar(select(Lookup.id).where(Lookup.kind == "source",
                                                      Lookup.code == data["source"]))
    query = select(Case.number).where(Case.source_id == source, Case.external_ref == data["external_ref"])
    if case is not None:
        query = query.where(Case.id != case.id)
    number = db.session.scalar(query)
    if number:
        raise CaseRuleError([("external_ref", _l(
            "Nomor rujukan ini sudah tercatat untuk sumber yang sama (kasus %(number)s).",
            number=number))])


def update_case(case, data, user, today=None):
    """Apply an edited payload. People keep their identity by `id`; a victim with services
    logged cannot be removed (the log would lose its subject)."""
    index = LookupIndex()
    _checked(data, index, today)
    _check_unique_reference(data, case)
    write_cases([data], index, user=user, case=case)
    return case


def child_without_guardian(case):
    """A victim is a child (UU 35/2014: under 18 at the incident) and no parent's or guardian's
    consent is recorded: the case page says so."""
    return not case.guardian_consent and any(is_child(v.age_at_incident) for v in case.victims)


def payload_from_case(case):
    """The payload that reproduces `case` — to fill the edit form."""
    def person(p, perpetrator=False):
        result = {"id": p.id, "name": p.name, "sex": p.sex, "birth_date": p.birth_date,
                  "age": None if p.birth_date else p.age_at_incident, "address": p.address,
                  "disability": p.disability,
                  "education": p.education.code if p.education else None,
                  "occupation": p.occupation.code if p.occupation else None,
                  "marital_status": p.marital_status.code if p.marital_status else None,
                  "disability_kind": p.disability_kind.code if p.disability_kind else None}
        if perpetrator:
            result["age_group"] = p.age_group if p.age_at_incident is None else None
        return result

    victim_pos = {v.id: i for i, v in enumerate(case.victims)}
    perp_pos = {p.id: i for i, p in enumerate(case.perpetrators)}
    return {
        "incident_date": case.incident_date, "report_date": case.report_date,
        "place": case.place.code, "source": case.source.code,
        "legal_stage": case.legal_stage.code if case.legal_stage else None,
        "kecamatan_id": case.kecamatan_id, "kelurahan_id": case.kelurahan_id,
        "outside_city": case.outside_city, "location_detail": case.location_detail,
        "external_ref": case.external_ref, "narrative": case.narrative, "kdrt": case.kdrt,
        "types": case.codes("violence_type"), "causes": case.codes("cause"),
        "impacts": case.codes("impact"),
        "consent_services": case.consent_services, "consent_sharing": case.consent_sharing,
        "consent_nonidentifiable": case.consent_nonidentifiable,
        "guardian_consent": case.guardian_consent, "guardian_name": case.guardian_name,
        "victims": [person(v) for v in case.victims],
        "perpetrators": [person(p, perpetrator=True) for p in case.perpetrators],
        "relationships": {(victim_pos[r.victim_id], perp_pos[r.perpetrator_id]):
                          r.relationship_kind.code if r.relationship_kind else None
                          for r in case.relationships
                          if r.victim_id in victim_pos and r.perpetrator_id in perp_pos},
    }


def change_status(case, to_status, user, note=None):
    """Move a case along its workflow; every change is kept in its history."""
    if to_status not in CASE_STATUSES:
        raise DomainError(_l("Status tidak dikenal."), field="status")
    if case.merged_into_id is not None:
        raise DomainError(_l("Kasus ini sudah digabung ke kasus lain; catat di kasus tujuan."),
                          field="status")
    if to_status == "closed" and case.status != "closed":
        raise DomainError(_l("Kasus ditutup lewat pengajuan penutupan dengan alasan, yang "
                             "disetujui supervisor."), field="status")
    if to_status not in TRANSITIONS[case.status]:
        raise DomainError(_l("Perubahan status ini tidak diperbolehkan."), field="status")
    db.session.add(StatusChange(case=case, from_status=case.status, to_status=to_status,
                                note=(note or "").strip() or None, changed_by_id=user.id))
    case.status = to_status
    case.updated_at = utcnow()
    db.session.flush()


def is_child_offender(perpetrator):
    """A perpetrator who is a child, under 18 at the incident (UU 35/2014; UU 11/2012 SPPA):
    by the age, or by the age group when the age is unknown."""
    if perpetrator.age_at_incident is not None:
        return is_child(perpetrator.age_at_incident)
    return perpetrator.age_group == "0-17"


def mediation_refusal(case):
    """Why mediation may not be logged for this case, or None.

    UU 12/2022 (TPKS), art. 23: a sexual violence case is not settled outside the court process,
    "kecuali terhadap pelaku Anak sebagaimana diatur dalam undang-undang" — the child offender's
    diversion under UU 11/2012 (SPPA), which police, prosecutor or judge lead. So for sexual
    violence, mediation is logged only when every perpetrator is a child and the case's legal
    stage is `diversi`; an adult perpetrator, or one whose age is unknown, rules it out.
    """
    if "seksual" not in case.codes("violence_type"):
        return None
    if case.perpetrators and all(is_child_offender(p) for p in case.perpetrators):
        if case.legal_stage is not None and case.legal_stage.code == "diversi":
            return None
        return _l("Mediasi tidak boleh untuk kekerasan seksual (UU 12/2022 Pasal 23). Pelaku Anak "
                  "adalah satu-satunya pengecualian, dan hanya melalui diversi (UU 11/2012 SPPA): "
                  "catat dahulu proses hukum 'Diversi (anak)'.")
    return _l("Mediasi tidak boleh untuk kekerasan seksual (UU 12/2022 Pasal 23 melarang "
              "penyelesaian di luar pengadilan; pengecualiannya hanya diversi bila semua pelaku "
              "berumur di bawah 18 tahun).")


def add_service(case, *, victim_id, service, status, service_date, user, institution=None,
                notes=None, follow_up_date=None, today=None):
    """Log one service given to a victim of this case. Mediation of sexual violence is refused
    unless the one exception applies (`mediation_refusal`)."""
    today = today or clock.today()
    index = LookupIndex()
    victim = next((v for v in case.victims if v.id == victim_id), None)
    if victim is None:
        raise DomainError(_l("Pilih korban dari kasus ini."), field="victim_id")
    service_lookup = index.get("service", service)
    status_lookup = index.get("service_status", status)
    if service_lookup is None:
        raise DomainError(_l("Pilih layanan."), field="service")
    if status_lookup is None:
        raise DomainError(_l("Pilih status layanan."), field="status")
    if institution and index.get("institution", institution) is None:
        raise DomainError(_l("Pilihan tidak dikenal."), field="institution")
    if service == "mediasi":
        refusal = mediation_refusal(case)
        if refusal:
            raise DomainError(refusal, field="service")
    if service_date > today:
        raise DomainError(_l("Tanggal layanan tidak boleh di masa depan."), field="service_date")
    if service_date < case.incident_date:
        raise DomainError(_l("Tanggal layanan sebelum tanggal kejadian."), field="service_date")
    if follow_up_date and follow_up_date < service_date:
        raise DomainError(_l("Tanggal tindak lanjut sebelum tanggal layanan."), field="follow_up_date")
    entry = ServiceEntry(case=case, victim=victim, report_date=case.report_date, service_id=service_lookup.id,
                         status_id=status_lookup.id, institution_id=index.id("institution", institution),
                         service_date=service_date, follow_up_date=follow_up_date,
                         notes=(notes or "").strip() or None, created_by_id=user.id,
                         victim_mask=victim_mask([(victim.sex, victim.age_group, victim.age_at_incident)]))
    db.session.add(entry)
    received = value_mask([service_lookup.bit])
    case.service_mask |= received
    for pair in case.relationships:  # what the victim received, on each of her pairs
        if pair.victim_id == victim.id:
            pair.service_mask |= received
    case.updated_at = utcnow()
    db.session.flush()
    return entry


def search_cases(*, q=None, status=None, type_=None, cause=None, impact=None, kecamatan_id=None,
                 date_from=None, date_to=None, owner_id=None):
    """A select of cases for the list, newest report first. `q` matches the case number or the
    external reference (the only searchable identifiers: names are encrypted); `owner_id`
    keeps one caseworker's own cases."""
    query = select(Case).options(selectinload(Case.categories)).order_by(
        Case.report_date.desc(), Case.id.desc())
    if owner_id:
        query = query.where(Case.owner_id == owner_id)
    if q:
        text = q.strip()
        query = query.where(or_(Case.number.icontains(text, autoescape=True),
                                Case.external_ref.icontains(text, autoescape=True)))
    if status in CASE_STATUSES:
        query = query.where(Case.status == status)
    for kind, code in (("violence_type", type_), ("cause", cause), ("impact", impact)):
        if code:
            query = query.where(exists().where(
                CaseCategory.case_id == Case.id, CaseCategory.kind == kind,
                CaseCategory.lookup_id == select(Lookup.id).where(
                    Lookup.kind == kind, Lookup.code == code).scalar_subquery()))
    if kecamatan_id == "luar_kota":
        query = query.where(Case.outside_city.is_(True))
    elif kecamatan_id:
        query = query.where(Case.kecamatan_id == kecamatan_id)
    if date_from:
        query = query.where(Case.report_date >= date_from)
    if date_to:
        query = query.where(Case.report_date <= date_to)
    return query


def timeline(case):
    """Status changes, services and referrals (each step of each referral) of a case, oldest
    first: [(date, kind, item)], where a referral's item is (referral, its status change)."""
    items = [(clock.local_date(c.changed_at), "status", c) for c in case.status_changes]
    items += [(s.service_date, "service", s) for s in case.services]
    items += [(step.on, "referral", (referral, step)) for referral in case.referrals for step in referral.history]
    order = {"status": 0, "service": 1, "referral": 2}
    return sorted(items, key=lambda item: (item[0], order[item[1]]))

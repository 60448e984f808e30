"""The plain shape of a case, shared by the form, the importer and the synthetic generator,
and the rules every case must meet whichever way it arrives.

A payload is a dict of plain values with lookup *codes* (not ids):

    incident_date, report_date: date          place, source, legal_stage: code
    kecamatan_id, kelurahan_id: int | None     outside_city: bool, location_detail: str
    external_ref, narrative: str | None       kdrt: bool
    types, causes, impacts: [code]            consent_services, consent_sharing,
    victims: [person], perpetrators: [person]  consent_nonidentifiable, guardian_consent: bool
    relationships: {(victim index, perpetrator index): code}   guardian_name: str | None

person: name, sex, birth_date, age, education, occupation, marital_status, disability,
disability_kind, address (and age_group for perpetrators; `id` when editing).
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models.caselog import Kelurahan, Lookup
from .. import DomainError
from .reference import CHILD_AGE_LIMIT, PERPETRATOR_AGE_GROUPS, age_group

MAX_AGE = 120
CATEGORY_KINDS = {"types": "violence_type", "causes": "cause", "impacts": "impact"}
PERSON_LOOKUPS = {"education": "education", "occupation": "occupation",
                  "marital_status": "marital_status", "disability_kind": "disability"}
PERPETRATOR_AGE_GROUP_CODES = tuple(code for code, *_ in PERPETRATOR_AGE_GROUPS)


class CaseRuleError(DomainError):
    """Every broken rule of a payload at once: `problems` is [(field, message)]."""

    def __init__(self, problems):
        super().__init__(problems[0][1], field=problems[0][0])
        self.problems = problems


class LookupIndex:
    """Every lookup by (kind, code) and by id, loaded once per operation."""

    def __init__(self):
        self.by_kind = {}
        self.by_id = {}
        for lookup in db.session.scalars(select(Lookup)):
            self.by_kind.setdefault(lookup.kind, {})[lookup.code] = lookup
            self.by_id[lookup.id] = lookup
        self.kelurahan_kecamatan = dict(db.session.execute(
            select(Kelurahan.id, Kelurahan.kecamatan_id)).all())

    def get(self, kind, code):
        return self.by_kind.get(kind, {}).get(code)

    def id(self, kind, code):
        lookup = self.get(kind, code) if code else None
        return lookup.id if lookup else None


def age_on(birth_date, day):
    """Whole years between a birth date and a day."""
    if birth_date is None or day is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def person_age(person, incident_date):
    """Age at the incident: from the birth date when known, else the age given."""
    if person.get("birth_date"):
        return age_on(person["birth_date"], incident_date)
    return person.get("age")


def perpetrator_age_group(person, incident_date):
    age = person_age(person, incident_date)
    if age is not None:
        return age_group(age, PERPETRATOR_AGE_GROUPS)
    return person.get("age_group") or None


def check_rules(data, index, today):
    """Yield (field, message) for every rule the payload breaks. Field names follow the form:
    `incident_date`, `victims-0-birth_date`, `relationships-0-1`, ..."""
    incident, report = data.get("incident_date"), data.get("report_date")
    if incident is None:
        yield "incident_date", _l("Isi tanggal kejadian.")
    elif incident > today:
        yield "incident_date", _l("Tanggal kejadian tidak boleh di masa depan.")
    if report is None:
        yield "report_date", _l("Isi tanggal lapor.")
    elif report > today:
        yield "report_date", _l("Tanggal lapor tidak boleh di masa depan.")
    if incident and report and incident > report:
        yield "incident_date", _l("Tanggal kejadian tidak boleh sesudah tanggal lapor.")

    for field, kind in (("place", "place"), ("source", "source")):
        if not data.get(field):
            yield field, _l("Pilih salah satu.")
        elif index.get(kind, data[field]) is None:
            yield field, _l("Pilihan tidak dikenal.")
    if data.get("legal_stage") and index.get("legal_stage", data["legal_stage"]) is None:
        yield "legal_stage", _l("Pilihan tidak dikenal.")
    for field, kind in CATEGORY_KINDS.items():
        for code in data.get(field) or ():
            if index.get(kind, code) is None:
                yield field, _l("Pilihan tidak dikenal.")
    if not data.get("types"):
        yield "types", _l("Pilih sedikitnya satu jenis kekerasan.")

    if data.get("outside_city"):
        if not (data.get("location_detail") or "").strip():
            yield "location_detail", _l("Tulis lokasi di luar Kota Kupang.")
    elif not data.get("kecamatan_id"):
        yield "kecamatan_id", _l("Pilih kecamatan, atau pilih 'Di luar Kota Kupang'.")
    kelurahan_id = data.get("kelurahan_id")
    if kelurahan_id and not data.get("outside_city"):
        if index.kelurahan_kecamatan.get(kelurahan_id) != data.get("kecamatan_id"):
            yield "kelurahan_id", _l("Kelurahan ini tidak berada di kecamatan yang dipilih.")

    victims, perpetrators = data.get("victims") or [], data.get("perpetrators") or []
    if not victims:
        yield "victims", _l("Catat sedikitnya satu korban.")
    if not perpetrators:
        yield "perpetrators", _l("Catat sedikitnya satu pelaku (boleh 'tidak dikenal').")
    for group, people in (("victims", victims), ("perpetrators", perpetrators)):
        for i, person in enumerate(people):
            yield from _check_person(f"{group}-{i}", person, group, incident, index)
    for (vi, pi), code in (data.get("relationships") or {}).items():
        if code and index.get("relationship", code) is None:
            yield f"relationships-{vi}-{pi}", _l("Pilihan tidak dikenal.")


def _check_person(prefix, person, group, incident, index):
    if group == "victims" and not (person.get("name") or "").strip():
        yield f"{prefix}-name", _l("Tulis nama atau inisial korban.")
    if group == "victims" and person.get("sex") not in ("L", "P"):
        yield f"{prefix}-sex", _l("Pilih jenis kelamin korban.")
    elif person.get("sex") not in (None, "", "L", "P"):
        yield f"{prefix}-sex", _l("Jenis kelamin L atau P.")
    birth, age = person.get("birth_date"), person.get("age")
    if birth and incident and birth > incident:
        yield f"{prefix}-birth_date", _l("Tanggal lahir sesudah tanggal kejadian.")
    if age is not None and not 0 <= age <= MAX_AGE:
        yield f"{prefix}-age", _l("Umur 0–120 tahun.")
    if birth and incident and age is not None and birth <= incident \
            and abs(age_on(birth, incident) - age) > 1:
        yield f"{prefix}-age", _l("Umur tidak cocok dengan tanggal lahir.")
    if person.get("age_group") and person["age_group"] not in PERPETRATOR_AGE_GROUP_CODES:
        yield f"{prefix}-age_group", _l("Kelompok umur tidak dikenal.")
    for field, kind in PERSON_LOOKUPS.items():
        if person.get(field) and index.get(kind, person[field]) is None:
            yield f"{prefix}-{field}", _l("Pilihan tidak dikenal.")


def is_child(age):
    """UU 35/2014, art. 1: a child is a person under 18 (`age` at the incident; None: unknown)."""
    return age is not None and age < CHILD_AGE_LIMIT

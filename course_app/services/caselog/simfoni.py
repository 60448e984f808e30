"""The SIMFONI-PPA export (issue 13 point 4): one CSV row per victim, in the column order of
`SIMFONI_COLUMNS` (docs/caselog-lists.md, "SIMFONI export"), every listed value mapped through
`reference.SIMFONI`.

What leaves P3A is what SIMFONI's case form asks for, and no more: no names, addresses, birth
dates (the age at the incident and its group instead), narratives, guardians or external
references; nothing below kecamatan. Causes, impacts, sources, legal stages, service statuses,
institutions and disability kinds are local lists SIMFONI does not record, so they are not
exported. A local service with no SIMFONI value is left out of the services cell. A former
spouse or partner (`mantan_pasangan`) is one of two SIMFONI values, which the record decides
(`former_partner_value`).
"""
import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models.caselog import Case, Perpetrator, Victim
from . import reports
from .exports import neutralise
from .reference import PERPETRATOR_AGE_GROUPS, SIMFONI, age_group

CITY = ("5371", "Kota Kupang")
SIMFONI_COLUMNS = [
    "no_registrasi", "tanggal_lapor", "tanggal_kejadian", "kode_kabupaten_kota", "kabupaten_kota",
    "kode_kecamatan", "kecamatan", "tempat_kejadian", "jenis_kekerasan", "kdrt", "korban_ke",
    "jenis_kelamin_korban", "usia_korban", "kelompok_umur_korban", "pendidikan_korban",
    "pekerjaan_korban", "status_perkawinan_korban", "disabilitas_korban", "hubungan_pelaku_korban",
    "jumlah_pelaku", "jenis_kelamin_pelaku", "kelompok_umur_pelaku", "layanan_diterima",
]
NA = "NA"


def simfoni_value(kind, code):
    """The SIMFONI value of a local code: a string, None (no SIMFONI value), or NA when the
    list is one SIMFONI records but the code has no mapping yet (an entry an admin added)."""
    if code is None:
        return NA
    value = SIMFONI[kind].get(code, NA)
    if isinstance(value, tuple):
        return " atau ".join(value)
    return value


def former_partner_value(victim, perpetrator, case):
    """SIMFONI has no "former partner": `mantan_pasangan` is written Suami/Istri for a former
    husband or wife and Pacar/Teman for a former boyfriend or girlfriend, decided from what the
    record holds (docs/caselog-lists.md, "SIMFONI export"):

    1. the victim or the perpetrator has never married (`belum_kawin`): they cannot have been
       married to each other — Pacar/Teman;
    2. the victim is divorced (`cerai_hidup`): the former partner is the former spouse —
       Suami/Istri;
    3. otherwise the case's KDRT flag: a former partner in a case recorded as domestic violence
       is taken as the former spouse — Suami/Istri; without the flag, Pacar/Teman (violence by
       a former boyfriend or girlfriend is not KDRT under UU 23/2004)."""
    spouse, partner = SIMFONI["relationship"]["mantan_pasangan"]
    statuses = {person.marital_status.code for person in (victim, perpetrator) if person.marital_status}
    if "belum_kawin" in statuses:
        return partner
    if victim.marital_status is not None and victim.marital_status.code == "cerai_hidup":
        return spouse
    return spouse if case.kdrt else partner


def _relationship_value(pair, victim, case):
    code = pair.relationship_kind and pair.relationship_kind.code
    if code == "mantan_pasangan":
        return former_partner_value(victim, pair.perpetrator, case)
    return simfoni_value("relationship", code)


def _joined(values):
    """Distinct values in first-seen order, joined by '; '."""
    seen = []
    for value in values:
        if value is not None and value not in seen:
            seen.append(value)
    return "; ".join(seen)


def _perpetrator_group(perpetrator):
    return age_group(perpetrator.age_at_incident, PERPETRATOR_AGE_GROUPS) or perpetrator.age_group or NA


def simfoni_rows(date_from=None, date_to=None):
    """{column: value} per victim of the cases the reports count (reported in the range, a merged
    duplicate left out: reports.scope), oldest report first."""
    query = (select(Case).options(
        selectinload(Case.categories), selectinload(Case.perpetrators).selectinload(Perpetrator.marital_status),
        selectinload(Case.relationships),
        selectinload(Case.victims).selectinload(Victim.services),
        selectinload(Case.victims).selectinload(Victim.education),
        selectinload(Case.victims).selectinload(Victim.occupation),
        selectinload(Case.victims).selectinload(Victim.marital_status))
        .order_by(Case.report_date, Case.id))
    for case in db.session.scalars(reports.listed(query, date_from, date_to)):
        types = _joined(simfoni_value("violence_type", lookup.code) for lookup in case.lookups("violence_type"))
        for victim in case.victims:
            pairs = [p for p in case.relationships if p.victim_id == victim.id]
            yield {
                "no_registrasi": case.number, "tanggal_lapor": case.report_date.isoformat(),
                "tanggal_kejadian": case.incident_date.isoformat(),
                "kode_kabupaten_kota": CITY[0] if not case.outside_city else "",
                "kabupaten_kota": CITY[1] if not case.outside_city else "Luar Kota Kupang",
                "kode_kecamatan": case.kecamatan.code if case.kecamatan else "",
                "kecamatan": case.kecamatan.name if case.kecamatan else "",
                "tempat_kejadian": simfoni_value("place", case.place.code),
                "jenis_kekerasan": types, "kdrt": "Ya" if case.kdrt else "Tidak",
                "korban_ke": victim.position + 1, "jenis_kelamin_korban": victim.sex or NA,
                "usia_korban": "" if victim.age_at_incident is None else victim.age_at_incident,
                "kelompok_umur_korban": victim.age_group or NA,
                "pendidikan_korban": simfoni_value("education", victim.education and victim.education.code),
                "pekerjaan_korban": simfoni_value("occupation", victim.occupation and victim.occupation.code),
                "status_perkawinan_korban": simfoni_value(
                    "marital_status", victim.marital_status and victim.marital_status.code),
                "disabilitas_korban": "Ya" if victim.disability else "Tidak",
                "hubungan_pelaku_korban": _joined(_relationship_value(p, victim, case) for p in pairs),
                "jumlah_pelaku": len(case.perpetrators),
                "jenis_kelamin_pelaku": "; ".join(p.sex or NA for p in case.perpetrators),
                "kelompok_umur_pelaku": "; ".join(_perpetrator_group(p) for p in case.perpetrators),
                "layanan_diterima": _joined(SIMFONI["service"].get(entry.service.code)
                                            for entry in victim.services),
            }


def simfoni_csv(date_from=None, date_to=None):
    """The export as UTF-8 CSV bytes (BOM for Excel), formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(SIMFONI_COLUMNS)
    for row in simfoni_rows(date_from, date_to):
        writer.writerow([neutralise(row[column]) for column in SIMFONI_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")

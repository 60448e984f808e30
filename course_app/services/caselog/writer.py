"""Writing many cases at once: imports (10,000 rows) and synthetic data (200,000 cases).

Ids are reserved up front (a sequence on PostgreSQL; the next free ids under SQLite's write
lock), then rows go in with COPY on PostgreSQL and multi-row INSERTs on SQLite — instead of one
ORM object per row: the same rows, a fraction of the time. The derived and copied columns (age
at incident, delay, victim count, report date on child rows) are computed here exactly as the
case service computes them for a single case.
"""
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ...extensions import db
from ...models.caselog import (
    Case,
    CaseCategory,
    CaseNumberCounter,
    Perpetrator,
    ServiceEntry,
    StatusChange,
    Victim,
    VictimPerpetrator,
)
from ..clock import utcnow
from .payload import CATEGORY_KINDS, PERSON_LOOKUPS, perpetrator_age_group, person_age
from .reference import age_group

CHUNK = 2000


def _dialect():
    return db.session.get_bind().dialect.name


def allocate_numbers(year, count):
    """Hand out `count` consecutive case numbers for `year` in one atomic statement.

    The counter row is created if missing (ON CONFLICT DO NOTHING), then bumped with
    UPDATE ... RETURNING: concurrent requests each get their own block, on both engines.
    """
    table = CaseNumberCounter.__table__
    make_insert = pg_insert if _dialect() == "postgresql" else sqlite_insert
    db.session.execute(make_insert(table).values(year=year, last=0)
                       .on_conflict_do_nothing(index_elements=["year"]))
    last = db.session.execute(update(table).where(table.c.year == year)
                              .values(last=table.c.last + count).returning(table.c.last)).scalar_one()
    return [format_number(year, n) for n in range(last - count + 1, last + 1)]


def format_number(year, n):
    return f"P3A-{year}-{n:05d}"


def _reserve_ids(table, count):
    """`count` fresh primary keys for `table`. Call after `allocate_numbers`, which has taken
    SQLite's write lock, so no other writer can take the same ids before we commit."""
    if count == 0:
        return []
    if _dialect() == "postgresql":
        return list(db.session.scalars(text(
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
            "FROM generate_series(1, :n)"), {"n": count}))
    last = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0
    return list(range(last + 1, last + count + 1))


def _insert(table, rows):
    if not rows:
        return
    if _dialect() == "postgresql":
        columns = list(rows[0])
        # COPY uses the column types' bind processing only through these plain values: every
        # encrypted value is a Ciphertext already, dates and booleans are native.
        cursor = db.session.connection().connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start:start + CHUNK])


def _person_row(person, case_id, position, incident, index, encrypt, perpetrator=False):
    row = {
        "case_id": case_id, "position": position, "name": encrypt(person.get("name") or None),
        "sex": person.get("sex") or None, "birth_date": encrypt(
            person["birth_date"].isoformat() if person.get("birth_date") else None),
        "age_at_incident": person_age(person, incident),
        "address": encrypt(person.get("address") or None),
        "disability": bool(person.get("disability") or person.get("disability_kind")),
    }
    for field, kind in PERSON_LOOKUPS.items():
        column = "disability_id" if field == "disability_kind" else f"{field}_id"
        row[column] = index.id(kind, person.get(field))
    row["age_group"] = (perpetrator_age_group(person, incident) if perpetrator
                        else age_group(row["age_at_incident"]))
    return row


def write_cases(payloads, index, *, user=None, import_batch_id=None, encrypt=None, status="open"):
    """Insert every payload (already checked) with its people, categories and services.

    `encrypt` turns a plaintext into a `Ciphertext` (default: the key ring, once per distinct
    value within this call). Returns the new case ids, in payload order. Flushes only.
    """
    from .crypto import CachedEncryptor

    encrypt = encrypt or CachedEncryptor()
    now = utcnow()
    user_id = getattr(user, "id", None)
    by_year = {}
    for i, data in enumerate(payloads):
        by_year.setdefault(data["report_date"].year, []).append(i)
    numbers = [None] * len(payloads)
    for year, positions in sorted(by_year.items()):
        for position, number in zip(positions, allocate_numbers(year, len(positions)), strict=True):
            numbers[position] = number

    case_ids = _reserve_ids(Case.__table__, len(payloads))
    case_rows = []
    for case_id, data, number in zip(case_ids, payloads, numbers, strict=True):
        case_rows.append({
            "id": case_id, "number": number, "incident_date": data["incident_date"],
            "report_date": data["report_date"],
            "delay_days": (data["report_date"] - data["incident_date"]).days,
            "place_id": index.id("place", data["place"]),
            "kecamatan_id": None if data.get("outside_city") else data.get("kecamatan_id"),
            "kelurahan_id": None if data.get("outside_city") else data.get("kelurahan_id"),
            "outside_city": bool(data.get("outside_city")),
            "location_detail": encrypt(data.get("location_detail") or None),
            "source_id": index.id("source", data["source"]),
            "external_ref": data.get("external_ref") or None,
            "narrative": encrypt(data.get("narrative") or None),
            "kdrt": bool(data.get("kdrt")), "legal_stage_id": index.id("legal_stage", data.get("legal_stage")),
            "status": data.get("status") or status,
            "consent_services": bool(data.get("consent_services")),
            "consent_sharing": bool(data.get("consent_sharing")),
            "consent_nonidentifiable": bool(data.get("consent_nonidentifiable")),
            "guardian_consent": bool(data.get("guardian_consent")),
            "guardian_name": encrypt(data.get("guardian_name") or None),
            "victim_count": len(data["victims"]), "import_batch_id": import_batch_id,
            "cause_recorded": bool(data.get("causes")), "impact_recorded": bool(data.get("impacts")),
            "created_by_id": user_id, "created_at": now, "updated_at": now,
        })
    _insert(Case.__table__, case_rows)

    categories, victims, perpetrators, history = [], [], [], []
    for case_id, data in zip(case_ids, payloads, strict=True):
        report_date, victim_count = data["report_date"], len(data["victims"])
        for field, kind in CATEGORY_KINDS.items():
            for code in dict.fromkeys(data.get(field) or ()):
                categories.append({"case_id": case_id, "lookup_id": index.id(kind, code), "kind": kind,
                                   "report_date": report_date, "victim_count": victim_count})
        for position, person in enumerate(data["victims"]):
            row = _person_row(person, case_id, position, data["incident_date"], index, encrypt)
            row["report_date"] = report_date
            victims.append(row)
        for position, person in enumerate(data["perpetrators"]):
            perpetrators.append(_person_row(person, case_id, position, data["incident_date"], index,
                                            encrypt, perpetrator=True))
        history.append({"case_id": case_id, "from_status": None, "to_status": data.get("status") or status,
                        "note": None, "changed_by_id": user_id, "changed_at": now})
    _insert(CaseCategory.__table__, categories)
    _insert(StatusChange.__table__, history)
    for table, rows in ((Victim.__table__, victims), (Perpetrator.__table__, perpetrators)):
        for row, new_id in zip(rows, _reserve_ids(table, len(rows)), strict=True):
            row["id"] = new_id
        _insert(table, rows)
    victim_ids = iter(row["id"] for row in victims)
    perpetrator_ids = iter(row["id"] for row in perpetrators)

    pairs, services = [], []
    for case_id, data in zip(case_ids, payloads, strict=True):
        v_ids = [next(victim_ids) for _ in data["victims"]]
        p_ids = [next(perpetrator_ids) for _ in data["perpetrators"]]
        relationships = data.get("relationships") or {}
        for vi, victim_id in enumerate(v_ids):
            for pi, perpetrator_id in enumerate(p_ids):
                pairs.append({"case_id": case_id, "report_date": data["report_date"],
                              "victim_id": victim_id, "perpetrator_id": perpetrator_id,
                              "relationship_id": index.id("relationship", relationships.get((vi, pi)))})
        for service in data.get("services") or ():
            services.append({
                "case_id": case_id, "report_date": data["report_date"],
                "victim_id": v_ids[service.get("victim", 0)],
                "service_date": service["service_date"],
                "service_id": index.id("service", service["service"]),
                "institution_id": index.id("institution", service.get("institution")),
                "status_id": index.id("service_status", service["status"]),
                "notes": encrypt(service.get("notes") or None),
                "follow_up_date": service.get("follow_up_date"),
                "created_by_id": user_id, "created_at": now})
    _insert(VictimPerpetrator.__table__, pairs)
    _insert(ServiceEntry.__table__, services)
    return case_ids

"""The one way a case is written: the form (a new case, or an edit), the import and the
synthetic generator all call `write_cases`.

Every column that follows from a payload — the derived ones included (age at incident, age
group, reporting delay, victim count, whether a cause or impact is recorded) — comes from
`case_columns` and `person_columns`, and nowhere else. How the rows reach the database is an
optimisation inside `write_cases`: a single case goes through the ORM (which also edits an
existing case); many cases at once — imports of 10,000 rows, 200,000 synthetic cases — go in
as plain rows, ids reserved up front (a sequence on PostgreSQL; the next free ids under
SQLite's write lock), with COPY on PostgreSQL and multi-row INSERTs on SQLite.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, insert, select, text, update
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
from .payload import (
    CATEGORY_KINDS,
    PERSON_LOOKUPS,
    CaseRuleError,
    LookupIndex,
    perpetrator_age_group,
    person_age,
)
from .reference import VALUE_MASKS, age_group, value_mask, victim_mask

CHUNK = 2000
#: Encrypted columns: the bulk path encrypts them itself (once per distinct value); the ORM
#: path hands plaintext to the column types, which encrypt on the way in.
CASE_ENCRYPTED = ("location_detail", "narrative", "guardian_name")
PERSON_ENCRYPTED = ("name", "birth_date", "address")


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


# --- the columns of a case, derived ones included: computed here only -------------------------

def case_columns(data, index):
    """The case's own columns from a payload (plaintext)."""
    outside = bool(data.get("outside_city"))
    return {
        "incident_date": data["incident_date"], "report_date": data["report_date"],
        "delay_days": (data["report_date"] - data["incident_date"]).days,
        "place_id": index.id("place", data["place"]),
        "kecamatan_id": None if outside else data.get("kecamatan_id"),
        "kelurahan_id": None if outside else data.get("kelurahan_id"),
        "outside_city": outside,
        "location_detail": data.get("location_detail") or None,
        "source_id": index.id("source", data["source"]),
        "external_ref": data.get("external_ref") or None,
        "narrative": data.get("narrative") or None,
        "kdrt": bool(data.get("kdrt")),
        "legal_stage_id": index.id("legal_stage", data.get("legal_stage")),
        "consent_services": bool(data.get("consent_services")),
        "consent_sharing": bool(data.get("consent_sharing")),
        "consent_nonidentifiable": bool(data.get("consent_nonidentifiable")),
        "guardian_consent": bool(data.get("guardian_consent")),
        "guardian_name": data.get("guardian_name") or None,
        "victim_count": len(data["victims"]),
        "cause_recorded": bool(data.get("causes")), "impact_recorded": bool(data.get("impacts")),
    }


def person_columns(person, incident, index, perpetrator=False):
    """A victim's or perpetrator's columns (plaintext); `position` and the case are the caller's."""
    row = {
        "name": person.get("name") or None, "sex": person.get("sex") or None,
        "birth_date": person.get("birth_date") or None,
        "age_at_incident": person_age(person, incident),
        "address": person.get("address") or None,
        "disability": bool(person.get("disability") or person.get("disability_kind")),
    }
    for field, kind in PERSON_LOOKUPS.items():
        column = "disability_id" if field == "disability_kind" else f"{field}_id"
        row[column] = index.id(kind, person.get(field))
    row["age_group"] = (perpetrator_age_group(person, incident) if perpetrator
                        else age_group(row["age_at_incident"]))
    return row


def category_lookups(data, index):
    """[(kind, lookup id)] of the payload's types, causes and impacts, each once, in order."""
    return [(kind, index.id(kind, code)) for field, kind in CATEGORY_KINDS.items()
            for code in dict.fromkeys(data.get(field) or ())]


def value_masks(categories, relationships, services, index):
    """{case column: bits} of a case's values (reference.VALUE_MASKS): `categories` as (kind,
    lookup id), `relationships` and `services` as lookup ids (None: a pair without one)."""
    masks = {VALUE_MASKS[kind]: bits_of([i for k, i in categories if k == kind], index)
             for kind in CATEGORY_KINDS.values()}
    return masks | {"relationship_mask": bits_of(relationships, index), "service_mask": bits_of(services, index)}


def bits_of(lookup_ids, index):
    """The OR of the entries' bits (`Lookup.bit`; None, a row without a value: bit 0)."""
    return value_mask(None if i is None else index.by_id[i].bit for i in lookup_ids)


def service_columns(service, index):
    return {"service_date": service["service_date"],
            "service_id": index.id("service", service["service"]),
            "institution_id": index.id("institution", service.get("institution")),
            "status_id": index.id("service_status", service["status"]),
            "notes": service.get("notes") or None,
            "follow_up_date": service.get("follow_up_date")}


# --- the one entry point -----------------------------------------------------------------------

def write_cases(payloads, index, *, user=None, case=None, import_batch_id=None, encrypt=None,
                status="open"):
    """Write payloads (already checked) with their people, categories and services. Returns the
    cases' ids, in payload order. Flushes only.

    `case`: the existing case the single payload replaces (the edit form). `encrypt` turns a
    plaintext into a `Ciphertext` for the bulk path (default: the key ring, once per distinct
    value within this call).
    """
    if case is not None or len(payloads) == 1:
        (data,) = payloads
        return [_write_one(data, index, case=case, user=user, import_batch_id=import_batch_id,
                           status=status).id]
    return _write_many(payloads, index, user=user, import_batch_id=import_batch_id,
                       encrypt=encrypt, status=status)


# --- one case, through the ORM -----------------------------------------------------------------

def _write_one(data, index, *, case, user, import_batch_id, status):
    now = utcnow()
    if case is None:
        to_status = data.get("status") or status
        case = Case(number=allocate_numbers(data["report_date"].year, 1)[0], status=to_status,
                    import_batch_id=import_batch_id, created_by_id=getattr(user, "id", None),
                    created_at=now)
        db.session.add(case)
        case.status_changes.append(StatusChange(from_status=None, to_status=to_status,
                                                changed_by_id=getattr(user, "id", None),
                                                changed_at=now))
    for column, value in case_columns(data, index).items():
        setattr(case, column, value)
    case.updated_at = now

    wanted = set(category_lookups(data, index))
    for category in list(case.categories):
        if (category.kind, category.lookup_id) not in wanted:
            case.categories.remove(category)
    have = {(c.kind, c.lookup_id) for c in case.categories}
    for kind, lookup_id in sorted(wanted - have):
        case.categories.append(CaseCategory(kind=kind, lookup_id=lookup_id))

    victims = _sync_people(case, case.victims, data["victims"], Victim, index, data["incident_date"])
    perpetrators = _sync_people(case, case.perpetrators, data["perpetrators"], Perpetrator, index,
                                data["incident_date"])
    _copy_report_columns(case, index)
    db.session.flush()
    _sync_relationships(case, victims, perpetrators, data.get("relationships") or {}, index)
    for service in data.get("services") or ():
        case.services.append(ServiceEntry(victim=victims[service.get("victim", 0)],
                                          created_by_id=getattr(user, "id", None), created_at=now,
                                          **service_columns(service, index)))
    _copy_report_columns(case, index)
    db.session.flush()
    return case


def _copy_report_columns(case, index=None):
    """Keep the values that reports read without joins equal to the case's (see models)."""
    index = index or LookupIndex()
    case.victim_mask = victim_mask((v.sex, v.age_group, v.age_at_incident) for v in case.victims)
    for column, mask in value_masks([(c.kind, c.lookup_id) for c in case.categories],
                                    [r.relationship_id for r in case.relationships],
                                    [s.service_id for s in case.services], index).items():
        setattr(case, column, mask)
    for row in (*case.categories, *case.victims, *case.relationships, *case.services):
        row.report_date = case.report_date
    by_id = {v.id: v for v in case.victims if v.id is not None}
    services = {}  # victim → the bits of the services she received
    for row in (*case.services, *case.relationships):
        victim = row.victim if row.victim is not None else by_id.get(row.victim_id)
        row.victim_mask = victim_mask([(victim.sex, victim.age_group, victim.age_at_incident)]) if victim else 0
        if isinstance(row, ServiceEntry):
            services[victim] = services.get(victim, 0) | bits_of([row.service_id], index)
        else:
            row.service_mask = services.get(victim, 0)
    for category in case.categories:
        category.victim_count = case.victim_count


def _sync_people(case, current, people, model, index, incident):
    """People keep their identity by `id`; a victim with services logged cannot be removed
    (the log would lose its subject)."""
    by_id = {p.id: p for p in current}
    keep = []
    for position, person in enumerate(people):
        obj = by_id.pop(person.get("id"), None) if person.get("id") else None
        if obj is None:
            obj = model(case=case, report_date=case.report_date) if model is Victim else model(case=case)
            db.session.add(obj)
        obj.position = position
        for column, value in person_columns(person, incident, index,
                                            perpetrator=model is Perpetrator).items():
            setattr(obj, column, value)
        keep.append(obj)
    for removed in by_id.values():
        if model is Victim and db.session.scalar(select(exists().where(ServiceEntry.victim_id == removed.id))):
            raise CaseRuleError([("victims", _l(
                "Korban yang sudah memiliki catatan layanan tidak dapat dihapus dari kasus."))])
        for pair in [r for r in case.relationships
                     if removed.id in (r.victim_id, r.perpetrator_id)]:
            case.relationships.remove(pair)
        current.remove(removed)
    return keep



def _sync_relationships(case, victims, perpetrators, relationships, index):
    existing = {(r.victim_id, r.perpetrator_id): r for r in case.relationships}
    wanted = set()
    for vi, victim in enumerate(victims):
        for pi, perpetrator in enumerate(perpetrators):
            key = (victim.id, perpetrator.id)
            wanted.add(key)
            pair = existing.get(key)
            if pair is None:
                pair = VictimPerpetrator(case=case, victim_id=victim.id, perpetrator_id=perpetrator.id,
                                         report_date=case.report_date)
                case.relationships.append(pair)
            pair.relationship_id = index.id("relationship", relationships.get((vi, pi)))
    for key, pair in existing.items():
        if key not in wanted:
            case.relationships.remove(pair)


# --- many cases, as rows -----------------------------------------------------------------------

def _encrypted(row, columns, encrypt):
    for column in columns:
        value = row[column]
        row[column] = encrypt(value.isoformat() if hasattr(value, "isoformat") else value)
    return row


def _write_many(payloads, index, *, user, import_batch_id, encrypt, status):
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
    people = [[person_columns(person, data["incident_date"], index) for person in data["victims"]]
              for data in payloads]
    masks = [victim_mask((v["sex"], v["age_group"], v["age_at_incident"]) for v in victims)
             for victims in people]
    case_rows = []
    for case_id, data, number, mask in zip(case_ids, payloads, numbers, masks, strict=True):
        row = _encrypted(case_columns(data, index), CASE_ENCRYPTED, encrypt)
        relationships = data.get("relationships") or {}
        row.update(value_masks(category_lookups(data, index),
                               [index.id("relationship", relationships.get((vi, pi)))
                                for vi in range(len(data["victims"])) for pi in range(len(data["perpetrators"]))],
                               [index.id("service", service["service"]) for service in data.get("services") or ()],
                               index))
        row.update({"id": case_id, "number": number, "status": data.get("status") or status,
                    "victim_mask": mask,
                    "import_batch_id": import_batch_id, "created_by_id": user_id,
                    "created_at": now, "updated_at": now})
        case_rows.append(row)
    _insert(Case.__table__, case_rows)

    categories, victims, perpetrators, history = [], [], [], []
    for case_id, data, victim_rows in zip(case_ids, payloads, people, strict=True):
        report_date, victim_count = data["report_date"], len(data["victims"])
        for kind, lookup_id in category_lookups(data, index):
            categories.append({"case_id": case_id, "lookup_id": lookup_id, "kind": kind,
                               "report_date": report_date, "victim_count": victim_count})
        for group, rows, perpetrator in (("victims", victims, False),
                                         ("perpetrators", perpetrators, True)):
            for position, person in enumerate(data[group]):
                columns = (victim_rows[position] if not perpetrator
                           else person_columns(person, data["incident_date"], index, perpetrator))
                row = _encrypted(dict(columns), PERSON_ENCRYPTED, encrypt)
                row.update(case_id=case_id, position=position)
                if not perpetrator:
                    row["report_date"] = report_date
                rows.append(row)
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
    for case_id, data, victim_rows in zip(case_ids, payloads, people, strict=True):
        v_ids = [next(victim_ids) for _ in data["victims"]]
        v_masks = [victim_mask([(v["sex"], v["age_group"], v["age_at_incident"])]) for v in victim_rows]
        p_ids = [next(perpetrator_ids) for _ in data["perpetrators"]]
        relationships = data.get("relationships") or {}
        for vi, victim_id in enumerate(v_ids):
            received = bits_of([index.id("service", service["service"]) for service in data.get("services") or ()
                                if service.get("victim", 0) == vi], index)
            for pi, perpetrator_id in enumerate(p_ids):
                pairs.append({"case_id": case_id, "report_date": data["report_date"],
                              "victim_id": victim_id, "perpetrator_id": perpetrator_id,
                              "relationship_id": index.id("relationship", relationships.get((vi, pi))),
                              "victim_mask": v_masks[vi], "service_mask": received})
        for service in data.get("services") or ():
            row = _encrypted(service_columns(service, index), ("notes",), encrypt)
            row.update(case_id=case_id, report_date=data["report_date"],
                       victim_id=v_ids[service.get("victim", 0)], victim_mask=v_masks[service.get("victim", 0)],
                       created_by_id=user_id, created_at=now)
            services.append(row)
    _insert(VictimPerpetrator.__table__, pairs)
    _insert(ServiceEntry.__table__, services)
    return case_ids

"""Lookup lists and wilayah: seeding, reading and the admins' edits.

Rule (product §7): lists are data with stable codes, editable by admins, and an entry that any
record uses is never deleted — it can be switched off instead, which hides it from new entries.
"""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from ...extensions import db
from ...models.caselog import Kecamatan, Kelurahan, Lookup
from .. import DomainError, NotFound
from .reference import LOOKUP_KINDS, MAX_BIT, NO_VALUE_BIT, SEED, VALUE_MASKS, wilayah_rows

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def seed_reference_data():
    """Insert every seeded lookup and wilayah entry that is missing. Idempotent: entries that
    exist (perhaps relabelled by an admin) are left as they are. Returns the number added.

    A database seeded before a list grew gets the new entries from its migration (`flask db
    upgrade`), as e8c1f4a2d9b7 adds `judi` and `utang_pinjol`; this command adds them too."""
    added = 0
    existing = {(k, c) for k, c in db.session.execute(select(Lookup.kind, Lookup.code))}
    bits = _next_bits()
    for kind, entries in SEED.items():
        for position, (code, label, grouping) in enumerate(entries, start=1):
            if (kind, code) not in existing:
                db.session.add(Lookup(kind=kind, code=code, label=label, grouping=grouping,
                                      position=position * 10, bit=bits.get(kind)))
                if kind in bits:
                    bits[kind] += 1
                added += 1
    kecamatan = {k.code: k for k in db.session.scalars(select(Kecamatan))}
    kelurahan = set(db.session.scalars(select(Kelurahan.code)))
    for row in wilayah_rows():
        if row.kecamatan_code not in kecamatan:
            kecamatan[row.kecamatan_code] = Kecamatan(code=row.kecamatan_code, name=row.kecamatan)
            db.session.add(kecamatan[row.kecamatan_code])
            added += 1
        if row.kelurahan_code not in kelurahan:
            db.session.add(Kelurahan(code=row.kelurahan_code, name=row.kelurahan,
                                     aliases="; ".join(row.aliases) or None,
                                     kecamatan=kecamatan[row.kecamatan_code]))
            kelurahan.add(row.kelurahan_code)
            added += 1
    db.session.flush()
    return added


def _next_bits():
    """{kind: the next free bit} of the lists whose values a case holds as bits (VALUE_MASKS):
    one more than the highest given, so a bit is never given twice while its entry exists."""
    highest = dict(db.session.execute(select(Lookup.kind, func.max(Lookup.bit))
                                      .where(Lookup.kind.in_(VALUE_MASKS)).group_by(Lookup.kind)).all())
    return {kind: (highest.get(kind) if highest.get(kind) is not None else NO_VALUE_BIT) + 1
            for kind in VALUE_MASKS}


def ensure_seeded():
    """Seed the lists of a database that has none yet; True when it did."""
    if db.session.scalar(select(Lookup.id).limit(1)) is None:
        seed_reference_data()
        return True
    return False


def lookups(kind, active_only=True):
    query = select(Lookup).where(Lookup.kind == kind).order_by(Lookup.position, Lookup.id)
    if active_only:
        query = query.where(Lookup.active.is_(True))
    return list(db.session.scalars(query))


def get_lookup(lookup_id):
    """A lookup entry; NotFound when there is none."""
    lookup = db.session.get(Lookup, lookup_id)
    if lookup is None:
        raise NotFound()
    return lookup


def kecamatan_list():
    return list(db.session.scalars(select(Kecamatan).order_by(Kecamatan.name)))


def kelurahan_list():
    return list(db.session.scalars(select(Kelurahan).join(Kecamatan)
                                   .order_by(Kecamatan.name, Kelurahan.name)))


def _references():
    """Every (table, column) holding a lookup id — found from the schema, so none is forgotten."""
    table = Lookup.__table__
    return [(t, c) for t in db.metadata.sorted_tables for c in t.columns
            for fk in c.foreign_keys if fk.column.table is table]


def usage_count(lookup):
    return sum(db.session.scalar(select(func.count()).select_from(t).where(c == lookup.id))
               for t, c in _references())


def usage_counts(kind):
    """{lookup id: number of records using it} for one list (admin overview)."""
    ids = [x.id for x in lookups(kind, active_only=False)]
    counts = dict.fromkeys(ids, 0)
    for t, c in _references():
        for lookup_id, n in db.session.execute(
                select(c, func.count()).select_from(t).where(c.in_(ids)).group_by(c)):
            counts[lookup_id] += n
    return counts


def is_used(lookup):
    return any(db.session.scalar(select(exists().where(c == lookup.id))) for _t, c in _references())


def update_lookup(lookup, *, label, active, position):
    label = " ".join((label or "").split())
    if not label:
        raise DomainError(_l("Tulis label."), field="label")
    lookup.label = label[:160]
    lookup.active = bool(active)
    lookup.position = int(position or 0)
    db.session.flush()
    return lookup


def add_lookup(kind, *, code, label, position=None):
    if kind not in LOOKUP_KINDS:
        raise DomainError(_l("Daftar pilihan tidak dikenal."))
    code = (code or "").strip().lower()
    if not CODE_RE.match(code):
        raise DomainError(_l("Kode hanya huruf kecil, angka dan garis bawah (2–40 karakter), diawali huruf."),
                          field="code")
    if db.session.scalar(select(Lookup.id).where(Lookup.kind == kind, Lookup.code == code)):
        raise DomainError(_l("Kode ini sudah dipakai di daftar ini. Kode tidak boleh dipakai ulang."),
                          field="code")
    label = " ".join((label or "").split())
    if not label:
        raise DomainError(_l("Tulis label."), field="label")
    bit = _next_bits().get(kind)
    if bit is not None and bit > MAX_BIT:
        raise DomainError(_l("Daftar ini sudah berisi %(n)s pilihan, batas yang dapat dihitung laporan. "
                             "Ubah label pilihan yang ada, atau matikan pilihan yang tidak dipakai lagi.",
                             n=MAX_BIT), field="code")
    if position is None:
        position = (db.session.scalar(select(func.max(Lookup.position)).where(Lookup.kind == kind))
                    or 0) + 10
    lookup = Lookup(kind=kind, code=code, label=label[:160], position=position, active=True, bit=bit)
    db.session.add(lookup)
    db.session.flush()
    return lookup


def delete_lookup(lookup):
    """Delete an entry nobody uses; one in use is refused (switch it off instead)."""
    if is_used(lookup):
        raise DomainError(_l("Pilihan ini sudah dipakai dalam data kasus dan tidak dapat dihapus. "
                             "Nonaktifkan saja agar tidak muncul lagi di formulir."))
    db.session.delete(lookup)
    db.session.flush()

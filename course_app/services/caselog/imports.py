"""Importing police case data from CSV and XLSX (product §7; format: docs/caselog-import.md).

Two steps, so nothing is written by accident: `preview_file` parses and checks the whole file
(`import_file`) and keeps the result server-side in an `ImportBatch`; `confirm_import` writes
every case in one transaction — and only when the file had no problem at all. Rows sharing a
report number are one case with its several victims or perpetrators; reports already recorded
are listed, and skipped only when the person confirming chooses so.
"""
import json
import re
import zlib
from base64 import b64decode, b64encode
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models.caselog import Case, ImportBatch
from .. import DomainError, NotFound
from ..clock import utcnow
from .import_file import COLUMNS, ImportResult, parse_file, report_existing
from .import_rows import Context
from .payload import LookupIndex
from .writer import write_cases

__all__ = ["COLUMNS", "ImportResult", "confirm_import", "describe_blank_rows", "discard_import",
           "find_batch", "get_batch",
           "load_preview", "of_batch", "parse_file", "preview_file"]

PREVIEW_TTL = timedelta(days=2)


# --- the batch: preview kept server-side, then confirmed or discarded -------------------------

def _to_json(result):
    def encode(value):
        if isinstance(value, date):
            return {"$date": value.isoformat()}
        raise TypeError(type(value))

    rows = []
    for payload in result.rows:
        payload = dict(payload)
        payload["relationships"] = [[vi, pi, code] for (vi, pi), code in payload["relationships"].items()]
        rows.append(payload)
    document = {"rows": rows, "row_numbers": result.row_numbers,
                "problems": [[r, str(c), str(m)] for r, c, m in result.problems],
                "ignored_columns": result.ignored_columns, "row_count": result.row_count,
                "grouped_rows": result.grouped_rows, "duplicates": result.duplicates,
                "blank_rows": result.blank_rows}
    packed = zlib.compress(json.dumps(document, default=encode).encode("utf-8"), 6)
    return b64encode(packed).decode("ascii")


def _from_json(text):
    def decode(obj):
        return date.fromisoformat(obj["$date"]) if set(obj) == {"$date"} else obj

    document = json.loads(zlib.decompress(b64decode(text)), object_hook=decode)
    for payload in document["rows"]:
        payload["relationships"] = {(vi, pi): code for vi, pi, code in payload["relationships"]}
    return document


def preview_file(filename, data, source_code, user, today=None):
    """Parse a file into a waiting batch. Nothing else is written."""
    index = LookupIndex()
    if index.get("source", source_code) is None:
        raise DomainError(_l("Pilih sumber data."), field="source")
    _expire_old_previews()
    result = parse_file(filename, data, source_code, today=today)
    safe_name = re.sub(r"[^\w.\- ]+", "_", (filename or "berkas").rsplit("/", 1)[-1])[:200]
    batch = ImportBatch(created_by_id=getattr(user, "id", None), filename=safe_name,
                        source_id=index.id("source", source_code), row_count=result.row_count,
                        error_count=len(result.problems), payload=_to_json(result))
    db.session.add(batch)
    db.session.flush()
    return batch, result


def load_preview(batch):
    document = _from_json(batch.payload) if batch.payload else None
    if document is None:
        return None
    rows = document["rows"]
    result = ImportResult(rows=rows, row_numbers=document["row_numbers"],
                          problems=[tuple(p) for p in document["problems"]],
                          ignored_columns=document["ignored_columns"], row_count=document["row_count"],
                          grouped_rows=document.get("grouped_rows") or [[] for _row in rows],
                          duplicates=[tuple(d) for d in document.get("duplicates", ())],
                          blank_rows=document.get("blank_rows", []))
    return result


def get_batch(batch_id, user):
    """A waiting batch; only the person who uploaded it (or an admin) may see or confirm it."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or (batch.created_by_id != user.id and not user.has_role("admin")):
        raise NotFound()
    return batch


def confirm_import(batch, user, skip_duplicates=False):
    """Write every case of a clean batch — all or nothing — and return their ids.

    Reports already recorded (the preview lists them) are left out only when the person
    confirming chose to skip them (`skip_duplicates`); otherwise nothing is written. Duplicates
    are checked again, since someone may have recorded the same report since the preview: one
    the preview did not list stops the import, as its user never saw it."""
    if batch.state != "preview":
        raise DomainError(_l("Impor ini sudah diproses."))
    result = load_preview(batch)
    if result is None or not result.ok:
        raise DomainError(_l("Berkas ini masih memiliki masalah; tidak ada yang diimpor. "
                             "Perbaiki berkas lalu unggah lagi."))
    context = Context(None)
    if report_existing(result, context):
        raise DomainError(_l("Sebagian nomor laporan sudah tercatat sejak pratinjau dibuat. Unggah "
                             "berkas lagi untuk melihat daftarnya."))
    if result.duplicates and not skip_duplicates:
        raise DomainError(_l("%(n)d nomor laporan sudah tercatat. Pilih 'Lewati duplikat dan impor "
                             "sisanya', atau batalkan.", n=len(result.duplicates)))
    if not result.rows:
        raise DomainError(_l("Semua nomor laporan di berkas ini sudah tercatat; tidak ada yang diimpor."))
    ids = write_cases(result.rows, context.index, user=user, import_batch_id=batch.id)
    batch.state = "imported"
    batch.imported_at = utcnow()
    batch.payload = None  # the rows now live in the cases; keep no second copy
    db.session.flush()
    return ids


def describe_blank_rows(result, shown=20):
    """'3 baris kosong dilewati: baris 7, 12, 40' — blank rows are skipped, never silently."""
    spans = [str(first) if first == last else f"{first}–{last}" for first, last in result.blank_rows]
    listed = ", ".join(spans[:shown]) + (", …" if len(spans) > shown else "")
    return _l("%(n)d baris kosong dilewati: baris %(rows)s", n=result.blank_row_count, rows=listed)


def find_batch(batch_id):
    """An import batch by id, for naming it above the cases it brought (its file name and
    date are no personal data); None when there is none."""
    return db.session.get(ImportBatch, batch_id) if batch_id else None


def of_batch(query, batch_id):
    """`query` (a select of cases) narrowed to the cases one import brought."""
    return query.where(Case.import_batch_id == batch_id)


def discard_import(batch):
    if batch.state == "preview":
        batch.state = "discarded"
        batch.payload = None
        db.session.flush()


def _expire_old_previews():
    cutoff = utcnow() - PREVIEW_TTL
    for batch in db.session.scalars(select(ImportBatch).where(
            ImportBatch.state == "preview", ImportBatch.created_at < cutoff)):
        discard_import(batch)

"""Importing police case data from CSV and XLSX (DESIGN §7; format: docs/caselog-import.md).

Two steps, so nothing is written by accident: `preview_file` parses and checks the whole file
and keeps the result server-side in an `ImportBatch`; `confirm_import` writes every row in one
transaction — and only when the file had no problem at all. One row is one case with one
victim and one perpetrator; more people are added on the case page afterwards.
"""
import json
import re
import zlib
from base64 import b64decode, b64encode
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, tuple_

from ...extensions import db
from ...models.caselog import Case, ImportBatch
from .. import DomainError, clock
from ..clock import utcnow
from . import spreadsheet
from .import_rows import Context, cell_limits, check_cells, parse_row
from .parsing import cell_text, fold
from .payload import LookupIndex
from .writer import write_cases

PREVIEW_TTL = timedelta(days=2)
MAX_PROBLEMS = 1000  # problems listed before the check stops

#: canonical column → (other spellings accepted in the header, required)
COLUMNS = {
    "no_laporan": (("nomor_laporan", "no_lp", "nomor_lp", "no_laporan_polisi", "laporan_polisi",
                    "nomor_laporan_polisi", "no_registrasi", "external_ref"), True),
    "sumber": (("sumber_data", "source"), False),
    "tanggal_kejadian": (("tgl_kejadian", "tanggal_peristiwa", "waktu_kejadian"), True),
    "tanggal_lapor": (("tgl_lapor", "tanggal_laporan", "tgl_laporan", "tanggal_pelaporan"), True),
    "jenis_kekerasan": (("jenis", "bentuk_kekerasan", "jenis_kasus"), True),
    "kdrt": ((), False),
    "penyebab": (("faktor_penyebab", "sebab"), False),
    "dampak": ((), False),
    "tempat_kejadian": (("tempat", "tkp", "lokasi_kejadian"), True),
    "kecamatan": ((), False),
    "kelurahan": (("desa_kelurahan", "desa"), False),
    "lokasi_luar_kota": (("luar_kota",), False),
    "proses_hukum": (("tahap_hukum",), False),
    "kronologi": (("uraian", "narasi", "uraian_singkat", "uraian_kejadian"), False),
    "korban_nama": (("nama_korban",), True),
    "korban_jk": (("jk_korban", "jenis_kelamin_korban", "korban_jenis_kelamin"), True),
    "korban_tanggal_lahir": (("tgl_lahir_korban", "tanggal_lahir_korban", "korban_tgl_lahir"), False),
    "korban_umur": (("umur_korban", "usia_korban", "korban_usia"), False),
    "korban_pendidikan": (("pendidikan_korban",), False),
    "korban_pekerjaan": (("pekerjaan_korban",), False),
    "korban_status_kawin": (("status_kawin_korban", "status_perkawinan_korban",
                             "korban_status_perkawinan"), False),
    "korban_disabilitas": (("disabilitas_korban",), False),
    "korban_alamat": (("alamat_korban",), False),
    "pelaku_nama": (("nama_pelaku",), False),
    "pelaku_jk": (("jk_pelaku", "jenis_kelamin_pelaku", "pelaku_jenis_kelamin"), False),
    "pelaku_tanggal_lahir": (("tgl_lahir_pelaku", "tanggal_lahir_pelaku"), False),
    "pelaku_umur": (("umur_pelaku", "usia_pelaku", "pelaku_usia"), False),
    "pelaku_kelompok_umur": (("kelompok_umur_pelaku",), False),
    "pelaku_pendidikan": (("pendidikan_pelaku",), False),
    "pelaku_pekerjaan": (("pekerjaan_pelaku",), False),
    "pelaku_status_kawin": (("status_kawin_pelaku", "status_perkawinan_pelaku"), False),
    "pelaku_alamat": (("alamat_pelaku",), False),
    "hubungan": (("hubungan_pelaku", "hubungan_dengan_korban", "hubungan_pelaku_korban",
                  "hubungan_pelaku_dengan_korban"), False),
}
ALIASES = {alias: name for name, (aliases, _req) in COLUMNS.items() for alias in (name, *aliases)}
REQUIRED = [name for name, (_aliases, required) in COLUMNS.items() if required]


@dataclass
class ImportResult:
    rows: list = field(default_factory=list)      # payloads, in file order
    row_numbers: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # (row, column, reason) — row 0: the whole file
    ignored_columns: list = field(default_factory=list)
    row_count: int = 0

    @property
    def ok(self):
        return not self.problems and self.row_count > 0


def header_key(text):
    return fold(text).replace(" ", "_")


def _header_position(rows):
    """The header row: the one among the first ten naming the most known columns (registers
    exported from other systems often start with a title line or two)."""
    best, best_count = 0, 0
    for position, (number, cells) in enumerate(rows):
        if number > spreadsheet.HEADER_ROWS:
            break
        count = len({ALIASES.get(header_key(cell_text(c))) for c in cells} - {None})
        if count > best_count:
            best, best_count = position, count
    return best


def parse_file(filename, data, default_source, today=None):
    """Parse and check a whole file. Every problem is reported (row, column, reason).
    A file that cannot be read safely at all (too big, a zip bomb, ...) raises DomainError."""
    today = today or clock.today()
    table = spreadsheet.read_table(filename, data)
    at = _header_position(table.rows)
    header_number, header_cells = table.rows[at] if table.rows else (1, [])
    titles = [cell_text(c) for c in header_cells]
    result = ImportResult()
    columns = {}
    for position, title in enumerate(titles):
        canonical = ALIASES.get(header_key(title))
        if canonical and canonical not in columns:
            columns[canonical] = (position, title)
        elif title:
            result.ignored_columns.append(title)
    header_problems = check_cells(header_cells, cell_limits([""] * len(header_cells), {}))
    if header_problems:
        result.problems.extend((header_number, column, reason) for column, reason in header_problems)
        result.ignored_columns = []
        return result
    missing = [name for name in REQUIRED if name not in columns]
    if "kecamatan" not in columns and "lokasi_luar_kota" not in columns:
        missing.append("kecamatan")
    if missing:
        result.problems.append((header_number, ", ".join(missing), _l(
            "Kolom wajib tidak ada. Lihat docs/caselog-import.md untuk nama kolom.")))
        return result
    # (spreadsheet row number, cells): numbers stay the spreadsheet's own, blank rows skipped.
    rows = table.rows[at + 1:]
    result.row_count = len(rows)
    if not rows:
        result.problems.append((0, "", _l("Berkas tidak berisi baris data.")))
        return result
    if table.more_rows or len(rows) > spreadsheet.MAX_ROWS:
        result.problems.append((0, "", _l("Paling banyak %(n)d baris per berkas; bagi berkas ini.",
                                          n=spreadsheet.MAX_ROWS)))
        return result

    context = Context(default_source)
    limits = cell_limits(titles, columns)
    seen = {}
    for number, row in rows:
        if len(result.problems) >= MAX_PROBLEMS:
            # A file this broken is fixed from the first problems; reading on would only make
            # a hostile file (every row broken) cost a worker seconds and a page nobody reads.
            result.problems.append((0, "", _l(
                "Pemeriksaan berhenti di baris %(row)d: sudah lebih dari %(n)d masalah. Perbaiki masalah "
                "di atas lalu unggah lagi.", row=number, n=MAX_PROBLEMS)))
            break
        refused = check_cells(row, limits)
        payload, problems = parse_row(row, columns, context, today, refused={c for c, _r in refused})
        problems = refused + problems
        if payload is not None and payload["external_ref"]:
            ref_key = (payload["source"], payload["external_ref"].lower())
            if ref_key in seen:
                problems.append(("no_laporan", _l(
                    "Duplikat dalam berkas: nomor laporan yang sama sudah ada di baris %(row)d.",
                    row=seen[ref_key])))
            else:
                seen[ref_key] = number
        for column, reason in problems:
            title = columns[column][1] if column in columns else column
            result.problems.append((number, title, reason))
        if payload is not None and not problems:
            result.rows.append(payload)
            result.row_numbers.append(number)
    _report_existing(result, context, columns)
    result.problems.sort(key=lambda p: (p[0], str(p[1])))
    return result


def _report_existing(result, context, columns):
    """Rows whose (source, external reference) is already recorded are duplicates."""
    if not result.rows:
        return
    index = context.index
    wanted = {}
    for payload, number in zip(result.rows, result.row_numbers, strict=True):
        wanted[(index.id("source", payload["source"]), payload["external_ref"].lower())] = number
    found = {}
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        query = select(Case.source_id, func.lower(Case.external_ref), Case.number).where(
            tuple_(Case.source_id, func.lower(Case.external_ref)).in_(chunk))
        for source_id, ref, number in db.session.execute(query):
            found[(source_id, ref)] = number
    title = columns["no_laporan"][1]
    keep_rows, keep_numbers = [], []
    for payload, number in zip(result.rows, result.row_numbers, strict=True):
        key = (index.id("source", payload["source"]), payload["external_ref"].lower())
        if key in found:
            result.problems.append((number, title, _l(
                "Duplikat: nomor laporan ini sudah tercatat dari sumber yang sama (kasus %(number)s).",
                number=found[key])))
        else:
            keep_rows.append(payload)
            keep_numbers.append(number)
    result.rows, result.row_numbers = keep_rows, keep_numbers


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
                "ignored_columns": result.ignored_columns, "row_count": result.row_count}
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
    result = ImportResult(rows=document["rows"], row_numbers=document["row_numbers"],
                          problems=[tuple(p) for p in document["problems"]],
                          ignored_columns=document["ignored_columns"], row_count=document["row_count"])
    return result


def get_batch_or_404(batch_id, user):
    """A waiting batch; only the person who uploaded it (or an admin) may see or confirm it."""
    batch = db.first_or_404(select(ImportBatch).where(ImportBatch.id == batch_id))
    if batch.created_by_id != user.id and not user.has_role("admin"):
        from flask import abort
        abort(404)
    return batch


def confirm_import(batch, user):
    """Write every row of a clean batch — all or nothing. Duplicates are checked again, since
    someone may have recorded the same report since the preview."""
    if batch.state != "preview":
        raise DomainError(_l("Impor ini sudah diproses."))
    result = load_preview(batch)
    if result is None or not result.ok:
        raise DomainError(_l("Berkas ini masih memiliki masalah; tidak ada yang diimpor. "
                             "Perbaiki berkas lalu unggah lagi."))
    context = Context(None)
    _report_existing(result, context, {"no_laporan": (0, "no_laporan")})
    if result.problems:
        raise DomainError(_l("Sebagian nomor laporan sudah tercatat sejak pratinjau dibuat. Unggah "
                             "berkas lagi untuk melihat daftarnya."))
    ids = write_cases(result.rows, context.index, user=user, import_batch_id=batch.id)
    batch.state = "imported"
    batch.imported_at = utcnow()
    batch.payload = None  # the rows now live in the cases; keep no second copy
    db.session.flush()
    return ids


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

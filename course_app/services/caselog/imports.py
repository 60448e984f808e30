"""Importing police case data from CSV and XLSX (DESIGN §7; format: docs/caselog-import.md).

Two steps, so nothing is written by accident: `preview_file` parses and checks the whole file
and keeps the result server-side in an `ImportBatch`; `confirm_import` writes every row in one
transaction — and only when the file had no problem at all. One row is one case with one
victim and one perpetrator; more people are added on the case page afterwards.
"""
import csv
import io
import json
import re
import zlib
from base64 import b64decode, b64encode
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, tuple_

from ...extensions import db
from ...models.caselog import Case, ImportBatch, Kecamatan, Kelurahan
from .. import DomainError, clock
from ..clock import utcnow
from .parsing import (
    CategoryMatcher,
    ValueProblem,
    cell_text,
    fold,
    parse_age,
    parse_bool,
    parse_date,
    parse_sex,
)
from .payload import LookupIndex, check_rules
from .writer import write_cases

MAX_ROWS = 20000
PREVIEW_TTL = timedelta(days=2)

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
OUTSIDE_CITY = {"luar kota", "luar kota kupang", "luar kupang", "di luar kota kupang", "luar_kota"}
AGE_GROUP_WORDS = {"anak": "0-17", "0 17": "0-17", "18 24": "18-24", "25 59": "25-59", "60": "60+",
                   "60+": "60+", "lansia": "60+"}


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


def read_table(filename, data):
    """Every row of a CSV or XLSX file as a list of cells; cells keep their types (dates, numbers)."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        return _read_xlsx(data)
    if name.endswith(".csv") or name.endswith(".txt") or not name:
        return _read_csv(data)
    raise DomainError(_l("Jenis berkas tidak didukung. Unggah CSV atau XLSX."), field="file")


def _read_csv(data):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # bytes that are neither UTF-8 nor cp1252 (cp1252 leaves five bytes undefined)
        text = data.decode("latin-1")
    head = "\n".join(text.splitlines()[:10])
    delimiter = max((",", ";", "\t"), key=head.count)
    try:
        # newline="": the csv module handles \r, \n and \r\n itself, inside quotes too.
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        # e.g. a field beyond csv.field_size_limit(): not a CSV this import can read.
        raise DomainError(_l("Jenis berkas tidak didukung. Unggah CSV atau XLSX."), field="file") from None


def _read_xlsx(data):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any unreadable workbook gets the same answer
        raise DomainError(_l("Berkas XLSX tidak dapat dibaca. Simpan ulang dari Excel/LibreOffice lalu coba lagi."),
                          field="file") from None
    sheet = workbook.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def _header_index(rows):
    """The header row: the one among the first ten naming the most known columns (registers
    exported from other systems often start with a title line or two)."""
    best, best_count = 0, 0
    for index, row in enumerate(rows[:10]):
        count = len({ALIASES.get(header_key(cell_text(c))) for c in row} - {None})
        if count > best_count:
            best, best_count = index, count
    return best


def parse_file(filename, data, default_source, today=None):
    """Parse and check a whole file. Every problem is reported (row, column, reason)."""
    today = today or clock.today()
    table = read_table(filename, data)
    header_at = _header_index(table)
    header = [cell_text(c) for c in table[header_at]] if table else []
    result = ImportResult()
    columns = {}
    for position, title in enumerate(header):
        canonical = ALIASES.get(header_key(title or ""))
        if canonical and canonical not in columns:
            columns[canonical] = (position, title)
        elif title and str(title).strip():
            result.ignored_columns.append(str(title).strip())
    missing = [name for name in REQUIRED if name not in columns]
    if "kecamatan" not in columns and "lokasi_luar_kota" not in columns:
        missing.append("kecamatan")
    if missing:
        result.problems.append((header_at + 1, ", ".join(missing), _l(
            "Kolom wajib tidak ada. Lihat docs/caselog-import.md untuk nama kolom.")))
        return result
    # (spreadsheet row number, cells): numbers stay the spreadsheet's own, blank rows skipped.
    rows = [(header_at + 2 + i, r) for i, r in enumerate(table[header_at + 1:]) if any(cell_text(c) for c in r)]
    result.row_count = len(rows)
    if not rows:
        result.problems.append((0, "", _l("Berkas tidak berisi baris data.")))
        return result
    if len(rows) > MAX_ROWS:
        result.problems.append((0, "", _l("Paling banyak %(n)d baris per berkas; bagi berkas ini.", n=MAX_ROWS)))
        return result

    context = _Context(default_source)
    seen = {}
    for number, row in rows:
        payload, problems = _parse_row(row, columns, context, today)
        if payload is not None and payload["external_ref"]:
            ref_key = (payload["source"], payload["external_ref"].lower())
            if ref_key in seen:
                problems.append(("no_laporan", _l(
                    "Duplikat dalam berkas: nomor laporan yang sama sudah ada di baris %(row)d.",
                    row=seen[ref_key])))
            else:
                seen[ref_key] = number
        for column, reason in problems:
            title = columns.get(column, (None, column))[1] if column in columns else column
            result.problems.append((number, title, reason))
        if payload is not None and not problems:
            result.rows.append(payload)
            result.row_numbers.append(number)
    _report_existing(result, context, columns)
    result.problems.sort(key=lambda p: (p[0], str(p[1])))
    return result


class _Context:
    def __init__(self, default_source):
        self.index = LookupIndex()
        self.default_source = default_source
        self.matchers = {kind: CategoryMatcher(list(entries.values()))
                         for kind, entries in self.index.by_kind.items()}
        self.kecamatan = {}
        for kec in db.session.scalars(select(Kecamatan)):
            self.kecamatan[fold(kec.code)] = kec
            self.kecamatan[fold(kec.name)] = kec
            self.kecamatan[fold("kecamatan " + kec.name)] = kec
        self.kelurahan = {}
        for kel in db.session.scalars(select(Kelurahan)):
            for key in (fold(kel.code), fold(kel.name), fold("kelurahan " + kel.name)):
                self.kelurahan.setdefault(key, []).append(kel)


def _parse_row(row, columns, context, today):
    problems = []

    def cell(name):
        if name not in columns:
            return None
        position = columns[name][0]
        return row[position] if position < len(row) else None

    def text(name, limit=None):
        value = cell_text(cell(name))
        if limit and len(value) > limit:
            problems.append((name, _l("Terlalu panjang (paling banyak %(n)d karakter).", n=limit)))
        return value or None

    def attempt(name, parser, *args):
        try:
            return parser(cell(name), *args)
        except ValueProblem as problem:
            problems.append((name, problem.reason))
            return None

    def one(name, kind, required=False):
        raw = cell_text(cell(name))
        if not raw:
            if required:
                problems.append((name, _l("Wajib diisi.")))
            return None
        code = context.matchers.get(kind, CategoryMatcher([])).match(raw)
        return _known(name, kind, code, raw)

    def many(name, kind, required=False):
        codes, unknown = context.matchers[kind].match_many(cell(name))
        for part in unknown:
            problems.append((name, _unknown_reason(part, kind, context)))
        codes = [c for c in codes if _known(name, kind, c, c)]
        if required and not codes and not unknown:
            problems.append((name, _l("Wajib diisi.")))
        return codes

    def _known(name, kind, code, raw):
        if code is None:
            problems.append((name, _unknown_reason(raw, kind, context)))
            return None
        if not context.index.get(kind, code).active:
            problems.append((name, _l("Pilihan '%(value)s' sudah tidak aktif.", value=raw[:40])))
            return None
        return code

    data = {
        "external_ref": text("no_laporan", 80),
        "source": one("sumber", "source") if cell_text(cell("sumber")) else context.default_source,
        "incident_date": attempt("tanggal_kejadian", parse_date, today),
        "report_date": attempt("tanggal_lapor", parse_date, today),
        "types": many("jenis_kekerasan", "violence_type", required=True),
        "kdrt": attempt("kdrt", parse_bool) or False,
        "causes": many("penyebab", "cause") if "penyebab" in columns else [],
        "impacts": many("dampak", "impact") if "dampak" in columns else [],
        "place": one("tempat_kejadian", "place", required=True),
        "legal_stage": one("proses_hukum", "legal_stage"),
        "narrative": text("kronologi", 5000),
    }
    if not data["external_ref"]:
        problems.append(("no_laporan", _l("Wajib diisi: nomor laporan dipakai untuk mengenali duplikat.")))
    for name in ("tanggal_kejadian", "tanggal_lapor"):
        if not cell_text(cell(name)) and not any(p[0] == name for p in problems):
            problems.append((name, _l("Wajib diisi.")))
    _parse_location(data, cell, context, problems)
    victim = _parse_person("korban", cell, one, attempt, text, problems, today)
    perpetrator = _parse_person("pelaku", cell, one, attempt, text, problems, today)
    data["victims"], data["perpetrators"] = [victim], [perpetrator]
    data["relationships"] = {(0, 0): one("hubungan", "relationship")}
    if problems:
        return data, problems
    field_to_column = {
        "incident_date": "tanggal_kejadian", "report_date": "tanggal_lapor", "place": "tempat_kejadian",
        "source": "sumber", "types": "jenis_kekerasan", "kecamatan_id": "kecamatan",
        "kelurahan_id": "kelurahan", "location_detail": "lokasi_luar_kota", "legal_stage": "proses_hukum",
    }
    for field_name, reason in check_rules(data, context.index, today):
        parts = field_name.split("-")
        if parts[0] in ("victims", "perpetrators") and len(parts) == 3:
            prefix = "korban" if parts[0] == "victims" else "pelaku"
            column = {"birth_date": "tanggal_lahir", "age": "umur", "age_group": "kelompok_umur",
                      "sex": "jk", "name": "nama"}.get(parts[2], parts[2])
            problems.append((f"{prefix}_{column}", reason))
        else:
            problems.append((field_to_column.get(parts[0], parts[0]), reason))
    return data, problems


def _unknown_reason(raw, kind, context):
    codes = ", ".join(list(context.index.by_kind.get(kind, {}))[:12])
    return _l("'%(value)s' tidak dikenal. Pakai kode atau label dari daftar: %(codes)s.",
              value=str(raw)[:40], codes=codes)


def _parse_location(data, cell, context, problems):
    kec_raw, kel_raw = cell_text(cell("kecamatan")), cell_text(cell("kelurahan"))
    outside_raw = cell_text(cell("lokasi_luar_kota"))
    data.update(outside_city=False, kecamatan_id=None, kelurahan_id=None, location_detail=None)
    if fold(kec_raw) in OUTSIDE_CITY or (not kec_raw and outside_raw):
        data["outside_city"] = True
        data["location_detail"] = outside_raw or None
        return
    kecamatan = context.kecamatan.get(fold(kec_raw)) if kec_raw else None
    if kec_raw and kecamatan is None:
        problems.append(("kecamatan", _l("Kecamatan '%(value)s' bukan kecamatan Kota Kupang. Tulis 'luar kota' "
                                         "dan isi lokasi_luar_kota bila di luar kota.", value=kec_raw[:40])))
        return
    if kel_raw:
        found = context.kelurahan.get(fold(kel_raw), [])
        if kecamatan is not None:
            found = [k for k in found if k.kecamatan_id == kecamatan.id]
        if len(found) != 1:
            problems.append(("kelurahan", _l("Kelurahan '%(value)s' tidak dikenal di kecamatan ini.",
                                             value=kel_raw[:40])))
            return
        data["kelurahan_id"] = found[0].id
        kecamatan = kecamatan or found[0].kecamatan
    if kecamatan is None:
        problems.append(("kecamatan", _l("Wajib diisi: kecamatan, atau 'luar kota'.")))
        return
    data["kecamatan_id"] = kecamatan.id


def _parse_person(prefix, cell, one, attempt, text, problems, today):
    disability_raw = cell_text(cell(f"{prefix}_disabilitas"))
    disability, disability_kind = False, None
    if disability_raw:
        try:
            disability = parse_bool(disability_raw)
        except ValueProblem:
            disability_kind = one(f"{prefix}_disabilitas", "disability")
            disability = disability_kind is not None
    person = {
        "name": text(f"{prefix}_nama", 160), "sex": attempt(f"{prefix}_jk", parse_sex),
        "birth_date": attempt(f"{prefix}_tanggal_lahir", parse_date, today),
        "age": attempt(f"{prefix}_umur", parse_age),
        "education": one(f"{prefix}_pendidikan", "education"),
        "occupation": one(f"{prefix}_pekerjaan", "occupation"),
        "marital_status": one(f"{prefix}_status_kawin", "marital_status"),
        "disability": disability, "disability_kind": disability_kind,
        "address": text(f"{prefix}_alamat", 300),
    }
    if prefix == "pelaku":
        raw = cell_text(cell("pelaku_kelompok_umur"))
        group = AGE_GROUP_WORDS.get(fold(raw).replace("+", ""), None) if raw else None
        if raw and group is None:
            group = raw.replace("–", "-").replace(" ", "")
            if group not in ("0-17", "18-24", "25-59", "60+"):
                problems.append(("pelaku_kelompok_umur", _l(
                    "Kelompok umur '%(value)s' tidak dikenal; pakai 0-17, 18-24, 25-59 atau 60+.",
                    value=raw[:20])))
                group = None
        person["age_group"] = group
    return person


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
    context = _Context(None)
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

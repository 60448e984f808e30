"""Reading an import file: its columns, its header row and every row's problems (DESIGN §7;
format: docs/caselog-import.md). Nothing is written here; `imports` keeps the result as a batch.
"""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, tuple_

from ...extensions import db
from ...models.caselog import Case
from .. import clock
from . import spreadsheet
from .import_rows import Context, cell_limits, check_cells, parse_row
from .parsing import cell_text, fold

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
    report_existing(result, context, columns)
    result.problems.sort(key=lambda p: (p[0], str(p[1])))
    return result


def report_existing(result, context, columns):
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

"""Reading an import file: its columns, its header row and every row's problems (product §7;
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
    """A file read and checked. `rows`: one payload per case, in file order; rows sharing a
    report number are one case (`row_numbers`: its first row, `grouped_rows`: its other rows).
    `duplicates`: (first row, report number, case number) of reports already recorded — left
    out of `rows`, and skipped only when the person confirming says so. `blank_rows`: the blank
    rows between the header and the last row, as [first, last] ranges."""

    rows: list = field(default_factory=list)      # payloads, in file order
    row_numbers: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # (row, column, reason) — row 0: the whole file
    ignored_columns: list = field(default_factory=list)
    row_count: int = 0
    grouped_rows: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    blank_rows: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems and self.row_count > 0

    @property
    def blank_row_count(self):
        return sum(last - first + 1 for first, last in self.blank_rows)


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
    cases = {}  # (source, report number in lower case) → position in result.rows
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
        at = None
        if payload is not None and not problems and payload["external_ref"]:
            ref_key = (payload["source"], payload["external_ref"].lower())
            at = cases.get(ref_key)
            if at is None:
                cases[ref_key] = len(result.rows)
            else:
                problems = add_row_to_case(result.rows[at], payload, result.row_numbers[at])
        for column, reason in problems:
            title = columns[column][1] if column in columns else column
            result.problems.append((number, title, reason))
        if payload is not None and not problems:
            if at is None:
                result.rows.append(payload)
                result.row_numbers.append(number)
                result.grouped_rows.append([])
            else:
                result.grouped_rows[at].append(number)
    last = rows[-1][0]
    result.blank_rows = [[first, min(end, last - 1)] for first, end in table.blank_rows
                         if header_number < first < last]
    report_existing(result, context, columns)
    result.problems.sort(key=lambda p: (p[0], str(p[1])))
    return result


#: The columns of a case (not of a person): rows sharing a report number must agree on them.
CASE_FIELDS = {
    "source": "sumber", "incident_date": "tanggal_kejadian", "report_date": "tanggal_lapor",
    "types": "jenis_kekerasan", "kdrt": "kdrt", "causes": "penyebab", "impacts": "dampak",
    "place": "tempat_kejadian", "outside_city": "kecamatan", "kecamatan_id": "kecamatan",
    "kelurahan_id": "kelurahan", "location_detail": "lokasi_luar_kota", "legal_stage": "proses_hukum",
    "narrative": "kronologi",
}
UNORDERED_FIELDS = ("types", "causes", "impacts")


def add_row_to_case(case, row, first_row):
    """Add a row's victim and perpetrator to the case an earlier row of the same report number
    started (product §7: several victims or perpetrators of one report are rows sharing the
    report number). The case's columns must be the same on both rows; an identical victim or
    perpetrator is the same person; the row's relationship is that of its victim and
    perpetrator. Returns the row's problems ([(column, reason)]); the case is changed only
    when there are none."""
    problems = []
    for name, column in CASE_FIELDS.items():
        mine, theirs = case.get(name), row.get(name)
        if name in UNORDERED_FIELDS:
            mine, theirs = sorted(mine or ()), sorted(theirs or ())
        if mine != theirs and column not in {c for c, _r in problems}:
            problems.append((column, _l(
                "Berbeda dengan baris %(row)d, yang bernomor laporan sama. Baris dengan nomor laporan "
                "yang sama adalah satu kasus (satu baris per korban atau pelaku), jadi kolom kasus "
                "harus sama di setiap barisnya.", row=first_row)))
    victim, perpetrator = row["victims"][0], row["perpetrators"][0]
    vi = case["victims"].index(victim) if victim in case["victims"] else len(case["victims"])
    pi = (case["perpetrators"].index(perpetrator) if perpetrator in case["perpetrators"]
          else len(case["perpetrators"]))
    relationship = row["relationships"].get((0, 0))
    known = case["relationships"].get((vi, pi))
    if relationship and known and relationship != known:
        problems.append(("hubungan", _l(
            "Baris sebelumnya dengan nomor laporan yang sama (kasus dari baris %(row)d) mencatat "
            "hubungan '%(code)s' untuk korban dan pelaku yang sama.", row=first_row, code=known)))
    if problems:
        return problems
    if vi == len(case["victims"]):
        case["victims"].append(victim)
    if pi == len(case["perpetrators"]):
        case["perpetrators"].append(perpetrator)
    if relationship or (vi, pi) not in case["relationships"]:
        case["relationships"][(vi, pi)] = relationship
    return []


def report_existing(result, context, columns=None):
    """Cases whose (source, external reference) is already recorded are duplicates: they move
    from `result.rows` to `result.duplicates` (first row, reference, recorded case's number).
    Returns the duplicates found by this call."""
    if not result.rows:
        return []
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
    keep = ([], [], [])
    duplicates = []
    grouped = result.grouped_rows or [[] for _row in result.rows]
    for payload, number, more in zip(result.rows, result.row_numbers, grouped, strict=True):
        key = (index.id("source", payload["source"]), payload["external_ref"].lower())
        if key in found:
            duplicates.append((number, payload["external_ref"], found[key]))
        else:
            for kept, value in zip(keep, (payload, number, more), strict=True):
                kept.append(value)
    result.rows, result.row_numbers, result.grouped_rows = keep
    result.duplicates.extend(duplicates)
    return duplicates

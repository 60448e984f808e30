"""One row of an import file into a case payload, with every problem of the row (product §7).

A row's cells are first checked as text — no control characters (PostgreSQL refuses NUL, and
none belongs in a register), no cell longer than its field allows — then parsed column by
column, then checked against the rules every case meets (`payload.check_rules`). A cell that
fails one step is not looked at again, so each problem is reported once, but a problem in one
column never hides the problems of the others.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models.caselog import Kecamatan, Kelurahan
from .parsing import (
    CONTROL_CHARACTER,
    CategoryMatcher,
    KelurahanMatcher,
    ValueProblem,
    cell_problem,
    cell_text,
    fold,
    parse_age,
    parse_bool,
    parse_date,
    parse_sex,
    place_key,
)
from .payload import LookupIndex, check_rules

OUTSIDE_CITY = {"luar kota", "luar kota kupang", "luar kupang", "di luar kota kupang", "luar_kota"}
AGE_GROUP_WORDS = {"anak": "0-17", "0 17": "0-17", "18 24": "18-24", "25 59": "25-59", "60": "60+",
                   "60+": "60+", "lansia": "60+"}


#: The longest text each column may hold (characters, after spaces are collapsed); the
#: database's own limit where it has one (external_ref: 80), else the form's. Every other
#: column — lists, dates, codes, ignored columns — holds at most LONGEST_CELL.
CELL_LIMITS = {"no_laporan": 80, "kronologi": 5000, "korban_nama": 160, "pelaku_nama": 160,
               "korban_alamat": 300, "pelaku_alamat": 300, "lokasi_luar_kota": 200}
OTHER_CELL_LIMIT = 500
LONGEST_CELL = max(CELL_LIMITS.values())
LOCATION_COLUMNS = {"kecamatan", "kelurahan", "lokasi_luar_kota"}


class Context:
    """What parsing a row needs, loaded once per file: lists, matchers, kecamatan, kelurahan."""

    def __init__(self, default_source):
        self.index = LookupIndex()
        self.default_source = default_source
        self.matchers = {kind: CategoryMatcher(list(entries.values()))
                         for kind, entries in self.index.by_kind.items()}
        self.kecamatan = {}
        for kec in db.session.scalars(select(Kecamatan)):
            self.kecamatan[place_key(kec.code)] = kec
            self.kecamatan[place_key(kec.name)] = kec
        self.kelurahan = KelurahanMatcher(db.session.scalars(select(Kelurahan)).all())


def cell_limits(titles, columns):
    """(column, longest text) for each position of the header: a known column by its canonical
    name and limit; an ignored one by its title (or its position) and the longest field."""
    names = {position: name for name, (position, _title) in columns.items()}
    limits = []
    for position, title in enumerate(titles):
        name = names.get(position)
        if name:
            limits.append((name, CELL_LIMITS.get(name, OTHER_CELL_LIMIT)))
        else:
            limits.append((title or _l("kolom %(n)d", n=position + 1), LONGEST_CELL))
    return limits


def check_cells(row, limits):
    """(column, reason) for each cell of the row that is no text a register may hold: a control
    character anywhere, or longer than its column allows (`limits`: from `cell_limits`)."""
    texts = [value for value in row if isinstance(value, str)]
    if not texts:
        return []
    # One search over the whole row: most rows are clean, and a row is checked cell by cell
    # only when something is there to find.
    control = CONTROL_CHARACTER.search("".join(texts)) is not None
    found = []
    for position, value in enumerate(row):
        if not isinstance(value, str):
            continue
        column, limit = limits[position] if position < len(limits) else (_l("kolom %(n)d", n=position + 1),
                                                                          LONGEST_CELL)
        if control or len(value) > limit:
            reason = cell_problem(value, limit)
            if reason is not None:
                found.append((column, reason))
    return found


def parse_row(row, columns, context, today, refused=()):
    """(payload, [(column, reason)]) for one row. Columns in `refused` already have a problem
    (see `check_cells`): they are read as empty and nothing more is said about them."""
    problems = []

    def cell(name):
        if name not in columns or name in refused:
            return None
        position = columns[name][0]
        return row[position] if position < len(row) else None

    def text(name):
        return cell_text(cell(name)) or None

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
        matcher = context.matchers.get(kind)
        code = matcher.match(raw) if matcher else None
        return _known(name, kind, code, raw)

    def many(name, kind, required=False):
        codes, unknown = context.matchers[kind].match_many(cell(name))
        for part in unknown:
            problems.append((name, unknown_reason(part, kind, context)))
        codes = [c for c in codes if _known(name, kind, c, c)]
        if required and not codes and not unknown:
            problems.append((name, _l("Wajib diisi.")))
        return codes

    def _known(name, kind, code, raw):
        if code is None:
            problems.append((name, unknown_reason(raw, kind, context)))
            return None
        if not context.index.get(kind, code).active:
            problems.append((name, _l("Pilihan '%(value)s' sudah tidak aktif.", value=raw[:40])))
            return None
        return code

    data = {
        "external_ref": text("no_laporan"),
        "source": one("sumber", "source") if cell_text(cell("sumber")) else context.default_source,
        "incident_date": attempt("tanggal_kejadian", parse_date, today),
        "report_date": attempt("tanggal_lapor", parse_date, today),
        "types": many("jenis_kekerasan", "violence_type", required=True),
        "kdrt": attempt("kdrt", parse_bool) or False,
        "causes": many("penyebab", "cause") if "penyebab" in columns else [],
        "impacts": many("dampak", "impact") if "dampak" in columns else [],
        "place": one("tempat_kejadian", "place", required=True),
        "legal_stage": one("proses_hukum", "legal_stage"),
        "narrative": text("kronologi"),
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
    # The rules run even when a cell could not be read, so every problem of the row is said at
    # once; a rule about a column already reported (or about the place, once one of its
    # columns is) would only repeat it.
    reported = {column for column, _reason in problems} | set(refused)
    if reported & LOCATION_COLUMNS:
        reported |= LOCATION_COLUMNS
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
            column = f"{prefix}_{column}"
        else:
            column = field_to_column.get(parts[0], parts[0])
        if column not in reported:
            problems.append((column, reason))
    return data, [(column, reason) for column, reason in problems if column not in refused]


def unknown_reason(raw, kind, context):
    """Why a list value was not taken: it names several entries (each is named), or none."""
    matcher = context.matchers.get(kind)
    candidates = matcher.candidates(raw) if matcher else []
    if candidates:
        names = ", ".join(f"{code} ({matcher.lookups[code].label})" for code in candidates)
        return _l("'%(value)s' ambigu: bisa berarti %(names)s. Tulis kodenya atau label lengkapnya.",
                  value=str(raw)[:40], names=names)
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
    kecamatan = context.kecamatan.get(place_key(kec_raw)) if kec_raw else None
    if kec_raw and kecamatan is None:
        problems.append(("kecamatan", _l("Kecamatan '%(value)s' bukan kecamatan Kota Kupang. Tulis 'luar kota' "
                                         "dan isi lokasi_luar_kota bila di luar kota.", value=kec_raw[:40])))
        return
    if kel_raw:
        found, complete = context.kelurahan.find(kel_raw, kecamatan.id if kecamatan else None)
        if not found and kecamatan is None:
            problems.append(("kelurahan", _l("Kelurahan '%(value)s' bukan kelurahan Kota Kupang.",
                                             value=kel_raw[:40])))
            return
        if not found:
            problems.append(("kelurahan", _l("Kelurahan '%(value)s' tidak dikenal di kecamatan ini.",
                                             value=kel_raw[:40])))
            return
        if len(found) > 1 or not complete:
            names = ", ".join(f"{k.name} ({k.kecamatan.name})" for k in found)
            problems.append(("kelurahan", _l("Kelurahan '%(value)s' ambigu: bisa berarti %(names)s. "
                                             "Tulis nama lengkapnya atau kodenya.",
                                             value=kel_raw[:40], names=names)))
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
        "name": text(f"{prefix}_nama"), "sex": attempt(f"{prefix}_jk", parse_sex),
        "birth_date": attempt(f"{prefix}_tanggal_lahir", parse_date, today),
        "age": attempt(f"{prefix}_umur", parse_age),
        "education": one(f"{prefix}_pendidikan", "education"),
        "occupation": one(f"{prefix}_pekerjaan", "occupation"),
        "marital_status": one(f"{prefix}_status_kawin", "marital_status"),
        "disability": disability, "disability_kind": disability_kind,
        "address": text(f"{prefix}_alamat"),
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


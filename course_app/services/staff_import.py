"""Bulk onboarding of officiants from a CSV (issue 12 point 1; format: docs/staff-import.md).

The case-log import's two steps (services/caselog/imports.py), for people instead of cases:
`preview_file` reads the file with the case-log's hardened reader (size limit, delimiter
sniffed, CSV or XLSX), checks every row and keeps the result as a `StaffImport` waiting for
confirmation — no account exists yet. `confirm_import` creates every row's account and
invitation in the caller's transaction, and only when no row has a problem: the admin fixes
the file and uploads it again, so a file is either imported whole or not at all.
"""
import re
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..labels import INSTITUTION_LABELS
from ..models import User
from ..models.accounts import StaffImport
from . import DomainError, NotFound, accounts, staff
from .caselog import audit, spreadsheet
from .caselog.parsing import cell_problem, cell_text, fold
from .clock import utcnow

MAX_ROWS = 500                 # officiants per file: Kota Kupang's institutions, several times over
PREVIEW_TTL = timedelta(days=2)

#: canonical column → (other spellings accepted in the header, longest text)
COLUMNS = {
    "nama": (("nama_lengkap", "name", "full_name"), 120),
    "email": (("e_mail", "surel", "alamat_email", "email_address"), 254),
    "jenis_lembaga": (("institution_type", "jenis", "tipe_lembaga", "type"), 60),
    "nama_lembaga": (("institution_name", "lembaga", "institution"), 160),
}
ALIASES = {alias: name for name, (aliases, _limit) in COLUMNS.items() for alias in (name, *aliases)}

#: Other words people write for an institution type (folded: lower case, no accents).
TYPE_ALIASES = {"masjid": "masjid_kua", "kua": "masjid_kua", "mesjid": "masjid_kua",
                "dukcapil": "catatan_sipil", "capil": "catatan_sipil", "disdukcapil": "catatan_sipil",
                "church": "gereja", "mosque": "masjid_kua"}


def header_key(text):
    return fold(text).replace(" ", "_")


def _institution_types():
    """Folded spelling → code: the code, its Indonesian and English labels, common words."""
    known = {}
    for code, label in INSTITUTION_LABELS.items():
        known[fold(code.replace("_", " "))] = code
        for locale in ("id", "en"):
            with force_locale(locale):
                known[fold(str(label))] = code
    known.update(TYPE_ALIASES)
    return known


def _header_position(rows):
    """The header is the row among the first ten that names the most known columns."""
    best, best_count = None, 0
    for position, (number, cells) in enumerate(rows):
        if number > spreadsheet.HEADER_ROWS:
            break
        count = len({ALIASES.get(header_key(cell_text(c))) for c in cells} - {None})
        if count > best_count:
            best, best_count = position, count
    return best


def parse_file(filename, data):
    """Every row of the file with every problem it has: [{line, full_name, email,
    institution_type, institution_name, problems: [[column, reason]]}]. A file that can't be
    taken at all (too big, unreadable, no header, no rows, too many rows) raises DomainError."""
    table = spreadsheet.read_table(filename, data)
    at = _header_position(table.rows)
    if at is None:
        raise DomainError(_l("Baris judul kolom tidak ditemukan. Kolom yang diperlukan: nama, email, "
                             "jenis_lembaga, nama_lembaga."), field="file")
    columns = {}
    for position, cell in enumerate(table.rows[at][1]):
        canonical = ALIASES.get(header_key(cell_text(cell)))
        if canonical and canonical not in columns:
            columns[canonical] = position
    missing = [name for name in COLUMNS if name not in columns]
    if missing:
        raise DomainError(_l("Kolom wajib tidak ada: %(columns)s.", columns=", ".join(missing)),
                          field="file")
    rows = table.rows[at + 1:]
    if not rows:
        raise DomainError(_l("Berkas tidak berisi baris data."), field="file")
    if table.more_rows or len(rows) > MAX_ROWS:
        raise DomainError(_l("Paling banyak %(n)d baris per berkas; bagi berkas ini.", n=MAX_ROWS),
                          field="file")
    types = _institution_types()
    parsed, first_line_of = [], {}
    for number, cells in rows:
        row, problems = {"line": number}, []
        for name, position in columns.items():
            value = cells[position] if position < len(cells) else ""
            refused = cell_problem(value, COLUMNS[name][1]) if isinstance(value, str) else None
            if refused is not None:
                problems.append([name, str(refused)])
                value = ""
            row[name] = cell_text(value)
        full_name, email, type_text, institution_name = (
            row.pop("nama"), accounts.normalise_email(row.pop("email")), row.pop("jenis_lembaga"),
            row.pop("nama_lembaga"))
        institution_type = types.get(fold(type_text)) if type_text else None
        if not full_name and "nama" not in {c for c, _r in problems}:
            problems.append(["nama", str(_l("Nama kosong."))])
        elif full_name and len(full_name) < 3:
            problems.append(["nama", str(_l("Nama terlalu pendek."))])
        if not email:
            if "email" not in {c for c, _r in problems}:
                problems.append(["email", str(_l("Email kosong."))])
        else:
            try:
                validate_email(email, check_deliverability=False)
            except EmailNotValidError:
                problems.append(["email", str(_l("Alamat email tidak valid."))])
            else:
                if email in first_line_of:
                    problems.append(["email", str(_l(
                        "Duplikat dalam berkas: email yang sama sudah ada di baris %(row)d.",
                        row=first_line_of[email]))])
                else:
                    first_line_of[email] = number
        if not type_text:
            if "jenis_lembaga" not in {c for c, _r in problems}:
                problems.append(["jenis_lembaga", str(_l("Jenis lembaga kosong."))])
        elif institution_type is None:
            problems.append(["jenis_lembaga", str(_l(
                "Jenis lembaga tidak dikenal: \u201c%(value)s\u201d. Pilih salah satu: %(choices)s.",
                value=type_text, choices=", ".join(str(label) for label in INSTITUTION_LABELS.values())))])
        if not institution_name:
            if "nama_lembaga" not in {c for c, _r in problems}:
                problems.append(["nama_lembaga", str(_l("Nama lembaga kosong."))])
        elif len(institution_name) < 3:
            problems.append(["nama_lembaga", str(_l("Nama lembaga terlalu pendek."))])
        row.update(full_name=full_name, email=email, institution_type=institution_type,
                   institution_type_text=type_text, institution_name=institution_name,
                   problems=problems)
        parsed.append(row)
    report_existing(parsed)
    return parsed


def report_existing(rows):
    """A row whose email already has an account is a problem of that row."""
    emails = sorted({row["email"] for row in rows if row["email"]})
    taken = set()
    for start in range(0, len(emails), 500):
        chunk = emails[start:start + 500]
        taken.update(db.session.scalars(select(func.lower(User.email)).where(
            func.lower(User.email).in_(chunk))))
    for row in rows:
        if row["email"] in taken:
            row["problems"].append(["email", str(_l("Sudah ada akun dengan email ini."))])
    return rows


def preview_file(filename, data, acting_user):
    """Parse a file into a waiting import. No account is created."""
    _discard_old_previews()
    rows = parse_file(filename, data)
    safe_name = re.sub(r"[^\w.\- ]+", "_", (filename or "berkas").rsplit("/", 1)[-1])[:200]
    batch = StaffImport(created_by_id=getattr(acting_user, "id", None), filename=safe_name,
                        row_count=len(rows), error_count=sum(len(r["problems"]) for r in rows),
                        rows=rows)
    db.session.add(batch)
    db.session.flush()
    audit.record(acting_user, "staff_import_preview", "staff_import", batch.id,
                 f"rows={batch.row_count} problems={batch.error_count}")
    return batch


def get_import(import_id):
    batch = db.session.get(StaffImport, import_id)
    if batch is None:
        raise NotFound()
    return batch


def confirm_import(batch, acting_user, now=None):
    """Create every row's officiant account and queue its invitation — all or nothing, and only
    for a file without a single problem. Emails are checked again: an account may have been
    made with one of them since the preview."""
    if batch.state != "preview":
        raise DomainError(_l("Impor ini sudah diproses."))
    if batch.error_count:
        raise DomainError(_l("Berkas ini masih memiliki masalah; tidak ada akun yang dibuat. "
                             "Perbaiki berkas lalu unggah lagi."))
    rows = report_existing([dict(row, problems=[]) for row in batch.rows])
    if any(row["problems"] for row in rows):
        raise DomainError(_l("Sebagian email sudah dipakai akun lain sejak pratinjau dibuat. Unggah "
                             "berkas lagi untuk melihat daftarnya."))
    users = [staff.invite_staff(full_name=row["full_name"], email=row["email"], roles=("officiant",),
                                institution_type=row["institution_type"],
                                institution_name=row["institution_name"], acting_user=acting_user,
                                now=now, source=f"import={batch.id}")
             for row in rows]
    batch.state = "imported"
    batch.imported_at = now or utcnow()
    batch.rows = []  # the names and emails now live in the accounts; keep no second copy
    db.session.flush()
    audit.record(acting_user, "staff_import", "staff_import", batch.id, f"accounts={len(users)}")
    return users


def discard_import(batch, acting_user):
    if batch.state == "preview":
        batch.state = "discarded"
        batch.rows = []
        db.session.flush()
        audit.record(acting_user, "staff_import_discard", "staff_import", batch.id)


def _discard_old_previews():
    """Waiting previews older than PREVIEW_TTL are dropped with their rows (names, emails)."""
    cutoff = utcnow() - PREVIEW_TTL
    for batch in db.session.scalars(select(StaffImport).where(
            StaffImport.state == "preview", StaffImport.created_at < cutoff)):
        batch.state = "discarded"
        batch.rows = []
    db.session.flush()

"""The Polres channel (issue 13, point 1; product §2, §7): the police liaison submits the month's
case register, P3A accepts it (cases created) or returns it with a reason.

Rules:
- A submission is a Kupang month (YYYY-MM, not in the future) and a file — an uploaded CSV/XLSX,
  or the rows typed on the web form, kept as a CSV — checked by the import's own validation
  (`import_file.parse_file`; there is no second validator). The file is stored encrypted.
- A new submission for a month replaces the one still waiting for that month; a web-form case
  is added to the month's waiting web-form submission.
- The liaison sees status, reason and the row problems (row, column, problem) of their own
  submissions — never case data: the case numbers a duplicate message names are blanked.
- A caseworker accepts a waiting submission without problems: the import (`imports.preview_file`
  then `imports.confirm_import`, the one write path) checks it again and writes its cases,
  whose import batch the submission keeps (`import_batch_id`). Or returns it, with a reason.
  Either way the liaison gets an email (through the outbox), with no case data in it.
- P3A sees which of the last 12 months have no accepted submission.
"""
import csv
import io
import json
import re
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select

from ...extensions import db
from ...models.caselog import PoliceSubmission
from .. import DomainError, NotFound, clock
from ..account_mail import public_url
from ..dates import month_name
from ..mail import send_mail
from . import imports, spreadsheet
from .import_file import parse_file

SOURCE = "polres"
MONTHS_SHOWN = 12
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
#: The columns of the web form, in the import's canonical names (docs/caselog-import.md).
FORM_COLUMNS = ("no_laporan", "tanggal_kejadian", "tanggal_lapor", "jenis_kekerasan", "kdrt", "penyebab",
                "dampak", "tempat_kejadian", "kecamatan", "kelurahan", "lokasi_luar_kota", "proses_hukum",
                "kronologi", "korban_nama", "korban_jk", "korban_tanggal_lahir", "korban_umur",
                "korban_alamat", "pelaku_nama", "pelaku_jk", "pelaku_umur", "hubungan")
CASE_NUMBER = re.compile(r"P3A-\d{4}-\d+")
STATUS_LABELS = {"received": _l("Diterima, menunggu pemeriksaan"), "accepted": _l("Disetujui"),
                 "returned": _l("Dikembalikan"), "replaced": _l("Diganti setoran baru")}
MAX_REASON = 1000


class RowProblems(DomainError):
    """A web-form case the import validation refuses: (column, problem) pairs; nothing stored."""

    def __init__(self, problems):
        super().__init__(_l("Periksa isian yang ditandai."))
        self.problems = problems


# --- months -------------------------------------------------------------------------------------

def month_of(day):
    return f"{day.year:04d}-{day.month:02d}"


def previous_month(month):
    year, number = int(month[:4]), int(month[5:])
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


def check_month(text, today=None):
    """A register month: YYYY-MM, a real month, not after this Kupang month."""
    today = today or clock.today()
    found = MONTH.match((text or "").strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
        raise DomainError(_l("Pilih bulan register (tahun-bulan, misalnya 2026-11)."), field="month")
    month = found.group(0)
    if month > month_of(today):
        raise DomainError(_l("Bulan register tidak boleh di masa depan."), field="month")
    return month


def recent_months(today=None, count=MONTHS_SHOWN):
    """The last `count` complete Kupang months, newest first (this month's register is not due
    before the month ends)."""
    month = previous_month(month_of(today or clock.today()))
    months = []
    for _i in range(count):
        months.append(month)
        month = previous_month(month)
    return months


def month_choices(today=None, count=24):
    """Months a liaison may pick: this month and the 23 before it, newest first."""
    month = month_of(today or clock.today())
    months = []
    for _i in range(count):
        months.append(month)
        month = previous_month(month)
    return months


# --- the liaison's side -------------------------------------------------------------------------

def _pending(month):
    return db.session.scalar(select(PoliceSubmission).where(
        PoliceSubmission.month == month, PoliceSubmission.status == "received")
        .order_by(PoliceSubmission.id.desc()).limit(1))


def _problems_json(result):
    return json.dumps([[row, str(column), str(reason)] for row, column, reason in result.problems])


def _new_submission(user, month, kind, filename, data, result):
    pending = _pending(month)
    if pending is not None:
        pending.status = "replaced"
    submission = PoliceSubmission(
        submitted_by_id=user.id, submitted_at=clock.utcnow(), month=month, kind=kind,
        filename=filename, content=data, size=len(data), row_count=result.row_count,
        problem_count=len(result.problems), problems=_problems_json(result), status="received")
    db.session.add(submission)
    db.session.flush()
    return submission


def submit_file(user, month, filename, data, today=None):
    """Store a register file for `month` with the problems the import validation finds. A file
    that cannot be read at all (not CSV/XLSX, too big, a zip bomb) raises DomainError and
    nothing is stored."""
    today = today or clock.today()
    month = check_month(month, today)
    spreadsheet.check_size(len(data))
    result = parse_file(filename, data, SOURCE, today=today)
    safe_name = re.sub(r"[^\w.\- ]+", "_", (filename or "berkas").rsplit("/", 1)[-1])[:200]
    return _new_submission(user, month, "file", safe_name, data, result)


def _form_csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FORM_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _form_rows(submission):
    rows = list(csv.reader(io.StringIO(submission.content.decode("utf-8"))))
    return rows[1:]


def add_form_case(user, month, cells, today=None):
    """One case from the web form, checked as a row of the import. A case with problems raises
    `RowProblems` and nothing is stored; otherwise it joins the month's waiting web-form
    submission (or starts one, replacing a waiting file for the month)."""
    today = today or clock.today()
    month = check_month(month, today)
    row = [str(cells.get(name) or "").strip() for name in FORM_COLUMNS]
    pending = _pending(month)
    earlier = _form_rows(pending) if pending is not None and pending.kind == "form" else []
    data = _form_csv(earlier + [row])
    result = parse_file("formulir.csv", data, SOURCE, today=today)
    last_row = len(earlier) + 2
    mine = [(str(column), str(reason)) for number, column, reason in result.problems
            if number in (last_row, 0)]
    if mine:
        raise RowProblems(mine)
    if earlier:
        pending.content = data
        pending.size = len(data)
        pending.row_count = result.row_count
        pending.problem_count = len(result.problems)
        pending.problems = _problems_json(result)
        pending.submitted_at = clock.utcnow()
        db.session.flush()
        return pending
    return _new_submission(user, month, "form", f"formulir-{month}.csv", data, result)


def liaison_submissions(user):
    return db.session.scalars(select(PoliceSubmission).where(PoliceSubmission.submitted_by_id == user.id)
                              .order_by(PoliceSubmission.id.desc())).all()


def get_own_submission(submission_id, user):
    """A liaison's own submission; anyone else's answers NotFound (404)."""
    submission = db.session.get(PoliceSubmission, submission_id)
    if submission is None or submission.submitted_by_id != user.id:
        raise NotFound()
    return submission


def row_problems(submission):
    """(row, column, problem) as the liaison sees them: case numbers blanked, nothing more."""
    found = json.loads(submission.problems) if submission.problems else []
    return [(row, column, CASE_NUMBER.sub("…", reason)) for row, column, reason in found]


# --- the caseworker's side ----------------------------------------------------------------------

def queue():
    """Every submission, the waiting ones first (oldest first), then the rest, newest first."""
    waiting = case((PoliceSubmission.status == "received", 0), else_=1)
    return db.session.scalars(select(PoliceSubmission).order_by(
        waiting, case((PoliceSubmission.status == "received", PoliceSubmission.id), else_=-PoliceSubmission.id)
    )).all()


def get_submission(submission_id):
    submission = db.session.get(PoliceSubmission, submission_id)
    if submission is None:
        raise NotFound()
    return submission


def review(submission, today=None):
    """The import's preview of a submission as it would be imported today (duplicates recorded
    since it was sent included). Returns an `ImportResult`."""
    return parse_file(submission.filename, submission.content, SOURCE, today=today or clock.today())


def _decide(submission, user, status):
    if submission.status != "received":
        raise DomainError(_l("Setoran ini sudah diputuskan atau diganti setoran baru."))
    submission.status = status
    submission.decided_by_id = user.id
    submission.decided_at = clock.utcnow()


def accept_submission(submission, user, today=None):
    """Accept a waiting submission without problems: its cases are written by the import, all
    or nothing; reports already recorded are skipped, never written twice. A submission with
    problems must be returned and sent again. Returns the ids of the cases written."""
    if submission.status == "received" and submission.problem_count:
        raise DomainError(_l("Setoran ini memiliki masalah baris; kembalikan agar Polres mengirim "
                             "perbaikannya."))
    _decide(submission, user, "accepted")
    batch, result = imports.preview_file(submission.filename, submission.content, SOURCE, user, today=today)
    if not result.ok:
        raise DomainError(_l("Pemeriksaan ulang menemukan %(n)d masalah (misalnya nomor laporan yang "
                             "sudah tercatat sejak setoran dikirim); kembalikan setoran ini dengan "
                             "alasannya.", n=len(result.problems)))
    # Reports P3A has already recorded are left out rather than written twice (the review page
    # lists them); an import that still counts them as problems has refused above.
    skip = {"skip_duplicates": True} if getattr(result, "duplicates", None) else {}
    ids = imports.confirm_import(batch, user, **skip)
    submission.import_batch_id = batch.id
    submission.case_count = len(ids)
    _tell_liaison(submission)
    db.session.flush()
    return ids


def return_submission(submission, user, reason):
    """Return a waiting submission to the liaison; the reason is required and shown to them."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Tulis alasan pengembalian."), field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(_l("Alasan paling banyak %(n)d karakter.", n=MAX_REASON), field="reason")
    _decide(submission, user, "returned")
    submission.reason = reason
    _tell_liaison(submission)
    db.session.flush()
    return submission


def _tell_liaison(submission):
    """The decision, by email: month, status, counts and the reason — no case data."""
    liaison = submission.submitted_by
    locale = getattr(liaison, "locale", None) or "id"
    with force_locale(locale):
        link = public_url("polres.submission", submission_id=submission.id)
        month = month_name(submission.month)
        if submission.status == "accepted":
            subject = _("Setoran register %(month)s disetujui P3A", month=month)
            lines = [_("Setoran register kasus bulan %(month)s telah disetujui Dinas P3A Kota Kupang; "
                       "%(n)d kasus dicatat.", month=month, n=submission.case_count)]
        else:
            subject = _("Setoran register %(month)s dikembalikan P3A", month=month)
            lines = [_("Setoran register kasus bulan %(month)s dikembalikan oleh Dinas P3A Kota Kupang.",
                       month=month),
                     _("Alasan: %(reason)s", reason=submission.reason),
                     _("Perbaiki lalu kirim setoran baru untuk bulan yang sama.")]
        body = "\n\n".join([*lines, _("Status setoran:"), link, _("Dinas P3A Kota Kupang")])
    send_mail(liaison.email, subject, body)


@dataclass
class MonthState:
    month: str
    status: str  # accepted, received, returned, none


def month_overview(today=None):
    """The last 12 complete months and, for each, the best state of its submissions: accepted,
    waiting (received), returned, or none. Only `accepted` counts as delivered."""
    months = recent_months(today)
    rank = {"accepted": 3, "received": 2, "returned": 1}
    best = {}
    for month, status in db.session.execute(select(PoliceSubmission.month, PoliceSubmission.status)
                                            .where(PoliceSubmission.month.in_(months))):
        if rank.get(status, 0) > rank.get(best.get(month), 0):
            best[month] = status
    return [MonthState(month, best.get(month, "none")) for month in months]


def missing_months(today=None):
    """Months of the last 12 with no accepted submission, newest first."""
    return [m.month for m in month_overview(today) if m.status != "accepted"]


# --- demo ---------------------------------------------------------------------------------------

DEMO_REF = "SINT-POLRES"


def _demo_rows(month, count, seed, today):
    """Register rows (import columns) for `month` from the synthetic case generator."""
    import random
    from datetime import date, timedelta

    from ...models.caselog import Kecamatan, Kelurahan
    from . import synthetic
    from .payload import person_age

    start = date(int(month[:4]), int(month[5:]), 1)
    end = min(today, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1))
    rng = random.Random(f"{seed}:{month}")
    pools, wilayah = synthetic._Pools(random.Random(seed)), synthetic._wilayah()
    kecamatan = {k.id: k.name for k in db.session.scalars(select(Kecamatan))}
    kelurahan = {k.id: k.code for k in db.session.scalars(select(Kelurahan))}
    rows = []
    for n in range(count):
        data = synthetic.make_payload(rng, pools, wilayah, n, seed, start, end)
        if data["incident_date"] > data["report_date"]:
            data["incident_date"] = data["report_date"]
        victim, perpetrator = data["victims"][0], data["perpetrators"][0]
        rows.append({
            "no_laporan": f"{DEMO_REF}-{month}-{n + 1:03d}", "tanggal_kejadian": data["incident_date"].isoformat(),
            "tanggal_lapor": data["report_date"].isoformat(), "jenis_kekerasan": ";".join(data["types"]),
            "kdrt": "ya" if data["kdrt"] else "tidak", "penyebab": ";".join(data["causes"]),
            "dampak": ";".join(data["impacts"]), "tempat_kejadian": data["place"],
            "kecamatan": "luar kota" if data["outside_city"] else kecamatan[data["kecamatan_id"]],
            "kelurahan": kelurahan.get(data["kelurahan_id"], ""),
            "lokasi_luar_kota": data["location_detail"] or "", "kronologi": data["narrative"],
            "korban_nama": victim["name"], "korban_jk": victim["sex"],
            "korban_umur": str(person_age(victim, data["incident_date"])),
            "korban_alamat": victim.get("address", ""), "pelaku_nama": perpetrator["name"] or "",
            "pelaku_jk": perpetrator["sex"], "pelaku_umur": str(perpetrator["age"]),
            "hubungan": data["relationships"][(0, 0)],
        })
    return rows


def add_demo_submissions(liaison, caseworker, today=None, seed=2026):
    """For `flask demo`: the liaison's register for the month before last, accepted (its cases
    created), and last month's, returned for a row problem. Synthetic rows from the synthetic
    case generator. Idempotent: nothing is added once the liaison has submissions."""
    today = today or clock.today()
    if db.session.scalar(select(PoliceSubmission.id).where(PoliceSubmission.submitted_by_id == liaison.id)
                         .limit(1)):
        return []
    last = previous_month(month_of(today))
    before = previous_month(last)
    accepted = submit_file(liaison, before, f"register-ppa-{before}.csv",
                           _form_csv_rows(_demo_rows(before, 8, seed, today)), today=today)
    accept_submission(accepted, caseworker, today=today)
    rows = _demo_rows(last, 6, seed, today)
    rows[2]["kecamatan"], rows[2]["kelurahan"] = "Kupang Tengah", ""  # a kecamatan outside the city list
    returned = submit_file(liaison, last, f"register-ppa-{last}.csv", _form_csv_rows(rows), today=today)
    return_submission(returned, caseworker, _("Baris 4: kecamatan tidak dikenal. Perbaiki lalu kirim "
                                              "lagi untuk bulan yang sama."))
    return [accepted, returned]


def _form_csv_rows(rows):
    return _form_csv([[row.get(name, "") for name in FORM_COLUMNS] for row in rows])

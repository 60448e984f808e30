"""The programme's own numbers, for P3A reviewers and admins (product §2; issue 12 point 5).

Over a period of whole **Kupang months** (`Period`; default the last 12, this month included):

- **Couples** per month, by institution type and by kecamatan of residence, at four stages.
  Each couple is counted once per stage, in the month it reached it:
  registered (the couple was created; a couple dissolved later still counts), started (a member
  opened a lesson while in the couple — someone who studied before forming it starts the couple
  the moment it is created), completed (both current members completed every required module —
  all active lessons read and the quiz passed, as `learning.module_progress` decides — counted
  when the later of the two finished, and not before the second one joined), certified (the
  couple's first certificate was issued). Completed follows today's content and membership: a
  module made required later, or a partner who left, changes past months.
- **Modules** (required and optional): submitted attempts and how many passed; per participant
  whose first pass falls in the period, the attempts it took (that pass included), mean and
  median.
- **Letters (SKCK)**: days from upload to the decision (approved or rejected), median per month
  of decision and overall, from whole hours (a decision 30 hours after the upload is 1.3 days).
- **Certificates** issued in the period, by their state today: valid, used, expired, revoked
  (`certificates.rules.status_of`, in SQL).

Months are Kupang's (`clock.day_start`, `APP_TIMEZONE`): an event at 23:30 UTC on 31 January is
in February. The case-log buckets its *dates* with strftime/to_char (`caselog.reports`); these
are UTC *instants*, so each is put in its month by a CASE over the months' first instants, the
same SQL on SQLite and PostgreSQL and right for any zone, daylight saving included.

Every number is one GROUP BY query (no loop over couples, attempts or letters in Python); only
small histograms (attempts to pass, hours to a decision) come back to find a median.

**Publication** (`publication=True`) applies the case-log's small-number rule
(`caselog.reports.suppress` and its complementary suppression `_publish`): a count from 1 to
CASELOG_SMALL_CELL − 1 is "<5"; in a column whose rows add up to its total (each couple, attempt,
decision or certificate in exactly one row) a single hidden cell hides the next smallest too
("*"); totals are suppressed the same way; a pass rate, mean or median over fewer than 5 is not
shown, nor a pass rate whose passed or failed attempts are hidden. Nothing is finer than the
kecamatan. Limits: two or more small cells of one column may still be summed from the total
(as in the case-log), and comparing two overlapping periods shows the difference of their
counts — publish one period, not several that overlap.
"""
import csv
import io
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, case, cast, func, literal, literal_column, or_, select

from ..extensions import db
from ..labels import INSTITUTION_LABELS
from ..models import Couple, CoupleMember, Lesson, LessonProgress, Module, QuizAttempt
from ..models.base import UTCDateTime
from ..models.certificates import Certificate
from ..models.letters import Letter
from . import DomainError, clock
from .caselog import reports as caselog_reports
from .caselog.exports import neutralise
from .couples import residence_kecamatan_choices

DEFAULT_MONTHS = 12
MAX_MONTHS = 60
#: The value of "kecamatan of residence" for couples that gave none or live outside the city.
NO_KECAMATAN = ("luar_kota", _l("Di luar Kota Kupang / tidak diisi"))

STAGES = [("registered", _l("Terdaftar")), ("started", _l("Mulai belajar")),
          ("completed", _l("Selesai semua materi wajib")), ("certified", _l("Bersertifikat"))]
MODULE_COLUMNS = [("kind", _l("Jenis")), ("attempts", _l("Percobaan kuis")),
                  ("passed", _l("Percobaan lulus")), ("pass_rate", _l("Tingkat lulus (%)")),
                  ("participants", _l("Peserta lulus")),
                  ("mean_tries", _l("Rata-rata percobaan sampai lulus")),
                  ("median_tries", _l("Median percobaan sampai lulus"))]
LETTER_COLUMNS = [("decisions", _l("Keputusan")), ("median_days", _l("Median hari unggah–keputusan"))]
CERTIFICATE_STATES = [("valid", _l("Berlaku")), ("used", _l("Sudah dipakai")),
                      ("expired", _l("Kedaluwarsa")), ("revoked", _l("Dicabut"))]


# --- the period ----------------------------------------------------------------------------------

def add_months(month, n):
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Whole Kupang months from `first` to `last` (both the first day of their month)."""

    first: date
    last: date

    @property
    def months(self):
        return [add_months(self.first, i) for i in range(self.length)]

    @property
    def length(self):
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    def boundaries(self):
        """The first instant (UTC) of each month, and the first after the last month."""
        return [clock.day_start(add_months(self.first, i)) for i in range(self.length + 1)]


def default_period(today=None):
    """The last DEFAULT_MONTHS Kupang months, this one included."""
    this_month = (today or clock.today()).replace(day=1)
    return Period(add_months(this_month, 1 - DEFAULT_MONTHS), this_month)


def make_period(first, last):
    """A period from two months (any day of them); refused when reversed or too long."""
    first, last = first.replace(day=1), last.replace(day=1)
    if first > last:
        raise DomainError(_l("Bulan awal harus sebelum atau sama dengan bulan akhir."), field="sampai")
    if Period(first, last).length > MAX_MONTHS:
        raise DomainError(_l("Periode paling panjang %(n)d bulan.", n=MAX_MONTHS), field="dari")
    return Period(first, last)


def month_choices(today=None):
    """The months a period can start or end on: the last MAX_MONTHS, newest first."""
    this_month = (today or clock.today()).replace(day=1)
    return [add_months(this_month, -i) for i in range(MAX_MONTHS)]


def month_label(month):
    return format_date(month, "MMMM y")


# --- the tables ----------------------------------------------------------------------------------

@dataclass
class Row:
    code: str
    label: object
    values: dict  # column code → int, float, text, None, or "<5" / "*" when published

    def __getitem__(self, column):  # templates and the chart macro read row[column]
        return self.values[column]


@dataclass
class Table:
    code: str
    title: object
    columns: list  # (code, label)
    rows: list
    total: Row | None = None
    note: object = None

    @property
    def is_empty(self):
        counted = self.rows + ([self.total] if self.total else [])
        return not any(isinstance(v, int) and v or isinstance(v, str) and v.startswith(("<", "*"))
                       for row in counted for code, v in row.values.items() if code != "kind")


@dataclass
class Statistics:
    period: Period
    publication: bool
    small_cell: int
    tables: list = field(default_factory=list)

    def __getitem__(self, code):
        return next(t for t in self.tables if t.code == code)

    @property
    def is_empty(self):
        return all(table.is_empty for table in self.tables)


def _at(value):
    return literal(value, UTCDateTime())


def _in_period(column, period):
    bounds = period.boundaries()
    return and_(column >= _at(bounds[0]), column < _at(bounds[-1]))


def _month_index(column, period):
    """0 for the period's first Kupang month, 1 for the next…: a CASE over the months' first
    instants (the rows are already inside the period)."""
    bounds = period.boundaries()[1:-1]
    if not bounds:
        return literal(0)
    return case(*[(column < _at(b), i) for i, b in enumerate(bounds)], else_=len(bounds))


# --- couples: one row per couple and stage, with the instant it was reached ---------------------

def _later(a, b):
    """The later of two instants (GREATEST on PostgreSQL, max() on SQLite: one CASE for both)."""
    return case((a > b, a), else_=b)


def _registered():
    return select(Couple.id.label("couple_id"), Couple.created_at.label("at"))


def _started():
    first_open = (select(CoupleMember.couple_id, func.min(LessonProgress.opened_at).label("opened"))
                  .join(LessonProgress, LessonProgress.user_id == CoupleMember.user_id)
                  .where(or_(CoupleMember.left_at.is_(None),
                             LessonProgress.opened_at < CoupleMember.left_at))
                  .group_by(CoupleMember.couple_id).subquery())
    return (select(Couple.id.label("couple_id"), _later(first_open.c.opened, Couple.created_at).label("at"))
            .join(first_open, first_open.c.couple_id == Couple.id))


def _completed():
    """Couples whose two current members completed every required module (product §4, §6)."""
    required = select(Module.id).where(Module.required.is_(True), Module.is_active.is_(True))
    n_required = (select(func.count()).select_from(Module)
                  .where(Module.required.is_(True), Module.is_active.is_(True)).scalar_subquery())
    lessons = (select(Lesson.module_id, func.count().label("total")).where(Lesson.is_active.is_(True))
               .group_by(Lesson.module_id).subquery())
    reads = (select(LessonProgress.user_id, Lesson.module_id,
                    func.count(LessonProgress.read_at).label("read"),
                    func.max(LessonProgress.read_at).label("last_read"))
             .join(Lesson, Lesson.id == LessonProgress.lesson_id).where(Lesson.is_active.is_(True))
             .group_by(LessonProgress.user_id, Lesson.module_id).subquery())
    passes = (select(QuizAttempt.user_id, QuizAttempt.module_id,
                     func.min(QuizAttempt.submitted_at).label("passed_at"))
              .where(QuizAttempt.passed.is_(True), QuizAttempt.submitted_at.is_not(None),
                     QuizAttempt.module_id.in_(required))
              .group_by(QuizAttempt.user_id, QuizAttempt.module_id).subquery())
    module_done = (select(passes.c.user_id, _later(reads.c.last_read, passes.c.passed_at).label("done_at"))
                   .outerjoin(reads, and_(reads.c.user_id == passes.c.user_id,
                                          reads.c.module_id == passes.c.module_id))
                   .outerjoin(lessons, lessons.c.module_id == passes.c.module_id)
                   .where(func.coalesce(reads.c.read, 0) >= func.coalesce(lessons.c.total, 0))
                   .subquery())
    person_done = (select(module_done.c.user_id, func.max(module_done.c.done_at).label("done_at"))
                   .group_by(module_done.c.user_id).having(func.count() == n_required).subquery())
    couple_done = (select(CoupleMember.couple_id, func.max(CoupleMember.joined_at).label("joined"),
                          func.max(person_done.c.done_at).label("done_at"))
                   .outerjoin(person_done, person_done.c.user_id == CoupleMember.user_id)
                   .where(CoupleMember.left_at.is_(None)).group_by(CoupleMember.couple_id)
                   .having(func.count() == 2, func.count(person_done.c.done_at) == 2).subquery())
    return select(couple_done.c.couple_id,
                  _later(couple_done.c.done_at, couple_done.c.joined).label("at"))


def _certified():
    return (select(Certificate.couple_id, func.min(Certificate.issued_at).label("at"))
            .group_by(Certificate.couple_id))


STAGE_QUERIES = {"registered": _registered, "started": _started, "completed": _completed,
                 "certified": _certified}


def _couples_by(key, period):
    """{stage: {key value: couples}} — one GROUP BY per stage; `key(at)` is the grouping."""
    counted = {}
    for stage, query in STAGE_QUERIES.items():
        reached = query().subquery()
        bucket = key(reached.c.at).label("bucket")
        statement = (select(bucket, func.count()).select_from(reached)
                     .join(Couple, Couple.id == reached.c.couple_id)
                     .where(_in_period(reached.c.at, period)).group_by(literal_column("bucket")))
        counted[stage] = dict(db.session.execute(statement).all())
    return counted


def _stage_rows(keys, counted):
    return [Row(code, label, {stage: counted[stage].get(code, 0) for stage, _label in STAGES})
            for code, label in keys]


def _stage_total(rows, label):
    return Row("total", label, {stage: sum(r.values[stage] for r in rows) for stage, _label in STAGES})


def couples_by_month(period):
    counted = _couples_by(lambda at: _month_index(at, period), period)
    keys = [(i, month_label(m)) for i, m in enumerate(period.months)]
    rows = _stage_rows(keys, counted)
    for row, month in zip(rows, period.months, strict=True):
        row.code = month.strftime("%Y-%m")
    return Table("months", _l("Pasangan per bulan"), STAGES, rows,
                 _stage_total(rows, _l("Jumlah dalam periode")))


def couples_by_institution(period):
    counted = _couples_by(lambda _at: Couple.institution_type, period)
    rows = _stage_rows(list(INSTITUTION_LABELS.items()), counted)
    return Table("institutions", _l("Pasangan menurut jenis lembaga pernikahan"), STAGES, rows,
                 _stage_total(rows, _l("Jumlah dalam periode")))


def couples_by_kecamatan(period):
    counted = _couples_by(lambda _at: func.coalesce(Couple.residence_kecamatan, NO_KECAMATAN[0]), period)
    rows = _stage_rows(list(residence_kecamatan_choices()) + [NO_KECAMATAN], counted)
    return Table("kecamatan", _l("Pasangan menurut kecamatan tempat tinggal"), STAGES, rows,
                 _stage_total(rows, _l("Jumlah dalam periode")),
                 _l("Kecamatan yang dipilih pasangan pada formulir pasangan (tidak wajib diisi)."))


# --- modules, letters, certificates ---------------------------------------------------------------

def median_of(histogram):
    """The median of values given as sorted (value, count) pairs; None when empty."""
    n = sum(count for _value, count in histogram)
    if not n:
        return None
    wanted, seen, lower = ((n - 1) // 2, n // 2), 0, None
    for value, count in histogram:
        if lower is None and seen + count > wanted[0]:
            lower = value
        if seen + count > wanted[1]:
            return (lower + value) / 2
        seen += count
    return None


def _mean_of(histogram):
    n = sum(count for _value, count in histogram)
    return sum(value * count for value, count in histogram) / n if n else None


def module_table(period):
    submitted = QuizAttempt.submitted_at
    attempts = dict((m, (n, int(p or 0))) for m, n, p in db.session.execute(
        select(QuizAttempt.module_id, func.count(), func.sum(case((QuizAttempt.passed.is_(True), 1), else_=0)))
        .where(submitted.is_not(None), _in_period(submitted, period)).group_by(QuizAttempt.module_id)))
    first_pass = (select(QuizAttempt.user_id, QuizAttempt.module_id,
                         func.min(submitted).label("passed_at"))
                  .where(QuizAttempt.passed.is_(True), submitted.is_not(None))
                  .group_by(QuizAttempt.user_id, QuizAttempt.module_id).subquery())
    tries = (select(first_pass.c.module_id, func.count(QuizAttempt.id).label("tries"))
             .join(QuizAttempt, and_(QuizAttempt.user_id == first_pass.c.user_id,
                                     QuizAttempt.module_id == first_pass.c.module_id,
                                     submitted <= first_pass.c.passed_at))
             .where(_in_period(first_pass.c.passed_at, period))
             .group_by(first_pass.c.user_id, first_pass.c.module_id).subquery())
    histograms = {}
    for module_id, n_tries, people in db.session.execute(
            select(tries.c.module_id, tries.c.tries, func.count())
            .group_by(tries.c.module_id, tries.c.tries).order_by(tries.c.module_id, tries.c.tries)):
        histograms.setdefault(module_id, []).append((n_tries, people))
    modules = db.session.scalars(select(Module).order_by(
        Module.required.desc(), Module.position, Module.code)).all()
    rows = []
    for module in modules:
        if not (module.is_active or module.id in attempts or module.id in histograms):
            continue
        n, passed = attempts.get(module.id, (0, 0))
        histogram = histograms.get(module.id, [])
        mean = _mean_of(histogram)
        rows.append(Row(module.code, module.title, {
            "kind": gettext("Wajib") if module.required else gettext("Pilihan"),
            "attempts": n, "passed": passed,
            "pass_rate": round(100 * passed / n, 1) if n else None,
            "participants": sum(c for _v, c in histogram),
            "mean_tries": round(mean, 1) if mean is not None else None,
            "median_tries": median_of(histogram)}))
    return Table("modules", _l("Kelulusan kuis per materi"), MODULE_COLUMNS, rows,
                 note=_l("Percobaan: kuis yang dikirim dalam periode. Percobaan sampai lulus: "
                         "untuk peserta yang pertama kali lulus dalam periode, termasuk percobaan "
                         "yang lulus."))


def _elapsed_hours(later, earlier):
    """Whole hours between two instants, in integers on both engines (no float rounding)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", later - earlier) / 3600), Integer)
    seconds = cast(func.strftime("%s", later), Integer) - cast(func.strftime("%s", earlier), Integer)
    return seconds // 3600


def letter_table(period):
    """Whole hours from upload to decision, per month of the decision: a histogram."""
    month = _month_index(Letter.decided_at, period).label("bucket")
    hours = _elapsed_hours(Letter.decided_at, Letter.uploaded_at).label("hours")
    histogram = db.session.execute(
        select(month, hours, func.count())
        .where(Letter.status.in_(("approved", "rejected")), Letter.decided_at.is_not(None),
               _in_period(Letter.decided_at, period))
        .group_by(literal_column("bucket"), literal_column("hours"))
        .order_by(literal_column("bucket"), literal_column("hours"))).all()
    by_month, overall = {}, {}
    for index, n_hours, count in histogram:
        by_month.setdefault(index, []).append((n_hours, count))
        overall[n_hours] = overall.get(n_hours, 0) + count

    def row(code, label, counts):
        median = median_of(counts)
        return Row(code, label, {"decisions": sum(c for _h, c in counts),
                                 "median_days": round(median / 24, 1) if median is not None else None})

    rows = [row(m.strftime("%Y-%m"), month_label(m), by_month.get(i, []))
            for i, m in enumerate(period.months)]
    return Table("letters", _l("SKCK: lama dari unggah sampai keputusan"), LETTER_COLUMNS, rows,
                 row("total", _l("Seluruh periode"), sorted(overall.items())),
                 _l("Keputusan disetujui atau ditolak, menurut bulan keputusan; median dalam hari, "
                    "dihitung dari jam penuh."))


def certificate_table(period, now=None):
    """Certificates issued in the period, by their state now (`rules.status_of`: a revocation
    outranks everything, a recorded marriage outranks expiry)."""
    now = now or clock.utcnow()
    state = case((Certificate.revoked_at.is_not(None), "revoked"),
                 (Certificate.used_at.is_not(None), "used"),
                 (Certificate.expires_at <= _at(now), "expired"), else_="valid").label("bucket")
    counted = dict(db.session.execute(
        select(state, func.count()).where(_in_period(Certificate.issued_at, period))
        .group_by(literal_column("bucket"))).all())
    rows = [Row(code, label, {"certificates": counted.get(code, 0)}) for code, label in CERTIFICATE_STATES]
    return Table("certificates", _l("Sertifikat yang terbit dalam periode, menurut keadaannya sekarang"),
                 [("certificates", _l("Sertifikat"))], rows,
                 Row("total", _l("Terbit dalam periode"), {"certificates": sum(counted.values())}))


# --- publication -----------------------------------------------------------------------------------

def _suppressed(value):
    return isinstance(value, str) and value.startswith(("<", "*"))


def _publish_column(rows, column, limit):
    """The case-log's rule on a column whose rows add up to its total: primary suppression and
    the complementary one (`caselog.reports._publish` on a single-valued dimension, "month")."""
    cells = [caselog_reports.Row(str(i), "", row.values[column], None) for i, row in enumerate(rows)]
    published = caselog_reports._publish(cells, "month", limit)
    for row, cell in zip(rows, published, strict=True):
        row.values[column] = cell.cases


def _publish(table, limit):
    stages = [stage for stage, _label in STAGES]
    counts = {"months": stages, "institutions": stages, "kecamatan": stages,
              "letters": ["decisions"], "certificates": ["certificates"]}.get(table.code, [])
    for column in counts:
        _publish_column(table.rows, column, limit)
        if table.total:
            table.total.values[column] = caselog_reports.suppress(table.total.values[column], limit)
    if table.code == "letters":
        for row in table.rows + [table.total]:
            if not isinstance(row.values["decisions"], int) or row.values["decisions"] < limit:
                row.values["median_days"] = None
    if table.code == "modules":
        for row in table.rows:
            values, people = row.values, row.values["participants"]
            # Passed and failed attempts add up to the attempts shown: the case-log's rule on the pair.
            pair = [Row("passed", "", {"n": values["passed"]}),
                    Row("failed", "", {"n": values["attempts"] - values["passed"]})]
            _publish_column(pair, "n", limit)
            if any(_suppressed(p.values["n"]) for p in pair) or values["attempts"] < limit:
                values["pass_rate"] = None
            values["passed"] = pair[0].values["n"]
            values["attempts"] = caselog_reports.suppress(values["attempts"], limit)
            if people < limit:
                values["mean_tries"] = values["median_tries"] = None
            values["participants"] = caselog_reports.suppress(people, limit)


def programme_statistics(period=None, publication=False, now=None):
    """Every table of the statistics page, exact or as published."""
    period = period or default_period()
    tables = [couples_by_month(period), couples_by_institution(period), couples_by_kecamatan(period),
              module_table(period), letter_table(period), certificate_table(period, now)]
    limit = caselog_reports.small_cell()
    if publication:
        for table in tables:
            _publish(table, limit)
    return Statistics(period, publication, limit, tables)


# --- CSV and XLSX ------------------------------------------------------------------------------------

def _text(value):
    return "" if value is None else (str(value) if not isinstance(value, (int, float)) else value)


def _table_lines(table):
    """Header and rows of one table, labels in the reader's language, text cells neutralised."""
    header = [gettext("Kode"), str(table.title)] + [str(label) for _code, label in table.columns]
    lines = [[neutralise(v) for v in header]]
    for row in table.rows + ([table.total] if table.total else []):
        cells = [row.code, str(row.label)] + [_text(row.values[code]) for code, _label in table.columns]
        lines.append([neutralise(v) for v in cells])
    return lines


def _preamble(stats):
    lines = [[gettext("Statistik program pranikah — Dinas P3A Kota Kupang")],
             [gettext("Periode"), month_label(stats.period.first), month_label(stats.period.last)]]
    if stats.publication:
        lines.append([gettext("Mode publikasi: angka di bawah %(n)d ditulis '<%(n)d'; '*' "
                              "disembunyikan agar angka kecil tidak dapat dihitung dari total.",
                              n=stats.small_cell)])
    return lines


def statistics_csv(stats):
    """Every table one after the other, a blank line between; UTF-8 with a BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([[neutralise(v) for v in line] for line in _preamble(stats)])
    for table in stats.tables:
        writer.writerow([])
        writer.writerows(_table_lines(table))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


SHEET_TITLES = {"months": _l("Per bulan"), "institutions": _l("Jenis lembaga"),
                "kecamatan": _l("Kecamatan"), "modules": _l("Materi"), "letters": _l("SKCK"),
                "certificates": _l("Sertifikat")}


def statistics_xlsx(stats):
    """One sheet per table, each with the period (and the publication note) on top."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in stats.tables:
        sheet = workbook.create_sheet(str(SHEET_TITLES[table.code])[:31])
        for line in _preamble(stats):
            sheet.append([neutralise(v) for v in line])
        sheet.append([])
        lines = _table_lines(table)
        sheet.append(lines[0])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for line in lines[1:]:
            sheet.append(line)
        sheet.column_dimensions["B"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

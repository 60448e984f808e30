"""Case-log reports: counts grouped in SQL by one dimension over a date range (product §7).

Every dimension is one GROUP BY query (no loop over cases in Python), so a report over 200,000
cases stays well under the 300 ms target (bench/caselog_reports.py). Which cases count is one
rule in one place, `scope.py`: reported in the date range (tanggal lapor), and each incident
once — a case merged into another is left out. Cases and victims are counted separately: a case
with two victims counts once among cases and twice among victims.

Publication mode (`publication=True`): counts from 1 to CASELOG_SMALL_CELL − 1 become "<5", a
single hidden cell in a one-value-per-case dimension hides the next smallest too (so totals do
not give it away), and nothing finer than kecamatan is ever reported.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import case, func, literal_column, select, text

from ....extensions import db
from ....models.caselog import (
    Case,
    CaseCategory,
    Kecamatan,
    Lookup,
    ServiceEntry,
    Victim,
    VictimPerpetrator,
)
from ..reference import CHILD_AGE_LIMIT, SEX_LABELS, VICTIM_AGE_GROUPS, VICTIM_MASK_BITS, _
from .scope import counted, listed  # noqa: F401 - the one rule of which cases count

#: dimension → its title. The order is the order on the report page.
DIMENSIONS = {
    "cause": _("Faktor penyebab"),
    "impact": _("Dampak"),
    "type": _("Jenis kekerasan"),
    "victim_sex": _("Jenis kelamin korban"),
    "age_group": _("Kelompok umur korban"),
    "child_adult": _("Korban anak dan dewasa"),
    "place": _("Tempat kejadian"),
    "relationship": _("Hubungan pelaku dengan korban"),
    "kecamatan": _("Kecamatan"),
    "month": _("Bulan lapor"),
    "service": _("Layanan"),
}
#: Dimensions where one case (or victim) falls in exactly one row, so rows add up to the total.
SINGLE_VALUED = {"victim_sex", "age_group", "child_adult", "place", "kecamatan", "month"}
MULTI_NOTES = {
    "cause": _("Satu kasus dapat memiliki beberapa penyebab; jumlah baris dapat melebihi total."),
    "impact": _("Satu kasus dapat memiliki beberapa dampak; jumlah baris dapat melebihi total."),
    "type": _("Satu kasus dapat memiliki beberapa jenis kekerasan; jumlah baris dapat melebihi total."),
    "relationship": _("Dihitung per pasangan korban–pelaku; satu korban dapat muncul di beberapa baris."),
    "service": _("Korban yang menerima layanan ini (dari kasus dalam rentang tanggal)."),
}
UNKNOWN = ("tidak_diketahui", _("Tidak diketahui"))
NOT_RECORDED = ("tidak_dicatat", _("Tidak dicatat"))
OUTSIDE = ("luar_kota", _("Di luar Kota Kupang"))
DELAY_BUCKETS = [("0", _("Hari yang sama"), 0, 0), ("1-7", _("1–7 hari"), 1, 7),
                 ("8-30", _("8–30 hari"), 8, 30), ("31-90", _("31–90 hari"), 31, 90),
                 ("91-365", _("91–365 hari"), 91, 365), ("366+", _("Lebih dari 1 tahun"), 366, None)]
CATEGORY_DIMENSIONS = {"cause": "cause", "impact": "impact", "type": "violence_type"}
PERIODS = {
    "last_quarter": _("Kuartal lalu"), "this_quarter": _("Kuartal ini"), "this_year": _("Tahun ini"),
    "last_year": _("Tahun lalu"), "last_12_months": _("12 bulan terakhir"),
}


def period_range(period, today):
    """(first day, last day) of a named period; calendar quarters (Jan–Mar, Apr–Jun, ...)."""
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    if period == "this_quarter":
        return quarter_start, today
    if period == "last_quarter":
        end = quarter_start - timedelta(days=1)
        return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end
    if period == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if period == "last_12_months":
        return today - timedelta(days=364), today
    return date(today.year, 1, 1), today


@dataclass
class Row:
    code: str
    label: str
    cases: object  # int, or "<5" in publication mode
    victims: object
    services: object = None


@dataclass
class Report:
    dimension: str
    title: str
    date_from: date | None
    date_to: date | None
    publication: bool
    total_cases: object
    total_victims: object
    rows: list = field(default_factory=list)
    note: str | None = None


def _month_expr(column=None):
    column = Case.report_date if column is None else column
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _tune():
    """PostgreSQL's default work_mem (4 MB) spills a 200,000-row DISTINCT to disk; and its
    default random_page_cost (4, for spinning disks) makes it scan a whole table rather than
    look up the few merged cases' rows by index (scope.py)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))
        db.session.execute(text("SET LOCAL random_page_cost = 1.1"))


def _lookup_labels(ids):
    if not ids:
        return {}
    return {x.id: x for x in db.session.scalars(select(Lookup).where(Lookup.id.in_(ids)))}


def _lookup_rows(counts):
    """Rows for {lookup id: counts}, in the list's own order; NULL → "unknown" (last)."""
    lookups = _lookup_labels([i for i in counts if i is not None])
    rows = [(lookups[i].position, Row(lookups[i].code, lookups[i].label, *n)) if i is not None
            else (10**6, Row(*UNKNOWN, *n)) for i, n in counts.items()]
    return [r for _p, r in sorted(rows, key=lambda x: x[0])]


def _execute(query):
    return db.session.execute(query).all()


# --- counts: {key: (cases, victims[, entries])} over one Scope; they add up case by case -------

def _totals(scope):
    n, v = db.session.execute(scope.where(
        select(func.count(), func.coalesce(func.sum(Case.victim_count), 0)).select_from(Case))).one()
    return {(): (n, int(v))} if n else {}


def totals(date_from=None, date_to=None):
    return counted(_totals, date_from, date_to).get((), (0, 0))


def _category_counts(kind, scope):
    """Cases (and their victims) per category; a case with no cause or impact is "not
    recorded" (key NOT_RECORDED[0])."""
    counts = {i: (n, int(v)) for i, n, v in _execute(scope.where(
        select(CaseCategory.lookup_id, func.count(), func.coalesce(func.sum(CaseCategory.victim_count), 0))
        .where(scope.of_kind(CaseCategory, kind)).group_by(CaseCategory.lookup_id), CaseCategory))}
    flag = {"cause": Case.cause_recorded, "impact": Case.impact_recorded}.get(kind)
    if flag is not None:
        n, v = db.session.execute(scope.where(select(func.count(), func.coalesce(func.sum(Case.victim_count), 0))
                                              .select_from(Case).where(flag.is_(False)))).one()
        if n:
            counts[NOT_RECORDED[0]] = (n, int(v))
    return counts


def _category_rows(counts):
    missing = counts.pop(NOT_RECORDED[0], None)
    return _lookup_rows(counts) + ([Row(*NOT_RECORDED, *missing)] if missing else [])


def _case_lookup_counts(column, scope):
    return {i: (n, int(v)) for i, n, v in _execute(scope.where(
        select(column, func.count(), func.coalesce(func.sum(Case.victim_count), 0)).group_by(column)))}


def _kecamatan_counts(scope):
    return {(k, bool(o)): (n, int(v)) for k, o, n, v in _execute(scope.where(
        select(Case.kecamatan_id, Case.outside_city, func.count(), func.coalesce(func.sum(Case.victim_count), 0))
        .group_by(Case.kecamatan_id, Case.outside_city)))}


def _kecamatan_rows(counts):
    kecamatan = {k.id: k for k in db.session.scalars(select(Kecamatan))}
    rows, tail = [], []
    for (kecamatan_id, outside), n in counts.items():
        if kecamatan_id is not None:
            rows.append(Row(kecamatan[kecamatan_id].code, kecamatan[kecamatan_id].name, *n))
        else:
            tail.append(Row(*(OUTSIDE if outside else UNKNOWN), *n))
    return sorted(rows, key=lambda r: r.label) + sorted(tail, key=lambda r: r.code)


def _month_counts(scope):
    """Cases per report month, grouped by report day first: the days come in index order, so
    only a few hundred day rows are grouped into months (not every case sorted by month)."""
    days = scope.where(select(Case.report_date.label("day"), func.count().label("n"),
                              func.coalesce(func.sum(Case.victim_count), 0).label("v"))
                       .group_by(Case.report_date)).subquery()
    month = _month_expr(days.c.day).label("month")
    return {m: (int(n), int(v)) for m, n, v in _execute(
        select(month, func.sum(days.c.n), func.sum(days.c.v)).group_by(literal_column("month")))}


def _month_rows(counts):
    return [Row(m, m, *counts[m]) for m in sorted(counts)]


def _victim_counts(dimension, scope):
    """Victims per key, and the cases they belong to: a case with two girls is one case and
    two victims among "Perempuan". Sex and age group are read in the order of their own index;
    child/adult, a value computed from the age, is counted with one FILTER per value (grouping
    by it would sort every victim)."""
    if dimension == "child_adult":
        age = Victim.age_at_incident
        conditions = {"anak": age < CHILD_AGE_LIMIT, "dewasa": age >= CHILD_AGE_LIMIT, UNKNOWN[0]: age.is_(None)}
        columns = [aggregate.filter(condition) for condition in conditions.values()
                   for aggregate in (func.count(func.distinct(Victim.case_id)), func.count())]
        found = db.session.execute(scope.where(select(*columns), Victim)).one()
        return {key: (found[2 * i], found[2 * i + 1]) for i, key in enumerate(conditions) if found[2 * i + 1]}
    key = VICTIM_KEYS[dimension](Victim).label("key")
    return {k if k is not None else UNKNOWN[0]: (n, v) for k, n, v in _execute(scope.where(
        select(key, func.count(func.distinct(Victim.case_id)), func.count()).group_by(literal_column("key")),
        Victim))}


def _victim_case_counts(dimension, scope):
    """Cases per victim value alone (a cross-tabulation's margins): the cases whose victims'
    bits (`Case.victim_mask`) hold the value — one pass over a case index, no victim read."""
    values = list(VICTIM_MASK_BITS[dimension].items())
    found = db.session.execute(scope.where(select(*[
        func.count().filter(Case.victim_mask.op("&")(1 << bit) != 0) for _value, bit in values]))).one()
    return {value if value is not None else UNKNOWN[0]: (n,) for (value, _bit), n in zip(values, found, strict=True)
            if n}


def _victim_labels(dimension):
    if dimension == "victim_sex":
        return {"P": SEX_LABELS["P"], "L": SEX_LABELS["L"], UNKNOWN[0]: UNKNOWN[1]}
    if dimension == "age_group":
        return {code: label for code, label, *_r in VICTIM_AGE_GROUPS} | {UNKNOWN[0]: UNKNOWN[1]}
    return {"anak": _("Anak (di bawah 18 tahun)"), "dewasa": _("Dewasa (18 tahun ke atas)"),
            UNKNOWN[0]: UNKNOWN[1]}


def child_adult(age):
    """'anak' under 18 (UU 35/2014), 'dewasa' from 18, NULL when the age is unknown."""
    return case((age < CHILD_AGE_LIMIT, literal_column("'anak'")), (age >= CHILD_AGE_LIMIT, literal_column("'dewasa'")))


def _pair_counts(model, key, scope, with_entries=False, cases_only=False):
    """Cases, victims (and entries) per relationship / service: one pass over the index that
    starts with the key, so the groups come in order. `cases_only`: the cases alone (the margins
    of a cross-tabulation), without the victims' and entries' counts."""
    columns = [key, func.count(func.distinct(model.case_id))]
    if not cases_only:
        columns.append(func.count(func.distinct(model.victim_id)))
    if with_entries and not cases_only:
        columns.append(func.count())
    return {k: tuple(int(x) for x in rest) for k, *rest in _execute(scope.where(
        select(*columns).group_by(key), model))}


PAIR_TABLES = {"relationship": (VictimPerpetrator, VictimPerpetrator.relationship_id),
               "service": (ServiceEntry, ServiceEntry.service_id)}
VICTIM_KEYS = {"victim_sex": lambda victim: victim.sex, "age_group": lambda victim: victim.age_group,
               "child_adult": lambda victim: child_adult(victim.age_at_incident)}


def counts(dimension, scope, cases_only=False):
    """One dimension's counts over one scope: {key: (cases, victims[, entries])}; with
    `cases_only`, where it saves work, {key: (cases,)}."""
    if dimension in CATEGORY_DIMENSIONS:
        return _category_counts(CATEGORY_DIMENSIONS[dimension], scope)
    if dimension == "place":
        return _case_lookup_counts(Case.place_id, scope)
    if dimension == "kecamatan":
        return _kecamatan_counts(scope)
    if dimension == "month":
        return _month_counts(scope)
    if dimension in VICTIM_KEYS:
        return _victim_case_counts(dimension, scope) if cases_only else _victim_counts(dimension, scope)
    if dimension in PAIR_TABLES:
        return _pair_counts(*PAIR_TABLES[dimension], scope, with_entries=dimension == "service",
                            cases_only=cases_only)
    raise KeyError(dimension)


def rows_of(dimension, counted_):
    """The report rows of a dimension's counts, in the report's order, with labels."""
    if dimension in CATEGORY_DIMENSIONS:
        return _category_rows(dict(counted_))
    if dimension in ("place", "relationship", "service"):
        return _lookup_rows(counted_)
    if dimension == "kecamatan":
        return _kecamatan_rows(counted_)
    if dimension == "month":
        return _month_rows(counted_)
    return [Row(code, label, *counted_[code]) for code, label in _victim_labels(dimension).items()
            if code in counted_]


def raw_rows(dimension, date_from=None, date_to=None, cases_only=False):
    """Exact counts for one dimension: [Row]. `cases_only` (a cross-tabulation's margins): the
    victims and entries may be left out (None)."""
    _tune()
    if dimension not in DIMENSIONS:
        raise KeyError(dimension)
    found = counted(lambda scope: counts(dimension, scope, cases_only), date_from, date_to)
    return rows_of(dimension, {key: n + (None,) * (2 - len(n)) for key, n in found.items()})


def small_cell():
    return current_app.config.get("CASELOG_SMALL_CELL", 5)


def suppress(value, limit):
    """A count as published: 1 to limit−1 becomes "<limit"."""
    if isinstance(value, int) and 0 < value < limit:
        return f"<{limit}"
    return value


def _publish(rows, dimension, limit):
    hidden = {"cases": set(), "victims": set(), "services": set()}
    for attr in hidden:
        for i, row in enumerate(rows):
            value = getattr(row, attr)
            if isinstance(value, int) and 0 < value < limit:
                hidden[attr].add(i)
        # One hidden cell could be worked out from the total: hide the next smallest as well.
        if dimension in SINGLE_VALUED and len(hidden[attr]) == 1:
            others = [(getattr(r, attr), i) for i, r in enumerate(rows)
                      if i not in hidden[attr] and isinstance(getattr(r, attr), int) and getattr(r, attr) > 0]
            if others:
                hidden[attr].add(min(others)[1])
    published = []
    for i, row in enumerate(rows):
        values = {attr: (f"<{limit}" if i in hidden[attr] and getattr(row, attr) < limit
                         else ("*" if i in hidden[attr] else getattr(row, attr)))
                  for attr in hidden}
        published.append(Row(row.code, row.label, values["cases"], values["victims"], values["services"]))
    return published


def build_report(dimension, date_from=None, date_to=None, publication=False):
    """One dimension's report, exact or as published."""
    if dimension not in DIMENSIONS:
        raise KeyError(dimension)
    rows = raw_rows(dimension, date_from, date_to)
    total_cases, total_victims = totals(date_from, date_to)
    if publication:
        limit = small_cell()
        rows = _publish(rows, dimension, limit)
        total_cases, total_victims = suppress(total_cases, limit), suppress(total_victims, limit)
    return Report(dimension, DIMENSIONS[dimension], date_from, date_to, publication,
                  total_cases, total_victims, rows, MULTI_NOTES.get(dimension))


def reporting_delay(date_from=None, date_to=None, publication=False):
    """Days from incident to report: count, mean, median and buckets — all from one histogram
    of delays (one row per distinct number of days, never one per case)."""
    _tune()
    delays = counted(lambda scope: {days: (n,) for days, n in _execute(scope.where(
        select(Case.delay_days, func.count()).group_by(Case.delay_days)))}, date_from, date_to)
    histogram = sorted((days, n) for days, (n,) in delays.items())
    n = sum(count for _days, count in histogram)
    mean = sum(days * count for days, count in histogram) / n if n else None
    median = None
    if n:
        middle, seen, lower = ((n - 1) // 2, n // 2), 0, None
        for days, count in histogram:
            if lower is None and seen + count > middle[0]:
                lower = days
            if seen + count > middle[1]:
                median = (lower + days) / 2
                break
            seen += count
    bucketed = {}
    for code, _label, low, high in DELAY_BUCKETS:
        total = sum(c for d, c in histogram if d >= low and (high is None or d <= high))
        if total:
            bucketed[code] = total
    rows = [Row(code, label, bucketed[code], None) for code, label, *_r in DELAY_BUCKETS if code in bucketed]
    if publication:
        limit = small_cell()
        rows = [Row(r.code, r.label, suppress(r.cases, limit), None) for r in rows]
        if 0 < n < limit:  # a mean of two cases gives their dates away
            mean = median = None
        n = suppress(n, limit)
    return {"cases": n, "mean_days": round(mean, 1) if mean is not None else None,
            "median_days": median, "rows": rows}

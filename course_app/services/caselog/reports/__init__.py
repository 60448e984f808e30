"""Case-log reports: counts grouped in SQL by one dimension over a date range (product §7).

Every dimension is one GROUP BY query (no loop over cases in Python), so a report over 200,000
cases stays well under the 300 ms target (bench/caselog_reports.py). Which cases count is one
rule in one place, `counted_cases`: reported in the date range (tanggal lapor), and each incident
once — a case merged into another is left out. Cases and victims are counted separately: a case
with two victims counts once among cases and twice among victims.

Publication mode (`publication=True`): counts from 1 to CASELOG_SMALL_CELL − 1 become "<5", a
single hidden cell in a one-value-per-case dimension hides the next smallest too (so totals do
not give it away), and nothing finer than kecamatan is ever reported.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import case, func, inspect, literal_column, select, text
from sqlalchemy.orm import aliased

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
from ..reference import CHILD_AGE_LIMIT, SEX_LABELS, VICTIM_AGE_GROUPS, _

#: dimension → (title, how a row is counted). The order is the order on the report page.
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


def counted_cases(query, date_from=None, date_to=None, table=Case):
    """`query` kept to the cases every report counts — the one rule, applied here to every query
    of the grouped reports, the cross-tabulations, the month trend, the reporting delay, the
    annual summary and the SIMFONI export:

    - reported from `date_from` to `date_to`, both included (the report date, copied onto every
      table a report reads: `table`'s own column);
    - each incident once: a case merged into another (`merged_into_id` set, management/merge.py)
      records the same incident as the case it was merged into, which counts it; the duplicate,
      with its victims, pairs, categories and services, does not.

    `table` is the model (or an alias of it) the query reads: the cases, or a table with a
    `case_id`. The cases' report indexes hold `merged_into_id`, so the test costs no table
    read; other tables look their case up in the (few) merged ones."""
    if date_from:
        query = query.where(table.report_date >= date_from)
    if date_to:
        query = query.where(table.report_date <= date_to)
    if inspect(table).mapper.class_ is Case:
        return query.where(table.merged_into_id.is_(None))
    merged = aliased(Case)
    return query.where(table.case_id.not_in(select(merged.id).where(merged.merged_into_id.is_not(None))))


def _month_expr():
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(Case.report_date, "YYYY-MM")
    return func.strftime("%Y-%m", Case.report_date)


def _tune():
    """PostgreSQL's default work_mem (4 MB) spills a 200,000-row DISTINCT to disk."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))


def _lookup_labels(ids):
    if not ids:
        return {}
    return {x.id: x for x in db.session.scalars(select(Lookup).where(Lookup.id.in_(ids)))}


def _lookup_rows(counted, unknown_last=True):
    """Rows for (lookup id, *counts) results, in the list's own order; NULL → "unknown"."""
    lookups = _lookup_labels([r[0] for r in counted if r[0] is not None])
    rows = [(lookups[i].position, Row(lookups[i].code, lookups[i].label, *counts)) if i is not None
            else (10**6, Row(*UNKNOWN, *counts)) for i, *counts in counted]
    return [r for _p, r in sorted(rows, key=lambda x: x[0])]


def totals(date_from=None, date_to=None):
    cases_n, victims_n = db.session.execute(counted_cases(
        select(func.count(), func.coalesce(func.sum(Case.victim_count), 0)).select_from(Case),
        date_from, date_to)).one()
    return int(cases_n), int(victims_n)


def _category_rows(kind, date_from, date_to):
    query = counted_cases(select(CaseCategory.lookup_id, func.count(),
                           func.coalesce(func.sum(CaseCategory.victim_count), 0))
                    .where(CaseCategory.kind == kind).group_by(CaseCategory.lookup_id),
                    date_from, date_to, CaseCategory)
    rows = _lookup_rows([(i, n, int(v)) for i, n, v in db.session.execute(query)])
    flag = {"cause": Case.cause_recorded, "impact": Case.impact_recorded}.get(kind)
    if flag is not None:
        missing = counted_cases(select(func.count(), func.coalesce(func.sum(Case.victim_count), 0))
                          .select_from(Case).where(flag.is_(False)), date_from, date_to)
        n, v = db.session.execute(missing).one()
        if n:
            rows.append(Row(*NOT_RECORDED, n, int(v)))
    return rows


def _case_lookup_rows(column, date_from, date_to):
    query = counted_cases(select(column, func.count(), func.coalesce(func.sum(Case.victim_count), 0))
                    .group_by(column), date_from, date_to)
    return _lookup_rows([(i, n, int(v)) for i, n, v in db.session.execute(query)])


def _kecamatan_rows(date_from, date_to):
    query = counted_cases(select(Case.kecamatan_id, Case.outside_city, func.count(),
                           func.coalesce(func.sum(Case.victim_count), 0))
                    .group_by(Case.kecamatan_id, Case.outside_city), date_from, date_to)
    kecamatan = {k.id: k for k in db.session.scalars(select(Kecamatan))}
    rows, tail = [], []
    for kecamatan_id, outside, n, v in db.session.execute(query):
        if kecamatan_id is not None:
            rows.append(Row(kecamatan[kecamatan_id].code, kecamatan[kecamatan_id].name, n, int(v)))
        else:
            tail.append(Row(*(OUTSIDE if outside else UNKNOWN), n, int(v)))
    return sorted(rows, key=lambda r: r.label) + sorted(tail, key=lambda r: r.code)


def _month_rows(date_from, date_to):
    month = _month_expr().label("month")
    query = counted_cases(select(month, func.count(), func.coalesce(func.sum(Case.victim_count), 0))
                    .group_by(literal_column("month")).order_by(literal_column("month")),
                    date_from, date_to)
    return [Row(m, m, n, int(v)) for m, n, v in db.session.execute(query)]


def _victim_rows(expression, labels, date_from, date_to):
    """Victims per key, and the cases they belong to: a case with two girls is one case and
    two victims among "Perempuan"."""
    key = expression.label("key")
    query = counted_cases(select(key, func.count(func.distinct(Victim.case_id)), func.count())
                    .group_by(literal_column("key")), date_from, date_to, Victim)
    found = {k if k is not None else UNKNOWN[0]: (n, v) for k, n, v in db.session.execute(query)}
    return [Row(code, label, *found[code]) for code, label in labels.items() if code in found]


def _pair_rows(model, key, date_from, date_to, with_entries=False):
    """Cases and victims (and entries) per relationship / service, counted per case first."""
    columns = [key.label("key"), model.case_id, func.count(func.distinct(model.victim_id)).label("v")]
    if with_entries:
        columns.append(func.count().label("e"))
    per_case = counted_cases(select(*columns).group_by(key, model.case_id), date_from, date_to, model).subquery()
    totals_ = [func.count(), func.sum(per_case.c.v)] + ([func.sum(per_case.c.e)] if with_entries else [])
    counted = db.session.execute(select(per_case.c.key, *totals_).group_by(per_case.c.key)).all()
    return _lookup_rows([(k, *(int(x) for x in rest)) for k, *rest in counted])


def raw_rows(dimension, date_from=None, date_to=None):
    """Exact counts for one dimension: [Row]."""
    _tune()
    if dimension in CATEGORY_DIMENSIONS:
        return _category_rows(CATEGORY_DIMENSIONS[dimension], date_from, date_to)
    if dimension == "place":
        return _case_lookup_rows(Case.place_id, date_from, date_to)
    if dimension == "kecamatan":
        return _kecamatan_rows(date_from, date_to)
    if dimension == "month":
        return _month_rows(date_from, date_to)
    if dimension == "victim_sex":
        labels = {"P": SEX_LABELS["P"], "L": SEX_LABELS["L"], UNKNOWN[0]: UNKNOWN[1]}
        return _victim_rows(Victim.sex, labels, date_from, date_to)
    if dimension == "age_group":
        labels = {code: label for code, label, *_r in VICTIM_AGE_GROUPS} | {UNKNOWN[0]: UNKNOWN[1]}
        return _victim_rows(Victim.age_group, labels, date_from, date_to)
    if dimension == "child_adult":
        age = Victim.age_at_incident
        expression = case((age < CHILD_AGE_LIMIT, literal_column("'anak'")),
                          (age >= CHILD_AGE_LIMIT, literal_column("'dewasa'")))
        labels = {"anak": _("Anak (di bawah 18 tahun)"), "dewasa": _("Dewasa (18 tahun ke atas)"),
                  UNKNOWN[0]: UNKNOWN[1]}
        return _victim_rows(expression, labels, date_from, date_to)
    if dimension == "relationship":
        return _pair_rows(VictimPerpetrator, VictimPerpetrator.relationship_id, date_from, date_to)
    if dimension == "service":
        return _pair_rows(ServiceEntry, ServiceEntry.service_id, date_from, date_to, with_entries=True)
    raise KeyError(dimension)


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
    histogram = db.session.execute(counted_cases(
        select(Case.delay_days, func.count()).group_by(Case.delay_days).order_by(Case.delay_days),
        date_from, date_to)).all()
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
    counted = {}
    for code, _label, low, high in DELAY_BUCKETS:
        total = sum(c for d, c in histogram if d >= low and (high is None or d <= high))
        if total:
            counted[code] = total
    rows = [Row(code, label, counted[code], None) for code, label, *_r in DELAY_BUCKETS if code in counted]
    if publication:
        limit = small_cell()
        rows = [Row(r.code, r.label, suppress(r.cases, limit), None) for r in rows]
        if 0 < n < limit:  # a mean of two cases gives their dates away
            mean = median = None
        n = suppress(n, limit)
    return {"cases": n, "mean_days": round(mean, 1) if mean is not None else None,
            "median_days": median, "rows": rows}

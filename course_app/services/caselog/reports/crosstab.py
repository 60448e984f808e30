"""Two-way reports: any two report dimensions cross-tabulated in SQL (issue 13 point 4,
product §7).

What a cell counts: **cases**. A case counts once in every cell whose pair of values it has, so
with a multi-valued dimension (cause, impact, type, relationship, service) or with a victim
dimension and several victims, one case can sit in several cells of a row or column. Row and
column totals are the one-way reports' case counts: **distinct cases** with that value, not
sums of the cells; the grand total is the number of cases in the range. A case without a
cause or impact is in the "not recorded" row; relationship and service count the victims that
have one (a case without any service is in no service column, but in the grand total).

Victim dimensions (sex, age group, child/adult), relationship and service are paired through
the same victim, so "sex × service" pairs each victim's sex with that victim's services.

The cases counted are the one-way reports' (`scope.py`: the date range applies to the report
date; a merged duplicate is left out). Publication mode goes no finer than kecamatan:
kelurahan is not a dimension.

How the cells are read (bench/caselog_reports.py: < 500 ms over 200,000 cases, every pair):

- Two dimensions that are not paired through one victim — 45 of the 55 pairs — are one GROUP BY
  over one index of the cases (`_case_cells`). A case holds the bits of its causes, impacts,
  types, relationships and services (`cause_mask`, ...) and of its victims' sexes, age groups
  and child/adult (`victim_mask`), beside its place, kecamatan and report date; the case writer
  keeps them. The few thousand groups are spread over their values in Python, and give the
  margins and the total as well.
- A victim dimension by relationship or service: one pass over the pairs' or service entries'
  report index, in the order of its value, each holding its own victim's bits (`victim_mask`).
- Relationship by service: one pass over the pairs' report index, each pair holding the bits of
  the services its victim received (`service_mask`).
- Two victim dimensions: the victims, grouped by both.
"""
from dataclasses import dataclass, field

from sqlalchemy import DateTime, case, cast, func, literal_column, select
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from ....extensions import db
from ....models.caselog import Case, Kecamatan, Lookup, Victim
from ..reference import NO_VALUE_BIT, VICTIM_MASK_BITS, _
from . import (
    CATEGORY_DIMENSIONS,
    DIMENSIONS,
    NOT_RECORDED,
    OUTSIDE,
    PAIR_TABLES,
    UNKNOWN,
    VICTIM_KEYS,
    _lookup_labels,
    _tune,
    _victim_labels,
    counted,
    raw_rows,
    rows_of,
    small_cell,
    totals,
)
from .publication import publish_table

LOOKUP_DIMENSIONS = {"cause", "impact", "type", "place", "relationship", "service"}
OUTSIDE_KEY = -1
COUNTING = _("Setiap sel menghitung kasus. Satu kasus dihitung sekali di setiap sel yang pasangan "
             "nilainya ia miliki, jadi dengan dimensi bernilai ganda (penyebab, dampak, jenis, "
             "hubungan, layanan) atau beberapa korban, satu kasus dapat muncul di beberapa sel. "
             "Total baris dan kolom adalah jumlah kasus yang berbeda dengan nilai itu (seperti "
             "laporan satu dimensi), bukan jumlah sel.")


class InvalidDimension(ValueError):
    """A dimension name that is not a report dimension, or the same dimension twice."""


@dataclass
class CrossTab:
    dimension: str
    by: str
    title: str
    by_title: str
    date_from: object
    date_to: object
    publication: bool
    rows: list = field(default_factory=list)  # [(code, label)]
    columns: list = field(default_factory=list)  # [(code, label)]
    cells: list = field(default_factory=list)  # rows × columns: int, or "<5" / "*" when published
    row_totals: list = field(default_factory=list)
    column_totals: list = field(default_factory=list)
    total: object = 0
    note: str = COUNTING


def check_dimensions(dimension, by):
    """Both must be report dimensions, and different: a clear message otherwise."""
    for name in (dimension, by):
        if name not in DIMENSIONS:
            raise InvalidDimension(
                _("Dimensi tidak dikenal: %(name)s. Pilihan: %(choices)s."),
                {"name": name, "choices": ", ".join(DIMENSIONS)})
    if dimension == by:
        raise InvalidDimension(_("Pilih dua dimensi yang berbeda untuk tabulasi silang."), {})


def _reads_cases(dimension, by):
    """Whether the two dimensions are read from the cases' own columns (`_case_cells`): any two
    that are not paired through one victim — that is, not two victim dimensions, nor
    relationship and service, nor a victim dimension and one of those two."""
    pair = {dimension, by}
    return not (pair <= set(VICTIM_KEYS) or pair <= set(PAIR_TABLES)
                or (pair & set(PAIR_TABLES) and pair & set(VICTIM_KEYS)))


def _cells(dimension, by, scope):
    """{(row key, column key): (cases,)}: every case once in each cell whose pair of values it
    has (see the module's docstring for how each kind of pair is read)."""
    if _reads_cases(dimension, by):
        found = _case_cells(dimension, by, scope)
    elif {dimension, by} <= set(VICTIM_KEYS):
        found = _victim_cells(dimension, by, scope)
    else:  # the pairs or entries read in the order of their value: relationship, else service
        first = next(d for d in ("relationship", "service") if d in (dimension, by))
        second = by if first == dimension else dimension
        found = (_relationship_service_cells(scope) if second == "service"
                 else _pair_victim_cells(first, second, scope))
        if first != dimension:
            found = {(r, c): n for (c, r), n in found.items()}
    return {key: (n,) for key, n in found.items()}


#: Dimensions whose values a case holds as bits (reference.VALUE_MASKS), by their case column.
MASK_COLUMNS = {"cause": "cause_mask", "impact": "impact_mask", "type": "type_mask",
                "relationship": "relationship_mask", "service": "service_mask"}
#: The key of a margin in `_case_cells`: (value, MARGIN) is the cases with that value.
MARGIN = object()


def _lookup_bits(dimension):
    """{bit: lookup id} of a dimension held as bits; bit 0 is a pair without a relationship."""
    kind = CATEGORY_DIMENSIONS.get(dimension, dimension)
    by_bit = dict(db.session.execute(select(Lookup.bit, Lookup.id).where(Lookup.kind == kind,
                                                                         Lookup.bit.is_not(None))).all())
    return by_bit | ({NO_VALUE_BIT: None} if dimension == "relationship" else {})


def _case_key_column(dimension):
    """The case column (or expression) a dimension is grouped by, and how a group's value
    becomes the dimension's keys: a list, since one case can have several values."""
    if dimension in MASK_COLUMNS:
        by_bit = _lookup_bits(dimension)
        empty = [None] if dimension in ("cause", "impact") else []  # "not recorded"
        return getattr(Case, MASK_COLUMNS[dimension]), lambda mask: _bits(mask, by_bit) or empty
    if dimension in VICTIM_KEYS:
        by_bit = {bit: value for value, bit in VICTIM_MASK_BITS[dimension].items()}
        return Case.victim_mask, lambda mask: _bits(mask, by_bit)
    if dimension == "place":
        return _unindexed(Case.place_id), lambda place_id: [place_id]
    if dimension == "kecamatan":
        key = case((Case.kecamatan_id.is_not(None), Case.kecamatan_id), (Case.outside_city.is_(True), OUTSIDE_KEY))
        return key, lambda kecamatan: [kecamatan]
    if db.session.get_bind().dialect.name == "postgresql":
        # date_trunc of a timestamp: a third of the cost of to_char, which formats every row
        month = func.date_trunc("month", cast(Case.report_date, DateTime))
        return month, lambda first_day: [first_day.strftime("%Y-%m")]
    return func.substr(Case.report_date, 1, 7), lambda month: [month]  # stored as YYYY-MM-DD


def _unindexed(column):
    """SQLite: `+column`, a no-op that keeps SQLite — which has no statistics — from reading the
    cases through an index that starts with `column` to group by it, and then looking up every
    case's row for the other column, instead of reading the one index that holds both."""
    if db.session.get_bind().dialect.name == "sqlite":
        return UnaryExpression(column, operator=custom_op("+"), type_=column.type)
    return column


class _UnindexedVictim:
    """The victims' columns as `VICTIM_KEYS` reads them, each `_unindexed`."""

    def __getattr__(self, name):
        return _unindexed(getattr(Victim, name))


def _bits(mask, by_bit):
    return [value for bit, value in by_bit.items() if mask >> bit & 1]


def _case_cells(dimension, by, scope):
    """Two dimensions read from the cases' own columns — their value bits (`cause_mask`, ...),
    place, kecamatan, month and `victim_mask` — in one GROUP BY over the index that holds them
    all (`ix_caselog_cases_report_masks`). The few thousand groups (pairs of column values) are
    spread here over the values they hold: a group counts in every pair of values of its two
    columns, in the margin of each value, and in the total — each case is in one group, so the
    margins are distinct cases, as the one-way reports count them."""
    (rows, row_keys), (columns, column_keys) = _case_key_column(dimension), _case_key_column(by)
    query = scope.where(select(rows.label("k0"), columns.label("k1"), func.count())
                        .group_by(literal_column("k0"), literal_column("k1")))
    found, decoded = {}, {}
    for r, c, n in db.session.execute(query):
        r_keys = decoded.setdefault((0, r), row_keys(r))
        c_keys = decoded.setdefault((1, c), column_keys(c))
        for key in [(MARGIN, MARGIN), *((k, MARGIN) for k in r_keys), *((MARGIN, k) for k in c_keys),
                    *((rk, ck) for rk in r_keys for ck in c_keys)]:
            found[key] = found.get(key, 0) + n
    return found


def _report_key(dimension, key):
    """A cross-tabulation's key as the one-way report's counts hold it (`rows_of`)."""
    if dimension == "kecamatan":
        return (None, True) if key == OUTSIDE_KEY else (key, False)
    if key is None and dimension in ("cause", "impact"):
        return NOT_RECORDED[0]
    if key is None and dimension in VICTIM_KEYS:
        return UNKNOWN[0]
    return key


def _margins(dimension, by, found):
    """The rows and columns, with their case counts, and the total, from `_case_cells`' margins
    (taken out of `found`)."""
    margins = {key: found.pop(key) for key in [key for key in found if MARGIN in key]}
    rows = rows_of(dimension, {_report_key(dimension, r): (n, None) for (r, c), n in margins.items()
                               if c is MARGIN and r is not MARGIN})
    columns = rows_of(by, {_report_key(by, c): (n, None) for (r, c), n in margins.items()
                           if r is MARGIN and c is not MARGIN})
    return rows, columns, margins.get((MARGIN, MARGIN), 0)


def _distinct_cases_by(table, key, conditions, scope):
    """{(key, value): distinct cases}: one pass over `table`'s report index in the order of
    `key`, each value a count of distinct cases among the rows that meet its condition (a
    FILTER each; grouping by value and case first cost four times as much on SQLite)."""
    counts = [func.count(func.distinct(table.case_id)).filter(condition) for condition in conditions.values()]
    query = scope.where(select(key, *counts).group_by(key), table)
    return {(row[0], value): int(n) for row in db.session.execute(query)
            for value, n in zip(conditions, row[1:], strict=True) if n}


def _pair_victim_cells(dimension, victim_dimension, scope):
    """Relationship or service by a victim dimension, through the same victim: each pair or
    entry holds its own victim's bits (`victim_mask`)."""
    model, key = PAIR_TABLES[dimension]
    bits = VICTIM_MASK_BITS[victim_dimension]
    values = list(_victim_labels(victim_dimension))[:-1] + [None]
    return _distinct_cases_by(model, key, {value: model.victim_mask.op("&")(1 << bits[value]) != 0
                                           for value in values}, scope)


def _relationship_service_cells(scope):
    """Relationship by service, through the same victim: each pair holds the bits of the
    services its victim received (`service_mask`)."""
    model, key = PAIR_TABLES["relationship"]
    return _distinct_cases_by(model, key, {lookup_id: model.service_mask.op("&")(1 << bit) != 0
                                           for bit, lookup_id in _lookup_bits("service").items()}, scope)


def _victim_cells(dimension, by, scope):
    """Two victim dimensions, of the same victim: the victims grouped by both, read from their
    report index, which holds sex, age group and age (`_unindexed`: not from the index of one of
    them, which would look up every victim's row for the other)."""
    victim = _UnindexedVictim()
    k0, k1 = VICTIM_KEYS[dimension](victim).label("k0"), VICTIM_KEYS[by](victim).label("k1")
    query = scope.where(select(k0, k1, func.count(func.distinct(Victim.case_id)))
                        .group_by(literal_column("k0"), literal_column("k1")), Victim)
    return {(r, c): int(n) for r, c, n in db.session.execute(query)}


def _codes(dimension, keys):
    """{key: code} for the keys a cell query found (lookup and kecamatan ids → their codes)."""
    found = [k for k in keys if k is not None]
    if dimension == "kecamatan":
        codes = {k.id: k.code for k in db.session.scalars(select(Kecamatan))} | {OUTSIDE_KEY: OUTSIDE[0]}
    elif dimension in LOOKUP_DIMENSIONS:
        codes = {k: lookup.code for k, lookup in _lookup_labels(found).items()}
    else:
        codes = {k: k for k in found}
    return codes | {None: NOT_RECORDED[0] if dimension in ("cause", "impact") else UNKNOWN[0]}


def build_crosstab(dimension, by, date_from=None, date_to=None, publication=False):
    """Cases per pair of values of two dimensions; the margins are the one-way reports' case
    counts (distinct cases with that value). In publication mode with primary and
    complementary suppression (`publication.publish_table`)."""
    check_dimensions(dimension, by)
    _tune()
    found = {key: n for key, (n,) in counted(lambda scope: _cells(dimension, by, scope), date_from, date_to).items()}
    if _reads_cases(dimension, by):
        rows, columns, total = _margins(dimension, by, found)
    else:
        rows, columns = raw_rows(dimension, date_from, date_to, True), raw_rows(by, date_from, date_to, True)
        total = totals(date_from, date_to)[0]
    row_codes = _codes(dimension, {r for r, _c in found})
    column_codes = _codes(by, {c for _r, c in found})
    cells = {(row_codes[r], column_codes[c]): n for (r, c), n in found.items()}
    row_index = {row.code: i for i, row in enumerate(rows)}
    column_index = {column.code: j for j, column in enumerate(columns)}
    table = [[0] * len(columns) for _ in rows]
    for (r, c), n in cells.items():
        table[row_index[r]][column_index[c]] = n
    row_values = [row.cases for row in rows]
    column_values = [column.cases for column in columns]
    if publication:
        table, row_values, column_values, total = publish_table(
            table, row_values, column_values, total, small_cell())
    return CrossTab(dimension, by, DIMENSIONS[dimension], DIMENSIONS[by], date_from, date_to,
                    publication, [(r.code, r.label) for r in rows], [(c.code, c.label) for c in columns],
                    table, row_values, column_values, total)

"""Two-way reports: any two report dimensions cross-tabulated in SQL (issue 13 point 4,
product §7).

What a cell counts: **cases**. A case counts once in every cell whose pair of values it has, so
with a multi-valued dimension (cause, impact, type, relationship, service) or with a victim
dimension and several victims, one case can sit in several cells of a row or column. Row and
column totals are the one-way reports' case counts: **distinct cases** with that value, not
sums of the cells; the grand total is the number of cases in the range. A case without a
cause or impact is in the "not recorded" row; relationship and service count the victims that
have one (a case without any service is in no service column, but in the grand total).

Victim dimensions (sex, age group, child/adult), relationship and service are joined through
the same victim, so "sex × service" pairs each victim's sex with that victim's services.

The cases counted are the one-way reports' (`scope.py`: the date range applies to the report
date; a merged duplicate is left out). Publication mode goes no finer than kecamatan:
kelurahan is not a dimension.

How the cells are read (bench/caselog_reports.py: < 500 ms over 200,000 cases): one dimension
drives — its rows come from an index in its own order — and the other is read beside each row
through an index that starts with the case (`_driving`, `_counted`). PostgreSQL then hashes
both keys in one GROUP BY. SQLite has no hash aggregation, and sorting every joined row for a
GROUP BY costs more than reading them; so it groups by the driving key in index order and
counts each value of the other dimension with a FILTER — except a category, which it reads in
case order (`_in_case_order`) so that its look-ups of the other side are not random. Two
dimensions of the same table (two case columns, two victim dimensions) are one GROUP BY over
that table. A victim dimension joins nothing: the case and its categories hold the bits of the
victims' sexes, age groups and child/adult, and each pair and service entry its own victim's
(`victim_mask`, kept by the case writer); each value is counted by its bit (`_masked_cells`,
`_masked_pair_cells`).
"""
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, literal_column, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from ....extensions import db
from ....models.caselog import Case, CaseCategory, Kecamatan, Lookup, Victim
from ..reference import VICTIM_MASK_BITS, _
from . import (
    CATEGORY_DIMENSIONS,
    DIMENSIONS,
    NOT_RECORDED,
    OUTSIDE,
    PAIR_TABLES,
    UNKNOWN,
    VICTIM_KEYS,
    _lookup_labels,
    _month_expr,
    _victim_labels,
    counted,
    raw_rows,
    small_cell,
    totals,
)
from .publication import publish_table

#: Dimensions read from the case row itself.
CASE_COLUMNS = {"place", "kecamatan", "month"}
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


#: Dimensions a cross-tab can be driven by (read in the order of their index), best first: the
#: cases' own columns (one row per case), then pairs and services (read beside another row they
#: would need their table, not an index), then the categories. Victim dimensions never drive:
#: they are read from the driving rows' `victim_mask`.
STREAMS = ("month", "kecamatan", "place", "relationship", "service", "cause", "impact", "type")


@dataclass
class _Stream:
    """The rows a cross-tab is grouped by: `table`, the `group` columns in its index order, the
    key made of them, and the case (and victim) each row belongs to."""

    table: object
    group: list
    key: object
    case_id: object
    victim_id: object = None
    repeats: bool = False  # several rows of one case with the same key
    where: object = None
    scoped: bool = False  # the scope is applied already (a subquery)
    victim_mask: object = None  # the bits of the case's victims, where the table holds them


@dataclass
class _Counted:
    """The other dimension of a cross-tab, read beside each stream row: its table, joined by
    case (`on`) and, through the same victim, `match`; its key and the values it can take (NULL
    included where it means "not recorded" or "unknown")."""

    table: object
    on: object
    key: object
    values: list
    match: object = None
    outer: bool = False  # a case without a row is a value of its own ("not recorded")
    repeats: bool = False  # several rows of one case with the same value


def _ids(kind):
    return list(db.session.scalars(select(Lookup.id).where(Lookup.kind == kind).order_by(Lookup.id)))


def _case_key(dimension, table=Case):
    """The group columns and the key of a dimension read from the cases' own columns."""
    if dimension == "place":
        return [table.place_id], table.place_id
    if dimension == "kecamatan":
        return [table.kecamatan_id, table.outside_city], _kecamatan_key(table.kecamatan_id, table.outside_city)
    return [table.report_date], _month_expr(table.report_date)


def _kecamatan_key(kecamatan_id, outside_city):
    return case((kecamatan_id.is_not(None), kecamatan_id), (outside_city.is_(True), OUTSIDE_KEY))


def _stream(dimension, scope, joined=True):
    """The rows of the driving dimension; `joined`: another table will be read beside them (on
    SQLite a category is then read in case order)."""
    if dimension in CASE_COLUMNS:
        group, key = _case_key(dimension)
        return _Stream(Case, group, key, Case.id, victim_mask=Case.victim_mask)
    if dimension in PAIR_TABLES:
        model, column = PAIR_TABLES[dimension]
        table = aliased(model)
        key = getattr(table, column.key)
        return _Stream(table, [key], key, table.case_id, table.victim_id, repeats=True)
    table = aliased(CaseCategory)
    kind = CATEGORY_DIMENSIONS[dimension]
    if joined and db.session.get_bind().dialect.name == "sqlite" and not scope.merged:
        where = _in_case_order(table.kind) == kind
    else:
        where = scope.of_kind(table, kind)
    return _Stream(table, [table.lookup_id], table.lookup_id, table.case_id, where=where,
                   victim_mask=table.victim_mask)


def _in_case_order(column):
    """SQLite: `+column`, a no-op that keeps SQLite from reading the rows through an index that
    starts with `column`. It then reads a kind's categories from the (case, kind, value) index,
    in case order, so each row's look-up of the other dimension by case lands beside the one
    before: cause × impact over 200,000 cases took 250 ms of SQL instead of 370 (the rows still
    come out grouped, through a sort of the few hundred thousand keys)."""
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def _counted(dimension, stream):
    """`dimension` read beside the stream, by case: the categories through (kind, case), the
    victims through their case index, pairs and services through theirs; through the same
    victim when the stream is pairs or services and `dimension` is about victims (or is the
    other of the two)."""
    if dimension in CATEGORY_DIMENSIONS:
        table = aliased(CaseCategory)
        kind = CATEGORY_DIMENSIONS[dimension]
        outer = dimension in ("cause", "impact")
        return _Counted(table, and_(table.kind == kind, table.case_id == stream.case_id), table.lookup_id,
                        _ids(kind) + ([None] if outer else []), outer=outer)
    model, column = PAIR_TABLES[dimension]
    table = aliased(model)
    match = table.victim_id == stream.victim_id if stream.victim_id is not None else None
    return _Counted(table, table.case_id == stream.case_id, getattr(table, column.key),
                    _ids(dimension) + ([None] if dimension == "relationship" else []), match, repeats=True)


def _has(other, value):
    """The FILTER for one value of the counted side. The join is a LEFT JOIN on SQLite (so the
    stream stays the outer loop), so a NULL key counts only for a row that exists — except for
    cause and impact, where no row at all is the value "not recorded"."""
    if value is not None:
        condition = other.key == value
    elif other.outer:
        condition = other.key.is_(None)
    else:
        condition = and_(other.table.case_id.is_not(None), other.key.is_(None))
    return condition if other.match is None else and_(other.match, condition)


def _sqlite_grouped(stream, other, query, scope, distinct):
    """SQLite has no hash aggregation: a GROUP BY sorts every joined row unless the rows come
    in its order. So the rows are grouped by the stream's columns, which its index delivers in
    order, and each value of the other dimension is counted beside them with a FILTER."""
    cases = func.count(func.distinct(stream.case_id)) if distinct else func.count()
    return _grouped(stream, [cases.filter(_has(other, value)) for value in other.values], other.values,
                    query, scope)


def _grouped(stream, counts, values, query, scope):
    """{(stream key, value): n}: `query` grouped by the stream's columns, in the order of its
    index, with one count per value of the other side."""
    columns = [count.label(f"n{i}") for i, count in enumerate(counts)]
    grouped = scope.where(query.add_columns(*stream.group, *columns).group_by(*stream.group), stream.table)
    if len(stream.group) > 1 or stream.key is not stream.group[0]:
        # Regroup the (few) rows by the key made of the group columns: kecamatan, or month from day.
        inner = grouped.subquery()
        key = _regrouped_key(stream, inner)
        grouped = select(key.label("key"), *[func.sum(inner.c[f"n{i}"]) for i in range(len(values))]) \
            .group_by(literal_column("key"))
    return {(row[0], value): int(n) for row in db.session.execute(grouped)
            for value, n in zip(values, row[1:], strict=True) if n}


def _masked_cells(stream, dimension, scope):
    """A victim dimension beside a stream that holds its case's `victim_mask` (the cases'
    columns, a category): one pass over the stream's index, each value counted by its bit — no
    join to the victims, and each stream row is one case."""
    bits = VICTIM_MASK_BITS[dimension]
    values = list(_victim_labels(dimension))[:-1] + [None]
    counts = [func.count().filter(stream.victim_mask.op("&")(1 << bits[value]) != 0) for value in values]
    query = select().select_from(stream.table)
    if stream.where is not None:
        query = query.where(stream.where)
    return _grouped(stream, counts, values, query, scope)


def _regrouped_key(stream, inner):
    if [column.key for column in stream.group] == ["report_date"]:
        return _month_expr(inner.c.report_date)
    return _kecamatan_key(inner.c.kecamatan_id, inner.c.outside_city)


def _postgresql_cells(stream, other, query, scope):
    """PostgreSQL hashes both keys in one GROUP BY. A case met more than once is grouped by
    (keys, case) first (count(DISTINCT) would sort), then each group counts one case.

    A key made of the stream's columns (month from the report day, kecamatan) is grouped by
    those columns first and made once per group, not once per row (`to_char` on every joined
    row cost a fifth of month × service)."""
    regroup = len(stream.group) > 1 or stream.key is not stream.group[0]
    group = list(stream.group) if regroup else [stream.key.label("k0")]
    k1 = other.key.label("k1")
    if not (stream.repeats or other.repeats):
        counted = _scoped(query.add_columns(*group, k1, func.count().label("n")).group_by(*group, k1),
                          stream, scope)
    else:
        per_case = _scoped(query.add_columns(*group, k1, stream.case_id.label("counted_case"))
                           .group_by(*group, k1, literal_column("counted_case")), stream, scope).subquery()
        inner = [per_case.c[column.key] for column in group]
        counted = select(*inner, per_case.c.k1, func.count().label("n")).group_by(*inner, per_case.c.k1)
    if not regroup:
        return {(r, c): int(n) for r, c, n in db.session.execute(counted)}
    inner = counted.subquery()
    key = _regrouped_key(stream, inner).label("k0")
    query = select(key, inner.c.k1, func.sum(inner.c.n)).group_by(literal_column("k0"), inner.c.k1)
    return {(r, c): int(n) for r, c, n in db.session.execute(query)}


def _distinct_counted(other, stream, scope):
    """Pairs or services read beside a stream by case (not through a victim), for PostgreSQL:
    as distinct (case, value) rows, read in the order of their case index — so no case repeats
    and nothing needs grouping per case after."""
    rows = scope.where(select(other.table.case_id.label("case_id"), other.key.label("key")).distinct(),
                       other.table).subquery()
    return _Counted(rows, rows.c.case_id == stream.case_id, rows.c.key, other.values, outer=other.outer)


def _scoped(query, stream, scope):
    return query if stream.scoped else scope.where(query, stream.table)


def _distinct_stream(stream, scope):
    """A pairs or services stream as distinct (key, case) pairs, for PostgreSQL: read in its
    index's order, so no joined row repeats a case and nothing needs grouping per case after."""
    pairs = scope.where(select(stream.key.label("key"), stream.case_id.label("case_id"))
                        .select_from(stream.table).distinct(), stream.table).subquery()
    return _Stream(pairs, [pairs.c.key], pairs.c.key, pairs.c.case_id, scoped=True)


def _stream_cells(stream, other, scope):
    """The stream joined with the other dimension and counted: SQLite keeps the stream as the
    outer loop (a LEFT JOIN, which it never reorders), PostgreSQL joins as it plans best.

    A case met more than once (several pairs or entries) must count once. Victim dimensions
    never come here: they are read from `victim_mask` (`_masked_cells`, `_masked_pair_cells`)."""
    query = select().select_from(stream.table)
    if stream.where is not None:
        query = query.where(stream.where)
    if db.session.get_bind().dialect.name == "postgresql":
        if other.repeats and other.match is None:
            other = _distinct_counted(other, stream, scope)
        query = query.join(other.table, other.on if other.match is None else other.match, isouter=other.outer)
        return _postgresql_cells(stream, other, query, scope)
    query = query.join(other.table, other.on, isouter=True)
    return _sqlite_grouped(stream, other, query, scope, distinct=stream.repeats or other.repeats)


def _not_recorded_cells(dimension, other_dimension, scope):
    """The "not recorded" row of a cause or impact stream: the cases with none, by their flag."""
    flag = {"cause": Case.cause_recorded, "impact": Case.impact_recorded}[dimension]
    stream = _Stream(Case, [flag], flag, Case.id, where=flag.is_(False))
    found = _stream_cells(stream, _counted(other_dimension, stream), scope)
    return {(None, value): n for (_flag, value), n in found.items()}


def _masked_pair_cells(stream, dimension, scope):
    """A victim dimension through the same victim as a relationship or service stream: each pair
    or entry holds its own victim's bits (`victim_mask`). Its rows are grouped by (value, case)
    first — in the order of its report index, which holds the bits — so that a case counts once,
    then each value of the victim dimension is counted by its bit."""
    bits = VICTIM_MASK_BITS[dimension]
    values = list(_victim_labels(dimension))[:-1] + [None]
    mask = stream.table.victim_mask
    flags = [func.max(mask.op("&")(1 << bits[value])).label(f"f{i}") for i, value in enumerate(values)]
    per_case = scope.where(select(stream.key.label("key"), *flags).group_by(stream.key, stream.case_id),
                           stream.table).subquery()
    query = (select(per_case.c.key, *[func.count().filter(per_case.c[f"f{i}"] != 0) for i in range(len(values))])
             .group_by(per_case.c.key))
    return {(row[0], value): int(n) for row in db.session.execute(query)
            for value, n in zip(values, row[1:], strict=True) if n}


def _not_recorded_masked(dimension, other_dimension, scope):
    """The "not recorded" row of a cause or impact stream by a victim dimension: the cases with
    none, by their flag and their victims' bits."""
    flag = {"cause": Case.cause_recorded, "impact": Case.impact_recorded}[dimension]
    stream = _Stream(Case, [flag], flag, Case.id, where=flag.is_(False), victim_mask=Case.victim_mask)
    found = _masked_cells(stream, other_dimension, scope)
    return {(None, value): n for (_flag, value), n in found.items()}


def _same_table_cells(dimension, by, scope):
    """Two dimensions of one table: the cases' columns (grouped in the order of an index that
    holds both, then regrouped by their keys), or two victim dimensions."""
    if dimension in VICTIM_KEYS:
        k0, k1 = VICTIM_KEYS[dimension](Victim).label("k0"), VICTIM_KEYS[by](Victim).label("k1")
        query = scope.where(select(k0, k1, func.count(func.distinct(Victim.case_id)))
                            .group_by(literal_column("k0"), literal_column("k1")), Victim)
        return {(r, c): int(n) for r, c, n in db.session.execute(query)}
    (g0, _k0), (g1, _k1) = _case_key(dimension), _case_key(by)
    order = g0 + g1 if dimension != "month" else g1 + g0  # the report date comes last in every index
    inner = scope.where(select(*order, func.count().label("n")).group_by(*order)).subquery()
    keys = [_case_key(d, inner.c)[1].label(f"k{i}") for i, d in enumerate((dimension, by))]
    query = select(*keys, func.sum(inner.c.n)).group_by(literal_column("k0"), literal_column("k1"))
    return {(r, c): int(n) for r, c, n in db.session.execute(query)}


def _driving(dimension, by):
    """The dimension the cells are grouped by: the first of `STREAMS`; of two categories the
    one with more values, so that fewer are counted beside it."""
    if dimension in CATEGORY_DIMENSIONS and by in CATEGORY_DIMENSIONS:
        sizes = {d: len(_ids(CATEGORY_DIMENSIONS[d])) for d in (dimension, by)}
        return by if sizes[by] > sizes[dimension] else dimension
    return next(d for d in STREAMS if d in (dimension, by))


def _cells(dimension, by, scope):
    """{(row key, column key): (cases,)}: every case once in each cell whose pair of values it
    has. One dimension drives (`_driving`), the other is read beside it."""
    if {dimension, by} <= CASE_COLUMNS or {dimension, by} <= set(VICTIM_KEYS):
        found = _same_table_cells(dimension, by, scope)
        return {key: (n,) for key, n in found.items()}
    driving = _driving(dimension, by)
    other_dimension = by if driving == dimension else dimension
    if other_dimension in VICTIM_KEYS and driving in PAIR_TABLES:
        found = _masked_pair_cells(_stream(driving, scope), other_dimension, scope)
        if driving != dimension:
            found = {(r, c): n for (c, r), n in found.items()}
        return {key: (n,) for key, n in found.items()}
    if other_dimension in VICTIM_KEYS:
        found = _masked_cells(_stream(driving, scope, joined=False), other_dimension, scope)
        if driving in ("cause", "impact"):
            found |= _not_recorded_masked(driving, other_dimension, scope)
        if driving != dimension:
            found = {(r, c): n for (c, r), n in found.items()}
        return {key: (n,) for key, n in found.items()}
    stream = _stream(driving, scope)
    if (stream.repeats and other_dimension in CATEGORY_DIMENSIONS
            and db.session.get_bind().dialect.name == "postgresql"):
        stream = _distinct_stream(stream, scope)
    found = _stream_cells(stream, _counted(other_dimension, stream), scope)
    if driving in ("cause", "impact"):
        found |= _not_recorded_cells(driving, other_dimension, scope)
    if driving != dimension:
        found = {(r, c): n for (c, r), n in found.items()}
    return {key: (n,) for key, n in found.items()}


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
    rows, columns = raw_rows(dimension, date_from, date_to, True), raw_rows(by, date_from, date_to, True)
    found = {key: n for key, (n,) in counted(lambda scope: _cells(dimension, by, scope), date_from, date_to).items()}
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
    total = totals(date_from, date_to)[0]
    if publication:
        table, row_values, column_values, total = publish_table(
            table, row_values, column_values, total, small_cell())
    return CrossTab(dimension, by, DIMENSIONS[dimension], DIMENSIONS[by], date_from, date_to,
                    publication, [(r.code, r.label) for r in rows], [(c.code, c.label) for c in columns],
                    table, row_values, column_values, total)

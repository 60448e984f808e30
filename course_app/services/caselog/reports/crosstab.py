"""Two-way reports: any two report dimensions cross-tabulated in one SQL GROUP BY (issue 13
point 4, product §7).

What a cell counts: **cases**. A case counts once in every cell whose pair of values it has, so
with a multi-valued dimension (cause, impact, type, relationship, service) or with a victim
dimension and several victims, one case can sit in several cells of a row or column. Row and
column totals are the one-way reports' case counts: **distinct cases** with that value, not
sums of the cells; the grand total is the number of cases in the range. A case without a
cause or impact is in the "not recorded" row; relationship and service count the victims that
have one (a case without any service is in no service column, but in the grand total).

Victim dimensions (sex, age group, child/adult), relationship and service are joined through
the same victim, so "sex × service" pairs each victim's sex with that victim's services.

The date range applies to the report date, as in the one-way reports. Publication mode goes
no finer than kecamatan: kelurahan is not a dimension.
"""
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, literal_column, select
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
from ..reference import CHILD_AGE_LIMIT, _
from . import (
    CATEGORY_DIMENSIONS,
    DIMENSIONS,
    NOT_RECORDED,
    OUTSIDE,
    UNKNOWN,
    _lookup_labels,
    _month_expr,
    counted_cases,
    raw_rows,
    small_cell,
    totals,
)
from .publication import publish_table

#: Dimensions read per victim (joined through one victim row when both axes are of this kind).
VICTIM_DIMENSIONS = {"victim_sex", "age_group", "child_adult"}
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


def _kind_ids(dimension):
    return list(db.session.scalars(select(Lookup.id).where(Lookup.kind == CATEGORY_DIMENSIONS[dimension])))


class _From:
    """The FROM clause being built: the cases, or (PostgreSQL) the first dimension's own table,
    with the case id and the report date (copied onto every table a report reads) to use."""

    def __init__(self, anchored, sqlite):
        self.query = select().select_from(Case) if anchored else None
        # SQLite (no planner statistics): "+ 0" keeps it from looking cases up by id, so it
        # reads the cases in range from one of their covering indexes and probes every other
        # table by case id through its own index — instead of scanning another table and
        # fetching wide case and victim rows one by one. PostgreSQL plans hash joins from its
        # statistics, which an expression would hide: plain columns there.
        self.case_id = (Case.id + 0 if sqlite else Case.id) if anchored else None
        self.counted_id, self.table = (Case.id, Case) if anchored else (None, None)

    def join(self, entity, on_case=True, condition=None, outer=False):
        """Join `entity` by case id (and `condition`); the first one becomes the FROM."""
        if self.query is None:
            self.query = select().select_from(entity)
            if condition is not None:
                self.query = self.query.where(condition)
            self.case_id = self.counted_id = entity.case_id
            self.table = entity
            return
        on = entity.case_id == self.case_id if on_case is True else on_case
        self.query = self.query.join(entity, on if condition is None else and_(on, condition), isouter=outer)


def _axes(dimensions):
    """The FROM clause with the joins each dimension needs, and one key expression per
    dimension — the one-way reports' columns and expressions. Cause and impact are outer joins
    from the cases (a case without one is "not recorded"); the other joins are inner, as the
    one-way reports count. Returns (query, keys, counted case id, the table the FROM starts with, whether a
    case may repeat)."""
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    # PostgreSQL starts from the first dimension's own table when neither dimension needs the
    # case row: one hash join fewer.
    source = _From(sqlite or any(d in CASE_COLUMNS or d in ("cause", "impact") for d in dimensions), sqlite)
    victim = person = None
    if any(d in VICTIM_DIMENSIONS for d in dimensions):
        victim = aliased(Victim)
        source.join(victim)
    keys = []
    for dimension in dimensions:
        if dimension in CATEGORY_DIMENSIONS:
            category = aliased(CaseCategory)
            # On SQLite the lookup ids tell the kind, and "+ 0" keeps it on the primary-key
            # index (case_id, lookup_id) as a covering index instead of one probe per id.
            kind = ((category.lookup_id + 0).in_(_kind_ids(dimension)) if sqlite
                    else category.kind == CATEGORY_DIMENSIONS[dimension])
            source.join(category, condition=kind, outer=dimension in ("cause", "impact"))
            key = category.lookup_id
        elif dimension == "place":
            key = Case.place_id
        elif dimension == "kecamatan":
            key = case((Case.kecamatan_id.is_not(None), Case.kecamatan_id),
                       (Case.outside_city.is_(True), OUTSIDE_KEY))
        elif dimension == "month":
            key = _month_expr()
        elif dimension == "victim_sex":
            key = victim.sex
        elif dimension == "age_group":
            key = victim.age_group
        elif dimension == "child_adult":
            age = victim.age_at_incident
            key = case((age < CHILD_AGE_LIMIT, literal_column("'anak'")),
                       (age >= CHILD_AGE_LIMIT, literal_column("'dewasa'")))
        elif dimension in ("relationship", "service"):
            # Through the same victim when the other axis is about victims (or is the other of
            # these two); otherwise straight from the case.
            model, column = ((VictimPerpetrator, "relationship_id") if dimension == "relationship"
                             else (ServiceEntry, "service_id"))
            row = aliased(model)
            through = victim.id if victim is not None else (person.victim_id if person is not None else None)
            source.join(row, on_case=True if through is None else row.victim_id == through)
            person, key = row, getattr(row, column)
        else:
            raise KeyError(dimension)
        keys.append(key)
    return source.query, keys, source.counted_id, source.table, victim is not None or person is not None


def _cells(dimension, by, date_from, date_to):
    """{(row key, column key): cases} in one GROUP BY."""
    query, keys, case_id, table, per_victim = _axes([dimension, by])
    k0, k1 = keys[0].label("k0"), keys[1].label("k1")
    if per_victim and db.session.get_bind().dialect.name == "postgresql":
        # PostgreSQL sorts for count(DISTINCT); grouping by (pair, case) first hashes instead.
        per_case = counted_cases(query.add_columns(k0, k1, case_id.label("case_id"))
                           .group_by(literal_column("k0"), literal_column("k1"), case_id),
                           date_from, date_to, table).subquery()
        query = select(per_case.c.k0, per_case.c.k1, func.count()).group_by(per_case.c.k0, per_case.c.k1)
        return {(r, c): int(n) for r, c, n in db.session.execute(query)}
    # Without a victim join each (case, value, value) row is unique (categories' primary key),
    # so count(*) counts cases; through victims a case repeats and is counted once (DISTINCT).
    cases = func.count(func.distinct(case_id)) if per_victim else func.count()
    query = counted_cases(query.add_columns(k0, k1, cases)
                    .group_by(literal_column("k0"), literal_column("k1")), date_from, date_to, table)
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
    rows, columns = raw_rows(dimension, date_from, date_to), raw_rows(by, date_from, date_to)
    found = _cells(dimension, by, date_from, date_to)
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

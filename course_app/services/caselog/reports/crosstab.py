"""Two-way reports: any two report dimensions cross-tabulated in one SQL GROUP BY (issue 13
point 4, DESIGN §7).

What a cell counts: **cases**. A case counts once in every cell whose pair of values it has, so
with a multi-valued dimension (cause, impact, type, relationship, service) or with a victim
dimension and several victims, one case can sit in several cells of a row or column. Row and
column totals are **distinct cases** with that value (not sums of the cells); the grand total is
the number of cases in the range. Every case in the range is counted: a case without a value
lands in the dimension's "not recorded" / "unknown" / "no service" row.

Victim dimensions (sex, age group, child/adult), relationship and service are joined through
the same victim, so "sex × service" pairs each victim's sex with that victim's services.

The date range applies to the report date, as in the one-way reports.
"""
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, literal_column, select
from sqlalchemy.orm import aliased

from ....extensions import db
from ....models.caselog import Case, CaseCategory, Kecamatan, ServiceEntry, Victim, VictimPerpetrator
from ..reference import CHILD_AGE_LIMIT, SEX_LABELS, VICTIM_AGE_GROUPS, _
from . import (
    CATEGORY_DIMENSIONS,
    DIMENSIONS,
    NOT_RECORDED,
    OUTSIDE,
    UNKNOWN,
    _in_range,
    _lookup_labels,
    _month_expr,
    _tune,
    small_cell,
)
from .publication import publish_table

#: Dimensions read per victim (joined through one victim row when both axes are of this kind).
PERSON_LEVEL = {"victim_sex", "age_group", "child_adult", "relationship", "service"}
NO_SERVICE = ("tanpa_layanan", _("Belum ada layanan"))
OUTSIDE_KEY = -1
COUNTING = _("Setiap sel menghitung kasus. Satu kasus dihitung sekali di setiap sel yang pasangan "
             "nilainya ia miliki, jadi dengan dimensi bernilai ganda (penyebab, dampak, jenis, "
             "hubungan, layanan) atau beberapa korban, satu kasus dapat muncul di beberapa sel. "
             "Total baris dan kolom adalah jumlah kasus yang berbeda, bukan jumlah sel.")


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


def _axes(dimensions):
    """FROM cases, the joins each dimension needs (outer: every case counts), and one key
    expression per dimension. Reuses the one-way reports' columns and expressions."""
    query = select().select_from(Case)
    victim = None
    if any(d in PERSON_LEVEL for d in dimensions):
        victim = aliased(Victim)
        query = query.outerjoin(victim, victim.case_id == Case.id)
    keys = []
    for dimension in dimensions:
        if dimension in CATEGORY_DIMENSIONS:
            category = aliased(CaseCategory)
            query = query.outerjoin(category, and_(category.case_id == Case.id,
                                                   category.kind == CATEGORY_DIMENSIONS[dimension]))
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
        elif dimension == "relationship":
            pair = aliased(VictimPerpetrator)
            query = query.outerjoin(pair, pair.victim_id == victim.id)
            key = pair.relationship_id
        elif dimension == "service":
            entry = aliased(ServiceEntry)
            query = query.outerjoin(entry, entry.victim_id == victim.id)
            key = entry.service_id
        else:
            raise KeyError(dimension)
        keys.append(key)
    return query, keys, victim is not None


def _grouped(dimensions, date_from, date_to):
    """{keys: cases} for one or two dimensions, in one GROUP BY."""
    query, keys, per_victim = _axes(dimensions)
    # Without a victim join each (case, value, value) row is unique (categories' primary key),
    # so count(*) counts cases; through victims a case repeats and is counted once (DISTINCT).
    counted = func.count(func.distinct(Case.id)) if per_victim else func.count()
    labelled = [k.label(f"k{i}") for i, k in enumerate(keys)]
    query = _in_range(query.add_columns(*labelled, counted)
                      .group_by(*(literal_column(f"k{i}") for i in range(len(keys)))),
                      date_from, date_to)
    return {tuple(row[:-1]): int(row[-1]) for row in db.session.execute(query)}


def _victim_labels(dimension):
    if dimension == "victim_sex":
        return {"P": SEX_LABELS["P"], "L": SEX_LABELS["L"]}
    if dimension == "age_group":
        return {code: label for code, label, *_r in VICTIM_AGE_GROUPS}
    return {"anak": _("Anak (di bawah 18 tahun)"), "dewasa": _("Dewasa (18 tahun ke atas)")}


def _missing(dimension):
    if dimension in ("cause", "impact"):
        return NOT_RECORDED
    return NO_SERVICE if dimension == "service" else UNKNOWN


def axis_values(dimension, keys):
    """[(key, code, label)] for the keys found, in the order of the one-way report; the
    missing-value row last."""
    found = [k for k in keys if k is not None]
    if dimension == "month":
        values = [(k, k, k) for k in sorted(found)]
    elif dimension == "kecamatan":
        kecamatan = {k.id: k for k in db.session.scalars(select(Kecamatan))}
        values = sorted(((k, kecamatan[k].code, kecamatan[k].name) for k in found if k != OUTSIDE_KEY),
                        key=lambda v: v[2])
        if OUTSIDE_KEY in found:
            values.append((OUTSIDE_KEY, *OUTSIDE))
    elif dimension in ("victim_sex", "age_group", "child_adult"):
        labels = _victim_labels(dimension)
        values = [(code, code, label) for code, label in labels.items() if code in found]
    else:
        lookups = _lookup_labels(found)
        values = [(k, lookups[k].code, lookups[k].label)
                  for k in sorted(found, key=lambda i: lookups[i].position)]
    if None in keys:
        values.append((None, *_missing(dimension)))
    return values


def build_crosstab(dimension, by, date_from=None, date_to=None, publication=False):
    """Cases per pair of values of two dimensions, with distinct-case totals; in publication
    mode with primary and complementary suppression (`publication.publish_table`)."""
    check_dimensions(dimension, by)
    _tune()
    cells = _grouped([dimension, by], date_from, date_to)
    row_totals = {k[0]: n for k, n in _grouped([dimension], date_from, date_to).items()}
    column_totals = {k[0]: n for k, n in _grouped([by], date_from, date_to).items()}
    total = db.session.scalar(_in_range(select(func.count()).select_from(Case), date_from, date_to))
    rows = axis_values(dimension, list(row_totals))
    columns = axis_values(by, list(column_totals))
    table = [[cells.get((r[0], c[0]), 0) for c in columns] for r in rows]
    row_values = [row_totals[r[0]] for r in rows]
    column_values = [column_totals[c[0]] for c in columns]
    if publication:
        table, row_values, column_values, total = publish_table(
            table, row_values, column_values, total, small_cell())
    return CrossTab(dimension, by, DIMENSIONS[dimension], DIMENSIONS[by], date_from, date_to,
                    publication, [r[1:] for r in rows], [c[1:] for c in columns], table,
                    row_values, column_values, total)

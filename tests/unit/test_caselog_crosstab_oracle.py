"""Cross-tabulations checked against an oracle: every ordered pair of report dimensions, over a
few hundred synthetic cases, against counts worked out in plain Python from the ORM objects.

`crosstab.build_crosstab` takes engine-specific SQL paths (a driving "stream" with FILTER counts
on SQLite, one hashed GROUP BY on PostgreSQL, cases with one victim counted apart from cases
with several, distinct streams, the "not recorded" rows, merged cases taken away in
`reports/scope.py`). The oracle below takes none of them: it walks the counted cases one by one
and applies the rules of the module docstrings directly —

- a case counts when its report date is in the range (both ends included, either open) and it
  is not merged into another case;
- a cell counts the distinct cases that have that pair of values; the row and column totals
  are the distinct cases with that value (the one-way reports' case counts); the grand total is
  the number of cases counted;
- place, kecamatan (kecamatan, else outside the city, else unknown) and report month are the
  case's own; cause, impact and type are the case's categories — no cause or impact is the
  "not recorded" row, no type is in no row; victim sex, age group and child/adult are one value
  per victim (unknown when missing), relationship one per victim–perpetrator pair, service one
  per service entry;
- two victim-linked dimensions (the victim dimensions, relationship, service) pair through the
  same victim; any other pair of values pairs within the case.

The data: synthetic cases (`synthetic.generate` and its payloads), some altered into states the
reports must handle — no cause, impact or type; victims of unknown sex or age; unknown
relationships; no perpetrator, or no victim; unknown kecamatan; report dates on the edges of
the sub-range — and a few cases merged into others, as a supervisor's merge leaves them.
"""
import random
from collections import Counter
from datetime import date, timedelta
from itertools import product

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from course_app.extensions import db
from course_app.models.caselog import Case, Victim
from course_app.services.caselog import reports, synthetic
from course_app.services.caselog.payload import LookupIndex
from course_app.services.caselog.reports import crosstab
from course_app.services.caselog.writer import write_cases

from .. import factories

START, END = date(2025, 7, 1), date(2026, 12, 31)
QUARTER = (date(2026, 4, 1), date(2026, 6, 30))
RANGES = {"all": (None, None), "quarter": QUARTER}

# The oracle's own spelling of the special rows (not imported from the code under test).
UNKNOWN, NOT_RECORDED, OUTSIDE = "tidak_diketahui", "tidak_dicatat", "luar_kota"
CASE_DIMENSIONS = {"place", "kecamatan", "month", "cause", "impact", "type"}
VICTIM_LINKED = {"victim_sex", "age_group", "child_adult", "relationship", "service"}


# --- the data ----------------------------------------------------------------------------------

def _altered(payload, rng):
    """A synthetic payload bent into the states the reports must handle (some of them, like a
    victim without a sex, the form refuses, but the tables allow and old data holds)."""
    if rng.random() < 0.12:
        payload["causes"] = []
    if rng.random() < 0.12:
        payload["impacts"] = []
    if rng.random() < 0.06:
        payload["types"] = []
    if rng.random() < 0.25:  # a second (and third) victim, so more cases have several
        payload["victims"] += [dict(payload["victims"][0], name=f"Tambahan {i}",
                                    sex=rng.choice(["P", "L"]), age=rng.randint(1, 70), birth_date=None)
                               for i in range(rng.choice((1, 1, 2)))]
        payload["relationships"] = {(vi, pi): rng.choice(["keluarga", "tetangga", "orang_tua", None])
                                    for vi in range(len(payload["victims"]))
                                    for pi in range(len(payload["perpetrators"]))}
        payload["services"] = [
            {"victim": rng.randrange(len(payload["victims"])), "status": "dilayani",
             "service": rng.choice(["pengaduan", "kesehatan", "rujukan", "bantuan_hukum"]),
             "service_date": payload["report_date"]} for _ in range(rng.randint(0, 4))]
    for victim in payload["victims"]:
        if rng.random() < 0.08:
            victim["sex"] = None
        if rng.random() < 0.10:
            victim.pop("birth_date", None)
            victim.pop("age", None)
    for pair in payload["relationships"]:
        if rng.random() < 0.08:
            payload["relationships"][pair] = None
    if rng.random() < 0.04:
        payload["perpetrators"], payload["relationships"] = [], {}
    if rng.random() < 0.03:
        payload["victims"], payload["relationships"], payload["services"] = [], {}, []
    if not payload["outside_city"] and rng.random() < 0.04:
        payload["kecamatan_id"] = payload["kelurahan_id"] = None
    if rng.random() < 0.08:  # on an edge of the ranges tested
        edge = rng.choice([QUARTER[0], QUARTER[1], QUARTER[0] - timedelta(days=1),
                           QUARTER[1] + timedelta(days=1), date(2025, 12, 31), date(2026, 1, 1),
                           date(2026, 7, 1)])
        delay = payload["report_date"] - payload["incident_date"]
        payload["report_date"], payload["incident_date"] = edge, edge - delay
    return payload


def make_cases():
    """~520 cases: 300 straight from the generator, 220 of its payloads altered; then a few
    merged into the case before them, chosen to cover every kind of case above."""
    factories.seed_caselog()
    synthetic.generate(300, seed=11, start=START, end=END)
    rng = random.Random(13)
    pools, wilayah, index = synthetic._Pools(rng), synthetic._wilayah(), LookupIndex()
    payloads = [_altered(synthetic.make_payload(rng, pools, wilayah, n, 13, START, END), rng)
                for n in range(220)]
    write_cases(payloads, index)
    db.session.flush()
    cases = db.session.scalars(select(Case).options(
        selectinload(Case.categories), selectinload(Case.victims)).order_by(Case.id)).all()
    wanted = [lambda c: len(c.victims) > 1, lambda c: not c.cause_recorded,
              lambda c: not c.impact_recorded, lambda c: c.outside_city,
              lambda c: not any(x.kind == "violence_type" for x in c.categories),
              lambda c: any(v.sex is None for v in c.victims), lambda c: not c.victims,
              lambda c: QUARTER[0] <= c.report_date <= QUARTER[1],
              lambda c: QUARTER[0] <= c.report_date <= QUARTER[1] and len(c.victims) > 1]
    merged = set()
    for test in wanted:
        merged.add(next(c.id for c in cases[1:] if test(c) and c.id not in merged and c.id - 1 not in merged))
    merged |= {c.id for c in cases[1:] if c.id % 50 == 0}
    db.session.execute(update(Case).where(Case.id.in_(merged))
                       .values(merged_into_id=Case.id - 1, status="closed"))
    db.session.commit()
    return merged


# --- the oracle ----------------------------------------------------------------------------------

def _victim_values(victim):
    age = victim.age_at_incident
    return {"victim_sex": {victim.sex or UNKNOWN}, "age_group": {victim.age_group or UNKNOWN},
            "child_adult": {UNKNOWN if age is None else ("anak" if age < 18 else "dewasa")},
            "relationship": set(), "service": set()}


def _case_values(case):
    """({dimension: the case's values}, {victim id: {victim-linked dimension: its values}})."""
    kinds = {"cause": "cause", "impact": "impact", "type": "violence_type"}
    values = {name: {c.lookup.code for c in case.categories if c.kind == kind} for name, kind in kinds.items()}
    for name in ("cause", "impact"):
        values[name] = values[name] or {NOT_RECORDED}
    values["place"] = {case.place.code if case.place else UNKNOWN}
    values["kecamatan"] = {case.kecamatan.code if case.kecamatan else (OUTSIDE if case.outside_city else UNKNOWN)}
    values["month"] = {f"{case.report_date.year:04d}-{case.report_date.month:02d}"}
    victims = {v.id: _victim_values(v) for v in case.victims}
    for pair in case.relationships:
        victims[pair.victim_id]["relationship"].add(pair.relationship_kind.code if pair.relationship_kind else UNKNOWN)
    for entry in case.services:
        victims[entry.victim_id]["service"].add(entry.service.code)
    for name in VICTIM_LINKED:
        values[name] = set().union(*(v[name] for v in victims.values()))
    return values, victims


def counted_cases(date_from, date_to):
    """The cases a report counts, tested one by one in Python."""
    everything = db.session.scalars(select(Case).options(
        selectinload(Case.categories), selectinload(Case.relationships),
        selectinload(Case.services), selectinload(Case.victims).load_only(
            Victim.id, Victim.sex, Victim.age_at_incident, Victim.age_group))).all()
    return [_case_values(c) for c in everything if c.merged_into_id is None
            and (date_from is None or c.report_date >= date_from)
            and (date_to is None or c.report_date <= date_to)]


def oracle(cases, dimension, by):
    cells, rows, columns = Counter(), Counter(), Counter()
    for values, victims in cases:
        if dimension in VICTIM_LINKED and by in VICTIM_LINKED:
            pairs = {pair for v in victims.values() for pair in product(v[dimension], v[by])}
        else:
            pairs = set(product(values[dimension], values[by]))
        cells.update(pairs)
        rows.update(values[dimension])
        columns.update(values[by])
    return dict(cells), dict(rows), dict(columns), len(cases)


def built(dimension, by, date_from, date_to):
    """The cross-tab as codes (like `table` in test_caselog_crosstab.py), zero cells left out."""
    tab = crosstab.build_crosstab(dimension, by, date_from, date_to)
    row_codes, column_codes = [r[0] for r in tab.rows], [c[0] for c in tab.columns]
    assert len(set(row_codes)) == len(row_codes) and len(set(column_codes)) == len(column_codes)
    cells = {(r, c): tab.cells[i][j] for i, r in enumerate(row_codes)
             for j, c in enumerate(column_codes) if tab.cells[i][j] != 0}
    return (cells, dict(zip(row_codes, tab.row_totals, strict=True)),
            dict(zip(column_codes, tab.column_totals, strict=True)), tab.total)


def _differences(expected, got):
    parts = []
    for name, e, g in zip(("cells", "row totals", "column totals"), expected, got, strict=False):
        wrong = {k: (e.get(k, 0), g.get(k, 0)) for k in sorted(e.keys() | g.keys(), key=str)
                 if e.get(k, 0) != g.get(k, 0)}
        if wrong:
            parts.append(f"{name} (expected, got): {wrong}")
    if expected[3] != got[3]:
        parts.append(f"total: expected {expected[3]}, got {got[3]}")
    return "; ".join(parts)


# --- the test ------------------------------------------------------------------------------------

def assert_the_data_reaches_every_case_the_reports_handle(merged):
    """The oracle is only as good as its data: every special state is among the cases counted
    in the sub-range (or at least in the whole range), and merged cases are in both."""
    seen = Counter()
    for values, victims in counted_cases(*QUARTER):
        seen["several victims"] += len(victims) > 1
        seen["sexes differ within a case"] += len(values["victim_sex"]) > 1
        seen["no cause"] += values["cause"] == {NOT_RECORDED}
        seen["no impact"] += values["impact"] == {NOT_RECORDED}
        seen["no type"] += not values["type"]
        seen["unknown sex"] += UNKNOWN in values["victim_sex"]
        seen["unknown age"] += UNKNOWN in values["child_adult"]
        seen["unknown relationship"] += UNKNOWN in values["relationship"]
        seen["service"] += bool(values["service"])
    assert all(seen[name] for name in (
        "several victims", "sexes differ within a case", "no cause", "no impact", "no type",
        "unknown sex", "unknown age", "unknown relationship", "service")), seen
    everything = counted_cases(None, None)
    assert any(values["kecamatan"] == {OUTSIDE} for values, _victims in everything)
    assert any(values["kecamatan"] == {UNKNOWN} for values, _victims in everything)
    assert any(not victims for _values, victims in everything)
    assert any(victims and not values["relationship"] for values, victims in everything)
    days = set(db.session.scalars(select(Case.report_date).where(Case.merged_into_id.is_(None))))
    assert {QUARTER[0], QUARTER[1], QUARTER[0] - timedelta(days=1), QUARTER[1] + timedelta(days=1)} <= days
    merged_dates = list(db.session.scalars(select(Case.report_date).where(Case.id.in_(merged))))
    assert len(merged_dates) >= 9 and any(QUARTER[0] <= day <= QUARTER[1] for day in merged_dates)


def test_every_pair_of_dimensions_matches_the_oracle(app):
    """All 110 ordered pairs, over the whole range and over one quarter; every disagreeing pair
    is listed with its wrong cells and totals (expected, got)."""
    assert set(reports.DIMENSIONS) == CASE_DIMENSIONS | VICTIM_LINKED  # a new dimension needs the oracle
    merged = make_cases()
    assert_the_data_reaches_every_case_the_reports_handle(merged)
    engine = db.session.get_bind().dialect.name
    disagreements = []
    for label, period in RANGES.items():
        cases = counted_cases(*period)
        for dimension in reports.DIMENSIONS:
            for by in reports.DIMENSIONS:
                if dimension != by:
                    expected, got = oracle(cases, dimension, by), built(dimension, by, *period)
                    if expected != got:
                        disagreements.append(f"[{engine}, {label}] {dimension} × {by}: "
                                             f"{_differences(expected, got)}")
    assert not disagreements, f"{len(disagreements)} pairs disagree:\n" + "\n".join(disagreements)

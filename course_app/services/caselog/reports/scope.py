"""Which cases the reports count — one rule, in one place (product §7, issue 13):

- reported from `date_from` to `date_to`, both included (the report date, tanggal lapor, which
  is copied onto every table a report reads, so each query filters its own table);
- each incident once: a case merged into another (`merged_into_id` set, management/merge.py)
  records the same incident as the case it was merged into, which counts it. The duplicate —
  with its victims, perpetrator pairs, categories and services — does not.

Every grouped report, cross-tabulation, the month trend, the reporting delay, the annual summary
and the SIMFONI export read their cases through here: a list of cases with `listed`, a count
with `counted`. A count is everything reported in the range less what the merged duplicates
among them add. Every count a report takes adds up case by case (rows, victims, distinct cases
per value), so the difference is exact; and merged duplicates are few, so their share is read
through the case-id indexes in milliseconds, where testing each of hundreds of thousands of
rows against the merged cases would cost SQLite more than the report itself.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import inspect, select
from sqlalchemy.orm import aliased

from ....extensions import db
from ....models.caselog import Case


@dataclass(frozen=True)
class Scope:
    """The rows one report query reads: every case reported in the range, or (`merged`) only
    the merged duplicates among them — the share `counted` takes away."""

    date_from: date | None = None
    date_to: date | None = None
    merged: bool = False

    def where(self, query, table=Case):
        """`query` over `table` (the cases, a table with a `case_id`, or an alias of either) kept
        to this scope."""
        if self.date_from:
            query = query.where(table.report_date >= self.date_from)
        if self.date_to:
            query = query.where(table.report_date <= self.date_to)
        if not self.merged:
            return query
        case_id = table.id if inspect(table).mapper.class_ is Case else table.case_id
        merged = aliased(Case)
        return query.where(case_id.in_(select(merged.id).where(merged.merged_into_id.is_not(None))))


    def of_kind(self, table, kind):
        """`table.kind == kind` for a categories query. For the merged share it is written so that
        SQLite, which has no statistics, reads the few merged cases by case id instead of the
        whole kind in the report index's order."""
        return (table.kind.concat("") if self.merged else table.kind) == kind


def counted(count, date_from=None, date_to=None):
    """The counts of `count(scope)` — a dict {key: tuple of counts that add up case by case} —
    over the cases that count: everything reported in the range, less the merged duplicates'
    share. A key left at zero is dropped."""
    everything = count(Scope(date_from, date_to))
    if not everything or db.session.scalar(select(Case.id).where(Case.merged_into_id.is_not(None)).limit(1)) is None:
        return everything
    for key, share in count(Scope(date_from, date_to, merged=True)).items():
        left = tuple(a - b for a, b in zip(everything[key], share, strict=True))
        if any(left):
            everything[key] = left
        else:
            del everything[key]
    return everything


def listed(query, date_from=None, date_to=None):
    """`query` over the cases kept to the ones that count, one row per case (the SIMFONI
    export): reported in the range and not merged into another case."""
    return Scope(date_from, date_to).where(query).where(Case.merged_into_id.is_(None))

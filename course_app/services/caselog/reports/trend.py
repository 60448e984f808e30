"""Cases per month over a period, every month of it (a month without cases is a 0), for the
reports page's trend chart and the annual summary. One GROUP BY (the "month" report)."""
from datetime import date

from . import Row, _publish, raw_rows, small_cell


def months_between(first, last):
    """'YYYY-MM' for every month from `first` to `last` (dates), both included."""
    year, month, months = first.year, first.month, []
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_trend(date_from=None, date_to=None, publication=False):
    """[Row(code='YYYY-MM', label='YYYY-MM', cases, victims)] for each month of the range; an
    open end stops at the first / last month with a case. Published as the "month" report is
    (a month is one value per case, so months add up to the total)."""
    counted = {row.code: row for row in raw_rows("month", date_from, date_to)}
    if not counted and not (date_from and date_to):
        return []
    first = date_from or date.fromisoformat(min(counted) + "-01")
    last = date_to or date.fromisoformat(max(counted) + "-01")
    rows = [counted.get(m) or Row(m, m, 0, 0) for m in months_between(first, last)]
    if publication:
        rows = _publish(rows, "month", small_cell())
    return rows

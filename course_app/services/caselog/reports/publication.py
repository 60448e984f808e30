"""Suppression of a two-way table for publication (product §7: "<5", complementary suppression so
that a hidden cell cannot be recovered from totals).

The table is read with its margins as one grid: the cells, a row-total column, a column-total
row and the grand total in the corner. A *line* is one row or one column of that grid, its
total included. The rule, checked without a solver:

- primary: every count from 1 to limit − 1 (cell or total) is hidden and shown "<limit";
  zero stays 0 (a known zero gives nothing away and is never hidden);
- complementary: a line holding exactly one hidden entry would give it away (the total minus
  the others, or for distinct-case totals a bound that tight), so another entry of the line is
  hidden ("*") until every line holds none or at least two hidden entries. So every hidden
  cell's row and column hold at least two hidden entries, a hidden total counting as one.

The entry hidden next is a cell before a total (totals are what readers need most), one whose
other line already holds a hidden entry (it closes two gaps at once), then the smallest.
"""


def _line_entries(rows, columns):
    """Every line of the (rows+1) × (columns+1) grid as a list of (i, j) positions; index
    `rows` / `columns` is the total."""
    lines = [[(i, j) for j in range(columns + 1)] for i in range(rows + 1)]
    lines += [[(i, j) for i in range(rows + 1)] for j in range(columns + 1)]
    return lines


def protect(grid, hidden):
    """Hide more entries of `grid` (a full grid with margins, ints) until no line holds exactly
    one hidden entry. `hidden` is a set of (i, j), changed in place and returned."""
    rows, columns = len(grid) - 1, len(grid[0]) - 1
    lines = _line_entries(rows, columns)
    of = {}
    for line in lines:
        for position in line:
            of.setdefault(position, []).append(line)

    def lonely(line):
        return sum(p in hidden for p in line) == 1

    changed = True
    while changed:
        changed = False
        for line in lines:
            if not lonely(line):
                continue
            candidates = [p for p in line if p not in hidden and grid[p[0]][p[1]] > 0]
            if not candidates:  # cannot happen: the line's total is at least its hidden cell
                continue

            def cost(p, line=line):
                is_total = p[0] == rows or p[1] == columns
                crossing = [other for other in of[p] if other is not line]
                helps = any(lonely(other) for other in crossing)
                opens = any(sum(q in hidden for q in other) == 0 for other in crossing)
                return (is_total, not helps, opens, grid[p[0]][p[1]], p)

            hidden.add(min(candidates, key=cost))
            changed = True
    return hidden


def publish_table(cells, row_totals, column_totals, total, limit):
    """(cells, row totals, column totals, total) as published: "<limit" for a hidden count
    below the limit, "*" for a larger one hidden so that the small ones stay hidden."""
    grid = [list(row) + [row_totals[i]] for i, row in enumerate(cells)]
    grid.append(list(column_totals) + [total])
    hidden = {(i, j) for i, line in enumerate(grid) for j, v in enumerate(line) if 0 < v < limit}
    protect(grid, hidden)

    def shown(i, j):
        value = grid[i][j]
        if (i, j) not in hidden:
            return value
        return f"<{limit}" if value < limit else "*"

    rows, columns = len(cells), len(column_totals)
    published = [[shown(i, j) for j in range(columns)] for i in range(rows)]
    return (published, [shown(i, columns) for i in range(rows)],
            [shown(rows, j) for j in range(columns)], shown(rows, columns))

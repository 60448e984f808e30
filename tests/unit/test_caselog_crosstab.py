"""Two-way reports (issue 13 point 4): any two dimensions cross-tabulated in SQL, distinct-case
totals, and publication suppression that no row or column total can undo."""
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_app.extensions import db
from course_app.services.caselog import reports
from course_app.services.caselog.reports import crosstab
from course_app.services.caselog.reports.publication import publish_table

from .. import factories
from .test_caselog_reports import YEAR_2026, make_four_cases, make_fourteen_cases


@pytest.fixture
def four_cases(app):
    return make_four_cases()


@pytest.fixture
def fourteen_cases(app):
    make_fourteen_cases()


def table(dimension, by, *period, publication=False):
    built = crosstab.build_crosstab(dimension, by, *period, publication=publication)
    cells = {(r[0], c[0]): built.cells[i][j] for i, r in enumerate(built.rows)
             for j, c in enumerate(built.columns) if built.cells[i][j] != 0}
    return (cells, dict(zip((r[0] for r in built.rows), built.row_totals, strict=True)),
            dict(zip((c[0] for c in built.columns), built.column_totals, strict=True)), built.total)


def test_multi_valued_dimensions_count_a_case_once_per_value_pair(four_cases):
    cells, rows, columns, total = table("cause", "impact", *YEAR_2026)
    assert cells == {("ekonomi", "luka_ringan"): 1, ("miras", "luka_ringan"): 1,
                     ("medsos", "tidak_dicatat"): 1, ("tidak_dicatat", "trauma"): 1}
    # Totals are distinct cases, not sums: four cause rows, three cases.
    assert rows == {"ekonomi": 1, "miras": 1, "medsos": 1, "tidak_dicatat": 1}
    assert columns == {"luka_ringan": 1, "trauma": 1, "tidak_dicatat": 1}
    assert total == 3


def test_totals_are_distinct_cases_when_a_case_has_several_victims(four_cases):
    cells, rows, columns, total = table("type", "child_adult", *YEAR_2026)
    assert cells == {("fisik", "anak"): 1, ("fisik", "dewasa"): 1, ("psikis", "anak"): 2,
                     ("psikis", "dewasa"): 1, ("seksual", "dewasa"): 1}
    assert rows == {"fisik": 1, "psikis": 2, "seksual": 1}
    assert columns == {"anak": 2, "dewasa": 2} and total == 3


def test_victim_dimensions_and_services_pair_through_the_same_victim(four_cases):
    cells, rows, columns, _total = table("victim_sex", "service", *YEAR_2026)
    assert cells == {("P", "pengaduan"): 1, ("P", "konseling_psikologis"): 1, ("L", "kesehatan"): 1}
    # The margins are the one-way counts: C2's woman had no service, her case still counts.
    assert rows == {"P": 2, "L": 1}
    assert columns == {"pengaduan": 1, "konseling_psikologis": 1, "kesehatan": 1}


def test_relationship_by_type_and_unknown_rows(four_cases):
    cells, rows, _columns, _total = table("relationship", "type", *YEAR_2026)
    assert cells == {("orang_tua", "fisik"): 1, ("orang_tua", "psikis"): 1,
                     ("suami_istri", "fisik"): 1, ("suami_istri", "psikis"): 1,
                     ("pacar_teman", "seksual"): 1, ("tidak_dikenal", "psikis"): 1,
                     ("tidak_diketahui", "psikis"): 1}
    assert rows["tidak_diketahui"] == 1


def test_kecamatan_by_month_uses_the_same_period_filter(four_cases):
    built = crosstab.build_crosstab("kecamatan", "month", *YEAR_2026)
    assert [r[1] for r in built.rows] == ["Maulafa", "Oebobo", "Di luar Kota Kupang"]
    assert built.cells == [[1, 0], [1, 0], [0, 1]]
    assert built.column_totals == [2, 1] and built.total == 3
    _cells, _rows, columns_all, total_all = table("kecamatan", "month")
    assert columns_all == {"2025-12": 1, "2026-03": 2, "2026-04": 1} and total_all == 4


def test_row_totals_match_the_one_way_report(four_cases):
    _cells, rows, _columns, total = table("cause", "place", *YEAR_2026)
    one_way = reports.build_report("cause", *YEAR_2026)
    assert rows == {r.code: r.cases for r in one_way.rows}
    assert total == one_way.total_cases


@pytest.mark.parametrize("dimension,by", [("cause", "kelurahan"), ("nope", "type"), ("type", "type")])
def test_an_invalid_or_repeated_dimension_is_refused(app, dimension, by):
    with pytest.raises(crosstab.InvalidDimension):
        crosstab.build_crosstab(dimension, by)


def test_every_pair_of_dimensions_runs(four_cases):
    for dimension in reports.DIMENSIONS:
        for by in reports.DIMENSIONS:
            if dimension != by:
                built = crosstab.build_crosstab(dimension, by, *YEAR_2026)
                assert built.total == 3, (dimension, by)


# --- publication -----------------------------------------------------------------------------

def _hidden_grid(cells, row_totals, column_totals, total):
    grid = [list(row) + [row_totals[i]] for i, row in enumerate(cells)]
    grid.append(list(column_totals) + [total])
    return [[isinstance(v, str) for v in line] for line in grid]


def assert_no_hidden_cell_is_recoverable(published):
    """The solver-free check: every suppressed cell's row and its column hold at least two
    suppressed entries (a suppressed total counting as one) — the margins' lines too."""
    hidden = _hidden_grid(*published)
    for i, line in enumerate(hidden):
        for j, is_hidden in enumerate(line):
            if is_hidden:
                assert sum(line) >= 2, f"row {i} gives away entry {j}"
                assert sum(h[j] for h in hidden) >= 2, f"column {j} gives away entry {i}"


def test_publication_shows_small_cells_as_less_than_5_and_hides_complements(fourteen_cases):
    built = crosstab.build_crosstab("place", "kecamatan", publication=True)
    # Rumah tangga/Oebobo 6, daring/Maulafa 5, sekolah/Alak 2, fasilitas umum/Oebobo 1.
    assert [c[1] for c in built.columns] == ["Alak", "Maulafa", "Oebobo"]
    assert [r[0] for r in built.rows] == ["rumah_tangga", "sekolah", "fasilitas_umum", "daring"]
    assert built.cells == [[0, 0, 6], ["<5", 0, 0], [0, 0, "<5"], [0, 5, 0]]
    # Oebobo 6 + <5: its total (7) is hidden too, which also covers Alak's small total.
    assert built.row_totals == [6, "<5", "<5", 5]
    assert built.column_totals == ["<5", 5, "*"] and built.total == 14
    assert_no_hidden_cell_is_recoverable((built.cells, built.row_totals, built.column_totals, built.total))


def test_publication_never_goes_below_kecamatan():
    assert "kelurahan" not in reports.DIMENSIONS
    with pytest.raises(crosstab.InvalidDimension):
        crosstab.check_dimensions("kecamatan", "kelurahan")


def test_a_zero_stays_zero_and_is_never_hidden():
    published = publish_table([[3, 0], [0, 12]], [3, 12], [3, 12], 15, 5)
    assert published[0] == [["<5", 0], [0, 12]]
    assert_no_hidden_cell_is_recoverable(published)


def test_a_small_total_is_shown_as_less_than_5():
    cells, rows, columns, total = publish_table([[2, 1]], [3], [2, 1], 3, 5)
    assert (cells, rows, columns, total) == ([["<5", "<5"]], ["<5"], ["<5", "<5"], "<5")


def test_a_single_hidden_cell_in_a_row_hides_another_cell_before_the_total():
    cells, rows, columns, total = publish_table([[3, 10], [8, 12]], [13, 20], [11, 22], 33, 5)
    assert cells == [["<5", "*"], ["*", "*"]] and rows == [13, 20] and columns == [11, 22]


@st.composite
def tables(draw):
    n_rows, n_columns = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    small = st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 40))
    cells = [[draw(small) for _ in range(n_columns)] for _ in range(n_rows)]
    sums = draw(st.booleans())  # single-valued: totals are sums; multi-valued: distinct cases

    def margin(values):
        if sums or not any(values):
            return sum(values)
        return draw(st.integers(max(values), sum(values)))

    row_totals = [margin(row) for row in cells]
    column_totals = [margin([row[j] for row in cells]) for j in range(n_columns)]
    total = sum(row_totals) if sums else draw(st.integers(max(row_totals + column_totals),
                                                          sum(row_totals)))
    return cells, row_totals, column_totals, total


@settings(max_examples=300, deadline=None)
@given(tables())
def test_property_no_suppressed_cell_can_be_recovered_from_row_or_column_totals(raw):
    published = publish_table(*raw, 5)
    assert_no_hidden_cell_is_recoverable(published)
    raw_grid = [list(r) + [raw[1][i]] for i, r in enumerate(raw[0])] + [list(raw[2]) + [raw[3]]]
    shown_grid = [list(r) + [published[1][i]] for i, r in enumerate(published[0])] \
        + [list(published[2]) + [published[3]]]
    for raw_line, shown_line in zip(raw_grid, shown_grid, strict=True):
        for value, shown in zip(raw_line, shown_line, strict=True):
            if 0 < value < 5:
                assert shown == "<5"
            elif value == 0:
                assert shown == 0
            else:
                assert shown in (value, "*")


def test_crosstab_in_publication_mode_over_generated_cases_passes_the_check(app):
    from course_app.services.caselog import synthetic

    factories.seed_caselog()
    synthetic.generate(150, seed=3, end=date(2026, 6, 30), start=date(2026, 1, 1))
    db.session.commit()
    for dimension, by in (("cause", "impact"), ("type", "age_group"), ("relationship", "type"),
                          ("kecamatan", "month")):
        built = crosstab.build_crosstab(dimension, by, publication=True)
        assert_no_hidden_cell_is_recoverable(
            (built.cells, built.row_totals, built.column_totals, built.total))
        assert "<5" in [v for row in built.cells for v in row] or dimension == "kecamatan"


def test_a_victim_edited_on_the_form_moves_the_case_in_the_victim_cross_tabs(four_cases):
    """A category or a case column by a victim dimension reads the victims' bits copied onto the
    case (`victim_mask`); an edit through the case form keeps them right. C3's
    boy of 12 becomes a woman of 30, and a second victim, a woman of unknown age, is added."""
    from course_app.services.caselog import cases

    c3 = four_cases[2]
    before, _rows, _columns, _total = table("type", "victim_sex", *YEAR_2026)
    assert before[("psikis", "L")] == 1

    data = cases.payload_from_case(c3)
    data["victims"][0].update(sex="P", age=30)
    data["victims"].append({"name": "V6", "sex": "P", "age": None})
    cases.update_case(c3, data, factories.make_user(roles=("caseworker",)), today=date(2026, 11, 27))
    db.session.commit()

    after, _rows, _columns, _total = table("type", "victim_sex", *YEAR_2026)
    assert ("psikis", "L") not in after
    assert after[("psikis", "P")] == before[("psikis", "P")] + 1
    by_age, _rows, _columns, _total = table("impact", "child_adult", *YEAR_2026)
    assert by_age[("trauma", "dewasa")] == 1 and by_age[("trauma", "tidak_diketahui")] == 1
    assert ("trauma", "anak") not in by_age
    place, _rows, _columns, _total = table("place", "age_group", *YEAR_2026)
    assert place[("rumah_tangga", "25-44")] == 2  # C1's woman of 30, and C3's
    assert c3.victim_mask != 0
    # Her service (recorded for the boy) and her pairs follow her too: a victim's own bits.
    services, _rows, _columns, _total = table("victim_sex", "service", *YEAR_2026)
    assert services[("P", "kesehatan")] == 1 and ("L", "kesehatan") not in services
    pairs, _rows, _columns, _total = table("child_adult", "relationship", *YEAR_2026)
    assert pairs[("dewasa", "tidak_dikenal")] == 1 and ("anak", "tidak_dikenal") not in pairs

"""Small-count protection: hand-worked tables, then a property over random ones."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from mutuo_aiuto.services.figures import suppression
from mutuo_aiuto.services.figures.suppression import (
    TOTAL,
    lines,
    primary,
    recoverable,
    secondary,
)

T = TOTAL


def _with_margins(grid: dict[tuple[str, str], int]) -> dict[tuple, int]:
    rows = sorted({r for r, _ in grid})
    cols = sorted({c for _, c in grid})
    table = dict(grid)
    for r in rows:
        table[(r, T)] = sum(grid[(r, c)] for c in cols)
    for c in cols:
        table[(T, c)] = sum(grid[(r, c)] for r in rows)
    table[(T, T)] = sum(grid.values())
    return table


def _protect(table: dict[tuple, int], rows: list, cols: list) -> set:
    found = lines([rows, cols], [True, True])
    return secondary(table, found, primary(table))


def test_a_3_by_3_with_margins():
    """On paper (the 3 is primary; S marks the secondary cells):

                 c1    c2    c3  | total
        r1        3*   10S   12  |  25
        r2        8     9    20  |  37
        r3        6S    7S   15  |  28
        total    17    26    47  |  90

    Column c1 holds one hidden cell: its smallest other (6) goes; row r1 likewise (10);
    then row r3 holds only the 6, so its smallest other (7) goes; every line now holds
    two hidden cells or none. The margins stay shown.
    """
    table = _with_margins({("r1", "c1"): 3, ("r1", "c2"): 10, ("r1", "c3"): 12,
                           ("r2", "c1"): 8, ("r2", "c2"): 9, ("r2", "c3"): 20,
                           ("r3", "c1"): 6, ("r3", "c2"): 7, ("r3", "c3"): 15})
    assert table[(T, T)] == 90
    hidden = _protect(table, ["r1", "r2", "r3"], ["c1", "c2", "c3"])
    assert hidden == {("r1", "c1"), ("r1", "c2"), ("r3", "c1"), ("r3", "c2")}


def test_a_2_by_2_hides_every_inner_cell():
    """        c1   c2 | total
        r1     4*   6S |  10
        r2     5S   7S |  12
        total  9   13  |  22

    The classic case: one small cell of a 2×2 takes the whole inside with it.
    """
    table = _with_margins({("r1", "c1"): 4, ("r1", "c2"): 6,
                           ("r2", "c1"): 5, ("r2", "c2"): 7})
    hidden = _protect(table, ["r1", "r2"], ["c1", "c2"])
    assert hidden == {("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2")}


def test_beside_zeros_the_total_goes():
    """a=2*, b=0, c=0, total=2S: hiding a zero would not hide the 2 (it is the total)."""
    table = {("a",): 2, ("b",): 0, ("c",): 0, (T,): 2}
    hidden = secondary(table, lines([["a", "b", "c"]], [True]), primary(table))
    assert hidden == {("a",), (T,)}


def test_two_small_cells_together_still_small_take_a_third():
    """a=1*, b=2*, c=30S, total=33: hiding a and b alone leaves 33 − 30 = 3 people in a
    and b together, itself a small count: c goes too."""
    table = {("a",): 1, ("b",): 2, ("c",): 30, (T,): 33}
    hidden = secondary(table, lines([["a", "b", "c"]], [True]), primary(table))
    assert hidden == {("a",), ("b",), ("c",)}


def test_two_small_cells_adding_up_to_5_protect_each_other():
    """a=2*, b=3*, c=30, total=35: 35 − 30 = 5 in a and b together, not a small count."""
    table = {("a",): 2, ("b",): 3, ("c",): 30, (T,): 35}
    hidden = secondary(table, lines([["a", "b", "c"]], [True]), primary(table))
    assert hidden == {("a",), ("b",)}


def test_special_categories_never_leave_a_small_sum_either():
    """a=0*, b=3*, c=7S, total=10: the 0 and the 3 together are 3, so the 7 goes too."""
    table = {("a",): 0, ("b",): 3, ("c",): 7, (T,): 10}
    found = lines([["a", "b", "c"]], [True])
    hidden = secondary(table, found, primary(table, special=True), special=True)
    assert hidden == {("a",), ("b",), ("c",)}
    assert recoverable(found, hidden, table, special=True) == []


def test_a_period_axis_without_a_cumulative_has_no_total():
    assert lines([["q1", "q2"], ["a"]], [True, True], [False, True]) == [
        suppression.Line((("q1", "a"),), ("q1", T)),
        suppression.Line((("q2", "a"),), ("q2", T)),
    ]


def test_zero_is_shown_but_not_for_special_categories():
    counts = {("a",): 0, ("b",): 4, ("c",): 5}
    assert primary(counts) == {("b",)}
    assert primary(counts, special=True) == {("a",), ("b",)}


def test_periods_and_the_cumulative_are_a_line_too():
    """Quarters q1=3*, q2=9S, q3=20 and the cumulative 32 (one neighbourhood, no breakdown)."""
    table = {("q1",): 3, ("q2",): 9, ("q3",): 20, (T,): 32}
    hidden = secondary(table, lines([["q1", "q2", "q3"]], [True]), primary(table))
    assert hidden == {("q1",), ("q2",)}


def test_an_axis_that_does_not_add_up_makes_no_line():
    assert lines([["q1", "q2"], ["a", "b"]], [False, True]) == [
        suppression.Line((("q1", "a"), ("q1", "b")), ("q1", T)),
        suppression.Line((("q2", "a"), ("q2", "b")), ("q2", T)),
        suppression.Line(((T, "a"), (T, "b")), (T, T)),
    ]


cells = st.integers(min_value=0, max_value=40)


@st.composite
def cubes(draw):
    """A random 1-, 2- or 3-axis table of counts with all its margins."""
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    axes = [[f"v{i}" for i in range(size)] for size in sizes]
    found = lines(axes, [True] * len(axes))
    inner: dict[tuple, int] = {}

    for point in itertools.product(*axes):
        inner[point] = draw(cells)
    table = dict(inner)
    for point in itertools.product(*[[*a, T] for a in axes]):
        if T in point:
            table[point] = sum(v for key, v in inner.items()
                               if all(p is T or p == k for p, k in zip(point, key, strict=True)))
    return table, found


@given(cubes())
def test_no_suppressed_cell_can_be_worked_out_in_any_line(cube):
    table, found = cube
    first = primary(table)
    hidden = secondary(table, found, first)
    assert first <= hidden
    assert recoverable(found, hidden, table) == []
    # By subtraction: in every line, what is shown never pins a hidden cell down alone,
    # nor a small sum of hidden cells where the line's total is shown.
    for line in found:
        unknown = [c for c in line.cells() if c in hidden]
        assert len(unknown) != 1
        if unknown and line.total not in hidden:
            together = table[line.total] - sum(table[c] for c in line.parts if c not in hidden)
            assert together == 0 or together >= 5
    # Nothing but the small cells and their partners: the big table is not blanked out.
    assert all(table[c] < 5 for c in first)

"""Small-count protection as published: over the rows of a report and its exports, no
suppressed cell of an additive figure can be worked out by subtraction in any line, and
special-category figures never show a number under 5."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from mutuo_aiuto.services.figures.cube import BREAKDOWNS, Cube, figures
from mutuo_aiuto.services.figures.indicators import BY_NAME
from mutuo_aiuto.services.figures.periods import ReportPeriod
from mutuo_aiuto.services.figures.rows import Figure

Q = [ReportPeriod(date(2026, m, 1), date(2026, m + 2, 28)) for m in (1, 4, 7)]
SPAN = ReportPeriod(Q[0].start, Q[-1].end)


def exposed_lines(rows: list[Figure],
                  cumulative: tuple[date, date] = (SPAN.start, SPAN.end)) -> list[str]:
    """Every line (one column varying over its values, the others fixed, its total where
    that column is empty) holding exactly one suppressed row: one could subtract."""
    additive = {name for name, ind in BY_NAME.items() if ind.additive}
    over_time = {name for name, ind in BY_NAME.items() if ind.over_time}
    cells: dict[tuple, Figure] = {}
    for row in rows:
        period = None if (row.period_start, row.period_end) == cumulative \
            else row.period_start
        cells[(row.indicator, period, *(getattr(row, b) for b in BREAKDOWNS))] = row
    found = []
    for index in range(1, 2 + len(BREAKDOWNS)):
        lines: dict[tuple, dict[object, Figure]] = defaultdict(dict)
        for key, row in cells.items():
            if key[0] in additive and (index > 1 or key[0] in over_time):
                lines[key[:index] + key[index + 1:]][key[index]] = row
        for rest, members in lines.items():
            if len(members) < 2 or None not in members:
                continue
            total = members[None]
            parts = [row for value, row in members.items() if value is not None]
            hidden = sum(m.suppressed for m in members.values())
            if hidden == 1:
                found.append(f"{rest}: one hidden cell")
            elif hidden and not total.suppressed:
                together = total.value - sum(p.value for p in parts if not p.suppressed)
                if 0 < together < 5:
                    found.append(f"{rest}: hidden cells add up to {together}")
    return found


@st.composite
def cubes(draw):
    """Pairings by neighbourhood × category over three quarters, with small numbers often."""
    cube = Cube(BY_NAME["network_help_between_neighbourhoods"], SPAN,
                ("neighbourhood", "category"))
    places = draw(st.lists(st.sampled_from("ABCD"), min_size=1, max_size=4, unique=True))
    for quarter in Q:
        for family in places:
            for helper in places:
                count = draw(st.integers(0, 12))
                if count:
                    cube.add(quarter, (family, helper), count)
                    cube.add(None, (family, helper), count)
    return cube


@settings(max_examples=60, deadline=None)
@given(cubes())
def test_published_rows_never_let_a_hidden_cell_be_subtracted(cube):
    rows = figures(cube, {q: q for q in Q})
    assert exposed_lines(rows) == []
    for row in rows:
        assert row.suppressed == (row.value is None)
        if not row.suppressed:
            assert row.value == 0 or row.value >= 5


def test_a_hand_worked_cube_as_published():
    """Q1 only (no cumulative rows), family's neighbourhood × helper's:

                  helper A   helper B | total
        family A      6S        2*    |   8
        family B      7S        9S    |  16
        total        13        11     |  24

    The 2 is small; row A would give it away (8 − 6), so the 6 goes; column B
    likewise (11 − 9), so the 9 goes; then row B holds only the 9, so the 7 goes.
    Every margin stays shown: each line holds two hidden cells adding up to 5 or more.
    No cumulative rows are made up for a report without them.
    """
    cube = Cube(BY_NAME["network_help_between_neighbourhoods"], Q[0],
                ("neighbourhood", "category"))
    for (family, helper), count in {("A", "A"): 6, ("A", "B"): 2, ("B", "A"): 7,
                                    ("B", "B"): 9}.items():
        cube.add(Q[0], (family, helper), count)
    published = figures(cube, {Q[0]: Q[0]})
    assert len(published) == 9
    rows = {(r.neighbourhood, r.category): r for r in published}
    hidden = {key for key, row in rows.items() if row.suppressed}
    assert hidden == {("A", "A"), ("A", "B"), ("B", "A"), ("B", "B")}
    assert rows[(None, None)].value == 24 and rows[("A", None)].value == 8
    assert exposed_lines(published) == []


def test_special_categories_hide_zero_too():
    """Quarters 0*, 3*, 7S and the cumulative 10: the 0 and the 3 are under 5; shown,
    the 7 would tell they make 3 together (10 − 7), so it goes too."""
    cube = Cube(BY_NAME["participants_with_disabilities"], SPAN)
    for quarter, count in zip(Q, (0, 3, 7), strict=True):
        cube.add(quarter, (), count)
    cube.add(None, (), 10)
    rows = figures(cube, {q: q for q in Q})
    shown = {(r.period_start, r.period_end): r.value for r in rows if not r.suppressed}
    assert shown == {(SPAN.start, SPAN.end): 10}

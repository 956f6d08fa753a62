"""benchmarks/bench_matching.py's bounds: kept in a file (``--bound-file``), so the
LP bound at 30,000 (minutes of CPU, 2.7 GB) is paid once; and the Lagrangian
bound used above the exact programme's sizes is never below the optimum."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given
from hypothesis import strategies as st

from benchmarks.bench_matching import best_packing, lagrangian_bound, read_bounds, write_bound
from tests.matching.strategies import SETTINGS, THOROUGH, brute_force_optimum, problems


def test_a_missing_or_absent_file_has_no_bounds(tmp_path):
    assert read_bounds(None) == {}
    assert read_bounds(tmp_path / "bounds.json") == {}


def test_bounds_written_are_read_back_by_case(tmp_path):
    path = tmp_path / "bounds.json"
    write_bound(path, "30000 city 1", 422948.0, "LP relaxation bound (179 s)")
    write_bound(path, "10000 city 1", 124654.0, "optimal (122 s)")
    write_bound(path, "30000 city 1", 422948.5, "LP relaxation bound (180 s)")
    assert read_bounds(path) == {
        "10000 city 1": {"value": 124654.0, "note": "optimal (122 s)"},
        "30000 city 1": {"value": 422948.5, "note": "LP relaxation bound (180 s)"},
    }


# The bound above the exact programme's sizes: valid for any prices, so never
# below the optimum, and its packing search exact.

@THOROUGH
@given(problems())
def test_the_lagrangian_bound_is_never_below_the_optimum(problem):
    optimum = brute_force_optimum(problem)
    # aiming below the optimum, so the prices move for many steps
    bound, note = lagrangian_bound(problem, optimum // 2, 60)
    assert bound >= optimum - 1e-6, note


@SETTINGS
@given(st.lists(st.integers(-5, 20), max_size=9), st.data(), st.integers(1, 3))
def test_best_packing_is_the_best_set_within_room_and_clashes(values, data, room):
    pairs = [(x, y) for x in range(len(values)) for y in range(x)]
    clashing = set(data.draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else [])
    clashes = [sum(1 << y for y in range(len(values)) if (x, y) in clashing or (y, x) in clashing)
               for x in range(len(values))]
    value, chosen = best_packing([float(v) for v in values], clashes, room)
    assert len(chosen) <= room
    assert not any((x, y) in clashing for x in chosen for y in chosen)
    assert value == sum(values[x] for x in chosen)
    best = max(sum(values[x] for x in group)
               for size in range(room + 1) for group in combinations(range(len(values)), size)
               if not any((x, y) in clashing for x in group for y in group))
    assert value == best

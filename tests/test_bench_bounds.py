"""benchmarks/bench_matching.py keeps the optimums and bounds it computed in a file
(``--bound-file``), so the LP bound at 30,000 (minutes of CPU, 2.7 GB) is paid once."""

from __future__ import annotations

from benchmarks.bench_matching import read_bounds, write_bound


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

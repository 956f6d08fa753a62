"""One need against the present state: the best free offers, no rule broken, fast."""

from __future__ import annotations

import time

import pytest

from benchmarks.generate_problem import generate
from mutuo_aiuto.matching import (
    ProblemError,
    Proposal,
    load_problem,
    prepare,
    propose_for_need,
    solve,
)
from tests.matching.factories import make_need, make_offer, make_problem, weekly


def offers(*specs):
    return [make_offer(id=f"o{k}", household=f"v{k}", **spec) for k, spec in enumerate(specs)]


def test_the_best_offers_one_per_helper():
    state = make_problem([], offers({}, {"neighbourhood": "madonna-alta"}, {}))
    got = propose_for_need(state, make_need(helpers=2))
    assert [p.offer for p in got] == ["o0", "o2"]  # same neighbourhood beats one hop
    assert all(p.score == sum(r.points for r in p.reasons) for p in got)


def test_a_full_offer_is_skipped():
    other = make_need(id="other", household="x", slots=(weekly(1, "18:00", "19:00"),))
    state = make_problem([other], offers({}, {"neighbourhood": "madonna-alta"}),
                         fixed=(("other", "o0"),))
    assert [p.offer for p in propose_for_need(state, make_need())] == ["o1"]


def test_an_offer_busy_at_the_time_is_skipped():
    other = make_need(id="other", household="x", slots=(weekly(1, "17:00", "19:00"),))
    state = make_problem([other], offers({"capacity": 3}, {"neighbourhood": "madonna-alta"}))
    current = [Proposal("other", "o0", 16, ())]
    assert [p.offer for p in propose_for_need(state, make_need(), current)] == ["o1"]
    assert [p.offer for p in propose_for_need(state, make_need())] == ["o0"]
    assert [p.offer for p in propose_for_need(state, make_need(), [("other", "o0")])] == ["o1"]


def test_an_edited_need_keeps_its_fixed_helpers_and_drops_its_old_proposals():
    need = make_need(helpers=2)
    state = make_problem([need], offers({}, {}, {}), fixed=(("n1", "o1"),))
    old = [Proposal("n1", "o0", 16, ())]
    got = propose_for_need(prepare(state, old), need)
    assert [p.offer for p in got] == ["o0"]  # o1 is fixed already; o0 is free again
    assert propose_for_need(state, make_need(helpers=1)) == ()


def test_the_load_of_fixed_pairs_lowers_the_score():
    other = make_need(id="other", household="x", slots=(weekly(1, "18:00", "19:00"),))
    state = make_problem([other], offers({"capacity": 2}), fixed=(("other", "o0"),))
    (got,) = propose_for_need(state, make_need())
    assert got.score == 16 - 2 and got.reasons[-1].code == "load"


def test_an_invalid_need_is_refused():
    with pytest.raises(ProblemError, match=r"need\.neighbourhood"):
        propose_for_need(make_problem([], offers({})), make_need(neighbourhood="nowhere"))
    with pytest.raises(ProblemError, match="current"):
        prepare(make_problem([], offers({})), [("ghost", "o0")])


def test_it_agrees_with_solve_for_a_lone_need():
    state = make_problem([make_need()], offers({}, {"neighbourhood": "cortonese"}))
    assert propose_for_need(state, make_need()) == solve(state).proposals


def test_fast_against_ten_thousand_offers():
    data = generate(300, 10_000, seed=5, city=True)
    problem = load_problem(data)
    prepared = prepare(problem)
    needs = problem.needs[:50]
    started = time.perf_counter()
    for need in needs:
        propose_for_need(prepared, need)
    each = (time.perf_counter() - started) / len(needs)
    assert each < 0.05, f"{each * 1000:.1f} ms a need"

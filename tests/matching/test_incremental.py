"""One need against the present state: the best free offers, no rule broken, fast."""

from __future__ import annotations

import time

import pytest

from benchmarks.generate_problem import generate
from mutuo_aiuto.matching import (
    ProblemError,
    Proposal,
    busy_elsewhere,
    check_answer,
    keep_one_place,
    load_problem,
    prepare,
    propose_for_need,
    ranked_for_need,
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


def test_ranked_for_need_lists_every_free_offer_best_first():
    state = prepare(make_problem([], offers({"neighbourhood": "madonna-alta"}, {}, {},
                                            {"skills": ("cooking",)})))
    ranked = ranked_for_need(state, make_need())
    assert [p.offer for p in ranked] == ["o1", "o2", "o0"]  # same place first, then by id
    assert [p.score for p in ranked] == sorted((p.score for p in ranked), reverse=True)
    assert ranked_for_need(state, make_need(), 2) == ranked[:2]
    assert [p.offer for p in ranked_for_need(state, make_need(), exclude=["o1"])] == ["o2", "o0"]


def test_propose_for_need_takes_the_first_of_the_ranking():
    state = prepare(make_problem([], offers({"neighbourhood": "madonna-alta"}, {}, {})))
    need = make_need(helpers=2)
    assert propose_for_need(state, need) == tuple(
        sorted(ranked_for_need(state, need, 2), key=lambda p: p.offer))
    assert [p.offer for p in propose_for_need(state, need, exclude=["o1"])] == ["o0", "o2"]


def _one_household_two_offers(other_slot):
    """Household "v" offers o0 and o1; another family's need is fixed on o0."""
    other = make_need(id="other", household="x", slots=(other_slot,))
    return make_problem([other], [make_offer(id="o0", household="v", capacity=3),
                                  make_offer(id="o1", household="v", capacity=3)],
                        fixed=(("other", "o0"),))


def test_a_household_busy_at_the_time_through_another_offer_is_skipped():
    state = prepare(_one_household_two_offers(weekly(1, "17:00", "19:00")))
    assert busy_elsewhere(state, make_need(), "o1")
    assert not busy_elsewhere(state, make_need(), "o0")  # rule 9 judges the same offer
    assert propose_for_need(state, make_need()) == ()
    free = prepare(_one_household_two_offers(weekly(1, "18:00", "19:00")))  # touching ends
    assert not busy_elsewhere(free, make_need(), "o1")
    assert [p.offer for p in propose_for_need(free, make_need())] == ["o1"]  # o0 has a load


def test_current_proposals_make_a_household_busy_too():
    other = make_need(id="other", household="x", slots=(weekly(1, "17:00", "19:00"),))
    problem = make_problem([other], [make_offer(id="o0", household="v", capacity=3),
                                     make_offer(id="o1", household="v", capacity=3)])
    assert propose_for_need(problem, make_need(), [("other", "o0")]) == ()
    assert [p.offer for p in propose_for_need(problem, make_need())] == ["o0"]


def test_keep_one_place_drops_the_weaker_proposal_of_a_busy_household():
    a = make_need(id="a", household="x", urgency=3)
    b = make_need(id="b", household="y")
    problem = make_problem([a, b], [make_offer(id="o0", household="v"),
                                    make_offer(id="o1", household="v")])
    answer = solve(problem)
    assert check_answer(problem, answer) == []
    assert [(p.need, p.offer) for p in answer.proposals] == [("a", "o0"), ("b", "o1")]
    kept = keep_one_place(problem, answer.proposals)
    assert [(p.need, p.offer) for p in kept] == [("a", "o0")]  # a is more urgent

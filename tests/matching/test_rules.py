"""Each hard rule, alone: a pair that breaks it is never proposed; one that keeps it is."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from mutuo_aiuto.matching import Slot, check_answer, solve
from tests.matching.factories import make_need, make_offer, make_problem, weekly


def proposed(problem) -> set[tuple[str, str]]:
    answer = solve(problem)
    assert check_answer(problem, answer) == []
    return {(p.need, p.offer) for p in answer.proposals}


def test_the_default_need_and_offer_pair_up():
    assert proposed(make_problem([make_need()], [make_offer()])) == {("n1", "o1")}


BROKEN = {
    "rule 1: same household": (dict(household="helper"), {}),
    "rule 2: a skill missing": (dict(skills=("childcare", "mediation")), {}),
    "rule 3: outside the offer's time": (dict(slots=(weekly(1, "14:00", "16:00"),)), {}),
    "rule 3: another weekday": (dict(slots=(weekly(2, "16:00", "18:00"),)), {}),
    "rule 3: one of two slots outside": (
        dict(slots=(weekly(1, "16:00", "18:00"), weekly(3, "16:00", "18:00"))), {}),
    "rule 3: a date on another weekday": (
        dict(slots=(Slot.on_date(dt.date(2026, 12, 2), 960, 1080),)), {}),
    "rule 4: beyond the need's reach": (dict(neighbourhood="cortonese", max_hops=1), {}),
    "rule 4: beyond the offer's reach": (dict(neighbourhood="cortonese"), dict(max_hops=1)),
    "rule 4: no path at all": (dict(neighbourhood="island"), {}),
    "rule 5: no shared language": (dict(languages=("ar",)), dict(languages=("it", "en"))),
    "rule 6: not vetted": (dict(requires_vetted=True), dict(vetted=False)),
}


@pytest.mark.parametrize(("need", "offer"), BROKEN.values(), ids=BROKEN.keys())
def test_a_pair_breaking_a_rule_is_never_proposed(need, offer):
    problem = make_problem([make_need(**need)], [make_offer(**offer)])
    if need.get("neighbourhood") == "island":
        problem = replace(problem, neighbourhoods=(*problem.neighbourhoods, "island"))
    assert proposed(problem) == set()
    assert solve(problem).unmatched == ("n1",)


KEPT = {
    "rule 3: exactly the offer's slot": dict(slots=(weekly(1, "15:00", "19:00"),)),
    "rule 3: a date on the right weekday": dict(
        slots=(Slot.on_date(dt.date(2026, 12, 1), 960, 1080),)),
    "rule 4: two hops away, both reach two": dict(neighbourhood="cortonese"),
    "rule 4: remote needs go any distance": dict(neighbourhood="pallotta", remote=True,
                                                  max_hops=0),
    "rule 5: one side states no language": dict(languages=("ar",)),
    "rule 6: vetting not asked": dict(requires_vetted=False),
    "rule 2: a need with no skills": dict(skills=()),
}


@pytest.mark.parametrize("need", KEPT.values(), ids=KEPT.keys())
def test_a_pair_within_the_rules_is_proposed(need):
    assert proposed(make_problem([make_need(**need)], [make_offer()])) == {("n1", "o1")}


def test_a_remote_need_to_an_unreachable_place_is_allowed_without_proximity():
    problem = make_problem([make_need(remote=True, neighbourhood="island")], [make_offer()])
    problem = replace(problem, neighbourhoods=(*problem.neighbourhoods, "island"))
    (proposal,) = solve(problem).proposals
    assert [r.code for r in proposal.reasons] == ["base"]


def test_rule_7_a_need_gets_at_most_its_helpers_from_distinct_offers():
    offers = [make_offer(id=f"o{k}", household=f"v{k}") for k in range(4)]
    answer = solve(make_problem([make_need(helpers=2)], offers))
    assert len(answer.proposals) == 2
    assert len({p.offer for p in answer.proposals}) == 2
    assert answer.unmatched == ()


def test_rule_7_fixed_helpers_count():
    offers = [make_offer(id=f"o{k}", household=f"v{k}") for k in range(3)]
    problem = make_problem([make_need(helpers=2)], offers, fixed=(("n1", "o2"),))
    answer = solve(problem)
    assert [p.offer for p in answer.proposals] in (["o0"], ["o1"])
    assert answer.unmatched == ()


def test_rule_8_capacity_counts_fixed_pairs():
    needs = [make_need(id=f"n{k}", household=f"f{k}", slots=(weekly(k, "16:00", "17:00"),))
             for k in range(3)]
    offer = make_offer(capacity=2, slots=tuple(weekly(k, "15:00", "19:00") for k in range(3)))
    answer = solve(make_problem(needs, [offer], fixed=(("n0", "o1"),)))
    assert len(answer.proposals) == 1
    assert answer.unmatched == ("n2",) or answer.unmatched == ("n1",)


@pytest.mark.parametrize(("proximity", "chosen"), [((6, 3, 1), {"a", "c"}), ((), {"b"})])
def test_rule_9_an_offer_is_never_in_two_places_at_once(proximity, chosen):
    from mutuo_aiuto.matching import Weights
    a = make_need(id="a", household="fa", slots=(weekly(1, "16:00", "18:00"),))
    b = make_need(id="b", household="fb", slots=(weekly(1, "17:00", "18:30"),), urgency=3)
    c = make_need(id="c", household="fc", slots=(weekly(1, "18:00", "19:00"),))
    problem = make_problem([a, b, c], [make_offer(capacity=3)],
                           weights=Weights(proximity=proximity))
    # b clashes with a and with c; a and c only touch at 18:00. With proximity
    # points a + c score 16 + 16 > 31 for b; without, 10 + 10 < 25.
    assert {p.need for p in solve(problem).proposals} == chosen


def test_rule_9_touching_slots_do_not_clash():
    a = make_need(id="a", household="fa", slots=(weekly(1, "16:00", "18:00"),))
    c = make_need(id="c", household="fc", slots=(weekly(1, "18:00", "19:00"),))
    answer = solve(make_problem([a, c], [make_offer(capacity=2)]))
    assert {p.need for p in answer.proposals} == {"a", "c"}


def test_rule_9_dates_clash_with_their_weekday_and_their_own_date_only():
    weekly_need = make_need(id="w", household="fw", slots=(weekly(1, "16:00", "17:00"),))
    first = make_need(id="d1", household="f1",
                      slots=(Slot.on_date(dt.date(2026, 12, 1), 960, 1020),))
    second = make_need(id="d8", household="f8",
                       slots=(Slot.on_date(dt.date(2026, 12, 8), 960, 1020),))
    again = make_need(id="d1b", household="f9",
                      slots=(Slot.on_date(dt.date(2026, 12, 1), 990, 1050),))
    offer = make_offer(capacity=3)
    both_dates = solve(make_problem([first, second], [offer]))
    assert len(both_dates.proposals) == 2
    one = solve(make_problem([weekly_need, first], [offer]))
    assert len(one.proposals) == 1
    same_day = solve(make_problem([first, again], [offer]))
    assert len(same_day.proposals) == 1


def test_rule_9_a_fixed_need_blocks_its_time():
    fixed = make_need(id="f", household="ff", slots=(weekly(1, "16:00", "17:00"),))
    other = make_need(id="n", household="fn", slots=(weekly(1, "16:30", "17:30"),))
    answer = solve(make_problem([fixed, other], [make_offer(capacity=3)], fixed=(("f", "o1"),)))
    assert answer.proposals == ()
    assert answer.unmatched == ("n",)


def test_a_fixed_pair_that_breaks_the_rules_is_kept_and_counted():
    # The facilitator paired a need with its own household and over capacity: facts.
    mine = make_need(id="mine", household="helper")
    other = make_need(id="other", household="x", slots=(weekly(1, "18:00", "19:00"),))
    problem = make_problem([mine, other], [make_offer(capacity=0)], fixed=(("mine", "o1"),))
    answer = solve(problem)
    assert answer.proposals == () and answer.unmatched == ("other",)
    assert answer.stats.allowed_pairs == 2  # the fixed pair, and other-o1 (allowed, no room)
    assert check_answer(problem, answer) == []


def test_an_offer_without_capacity_gets_nothing():
    assert proposed(make_problem([make_need()], [make_offer(capacity=0)])) == set()


def test_a_pair_worth_nothing_is_not_proposed():
    from mutuo_aiuto.matching import Weights
    weights = Weights(base=1, proximity=(), load=5)
    problem = make_problem([make_need(), make_need(id="n2", household="x",
                                                   slots=(weekly(1, "18:00", "19:00"),))],
                           [make_offer(capacity=3)], fixed=(("n2", "o1"),), weights=weights)
    answer = solve(problem)
    assert answer.proposals == () and answer.unmatched == ("n1",)


def test_a_need_without_skills_reaches_every_offer_in_range():
    # Offers filed by neighbourhood only are searched farthest-reaching first.
    need = make_need(skills=(), neighbourhood="madonna-alta", max_hops=1)
    near = make_offer(id="o0", household="v0", max_hops=0)
    far = make_offer(id="o1", household="v1", max_hops=1)
    assert proposed(make_problem([need], [near, far])) == {("n1", "o1")}

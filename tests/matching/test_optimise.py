"""The optimiser's parts: auction, moves and chains keep the rules, the exact search is exact."""

from __future__ import annotations

from hypothesis import given

from mutuo_aiuto.matching import OfferIndex
from mutuo_aiuto.matching.chains import improve_by_chains
from mutuo_aiuto.matching.exact import best_assignment
from mutuo_aiuto.matching.improve import improve
from mutuo_aiuto.matching.instance import Fixed, Instance, build_instance, clocks_of
from mutuo_aiuto.matching.market import Market
from mutuo_aiuto.matching.offer_sets import best_set
from mutuo_aiuto.matching.optimise import components
from tests.matching.strategies import SETTINGS, THOROUGH, brute_force_optimum, problems


def instance_of(problem):
    index = OfferIndex(problem)
    instance, _ = build_instance(problem, index, Fixed.of(problem, index), clocks_of(problem))
    return instance


def assert_feasible(instance, pairs):
    per_need: dict[int, int] = {}
    per_offer: dict[int, list[int]] = {}
    for need, offer in pairs:
        assert offer in instance.scores[need]
        per_need[need] = per_need.get(need, 0) + 1
        per_offer.setdefault(offer, []).append(need)
    assert len(set(pairs)) == len(pairs)
    assert all(count <= instance.helpers[need] for need, count in per_need.items())
    for offer, needs in per_offer.items():
        assert len(needs) <= instance.capacity[offer]
        assert not any(instance.clash(a, b) for x, a in enumerate(needs) for b in needs[x + 1:])


@SETTINGS
@given(problems())
def test_the_auction_and_the_moves_keep_rules_7_to_9(problem):
    instance = instance_of(problem)
    market = Market(instance)
    market.run(range(len(instance.helpers)))
    assert_feasible(instance, market.assignment())
    before = market.total
    improve(market, list(range(len(instance.capacity))))
    assert_feasible(instance, market.assignment())
    assert market.total >= before
    assert market.total == sum(instance.score(i, j) for i, j in market.assignment())


@SETTINGS
@given(problems())
def test_the_chains_keep_rules_7_to_9_and_only_raise_the_total(problem):
    instance = instance_of(problem)
    market = Market(instance)
    market.run(range(len(instance.helpers)))
    before = market.total
    improve_by_chains(market)
    assert_feasible(instance, market.assignment())
    assert market.total >= before
    assert market.total == sum(instance.score(i, j) for i, j in market.assignment())


def test_a_chain_moves_the_need_pushed_out_to_a_free_place():
    # Need 0 is free and fits only offer 0, held by need 1, which could go to offer 1:
    # 0 takes offer 0 (+10 - 8), 1 takes offer 1 (+7).
    instance = Instance([1, 1], [1, 1], [[(0, 10)], [(0, 8), (1, 7)]], lambda a, b: False)
    market = Market(instance)
    market.place(1, 0, 4)
    improve_by_chains(market)
    assert market.assignment() == [(0, 0), (1, 1)]
    assert market.total == 17


def test_a_chain_goes_around_a_clash():
    # Offer 0 (room 2) holds need 1; need 0 clashes with need 1, so taking its place
    # pushes 1 out, and 1 fits offer 1 only after need 2 there moves to offer 2.
    clash = lambda a, b: {a, b} == {0, 1}  # noqa: E731
    pairs = [[(0, 12)], [(0, 6), (1, 5)], [(1, 4), (2, 3)]]
    instance = Instance([1, 1, 1], [2, 1, 1], pairs, clash)
    market = Market(instance)
    market.place(1, 0, 4)
    market.place(2, 1, 4)
    improve_by_chains(market)
    assert market.assignment() == [(0, 0), (1, 1), (2, 2)]
    assert market.total == 20


@THOROUGH
@given(problems(max_needs=6, max_offers=4))
def test_the_exact_search_finds_the_optimum_from_nothing(problem):
    instance = instance_of(problem)
    needs = [i for i, row in enumerate(instance.pairs) if row]
    pairs, proven = best_assignment(instance, needs, [], max_flows=10_000)
    assert proven
    assert_feasible(instance, pairs)
    assert sum(instance.score(i, j) for i, j in pairs) == brute_force_optimum(problem)


@SETTINGS
@given(problems())
def test_components_split_the_needs(problem):
    instance = instance_of(problem)
    needs = [i for i, row in enumerate(instance.pairs) if row]
    parts = components(instance, needs)
    assert sorted(i for part in parts for i in part) == needs
    offers_of = [{j for i in part for j, _ in instance.pairs[i]} for part in parts]
    for x, mine in enumerate(offers_of):
        assert all(not mine & other for other in offers_of[x + 1:])


def test_best_set_skips_clashes_and_keeps_within_room():
    clash = lambda a, b: {a, b} == {1, 2}  # noqa: E731
    assert best_set([(5, 1), (4, 2), (3, 3)], 2, clash) == (8, (1, 3))
    assert best_set([(5, 1), (4, 2), (3, 3)], 1, clash) == (5, (1,))
    assert best_set([(5, 1), (4, 2)], 3, clash) == (5, (1,))
    assert best_set([], 2, clash) == (0, ())


@SETTINGS
@given(problems())
def test_needs_of_one_timetable_kind_clash_with_the_same_needs(problem):
    # The market remembers what a need pays to join an offer per timetable kind:
    # that is only sound if a kind decides every clash.
    instance = instance_of(problem)
    kinds, count = instance.kinds, len(instance.helpers)
    assert len(kinds) == count
    for a in range(count):
        for b in range(count):
            if kinds[a] == kinds[b]:
                assert all(instance.clash(a, c) == instance.clash(b, c) for c in range(count))
                assert clocks_of(problem)[a] == clocks_of(problem)[b]


@SETTINGS
@given(problems())
def test_the_market_bids_as_if_it_remembered_nothing(problem):
    # Join costs remembered per offer and timetable kind give the very bids
    # that working each one out afresh gives, at every step of an auction.
    instance = instance_of(problem)
    market = Market(instance)
    needs = [i for i, row in enumerate(instance.pairs) if row]
    for need in needs:
        market.run([need])
        for other in needs:
            for offer, _ in market.bids[other]:
                if market._entry[offer] < 0 and (known := market._entry_by_kind[offer]):
                    kind = instance.kinds[other]
                    if kind in known:
                        assert known[kind] == market._join_cost(other, offer)
        assert market.room == [instance.helpers[i] - len(market.held[i])
                               for i in range(len(instance.helpers))]

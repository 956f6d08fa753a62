"""Why a need is unmatched, and what blocks one pair: pure Python, no app."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mutuo_aiuto.matching import diagnose
from mutuo_aiuto.matching.candidates import OfferIndex
from mutuo_aiuto.matching.fileformat import load_problem

RULE_CODES = {diagnose.SAME_HOUSEHOLD, diagnose.NO_SKILL, diagnose.NO_TIME, diagnose.TOO_FAR,
              diagnose.LANGUAGE, diagnose.NOT_VETTED}


def need(**overrides: Any) -> dict[str, Any]:
    return {"id": "n1", "household": "h1", "skills": ["childcare"], "neighbourhood": "a",
            "slots": [{"day": 1, "start": "16:00", "end": "18:00"}], "max_hops": 1} | overrides


def offer(**overrides: Any) -> dict[str, Any]:
    return {"id": "o1", "household": "h2", "skills": ["childcare", "homework"],
            "neighbourhood": "a", "slots": [{"day": 1, "start": "15:00", "end": "19:00"}],
            "max_hops": 1} | overrides


def problem(needs: list[dict], offers: list[dict], fixed: list[dict] | None = None) -> Any:
    return load_problem({"format": 1, "neighbourhoods": ["a", "b", "c"],
                         "adjacency": [["a", "b"], ["b", "c"]], "needs": needs,
                         "offers": offers, "fixed": fixed or []})


def test_a_need_with_a_free_fitting_offer_is_not_unmatched():
    assert diagnose.why_unmatched(problem([need()], [offer()]), "n1") is None


def test_no_offer_has_the_skill():
    p = problem([need(skills=["mediation"])], [offer()])
    assert diagnose.why_unmatched(p, "n1") == diagnose.NO_SKILL


def test_the_own_household_offer_does_not_count():
    p = problem([need()], [offer(household="h1")])
    assert diagnose.why_unmatched(p, "n1") == diagnose.NO_SKILL
    assert diagnose.pair_blockers(p, "n1", "o1") == (diagnose.SAME_HOUSEHOLD,)


def test_no_time_fits():
    p = problem([need(slots=[{"day": 1, "start": "18:00", "end": "20:00"}])], [offer()])
    assert diagnose.why_unmatched(p, "n1") == diagnose.NO_TIME


def test_too_far_unless_remote():
    far = offer(neighbourhood="c")
    assert diagnose.why_unmatched(problem([need()], [far]), "n1") == diagnose.TOO_FAR
    assert diagnose.why_unmatched(problem([need(remote=True)], [far]), "n1") is None


def test_distance_limited_by_the_offer_side_too():
    p = problem([need(max_hops=2)], [offer(neighbourhood="c", max_hops=1)])
    assert diagnose.pair_blockers(p, "n1", "o1") == (diagnose.TOO_FAR,)


def test_no_shared_language():
    p = problem([need(languages=["ar"])], [offer(languages=["it"])])
    assert diagnose.why_unmatched(p, "n1") == diagnose.LANGUAGE


def test_not_vetted():
    p = problem([need(requires_vetted=True)], [offer(vetted=False)])
    assert diagnose.why_unmatched(p, "n1") == diagnose.NOT_VETTED


def test_all_full_when_the_only_offer_is_at_capacity():
    other = need(id="n2", household="h3", slots=[{"day": 1, "start": "15:00", "end": "16:00"}])
    p = problem([need(), other], [offer(capacity=1)], [{"need": "n2", "offer": "o1"}])
    assert diagnose.why_unmatched(p, "n1") == diagnose.ALL_FULL
    assert diagnose.pair_blockers(p, "n1", "o1") == (diagnose.FULL,)


def test_busy_when_the_offer_serves_a_need_at_the_same_time():
    other = need(id="n2", household="h3", slots=[{"day": 1, "start": "17:00", "end": "18:30"}])
    p = problem([need(), other], [offer(capacity=2)], [{"need": "n2", "offer": "o1"}])
    assert diagnose.pair_blockers(p, "n1", "o1") == (diagnose.BUSY,)
    assert diagnose.why_unmatched(p, "n1") == diagnose.ALL_FULL


def test_touching_times_do_not_collide():
    other = need(id="n2", household="h3", slots=[{"day": 1, "start": "18:00", "end": "19:00"}])
    p = problem([need(), other], [offer(capacity=2)], [{"need": "n2", "offer": "o1"}])
    assert diagnose.pair_blockers(p, "n1", "o1") == ()


def test_a_need_with_all_its_helpers_is_blocked():
    p = problem([need()], [offer(), offer(id="o2", household="h3")],
                [{"need": "n1", "offer": "o2"}])
    assert diagnose.pair_blockers(p, "n1", "o1") == (diagnose.HELPERS,)


def test_every_broken_rule_is_listed_in_order():
    p = problem([need(languages=["ar"], requires_vetted=True)],
                [offer(neighbourhood="c", languages=["it"], skills=["homework"])])
    assert diagnose.pair_blockers(p, "n1", "o1") == (
        diagnose.NO_SKILL, diagnose.TOO_FAR, diagnose.LANGUAGE, diagnose.NOT_VETTED)


# ---- the diagnosis agrees with the matcher's own allowed pairs ----------------------

places = st.sampled_from(["a", "b", "c"])
skills = st.lists(st.sampled_from(["childcare", "homework", "meals"]), min_size=1, max_size=2,
                  unique=True)
langs = st.lists(st.sampled_from(["it", "ar", "ro"]), max_size=2, unique=True)


@st.composite
def weekly(draw: Any, low: int = 8, high: int = 20) -> dict[str, Any]:
    start = draw(st.integers(low, high - 1))
    end = draw(st.integers(start + 1, high))
    return {"day": draw(st.integers(0, 2)), "start": f"{start:02d}:00", "end": f"{end:02d}:00"}


@st.composite
def pairs(draw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    n = need(household=draw(st.sampled_from(["h1", "h2"])), skills=draw(skills),
             neighbourhood=draw(places), slots=draw(st.lists(weekly(), min_size=1, max_size=2)),
             languages=draw(langs), requires_vetted=draw(st.booleans()),
             max_hops=draw(st.integers(0, 2)), remote=draw(st.booleans()))
    o = offer(skills=draw(skills), neighbourhood=draw(places),
              slots=draw(st.lists(weekly(), min_size=1, max_size=2)), languages=draw(langs),
              vetted=draw(st.booleans()), max_hops=draw(st.integers(0, 2)))
    return n, o


@settings(max_examples=300, deadline=None)
@given(pairs())
def test_rules_agree_with_the_matchers_candidates(pair: tuple[dict, dict]):
    p = problem([pair[0]], [pair[1]])
    allowed = OfferIndex(p).allowed_offers(p.needs[0]) == [0]
    broken = set(diagnose.pair_blockers(p, "n1", "o1")) & RULE_CODES
    assert allowed == (not broken)
    assert (diagnose.why_unmatched(p, "n1") is None) == allowed

"""The help network on a fixture worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from mutuo_aiuto.services.figures.network import NetworkFigures, Profile, Tie, measure

A, B, C = "Fontivegge", "Pallotta", "Monteluce"

# Five households; an arrow is a pairing, from the helper to the family it helped.
#
#   Q1 2026                                   Q2 2026
#   1(A) ──10 Jan──▶ 2(A)                      5(C) ──5 Apr──▶ 4(B)
#   2(A) ── 1 Feb──▶ 1(A)   (1 and 2 both ways) 1(A) ──10 Apr──▶ 2(A)  (third time)
#   3(B) ──15 Feb──▶ 2(A)
#   2(A) ── 1 Mar──▶ 4(B)
#   4(B) ──20 Mar──▶ 3(B)
#
#        1 ─── 2 ─── 3            households: age band, citizenship, languages
#              │   ╱              1: 30-54, italian,       it
#              │  ╱               2: 65+,   italian,       it ar
#              4 ─── 5 (Q2)       3: 30-54, third_country, ar
#                                 4: —,     other_eu,      ro
#                                 5: 18-29, —,             —
TIES = [
    Tie(1, 2, date(2026, 1, 10), A, A),
    Tie(2, 1, date(2026, 2, 1), A, A),
    Tie(3, 2, date(2026, 2, 15), B, A),
    Tie(2, 4, date(2026, 3, 1), A, B),
    Tie(4, 3, date(2026, 3, 20), B, B),
    Tie(5, 4, date(2026, 4, 5), C, B),
    Tie(1, 2, date(2026, 4, 10), A, A),
]
PROFILES = {
    1: Profile(A, "30-54", "italian", frozenset({"it"})),
    2: Profile(A, "65+", "italian", frozenset({"it", "ar"})),
    3: Profile(B, "30-54", "third_country", frozenset({"ar"})),
    4: Profile(B, None, "other_eu", frozenset({"ro"})),
    5: Profile(C, "18-29", None, frozenset()),
}


def test_the_first_quarter():
    """Ties 1–2, 2–3, 2–4, 3–4, all first paired in Q1; 1–2 twice (repeated).

    Across neighbourhoods: 3→2 and 2→4, 2 of 5 pairings. One component of 4.
    Density 4 ties / 6 possible. Reciprocity: 1→2 and 2→1 answer each other, 2 of the
    5 directed ties. Clustering: 1 has one neighbour (0); 2's neighbours 1, 3, 4 have one
    tie among three pairs (1/3); 3 and 4 each sit in the triangle 2-3-4 (1): 7/12.
    Bridging: 2 reaches A and B, 3 reaches A and B, 4 reaches A and B; 1 only A.
    Attributes: age known for 1–2 and 2–3, both across; citizenship known for all 4
    ties, the same only for 1–2; languages known for all 4, none shared by 2–4 and 3–4.
    """
    found = measure(TIES, PROFILES, date(2026, 1, 1), date(2026, 3, 31))
    assert found == NetworkFigures(
        households=4, ties=4, new_ties=4, repeated_ties=1, pairings=5,
        across_neighbourhoods=2, across_share=0.4,
        matrix={(A, A): 2, (B, A): 1, (A, B): 1, (B, B): 1},
        ties_age_known=2, ties_across_age=2, ties_origin_known=4, ties_across_origin=3,
        ties_language_known=4, ties_no_shared_language=2,
        largest_component=4, largest_component_share=1.0, density=0.6667,
        reciprocity=0.4, clustering=0.5833, bridging=3)


def test_the_second_quarter():
    """5→4 (a new tie, across C→B) and 1→2 again (not new: repeated). Two components of
    two: the largest holds half of the 4 households; 2 ties of 6 possible; nothing
    answered back within the quarter; no triangle; nobody reaches two neighbourhoods."""
    found = measure(TIES, PROFILES, date(2026, 4, 1), date(2026, 6, 30))
    assert (found.households, found.ties, found.new_ties, found.repeated_ties) == (4, 2, 1, 1)
    assert (found.pairings, found.across_neighbourhoods, found.across_share) == (2, 1, 0.5)
    assert found.matrix == {(C, B): 1, (A, A): 1}
    assert (found.largest_component, found.largest_component_share) == (2, 0.5)
    assert (found.density, found.reciprocity, found.clustering, found.bridging) == (
        0.3333, 0.0, 0.0, 0)
    # 4–5: one side's age band, citizenship and languages unknown; 1–2 as in Q1.
    assert (found.ties_age_known, found.ties_across_age) == (1, 1)
    assert (found.ties_origin_known, found.ties_across_origin) == (1, 0)
    assert (found.ties_language_known, found.ties_no_shared_language) == (1, 0)


def test_everything_up_to_april():
    """Five ties, all new; 1–2 repeated. Density 5/10; 2 of the 6 directed ties answered;
    clustering (0 + 1/3 + 1 + 1/3 + 0) / 5; 2, 3 and 4 (A, B and C) bridge."""
    found = measure(TIES, PROFILES, None, date(2026, 4, 30))
    assert (found.households, found.ties, found.new_ties, found.repeated_ties) == (5, 5, 5, 1)
    assert (found.pairings, found.across_neighbourhoods) == (7, 3)
    assert found.across_share == pytest.approx(0.4286)
    assert found.matrix == {(A, A): 3, (B, A): 1, (A, B): 1, (B, B): 1, (C, B): 1}
    assert (found.largest_component, found.largest_component_share) == (5, 1.0)
    assert (found.density, found.reciprocity, found.clustering, found.bridging) == (
        0.5, 0.3333, 0.3333, 3)


def test_an_empty_window_has_no_network():
    assert measure(TIES, PROFILES, date(2025, 1, 1), date(2025, 12, 31)) == NetworkFigures()

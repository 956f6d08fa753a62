"""The help network: households as nodes, pairings as ties, measured with networkx.

Pure Python: the report hands in slim ``Tie`` rows (one per counted pairing) and
each household's neighbourhood, age band, citizenship group and languages. A
window (a quarter, or everything up to a day) keeps the pairings confirmed in it;
a tie is a pair of households, directed from the helper to the family for
reciprocity, undirected for components, density and clustering.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import networkx as nx


@dataclass(frozen=True)
class Tie:
    """One counted pairing: who helped whom, on which day (the Hub's), where each lives."""

    helper: int
    family: int
    day: date
    helper_place: str | None
    family_place: str | None


@dataclass(frozen=True)
class Profile:
    """What the network figures read of a household (None: not recorded)."""

    place: str | None = None
    age_band: str | None = None
    origin: str | None = None  # citizenship group: italian, other_eu, third_country
    languages: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NetworkFigures:
    households: int = 0
    ties: int = 0
    new_ties: int = 0
    repeated_ties: int = 0
    pairings: int = 0
    across_neighbourhoods: int = 0  # pairings whose two sides live in different ones
    across_share: float | None = None
    # (helper's neighbourhood, family's neighbourhood) → pairings
    matrix: Mapping[tuple[str | None, str | None], int] = field(default_factory=dict)
    ties_age_known: int = 0
    ties_across_age: int = 0
    ties_origin_known: int = 0
    ties_across_origin: int = 0
    ties_language_known: int = 0
    ties_no_shared_language: int = 0
    largest_component: int = 0
    largest_component_share: float | None = None
    density: float | None = None
    reciprocity: float | None = None
    clustering: float | None = None
    bridging: int = 0


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _differ(a: object, b: object) -> bool | None:
    return None if a is None or b is None else a != b


def measure(ties: Iterable[Tie], profiles: Mapping[int, Profile], start: date | None,
            end: date) -> NetworkFigures:
    """The network of the pairings confirmed from ``start`` (None: the first) to ``end``.

    A tie is new when the pair's first pairing ever falls in the window; repeated when
    the pair has two pairings or more up to ``end`` (so a pair first paired twice in
    the window is both). A pair of households paired both ways is one tie.
    """
    every = sorted(ties, key=lambda t: (t.day, t.helper, t.family))
    upto = [t for t in every if t.day <= end]
    window = [t for t in upto if start is None or t.day >= start]
    if not window:
        return NetworkFigures()
    first: dict[tuple[int, int], date] = {}
    times: Counter[tuple[int, int]] = Counter()
    for tie in upto:
        key = _pair(tie.helper, tie.family)
        first.setdefault(key, tie.day)
        times[key] += 1
    pairs = sorted({_pair(t.helper, t.family) for t in window})
    directed = nx.DiGraph()
    directed.add_edges_from((t.helper, t.family) for t in window)
    graph = directed.to_undirected()
    largest = max((len(c) for c in nx.connected_components(graph)), default=0)
    nodes = graph.number_of_nodes()
    across = sum(t.helper_place != t.family_place for t in window)
    return NetworkFigures(
        households=nodes, ties=len(pairs),
        new_ties=sum(start is None or first[p] >= start for p in pairs),
        repeated_ties=sum(times[p] > 1 for p in pairs),
        pairings=len(window), across_neighbourhoods=across,
        across_share=round(across / len(window), 4),
        matrix=dict(Counter((t.helper_place, t.family_place) for t in window)),
        **_attribute_ties(pairs, profiles),
        largest_component=largest, largest_component_share=round(largest / nodes, 4),
        density=round(nx.density(graph), 4),
        reciprocity=round(nx.overall_reciprocity(directed), 4),
        clustering=round(nx.average_clustering(graph), 4),
        bridging=_bridging(graph, profiles))


def _attribute_ties(pairs: list[tuple[int, int]], profiles: Mapping[int, Profile]
                    ) -> dict[str, int]:
    """How many ties join households of different age bands, citizenship groups, or with
    no language in common, out of the ties where both sides recorded it."""
    counts: Counter[str] = Counter()
    empty = Profile()
    for a, b in pairs:
        one, two = profiles.get(a, empty), profiles.get(b, empty)
        for name, differ in (("age", _differ(one.age_band, two.age_band)),
                             ("origin", _differ(one.origin, two.origin))):
            if differ is not None:
                counts[f"ties_{name}_known"] += 1
                counts[f"ties_across_{name}"] += differ
        if one.languages and two.languages:
            counts["ties_language_known"] += 1
            counts["ties_no_shared_language"] += not one.languages & two.languages
    return {name: counts[name] for name in (
        "ties_age_known", "ties_across_age", "ties_origin_known", "ties_across_origin",
        "ties_language_known", "ties_no_shared_language")}


def _bridging(graph: nx.Graph, profiles: Mapping[int, Profile]) -> int:
    """Households whose ties reach households of two neighbourhoods or more."""
    empty = Profile()
    return sum(
        len({profiles.get(n, empty).place for n in graph.neighbors(node)} - {None}) >= 2
        for node in graph.nodes)

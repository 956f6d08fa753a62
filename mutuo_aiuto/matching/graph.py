"""Distances between neighbourhoods: hops on the adjacency graph, by networkx BFS."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

Distances = dict[str, dict[str, int]]


def hop_distances(neighbourhoods: Iterable[str],
                  adjacency: Iterable[tuple[str, str]]) -> Distances:
    """``d[a][b]`` is the number of hops from a to b; unreachable pairs are absent."""
    graph = nx.Graph()
    graph.add_nodes_from(neighbourhoods)
    graph.add_edges_from(adjacency)
    return {name: dict(nx.single_source_shortest_path_length(graph, name))
            for name in sorted(graph)}


def within(distances: Distances, origin: str, hops: int) -> list[str]:
    """The neighbourhoods at most ``hops`` from origin, itself included, sorted."""
    return sorted(name for name, d in distances.get(origin, {}).items() if d <= hops)

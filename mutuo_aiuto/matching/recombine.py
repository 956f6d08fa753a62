"""Optimal recombination: the best answer made only of pairs some good answer used.

Several auctions, each with another bid step, end in different good answers.
Their pairs together form a much thinner problem, whose connected components
are small: each is solved exactly (``exact``: networkx min-cost flow and
branching on clashes), starting from the best answer's part, so the result is
never worse than the best answer and usually better than all of them.
Components where every answer agrees need no work.
"""

from __future__ import annotations

from collections.abc import Callable

from mutuo_aiuto.matching.exact import best_assignment
from mutuo_aiuto.matching.instance import Instance

Pair = tuple[int, int]
Split = Callable[[Instance, list[int]], list[list[int]]]


def recombine(instance: Instance, answers: list[list[Pair]], split: Split,
              max_flows: int) -> list[Pair]:
    """The best assignment within the union of ``answers`` (the first is the best).

    ``split(instance, needs)`` gives the connected components of an instance.
    """
    if len(answers) == 1:
        return sorted(answers[0])
    union = {pair for answer in answers for pair in answer}
    thin = instance.restricted(union)
    chosen = list(answers[0])
    for needs in split(thin, sorted({need for need, _ in union})):
        inside = set(needs)
        versions = {tuple(p for p in answer if p[0] in inside) for answer in answers}
        if len(versions) == 1:
            continue  # every answer did the same here
        mine = [p for p in chosen if p[0] in inside]
        better, _ = best_assignment(thin, needs, mine, max_flows)
        chosen = [p for p in chosen if p[0] not in inside] + better
    return sorted(chosen)

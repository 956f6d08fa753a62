"""Belonging before and after, and each side's satisfaction, as cubes to publish.

The answers and their reading are ``services/belonging.py``'s (``changes_of``,
``satisfaction_of``): the engine only cuts them by period. A household counts in
a period when it has answered twice or more by the period's end and once within
it, so a household that answered in March and again in June is in June's figure,
its June answer against its first.
"""

from __future__ import annotations

from mutuo_aiuto.services import belonging
from mutuo_aiuto.services.figures.cube import Cube
from mutuo_aiuto.services.figures.indicators import BY_NAME
from mutuo_aiuto.services.figures.loading import Rows
from mutuo_aiuto.services.figures.windows import Windows

CHANGES = ("improved", "unchanged", "worse")


def _direction(change: int) -> str:
    return CHANGES[0] if change > 0 else CHANGES[1] if change == 0 else CHANGES[2]


def cubes(rows: Rows, windows: Windows) -> list[Cube]:
    moved = Cube(BY_NAME["belonging_households"], windows.cumulative, ("category",))
    means = Cube(BY_NAME["belonging_mean"], windows.cumulative, ("category",), overall=False)
    rated = Cube(BY_NAME["satisfaction_mean"], windows.cumulative, ("category",),
                 overall=False)
    for key, period in windows.each():
        answered = [a for a in rows.belonging if a.answered_on <= period.end]
        # The latest answer by the period's end is in the period: answered in it.
        changes = [c for c in belonging.changes_of(answered) if period.contains(c.latest_on)]
        for change in changes:
            moved.add(key, (_direction(change.change),))
        summary = belonging.summarise(changes)
        for part, mean in (("before", summary.mean_before), ("after", summary.mean_after)):
            means.put(key, (part,), None if mean is None else round(mean, 2),
                      count=summary.households)
        found = belonging.satisfaction_of(
            (family, helper) for day, family, helper in rows.ratings if period.contains(day))
        for side, mean, count in (("family", found.family_mean, found.family_ratings),
                                  ("helper", found.helper_mean, found.helper_ratings)):
            rated.put(key, (side,), None if mean is None else round(mean, 2), count=count)
    return [moved, means, rated]

"""Small-count protection: primary suppression under 5, then secondary suppression.

A published table has its margins (row and column totals, the grand total), and
a table over periods has the cumulative figure too: each is the sum of a line of
cells. Hiding a 3 alone protects nothing when the rest of its row and the row's
total are shown: 3 = total − the others. The classic rule closes that gap: in
every line (a row, a column, any axis of a cube, its total included) holding
exactly one suppressed cell, suppress the smallest other cell too, preferring a
cell above zero and an inner cell to the total; repeat until no line changes.
Then no suppressed value can be worked out by subtraction within any line. One
more step closes the next gap: where a line's total is shown, the hidden cells'
sum is known too (the total minus the shown ones), so it must not itself be a
small count (1 to 4, or under 5 at all for special-category data): hide one more.

Pure functions over plain keys: the tables are built in ``cube``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import product

SMALL = 5
# The margin of an axis: "all of them".
TOTAL = None

Key = tuple[Hashable, ...]


@dataclass(frozen=True)
class Line:
    """Cells whose sum is shown as ``total``."""

    parts: tuple[Key, ...]
    total: Key

    def cells(self) -> tuple[Key, ...]:
        return (*self.parts, self.total)


def primary(counts: Mapping[Key, int], *, special: bool = False) -> set[Key]:
    """The cells counting 1 to 4 (people, pairings, households behind them); for
    special-category data every cell under 5, zero included."""
    return {key for key, count in counts.items() if count < SMALL and (special or count > 0)}


def lines(axes: Sequence[Sequence[Hashable]], additive: Sequence[bool],
          totals: Sequence[bool] | None = None) -> list[Line]:
    """Every line of a cube with margins: along each additive axis, for every choice of the
    other coordinates (their totals included), the axis' values and their total.

    ``axes`` lists each axis' values without its total (``TOTAL``); ``totals`` says which
    axes have one (all, by default; a report without cumulative rows has no total period).
    """
    found: list[Line] = []
    totals = totals if totals is not None else [True] * len(axes)
    with_total = [[*values, TOTAL] if totals[i] else list(values)
                  for i, values in enumerate(axes)]
    for index, values in enumerate(axes):
        if not additive[index] or not totals[index] or not values:
            continue
        others = [with_total[i] if i != index else [TOTAL] for i in range(len(axes))]
        for point in product(*others):
            def at(value: Hashable, point: tuple[Hashable, ...] = point,
                   index: int = index) -> Key:
                return (*point[:index], value, *point[index + 1:])
            found.append(Line(tuple(at(v) for v in values), at(TOTAL)))
    return found


def _order(found: Iterable[Line]) -> dict[Key, int]:
    order: dict[Key, int] = {}
    for line in found:
        for cell in line.cells():
            order.setdefault(cell, len(order))
    return order


def _exposed(line: Line, values: Mapping[Key, float], hidden: set[Key],
             special: bool) -> bool:
    """Whether the line gives a hidden cell, or a small sum of hidden cells, away."""
    count = sum(cell in hidden for cell in line.cells())
    if count == 1:
        return True
    if count == 0 or line.total in hidden:
        return False
    together = sum(values.get(cell, 0) for cell in line.parts if cell in hidden)
    return together < SMALL and (special or together > 0)


def secondary(values: Mapping[Key, float], found: Sequence[Line],
              suppressed: Iterable[Key], *, special: bool = False) -> set[Key]:
    """``suppressed`` grown until no line gives a hidden cell away (``_exposed``).

    The cell added to a line is the smallest shown one, above zero first (hiding a
    zero beside a 3 still lets the 3 be worked out when the zero is known to be
    one), an inner cell before the total, then in the lines' order: deterministic.
    """
    hidden = set(suppressed)
    order = _order(found)
    changed = True
    while changed:
        changed = False
        for line in found:
            cells = line.cells()
            if not _exposed(line, values, hidden, special):
                continue
            shown = [cell for cell in cells if cell not in hidden]
            if not shown:
                continue
            pick = min(shown, key=lambda c: (values.get(c, 0) <= 0, c == line.total,
                                            values.get(c, 0), order[c]))
            hidden.add(pick)
            changed = True
    return hidden


def recoverable(found: Sequence[Line], hidden: set[Key], values: Mapping[Key, float],
                *, special: bool = False) -> list[Line]:
    """The lines that give a hidden cell or a small sum of hidden cells away (none, after
    ``secondary``): what the tests check."""
    return [line for line in found if _exposed(line, values, hidden, special)]

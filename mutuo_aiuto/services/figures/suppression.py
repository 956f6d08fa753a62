"""Small-count protection: primary suppression under 5, then secondary suppression.

A published table has its margins (row and column totals, the grand total), and
a table over periods has the cumulative figure too: each is the sum of a line of
cells. Hiding a 3 alone protects nothing when the rest of its row and the row's
total are shown: 3 = total − the others. The classic rule closes that gap: in
every line (a row, a column, any axis of a cube, its total included) holding
exactly one suppressed cell, suppress the smallest other cell too, preferring a
cell above zero and an inner cell to the total; repeat until no line changes.
Then no suppressed value can be worked out by subtraction within any line.

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


def lines(axes: Sequence[Sequence[Hashable]], additive: Sequence[bool]) -> list[Line]:
    """Every line of a cube with margins: along each additive axis, for every choice of the
    other coordinates (their totals included), the axis' values and their total.

    ``axes`` lists each axis' values without its total (``TOTAL``), which every axis has.
    """
    found: list[Line] = []
    with_total = [[*values, TOTAL] for values in axes]
    for index, values in enumerate(axes):
        if not additive[index] or not values:
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


def secondary(values: Mapping[Key, float], found: Sequence[Line],
              suppressed: Iterable[Key]) -> set[Key]:
    """``suppressed`` grown until no line holds exactly one suppressed cell.

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
            if sum(cell in hidden for cell in cells) != 1:
                continue
            shown = [cell for cell in cells if cell not in hidden]
            if not shown:
                continue
            pick = min(shown, key=lambda c: (values.get(c, 0) <= 0, c == line.total,
                                            values.get(c, 0), order[c]))
            hidden.add(pick)
            changed = True
    return hidden


def recoverable(found: Sequence[Line], hidden: set[Key]) -> list[Line]:
    """The lines in which one hidden cell could be worked out by subtraction (none, after
    ``secondary``): what the tests check."""
    return [line for line in found if sum(cell in hidden for cell in line.cells()) == 1]

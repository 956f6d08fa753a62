"""A figure's table over periods and breakdowns, protected and written as long-form rows.

A ``Cube`` holds one indicator's cells keyed ``(period, *breakdowns)``, where
``TOTAL`` (None) in a place means "all": the cumulative period, every
neighbourhood, and so on. ``figures`` suppresses small cells (``suppression``),
secondarily too when the indicator adds up, and returns the rows of the export.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from mutuo_aiuto.services.figures import suppression
from mutuo_aiuto.services.figures.periods import ReportPeriod
from mutuo_aiuto.services.figures.rows import Figure, Indicator, italian
from mutuo_aiuto.services.figures.suppression import TOTAL, Key

BREAKDOWNS = ("neighbourhood", "category", "gender", "age_band")


@dataclass
class Cube:
    """``values`` by ``(period or TOTAL, *axes' values)``; ``counts`` are what stands behind
    each cell (people, households, pairings) when that is not the value itself."""

    indicator: Indicator
    cumulative: ReportPeriod
    axes: tuple[str, ...] = ()
    values: dict[Key, float | int | None] = field(default_factory=dict)
    counts: dict[Key, int] | None = None
    code_for: Callable[[Mapping[str, Hashable]], str | None] | None = None
    # Cells hidden because another figure's cell is (a share whose count is hidden).
    also_hidden: set[Key] = field(default_factory=set)
    # The span of each period key, when the cube's periods are not the report's (months).
    spans: dict[Hashable, ReportPeriod] = field(default_factory=dict)
    # Whether the row with every breakdown at "all" means something (not for a cube whose
    # categories are a count and its base, such as "across" and "known").
    overall: bool = True

    def add(self, window: Hashable, parts: tuple[Hashable, ...], value: float | int = 1,
            who: Hashable = None) -> None:
        """Add ``value`` to the cell of ``parts`` and to each of its margins; with ``who``
        the cell's count is of distinct ``who`` (households, pairings) behind it."""
        for key in spread(window, parts):
            self.values[key] = (self.values.get(key) or 0) + value
            if who is not None:
                self._behind.setdefault(key, set()).add(who)

    def put(self, window: Hashable, parts: tuple[Hashable, ...], value: float | int | None,
            count: int | None = None) -> None:
        """One cell whose value is not a sum (a median, a share), with what it stands on."""
        self.values[(window, *parts)] = value
        if count is not None:
            self.counts = self.counts or {}
            self.counts[(window, *parts)] = count

    _behind: dict[Key, set[Hashable]] = field(default_factory=dict, repr=False)


def spread(window: Hashable, parts: tuple[Hashable, ...]) -> list[Key]:
    """The cell of ``parts`` and every margin it adds to (each part or TOTAL)."""
    return [(window, *choice) for choice in product(*[(part, TOTAL) for part in parts])]


def _axis_values(cube: Cube) -> list[list[Hashable]]:
    found: list[set[Hashable]] = [set() for _ in range(len(cube.axes) + 1)]
    for key in cube.values:
        for index, part in enumerate(key):
            if part is not TOTAL:
                found[index].add(part)
    return [sorted(values, key=lambda v: (str(type(v)), v)) for values in found]


def protected(cube: Cube) -> tuple[dict[Key, float | int | None], set[Key]]:
    """Every cell to publish and the hidden ones. Additive cubes are filled out to the
    whole grid (an absent cell is a zero someone could still subtract)."""
    values = dict(cube.values)
    additive = cube.indicator.additive
    found: list[suppression.Line] = []
    if additive:
        axes = _axis_values(cube)
        flags = [cube.indicator.over_time, *([True] * len(cube.axes))]
        # Breakdowns always carry their margins (``Cube.add``); the periods carry a
        # cumulative only where the report has one.
        totals = [any(key[0] is TOTAL for key in values), *([True] * len(cube.axes))]
        found = suppression.lines(axes, flags, totals)
        for line in found:
            for cell in line.cells():
                values.setdefault(cell, 0)
    counts: Mapping[Key, Any] = values
    if cube.counts is not None or cube._behind:
        counts = {**(cube.counts or {}), **{k: len(v) for k, v in cube._behind.items()}}
    hidden = suppression.primary({k: int(counts.get(k) or 0) for k in values},
                                 special=cube.indicator.special)
    if additive:
        numeric = {k: float(v or 0) for k, v in values.items()}
        hidden = suppression.secondary(numeric, found, hidden,
                                       special=cube.indicator.special)
    return values, hidden | (cube.also_hidden & values.keys())


def figures(cube: Cube, periods: Mapping[Hashable, ReportPeriod]) -> list[Figure]:
    """The cube's rows, in a stable order; ``periods`` names each period key's span."""
    periods = cube.spans or periods
    values, hidden = protected(cube)
    label = italian(cube.indicator.label)
    rows = []
    for key in sorted(values, key=_sort_key):
        span = cube.cumulative if key[0] is TOTAL else periods[key[0]]
        parts = dict(zip(cube.axes, key[1:], strict=True))
        value = values[key]
        rows.append(Figure(
            period_start=span.start, period_end=span.end, indicator=cube.indicator.name,
            code=cube.code_for(parts) if cube.code_for else cube.indicator.code,
            label=label, **{name: _text(parts.get(name)) for name in BREAKDOWNS},
            value=None if key in hidden else _number(value), suppressed=key in hidden))
    return rows


def _sort_key(key: Key) -> tuple[Any, ...]:
    return tuple((part is TOTAL, part if isinstance(part, ReportPeriod) else str(part))
                 if part is not TOTAL else (True, "") for part in key)


def _text(value: Hashable | None) -> str | None:
    return None if value is None else str(value)


def _number(value: float | int | None) -> float | int | None:
    if isinstance(value, float):
        return round(value, 4)
    return value

"""Time rules on slots: when a need fits an offer, and when two needs collide.

Intervals are half-open in effect: 16:00-18:00 and 18:00-19:00 touch but do
not overlap. A dated slot stands for its weekday against weekly slots, and
meets another dated slot only on the same date.

For speed, a set of slots can also be read as a week mask: an integer with
one bit per minute of the week (bit ``day * 1440 + minute``), so that "fits in
the offer's time" becomes one AND of two integers.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

from mutuo_aiuto.matching.model import Slot


def slots_overlap(a: Slot, b: Slot) -> bool:
    if a.day != b.day or a.start >= b.end or b.start >= a.end:
        return False
    return a.date is None or b.date is None or a.date == b.date


def any_overlap(a: Iterable[Slot], b: Iterable[Slot]) -> bool:
    b = tuple(b)
    return any(slots_overlap(x, y) for x in a for y in b)


def weekly_windows(slots: Iterable[Slot]) -> dict[int, tuple[tuple[int, int], ...]]:
    """An offer's slots as day → ((start, end), …), the form ``fits`` reads."""
    windows: dict[int, list[tuple[int, int]]] = {}
    for slot in slots:
        windows.setdefault(slot.day, []).append((slot.start, slot.end))
    return {day: tuple(sorted(spans)) for day, spans in windows.items()}


def fits(need_slots: Iterable[Slot], windows: dict[int, tuple[tuple[int, int], ...]]) -> bool:
    """Rule 3: every need slot lies inside one offer slot of the same weekday."""
    for slot in need_slots:
        spans = windows.get(slot.day, ())
        if not any(start <= slot.start and slot.end <= end for start, end in spans):
            return False
    return True


MINUTES_PER_DAY = 24 * 60
FULL_WEEK = (1 << (7 * MINUTES_PER_DAY)) - 1


def week_mask(slots: Iterable[Slot]) -> int:
    """The minutes of the week the slots take (a dated slot on its weekday)."""
    mask = 0
    for slot in slots:
        mask |= ((1 << (slot.end - slot.start)) - 1) << (slot.day * MINUTES_PER_DAY + slot.start)
    return mask


def windows_touch(windows: dict[int, tuple[tuple[int, int], ...]]) -> bool:
    """Whether two slots of a day overlap or touch: then the week mask of their
    union can hold a need slot that no single one holds, and ``fits`` decides."""
    return any(later[0] <= earlier[1]
               for spans in windows.values() for earlier, later in pairwise(spans))

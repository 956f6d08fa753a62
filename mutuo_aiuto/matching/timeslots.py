"""Time rules on slots: when a need fits an offer, and when two needs collide.

Intervals are half-open in effect: 16:00–18:00 and 18:00–19:00 touch but do
not overlap. A dated slot stands for its weekday against weekly slots, and
meets another dated slot only on the same date.
"""

from __future__ import annotations

from collections.abc import Iterable

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

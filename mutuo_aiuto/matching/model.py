"""The matcher's vocabulary: frozen dataclasses for a problem and for its answer.

They mirror the file format of ``matching-problem.md`` one to one, so that the
web app can build a problem from its database rows without going through JSON.
Times are minutes after midnight (``"16:30"`` is 990, ``"24:00"`` is 1440):
slots then compare as integers, and the database stores them the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Slot:
    """A weekly interval, or a one-off one when ``date`` is set.

    ``day`` is 0 = Monday … 6 = Sunday; for a dated slot it is the date's weekday
    (use ``Slot.on_date``). ``end`` is after ``start``, on the same day.
    """

    day: int
    start: int
    end: int
    date: dt.date | None = None

    @classmethod
    def on_date(cls, date: dt.date, start: int, end: int) -> Slot:
        return cls(day=date.weekday(), start=start, end=end, date=date)


@dataclass(frozen=True)
class Need:
    id: str
    household: str
    skills: tuple[str, ...]
    neighbourhood: str
    slots: tuple[Slot, ...]
    helpers: int = 1
    languages: tuple[str, ...] = ()
    requires_vetted: bool = False
    max_hops: int = 2
    urgency: int = 0
    previous_helpers: tuple[str, ...] = ()
    remote: bool = False


@dataclass(frozen=True)
class Offer:
    id: str
    household: str
    skills: tuple[str, ...]
    neighbourhood: str
    slots: tuple[Slot, ...]
    max_hops: int = 2
    capacity: int = 1
    languages: tuple[str, ...] = ()
    vetted: bool = False


@dataclass(frozen=True)
class FixedPair:
    """A pairing a facilitator already confirmed: kept as it is, never proposed."""

    need: str
    offer: str


@dataclass(frozen=True)
class Weights:
    """Points of each part of a pair's score; ``proximity[k]`` is for k hops."""

    base: int = 10
    urgency: int = 5
    proximity: tuple[int, ...] = (6, 3, 1)
    language: int = 4
    continuity: int = 8
    load: int = 2


@dataclass(frozen=True)
class Problem:
    neighbourhoods: tuple[str, ...]
    adjacency: tuple[tuple[str, str], ...]
    needs: tuple[Need, ...]
    offers: tuple[Offer, ...]
    fixed: tuple[FixedPair, ...] = ()
    weights: Weights = Weights()


@dataclass(frozen=True)
class Reason:
    """One part of a score: ``hops`` goes with ``proximity``, ``shared`` with ``language``."""

    code: str
    points: int
    hops: int | None = None
    shared: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Proposal:
    need: str
    offer: str
    score: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Stats:
    needs: int
    offers: int
    allowed_pairs: int
    seconds: float


@dataclass(frozen=True)
class Answer:
    """Proposals sorted by (need, offer); ``unmatched`` sorted need ids."""

    proposals: tuple[Proposal, ...]
    unmatched: tuple[str, ...]
    stats: Stats

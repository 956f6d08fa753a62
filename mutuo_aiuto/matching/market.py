"""An auction among needs for the offers' places, with an undo log.

Each need with a helper still to find bids for the offer that leaves it the
most (score minus the prices of the needs it would push out: those whose time
clashes with its own, and the cheapest other one when the offer is full). It
bids the margin over its second-best choice, plus a small step, so prices
climb and the auction ends; a need pushed out bids again. Without clashes
this is Bertsekas' auction, which finds the best assignment; clashes make it
a very good start that ``improve`` then refines. Every change is logged so a
tentative move can be taken back.

Scores and prices are integers in quarter points (``SCALE``): a step is half
a point, so sums stay exact and the result does not depend on rounding.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from mutuo_aiuto.matching.instance import Instance

SCALE = 4
STEP = 2  # the default bid step: half a point
Change = tuple[int, int, int | None]


class Market:
    """Who holds which places, at which price; ``total`` is the sum of their scores."""

    def __init__(self, instance: Instance, step: int = STEP) -> None:
        self.instance = instance
        self.step = step
        self.helpers = instance.helpers
        self.capacity = instance.capacity
        self.clash = instance.clash
        self.scores = instance.scores
        self.bids = [[(j, s * SCALE) for j, s in row] for row in instance.pairs]
        self.holders: list[dict[int, int]] = [{} for _ in instance.capacity]
        self.held: list[dict[int, int]] = [{} for _ in instance.helpers]
        # Each need's helper slots still free (helpers less the places it holds).
        self.room = list(instance.helpers)
        self.total = 0
        self.log: list[Change] | None = None
        # Bumped on every change: what was computed at one version holds until the next.
        self.version = 0
        self._utilities = [0] * len(instance.helpers)
        # What any need pays to join each offer when that does not depend on its
        # times: 0 while empty, the holder's price when one place is taken; else -1.
        self._entry = [0] * len(instance.capacity)
        # Otherwise what a need of each timetable kind pays to join the offer,
        # remembered until the offer's needs change (the cost reads only clashes).
        self.kinds = instance.kinds
        self._entry_by_kind: list[dict[int, int] | None] = [None] * len(instance.capacity)

    def place(self, need: int, offer: int, price: int) -> None:
        if self.log is not None:
            self.log.append((need, offer, self.holders[offer].get(need)))
        self.version += 1
        if offer not in self.held[need]:
            self.total += self.scores[need][offer]
            self.room[need] -= 1
        self.holders[offer][need] = price
        self.held[need][offer] = price
        self._utilities[need] = self._utility(need)
        self._entry[offer] = self._entry_cost(offer)
        self._entry_by_kind[offer] = None

    def remove(self, need: int, offer: int) -> None:
        if self.log is not None:
            self.log.append((need, offer, self.holders[offer][need]))
        self.version += 1
        del self.holders[offer][need]
        del self.held[need][offer]
        self.total -= self.scores[need][offer]
        self.room[need] += 1
        self._utilities[need] = self._utility(need)
        self._entry[offer] = self._entry_cost(offer)
        self._entry_by_kind[offer] = None

    def _entry_cost(self, offer: int) -> int:
        holders = self.holders[offer]
        if not holders:
            return 0
        if self.capacity[offer] == 1:
            return next(iter(holders.values()))  # full: its one need goes, whatever the times
        return -1

    def undo(self, log: list[Change]) -> None:
        self.log = None
        for need, offer, price in reversed(log):
            if offer in self.held[need]:
                self.remove(need, offer)
            if price is not None:
                self.place(need, offer, price)

    def is_full(self, need: int) -> bool:
        return self.room[need] <= 0

    def utility(self, need: int) -> int:
        """What the need keeps from its worst place (0 while it has a free helper slot)."""
        return self._utilities[need]

    def _utility(self, need: int) -> int:
        held = self.held[need]
        if len(held) < self.helpers[need]:
            return 0
        scores = self.scores[need]
        return min(scores[j] * SCALE - price for j, price in held.items())

    def fits(self, need: int, offer: int, leaving: int | None = None) -> bool:
        """Whether the need could join the offer as it is (after ``leaving`` goes)."""
        holders = self.holders[offer]
        if len(holders) >= self.capacity[offer] + (leaving in holders) or (
                offer in self.held[need]):
            return False
        clash = self.clash
        return not any(clash(need, k) for k in holders if k != leaving)

    def run(self, needs: Iterable[int], max_bids: int | None = None) -> bool:
        """Let these needs (and whoever they push out) bid until nobody can gain.

        With ``max_bids``, stop after so many bids and return False (unsettled).
        """
        pending = deque(needs)
        waiting = set(pending)
        bids = 0
        while pending:
            need = pending.popleft()
            waiting.discard(need)
            while not self.is_full(need):
                bid = self._best_bid(need)
                if bid is None:
                    break
                bids += 1
                if max_bids is not None and bids > max_bids:
                    return False
                offer, pushed, price = bid
                for other in pushed:
                    self.remove(other, offer)
                    if other not in waiting:
                        pending.append(other)
                        waiting.add(other)
                self.place(need, offer, price)
        return True

    def _best_bid(self, need: int) -> tuple[int, list[int], int] | None:
        """(offer, needs pushed out, price) of the need's best bid, if any is worth it."""
        best, first, second = -1, 0, 0
        held, entry, by_kind, kind = (self.held[need], self._entry, self._entry_by_kind,
                                      self.kinds[need])
        for offer, score in self.bids[need]:  # best score first
            if score <= second:
                break  # no offer further down can change the bid
            if offer in held:
                continue
            cost = entry[offer]
            if cost < 0:
                known = by_kind[offer]
                if known is None:
                    known = by_kind[offer] = {}
                cost = known.get(kind, -1)
                if cost < 0:
                    cost = known[kind] = self._join_cost(need, offer)
            value = score - cost
            if value > first:
                best, first, second = offer, value, first
            elif value > second:
                second = value
        if best < 0:
            return None
        pushed = self.pushed_out(need, best)
        cost = sum(self.holders[best][k] for k in pushed)
        return best, pushed, cost + first - second + self.step

    def _join_cost(self, need: int, offer: int) -> int:
        """The prices of the needs pushed out if ``need`` joined ``offer``."""
        clash, cost, kept, cheapest = self.clash, 0, 0, None
        for other, price in self.holders[offer].items():
            if clash(need, other):
                cost += price
            else:
                kept += 1
                if cheapest is None or price < cheapest:
                    cheapest = price
        if kept >= self.capacity[offer]:
            cost += cheapest  # type: ignore[operator]
        return cost

    def pushed_out(self, need: int, offer: int) -> list[int]:
        """The needs that must leave for ``need`` to join: those it clashes with,
        and the cheapest other one (lowest price, then position) if still full."""
        holders = self.holders[offer]
        pushed = [k for k in holders if self.clash(need, k)]
        if len(holders) - len(pushed) >= self.capacity[offer]:
            pushed.append(min((k for k in holders if k not in pushed),
                              key=lambda k: (holders[k], k)))
        return pushed

    def assignment(self) -> list[tuple[int, int]]:
        return sorted((need, offer) for offer, holders in enumerate(self.holders)
                      for need in holders)

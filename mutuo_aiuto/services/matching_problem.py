"""From rows to the matcher's problem: the one place the database becomes format 1.

``build_problem`` reads the whole problem of the day (needs looking for help,
open offers, confirmed matches as fixed pairs, the administrator's weights),
for the full run and the scheduler's queued re-proposals. ``build_for_need``
reads only the part of it one need can touch: the offers with all its skills,
their households' other offers, what holds or is proposed on them. The
matcher's answer for that need is the same on both (tested), and the part is
read in a fixed number of queries whatever the size of the Hub, so posting or
editing a request does bounded work inside the web request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, lru_cache
from typing import Any

from sqlalchemy import and_, exists, false, or_, select, true
from sqlalchemy.orm import Session, defer, joinedload, selectinload

from mutuo_aiuto import matching
from mutuo_aiuto.matching import model as mm
from mutuo_aiuto.matching.candidates import OfferIndex
from mutuo_aiuto.matching.diagnose import (
    ALL_FULL,
    LANGUAGE,
    NO_SKILL,
    NO_TIME,
    NOT_VETTED,
    RULES,
    TOO_FAR,
    Diagnosis,
)
from mutuo_aiuto.matching.fileformat import load_problem
from mutuo_aiuto.matching.graph import Distances, hop_distances
from mutuo_aiuto.models import (
    MATCH_HOLDING,
    Household,
    Match,
    Need,
    NeedSlot,
    Neighbourhood,
    Offer,
    OfferSlot,
    Proposal,
)
from mutuo_aiuto.models.offer import offer_skills
from mutuo_aiuto.models.slot import format_minutes
from mutuo_aiuto.services import places, settings_store
from mutuo_aiuto.services.lifecycle import NEED_SEEKING
from mutuo_aiuto.services.vetting import vetted_household_ids

# Matches whose helper really helped: they earn continuity points next time.
HELPED = ("active", "closed")
# Pairs a person already turned down are not proposed again.
TURNED_DOWN = ("declined", "unanswered", "cancelled")


@dataclass
class Built:
    """A problem with the rows behind its ids."""

    problem: mm.Problem
    needs: dict[str, Need]
    offers: dict[str, Offer]
    seeking: list[str] = field(default_factory=list)
    # Reasons already known for needs whose problem was narrowed to the offers that pass
    # the matcher's rules (``build_for_need``): the narrowed problem cannot name them.
    reasons: dict[str, str] = field(default_factory=dict)
    # For needs narrowed the same way whose reason is ``not_vetted``: the helpers every
    # other rule allows (``waiting_for_check``).
    waiting: dict[str, int] = field(default_factory=dict)

    @cached_property
    def diagnosis(self) -> Diagnosis:
        return Diagnosis(self.problem, _distances(self.problem.neighbourhoods,
                                                  self.problem.adjacency))

    @cached_property
    def index(self) -> OfferIndex:
        return OfferIndex(self.problem, self.diagnosis.distances)

    @cached_property
    def offer_ids(self) -> dict[int, str]:
        """Offer row id → public id, for the offers of the problem."""
        return {offer.id: public_id for public_id, offer in self.offers.items()}

    @cached_property
    def fixed_only(self) -> matching.Prepared:
        """The problem prepared with its fixed pairs alone (no proposal takes a place)."""
        return matching.prepare(self.problem, (), self.index)

    def prepared(self, current: Iterable[tuple[str, str]]) -> matching.Prepared:
        """The problem prepared with ``current`` (need id, offer id) proposals taking places."""
        return matching.prepare(self.problem, current, self.index)

    @cached_property
    def _by_skill(self) -> dict[str, set[int]]:
        found: dict[str, set[int]] = defaultdict(set)
        for pos, offer in enumerate(self.problem.offers):
            for skill in offer.skills:
                found[skill].add(pos)
        return found

    @cached_property
    def _by_household(self) -> dict[str, set[int]]:
        found: dict[str, set[int]] = defaultdict(set)
        for pos, offer in enumerate(self.problem.offers):
            found[offer.household].add(pos)
        return found

    @cached_property
    def _by_rule_key(self) -> dict[str, dict[Hashable, set[int]]]:
        """For each cheap rule whose reads are known on both sides, the offers' positions
        grouped by what the rule reads of them."""
        found: dict[str, dict[Hashable, set[int]]] = {}
        for code, _ in RULES:
            if code in _NEED_READS:
                groups: dict[Hashable, set[int]] = defaultdict(set)
                for pos, offer in enumerate(self.problem.offers):
                    groups[_RULE_READS[code](offer)].add(pos)
                found[code] = groups
        return found

    def _passing(self, code: str, rule: Callable[..., bool], need: mm.Need) -> set[int]:
        """The offers' positions a cheap rule allows for ``need``: judged once per kind of
        offer and kind of need (what the rule reads of each), kept for the next needs."""
        key = (code, _NEED_READS[code](need))
        cache: dict[tuple[str, Hashable], set[int]] = self.__dict__.setdefault(
            "_passing_cache", {})
        if key not in cache:
            groups = self._by_rule_key[code]
            distances = self.diagnosis.distances
            offers = self.problem.offers
            cache[key] = set().union(*(positions for positions in groups.values()
                                       if rule(need, offers[next(iter(positions))],
                                               distances)))
        return cache[key]

    def why_unmatched(self, need_id: str) -> str | None:
        """``Diagnosis.why_unmatched`` read from the offers with the need's skills only (the
        first rule), not every offer of the problem: the same answer, rule for rule.

        The rule named is the first after which no offer is left passing it and
        every rule before it. The cheap rules are applied as set intersections
        (``_passing``); the time rule, the costly one, is judged last and only
        until one offer passes it in each narrowing, from the narrowest."""
        if need_id in self.reasons:
            return self.reasons[need_id]
        diagnosis = self.diagnosis
        need = diagnosis.needs[need_id]
        offers = self.problem.offers
        if need.skills:
            left = set.intersection(*(self._by_skill.get(s, set()) for s in need.skills))
        else:
            left = set(range(len(offers)))
        left -= self._by_household.get(need.household, set())
        if any(code not in _NEED_READS and code not in (NO_SKILL, NO_TIME)
               for code, _ in RULES) or RULES[0][0] != NO_SKILL:
            found = [offers[p] for p in sorted(left)]
            return unmatched_reason(need, found, diagnosis.distances,
                                    lambda offer: diagnosis.is_free(need_id, offer.id))
        if not left:
            return NO_SKILL
        # narrowed[k]: the offers passing rules 0..k but the time rule (nested, shrinking).
        timed = next(i for i, (code, _) in enumerate(RULES) if code == NO_TIME)
        narrowed = [left]
        for code, rule in RULES[1:]:
            if code != NO_TIME:
                left = left & self._passing(code, rule, need)
            narrowed.append(left)
        for k in range(1, timed):
            if not narrowed[k]:
                return RULES[k][0]
        time_rule = RULES[timed][1]
        judged: dict[Hashable, bool] = {}

        def on_time(pos: int) -> bool:
            key = _RULE_READS[NO_TIME](offers[pos])
            if key not in judged:
                judged[key] = time_rule(need, offers[pos], diagnosis.distances)
            return judged[key]

        last = len(RULES) - 1
        # Every rule passed: None when one such offer is free, else all are full. The free
        # ones are judged on time first; of the others, one passing is enough.
        last_ones = sorted(narrowed[last])
        free = {p for p in last_ones if diagnosis.is_free(need_id, offers[p].id)}
        if any(on_time(p) for p in last_ones if p in free):
            return None
        if any(on_time(p) for p in last_ones if p not in free):
            return ALL_FULL
        for k in range(last - 1, timed - 1, -1):  # the widest narrowing some offer passes
            if any(on_time(p) for p in sorted(narrowed[k] - narrowed[k + 1])):
                return RULES[k + 1][0]
        return NO_TIME


    def _skilled(self, need: mm.Need) -> list[mm.Offer]:
        """Other households' offers with every skill of the need (the first rule)."""
        offers = self.problem.offers
        if need.skills:
            positions = set.intersection(*(self._by_skill.get(s, set()) for s in need.skills))
        else:
            positions = set(range(len(offers)))
        return [offers[p] for p in sorted(positions) if offers[p].household != need.household]

    def waiting_for_check(self, need_id: str) -> int:
        """How many helpers (households) the matcher's rules 2–5 allow for the need, if
        they were vetted: for a need left unmatched by ``not_vetted``, those who wait for
        the Hub's check. Read with the matcher's own rules, as ``why_unmatched``."""
        if need_id in self.waiting:
            return self.waiting[need_id]
        need = self.diagnosis.needs[need_id]
        return helpers_but_for_vetting(need, self._skilled(need), self.diagnosis.distances)


def helpers_but_for_vetting(need: mm.Need, offers: list[mm.Offer],
                            distances: Distances) -> int:
    """The households of ``offers`` (other households') that every rule but the vetting
    one allows for ``need``, and that are not vetted: they could help after the check."""
    if not need.requires_vetted:
        return 0
    reason, passing = first_rule_failing(replace(need, requires_vetted=False), offers,
                                         distances)
    return len({offer.household for offer in passing if not offer.vetted}) if reason is None else 0



# What each of the matcher's rules 2–6 reads of an offer (``matching.diagnose``): offers
# alike in it pass or fail that rule together, so each is judged once per kind.
_RULE_READS: dict[str, Callable[[mm.Offer], Hashable]] = {
    NO_SKILL: lambda o: o.skills, NO_TIME: lambda o: o.slots,
    TOO_FAR: lambda o: (o.neighbourhood, o.max_hops), LANGUAGE: lambda o: o.languages,
    NOT_VETTED: lambda o: o.vetted}


# What the cheap rules read of a need, as ``_RULE_READS`` of an offer: needs alike in it
# are allowed the same offers by that rule (``Built._passing``).
_NEED_READS: dict[str, Callable[[mm.Need], Hashable]] = {
    TOO_FAR: lambda n: (n.neighbourhood, n.max_hops, n.remote),
    LANGUAGE: lambda n: n.languages, NOT_VETTED: lambda n: n.requires_vetted}


def unmatched_reason(need: mm.Need, offers: list[mm.Offer], distances: Distances,
                     free: Callable[[mm.Offer], bool]) -> str | None:
    """What ``Diagnosis.why_unmatched`` answers, without judging every offer by every rule.

    The rule named is the first one no offer passes together with all the rules
    before it: the longest run of rules, from the first, that some offer passes.
    An offer can only lengthen that run if it passes one rule more than the best
    so far, so it is judged on those rules first, the cheap ones before the
    time rule, and most offers are dropped by a cheap one. ``free``: rules 8-9.
    """
    count = len(RULES)
    cheap_first = sorted(range(count), key=lambda i: RULES[i][0] == NO_TIME)
    judged: list[dict[Hashable, bool]] = [{} for _ in RULES]

    def passes(i: int, offer: mm.Offer) -> bool:
        code, rule = RULES[i]
        key = _RULE_READS.get(code, _whole)(offer)
        if key not in judged[i]:
            judged[i][key] = rule(need, offer, distances)
        return judged[i][key]

    best = 0
    for offer in offers:
        upto = min(best + 1, count)
        if not all(passes(i, offer) for i in cheap_first if i < upto):
            continue
        while upto < count and passes(upto, offer):
            upto += 1
        best = upto
        if best == count and free(offer):
            return None
    return ALL_FULL if best == count else RULES[best][0]


def _whole(offer: mm.Offer) -> Hashable:
    return offer  # a rule added later, whose reads are not listed: each offer judged


@lru_cache(maxsize=4)
def _distances(neighbourhoods: tuple[str, ...], adjacency: tuple[tuple[str, str], ...]
               ) -> Distances:
    """Hops between neighbourhoods, worked out once per map (read only, shared)."""
    return hop_distances(neighbourhoods, adjacency)


def first_rule_failing(need: mm.Need, offers: list[mm.Offer], distances: Distances
                       ) -> tuple[str | None, list[mm.Offer]]:
    """The matcher's rules 2–6 in its ``diagnose`` order on ``offers`` (other households'):
    the first rule that leaves none, or None and the offers every rule allows."""
    for code, rule in RULES:
        reads, judged = _RULE_READS.get(code, _whole), {}
        kept = []
        for offer in offers:
            key = reads(offer)
            if key not in judged:
                judged[key] = rule(need, offer, distances)
            if judged[key]:
                kept.append(offer)
        if not kept:
            return code, []
        offers = kept
    return None, offers


def _slot(slot: NeedSlot | OfferSlot) -> dict[str, Any]:
    on_date = getattr(slot, "on_date", None)
    when: dict[str, Any] = {"date": on_date.isoformat()} if on_date else {"day": slot.weekday}
    return when | {"start": format_minutes(slot.start_minute),
                   "end": format_minutes(slot.end_minute)}


def _need_dict(need: Need, helpers: int, previous: list[str]) -> dict[str, Any]:
    return {"id": need.public_id, "household": need.household.public_id,
            "skills": sorted(skill.slug for skill in need.skills),
            "neighbourhood": need.neighbourhood.slug,
            "slots": [_slot(slot) for slot in need.slots], "helpers": helpers,
            "languages": sorted(set(need.languages or ())),
            "requires_vetted": need.requires_vetted, "max_hops": need.max_hops,
            "urgency": need.urgency, "previous_helpers": previous, "remote": need.remote}


def _offer_dict(offer: Offer, capacity: int, vetted: bool) -> dict[str, Any]:
    return {"id": offer.public_id, "household": offer.household.public_id,
            "skills": sorted(skill.slug for skill in offer.skills),
            "neighbourhood": offer.neighbourhood.slug,
            "slots": [_slot(slot) for slot in offer.slots], "max_hops": offer.max_hops,
            "capacity": capacity, "languages": sorted(set(offer.languages or ())),
            "vetted": vetted}


def _previous_helpers(session: Session, households: Iterable[int]) -> dict[int, set[str]]:
    """For each family, the households that helped it in a match that ran."""
    query = (select(Need.household_id, Household.public_id)
             .join(Match, Match.need_id == Need.id).join(Offer, Offer.id == Match.offer_id)
             .join(Household, Household.id == Offer.household_id)
             .where(Match.status.in_(HELPED), Need.household_id.in_(list(households))))
    found: dict[int, set[str]] = defaultdict(set)
    for family_id, helper in session.execute(query):
        found[family_id].add(helper)
    return found


def holding(session: Session, *where: Any, sides: bool = True) -> list[Match]:
    """The matches holding a need and an offer. ``sides``: their needs and offers
    loaded with them; without, the caller loads them (``Reads.posts``)."""
    query = (select(Match).where(Match.status.in_(MATCH_HOLDING), *where)
             .order_by(Match.id))
    if sides:
        query = query.options(selectinload(Match.need), selectinload(Match.offer))
    return list(session.scalars(query))


# A household's contacts are encrypted at rest and never part of a matching problem:
# loading them would decrypt two or three values per household for nothing.
_NO_CONTACTS = (defer(Household.phone), defer(Household.address), defer(Household.care_notes))


def load_posts(session: Session, model: type[Need] | type[Offer], *where: Any,
               few: bool = False) -> list[Any]:
    """The posts with all the matcher reads of them. ``few``: a handful of rows (a
    confirmation's), whose household and neighbourhood are joined in, not read apart:
    two round trips fewer, where for the whole Hub's rows a join would repeat them."""
    load = joinedload if few else selectinload
    query = (select(model).where(*where)
             .options(selectinload(model.skills), selectinload(model.slots),
                      load(model.household).options(*_NO_CONTACTS),
                      load(model.neighbourhood))
             .order_by(model.public_id))
    return list(session.scalars(query))


class Reads:
    """What the rule checks of one confirmation read once and share (``check_pairs``).

    A confirmation judges its pair, then the offer's other waiting proposals
    against the new match: the second check would read the same need and offer
    rows (with their skills, slots, households and neighbourhoods), the map,
    the weights, the families' previous helpers and the helpers' vettings
    again. Kept here, only the rows not read yet are. Only for one
    transaction and one ``today``: the confirmation changes none of these
    reads (a new match is awaiting, not one that ran, so no previous helper),
    and the holding matches, which it does change, each check reads afresh.
    ``also_needs``: needs a later check will judge, read along by the first.
    """

    def __init__(self, also_needs: Iterable[int] = ()) -> None:
        self.also_needs = set(also_needs)
        self._posts: dict[type, dict[int, Any]] = {Need: {}, Offer: {}}
        self._previous: dict[int, set[str]] = {}
        self._vetted: dict[tuple[int, date], bool] = {}
        self._graph: tuple[list[str], list[list[str]]] | None = None
        self._weights: mm.Weights | None = None

    def posts(self, session: Session, model: type[Need] | type[Offer],
              ids: Iterable[int]) -> list[Any]:
        """``load_posts`` of these ids: those read before are not read again."""
        known = self._posts[model]
        wanted = set(ids)
        if missing := wanted - known.keys():
            known.update((row.id, row) for row in load_posts(
                session, model, model.id.in_(sorted(missing)), few=True))
        return sorted((known[i] for i in wanted if i in known), key=lambda row: row.public_id)

    def previous_helpers(self, session: Session, families: set[int]) -> dict[int, set[str]]:
        if missing := families - self._previous.keys():
            found = _previous_helpers(session, missing)
            self._previous.update((family, found.get(family, set())) for family in missing)
        return {family: self._previous[family] for family in families}

    def vetted(self, session: Session, today: date, households: set[int]) -> set[int]:
        if missing := {h for h in households if (h, today) not in self._vetted}:
            found = vetted_household_ids(session, today, among=missing)
            self._vetted.update(((h, today), h in found) for h in missing)
        return {h for h in households if self._vetted[h, today]}

    def graph(self, session: Session) -> tuple[list[str], list[list[str]]]:
        if self._graph is None:
            self._graph = places.neighbourhood_graph(session)
        return self._graph

    def weights(self, session: Session) -> mm.Weights:
        if self._weights is None:
            self._weights = settings_store.get_weights(session)
        return self._weights


def assemble(session: Session, needs: list[Need], offers: list[Offer], fixed: list[Match],
              seeking: set[int], open_offers: set[int], today: date, *,
              whole: bool = False, reads: Reads | None = None) -> Built:
    """The problem of these rows: needs outside ``seeking`` get no helper beyond their
    fixed ones, offers outside ``open_offers`` no family beyond theirs. ``whole``: the
    rows are the whole Hub's (then the Hub's vettings are read, not those of the rows).
    ``reads``: what an earlier check of the same confirmation read, shared."""
    needs = sorted({n.id: n for n in needs}.values(), key=lambda n: n.public_id)
    offers = sorted({o.id: o for o in offers}.values(), key=lambda o: o.public_id)
    fixed_per_need: dict[int, int] = defaultdict(int)
    fixed_per_offer: dict[int, int] = defaultdict(int)
    for match in fixed:
        fixed_per_need[match.need_id] += 1
        fixed_per_offer[match.offer_id] += 1
    known = {n.household.public_id for n in needs} | {o.household.public_id for o in offers}
    reads = reads or Reads()
    previous = reads.previous_helpers(session, {n.household_id for n in needs})
    vetted = (vetted_household_ids(session, today) if whole
              else reads.vetted(session, today, {o.household_id for o in offers}))
    slugs, edges = reads.graph(session)
    data = {
        "format": 1, "neighbourhoods": slugs, "adjacency": edges,
        "weights": _weights_dict(reads.weights(session)),
        "needs": [_need_dict(n, n.helpers if n.id in seeking else fixed_per_need[n.id],
                             sorted(previous[n.household_id] & known)) for n in needs],
        "offers": [_offer_dict(o, o.capacity if o.id in open_offers else fixed_per_offer[o.id],
                               o.household_id in vetted) for o in offers],
        "fixed": sorted(({"need": m.need.public_id, "offer": m.offer.public_id} for m in fixed),
                        key=lambda pair: (pair["need"], pair["offer"])),
    }
    return Built(problem=load_problem(data), needs={n.public_id: n for n in needs},
                 offers={o.public_id: o for o in offers},
                 seeking=[n.public_id for n in needs if n.id in seeking])


def _weights_dict(weights: mm.Weights) -> dict[str, Any]:
    return {"base": weights.base, "urgency": weights.urgency,
            "proximity": list(weights.proximity), "language": weights.language,
            "continuity": weights.continuity, "load": weights.load}


def build_problem(session: Session, today: date) -> Built:
    """The whole problem of the day: every need looking for help and every open offer."""
    fixed = holding(session)
    seeking = load_posts(session, Need, Need.status.in_(NEED_SEEKING), Need.ends_on >= today)
    offers = load_posts(session, Offer, Offer.status == "open", Offer.ends_on >= today)
    fixed_needs = load_posts(session, Need, Need.id.in_({m.need_id for m in fixed}))
    fixed_offers = load_posts(session, Offer, Offer.id.in_({m.offer_id for m in fixed}))
    return assemble(session, seeking + fixed_needs, offers + fixed_offers, fixed,
                    {n.id for n in seeking}, {o.id for o in offers}, today, whole=True)


def _as_matcher_need(need: Need) -> mm.Need:
    """The need as the matcher's rules read it (no household references needed)."""
    slots = tuple(mm.Slot.on_date(slot.on_date, slot.start_minute, slot.end_minute)
                  if slot.on_date else mm.Slot(slot.day, slot.start_minute, slot.end_minute)
                  for slot in need.slots)
    return mm.Need(id=need.public_id, household=need.household.public_id,
                   skills=tuple(sorted(skill.slug for skill in need.skills)),
                   neighbourhood=need.neighbourhood.slug, slots=slots, helpers=need.helpers,
                   languages=tuple(sorted(set(need.languages or ()))),
                   requires_vetted=need.requires_vetted, max_hops=need.max_hops,
                   urgency=need.urgency, remote=need.remote)


# The matcher's first rules, in its ``diagnose`` order, that ``_rule_passing`` asks of the
# database: the skills, the time and the distance can be written as indexed conditions
# on an offer's row and its slots, and together they leave a few dozen offers of the
# thousands that share a common skill. The order is the contract's (a test holds it).
SQL_RULES = (NO_SKILL, NO_TIME, TOO_FAR)


def _within_reach(need: mm.Need, distances: Distances) -> Any:
    """The distance rule as a condition on an offer (joined to its neighbourhood): a
    neighbourhood ``d`` hops away, no further than the need's hops nor the offer's."""
    if need.remote:
        return true()
    by_hops: dict[int, list[str]] = defaultdict(list)
    for slug, hops in distances.get(need.neighbourhood, {}).items():
        if hops <= need.max_hops:
            by_hops[hops].append(slug)
    return or_(false(), *(Neighbourhood.slug.in_(sorted(slugs)) & (Offer.max_hops >= hops)
                          for hops, slugs in sorted(by_hops.items())))


def _in_time(need: mm.Need) -> Any:
    """The time rule (``timeslots.fits``) as a condition on an offer: each slot of the need
    lies inside one of the offer's (weekly) slots of its weekday."""
    return and_(true(), *(exists().where(
        OfferSlot.offer_id == Offer.id, OfferSlot.weekday == slot.day,
        OfferSlot.start_minute <= slot.start, OfferSlot.end_minute >= slot.end)
        for slot in need.slots))


def _rule_passing(session: Session, need: Need, today: date
                  ) -> tuple[set[int], str | None, int]:
    """The households with an open offer that the matcher's rules 2–6 allow for ``need``,
    or the first rule (in ``diagnose`` order) that leaves the need none; with
    ``not_vetted``, how many helpers wait for the Hub's check.

    The skill, time and distance rules are conditions of the query (``SQL_RULES``):
    only the offers passing them are read, as slim rows (no offer or household
    objects, nothing decrypted), and the matcher's own rules then judge those
    again and the later rules. When none passes, one more query names the rule.
    A fixed number of queries whatever the size of the Hub.
    """
    wanted = _as_matcher_need(need)
    slugs, edges = places.neighbourhood_graph(session)
    distances = _distances(tuple(slugs), tuple((a, b) for a, b in edges))
    # The offers of the whole problem (``build_problem``): the open ones, and the others
    # that hold a match (with no room beyond it, but the rules still judge them).
    live = (Offer.status == "open") & (Offer.ends_on >= today)
    held = Offer.id.in_(select(Match.offer_id).where(Match.status.in_(MATCH_HOLDING)))
    skilled = [live | held, Offer.household_id != need.household_id] + [
        Offer.id.in_(select(offer_skills.c.offer_id).where(offer_skills.c.skill_id == skill.id))
        for skill in need.skills]
    timed, near = _in_time(wanted), _within_reach(wanted, distances)
    rows = session.execute(
        select(Offer.id, Offer.household_id, Neighbourhood.slug, Offer.max_hops,
               Offer.languages)
        .join(Neighbourhood, Neighbourhood.id == Offer.neighbourhood_id)
        .where(*skilled, timed, near)).all()
    if not rows:
        some_skilled, some_timed = session.execute(select(
            exists().where(*skilled), exists().where(*skilled, timed))).one()
        return set(), NO_SKILL if not some_skilled else NO_TIME if not some_timed else TOO_FAR, 0
    slots: dict[int, list[mm.Slot]] = defaultdict(list)
    for offer_id, weekday, start, end in session.execute(
            select(OfferSlot.offer_id, OfferSlot.weekday, OfferSlot.start_minute,
                   OfferSlot.end_minute).where(OfferSlot.offer_id.in_([r.id for r in rows]))):
        assert weekday is not None  # an offer's slots are weekly  # nosec B101
        slots[offer_id].append(mm.Slot(weekday, start, end))
    vetted = (vetted_household_ids(session, today, among={r.household_id for r in rows})
              if need.requires_vetted else set())
    households = {row.id: row.household_id for row in rows}
    offers = [mm.Offer(id=str(row.id), household=str(row.household_id), skills=wanted.skills,
                       neighbourhood=row.slug, slots=tuple(slots[row.id]),
                       max_hops=row.max_hops, languages=tuple(sorted(set(row.languages or ()))),
                       vetted=row.household_id in vetted) for row in rows]
    # The matcher's rules on what the query kept: the first three pass for each (the
    # query asked them), so the reason is the first later rule that leaves none.
    reason, passing = first_rule_failing(wanted, offers, distances)
    return {households[int(offer.id)] for offer in passing}, reason, (
        helpers_but_for_vetting(wanted, offers, distances) if reason == NOT_VETTED else 0)


def build_for_need(session: Session, need: Need, today: date) -> Built | None:
    """The part of the problem ``need`` can touch, or None when it is not looking for help.

    The offers of the households with an offer the matcher's rules 2–6 allow
    (found on slim rows first, ``_rule_passing``), every other offer of those
    households (for the household rule), the matches holding on those offers
    or on the need, and the needs those and the waiting proposals on the
    offers stand for. What the matcher proposes for ``need`` only depends on
    these; why it proposes nothing is the rule the slim rows named, or, when
    some offers pass every rule, whether they are full, read on these.
    """
    if need.status not in NEED_SEEKING or need.ends_on < today:
        return None
    fitting, reason, unvetted = _rule_passing(session, need, today)
    mine = holding(session, Match.need_id == need.id)
    # As in the whole problem: open offers, and the others only for their fixed pairs.
    live = (Offer.status == "open") & (Offer.ends_on >= today)
    held = Offer.id.in_(select(Match.offer_id).where(Match.status.in_(MATCH_HOLDING)))
    offers = load_posts(session, Offer, (Offer.household_id.in_(sorted(fitting))
                                         & (live | held))
                        | Offer.id.in_([m.offer_id for m in mine]))
    offer_ids = [o.id for o in offers]
    fixed = holding(session, Match.offer_id.in_(offer_ids)) + [
        m for m in mine if m.offer_id not in set(offer_ids)]
    waiting = select(Proposal.need_id).where(Proposal.status == "proposed", Proposal.rank == 1,
                                             Proposal.offer_id.in_(offer_ids))
    others = load_posts(session, Need, Need.id.in_({m.need_id for m in fixed})
                        | (Need.id.in_(waiting) & Need.status.in_(NEED_SEEKING)
                           & (Need.ends_on >= today)))
    needs = [need] + [n for n in others if n.id != need.id]
    seeking = {n.id for n in needs if n.status in NEED_SEEKING and n.ends_on >= today}
    open_offers = {o.id for o in offers if o.status == "open" and o.ends_on >= today}
    built = assemble(session, needs, offers, fixed, seeking, open_offers, today)
    if reason is not None:
        built.reasons[need.public_id] = reason
        built.waiting[need.public_id] = unvetted
    return built


def current_proposals(session: Session, built: Built, *where: Any) -> dict[str, list[str]]:
    """The chosen (rank 1) waiting proposals whose need and offer are both in the problem,
    as need id → offer ids: the places they take count for the next proposals."""
    query = (select(Need.public_id, Offer.public_id)
             .select_from(Proposal).join(Need, Need.id == Proposal.need_id)
             .join(Offer, Offer.id == Proposal.offer_id)
             .where(Proposal.status == "proposed", Proposal.rank == 1, *where)
             .order_by(Proposal.id))
    found: dict[str, list[str]] = defaultdict(list)
    for need_id, offer_id in session.execute(query):
        if need_id in built.needs and offer_id in built.offers:
            found[need_id].append(offer_id)
    return found


def turned_down(session: Session, need_ids: Iterable[int] | None = None
                ) -> set[tuple[int, int]]:
    """(need id, offer id) pairs a facilitator rejected or a helper declined or let lapse;
    only those of ``need_ids`` when given."""
    rejected = select(Proposal.need_id, Proposal.offer_id).where(Proposal.status == "rejected")
    declined = select(Match.need_id, Match.offer_id).where(Match.status.in_(TURNED_DOWN))
    if need_ids is not None:
        ids = list(need_ids)
        rejected = rejected.where(Proposal.need_id.in_(ids))
        declined = declined.where(Match.need_id.in_(ids))
    return {(row[0], row[1]) for row in session.execute(rejected.union(declined))}

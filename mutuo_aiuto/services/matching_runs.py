"""Matching runs: the one boundary between the database and the matcher.

It builds the matcher's problem (format 1, with public ids) from the rows —
needs looking for help, open offers, confirmed matches as fixed pairs, the
administrator's weights — runs the matcher, and stores what it proposes with
the score and reasons. A full run (on request or nightly) supersedes every
waiting proposal; ``propose_for`` re-proposes for one need when it is posted
or changed. ``check_pair`` judges one pairing against the matches of the
moment, for confirmations. Every rule is the matcher's: nothing here decides
on its own whether a need and an offer may be paired.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from mutuo_aiuto import matching
from mutuo_aiuto.matching import model as mm
from mutuo_aiuto.matching.candidates import OfferIndex
from mutuo_aiuto.matching.diagnose import BUSY, Diagnosis
from mutuo_aiuto.matching.fileformat import load_problem, proposal_to_dict
from mutuo_aiuto.matching.scoring import pair_reasons, pair_score
from mutuo_aiuto.matching.timeslots import any_overlap
from mutuo_aiuto.models import (
    MATCH_HOLDING,
    Category,
    Household,
    Match,
    MatchingRun,
    Need,
    NeedSlot,
    Neighbourhood,
    Offer,
    OfferSlot,
    Proposal,
    User,
)
from mutuo_aiuto.models.slot import format_minutes
from mutuo_aiuto.services import hubtime, paging, places, settings_store
from mutuo_aiuto.services.hubtime import local_date
from mutuo_aiuto.services.lifecycle import NEED_SEEKING, move_need
from mutuo_aiuto.services.vetting import vetted_household_ids

# Besides the matcher's choice, the facilitator sees this many next-best offers.
ALTERNATIVES = 3
# Matches whose helper really helped: they earn continuity points next time.
HELPED = ("active", "closed")
# Pairs a person already turned down are not proposed again.
TURNED_DOWN = ("declined", "unanswered", "cancelled")
# An unmatched need whose fitting offers are free but proposed to other needs
# (or turned down for it): the matcher's rules do not explain it, the answer does.
TAKEN = "taken"


@dataclass
class Built:
    """A problem with the rows behind its ids."""

    problem: mm.Problem
    needs: dict[str, Need]
    offers: dict[str, Offer]
    seeking: list[str] = field(default_factory=list)

    @cached_property
    def diagnosis(self) -> Diagnosis:
        return Diagnosis(self.problem)

    @cached_property
    def index(self) -> OfferIndex:
        return OfferIndex(self.problem, self.diagnosis.distances)


# ---- from rows to the problem ------------------------------------------------


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


def _holding(session: Session, *where: Any) -> list[Match]:
    query = (select(Match).where(Match.status.in_(MATCH_HOLDING), *where)
             .options(selectinload(Match.need), selectinload(Match.offer))
             .order_by(Match.id))
    return list(session.scalars(query))


def _load(session: Session, model: type[Need] | type[Offer], *where: Any) -> list[Any]:
    query = (select(model).where(*where)
             .options(selectinload(model.skills), selectinload(model.slots),
                      selectinload(model.household), selectinload(model.neighbourhood))
             .order_by(model.public_id))
    return list(session.scalars(query))


def _assemble(session: Session, needs: list[Need], offers: list[Offer], fixed: list[Match],
              seeking: set[int], open_offers: set[int], today: date) -> Built:
    """The problem of these rows: needs outside ``seeking`` get no helper beyond their
    fixed ones, offers outside ``open_offers`` no family beyond theirs."""
    needs = sorted({n.id: n for n in needs}.values(), key=lambda n: n.public_id)
    offers = sorted({o.id: o for o in offers}.values(), key=lambda o: o.public_id)
    fixed_per_need: dict[int, int] = defaultdict(int)
    fixed_per_offer: dict[int, int] = defaultdict(int)
    for match in fixed:
        fixed_per_need[match.need_id] += 1
        fixed_per_offer[match.offer_id] += 1
    known = {n.household.public_id for n in needs} | {o.household.public_id for o in offers}
    previous = _previous_helpers(session, {n.household_id for n in needs})
    vetted = vetted_household_ids(session, today)
    slugs, edges = places.neighbourhood_graph(session)
    data = {
        "format": 1, "neighbourhoods": slugs, "adjacency": edges,
        "weights": _weights_dict(settings_store.get_weights(session)),
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
    fixed = _holding(session)
    seeking = _load(session, Need, Need.status.in_(NEED_SEEKING), Need.ends_on >= today)
    offers = _load(session, Offer, Offer.status == "open", Offer.ends_on >= today)
    fixed_needs = _load(session, Need, Need.id.in_({m.need_id for m in fixed}))
    fixed_offers = _load(session, Offer, Offer.id.in_({m.offer_id for m in fixed}))
    return _assemble(session, seeking + fixed_needs, offers + fixed_offers, fixed,
                     {n.id for n in seeking}, {o.id for o in offers}, today)


# ---- storing what the matcher proposes ---------------------------------------


def _new_run(session: Session, kind: str, user: User | None, stats: mm.Stats | None,
             now: datetime) -> MatchingRun:
    run = MatchingRun(kind=kind, started_by_id=user.id if user else None, started_at=now,
                      finished_at=hubtime.clock().now(), stats=_stats_dict(stats))
    session.add(run)
    session.flush()
    return run


def _stats_dict(stats: mm.Stats | None) -> dict[str, Any]:
    if stats is None:
        return {}
    return {"needs": stats.needs, "offers": stats.offers,
            "allowed_pairs": stats.allowed_pairs, "seconds": stats.seconds}


def _supersede(session: Session, *where: Any) -> None:
    session.execute(update(Proposal).where(Proposal.status == "proposed", *where)
                    .values(status="superseded"))


def _turned_down(session: Session) -> set[tuple[int, int]]:
    """(need id, offer id) pairs a facilitator rejected or a helper declined or let lapse."""
    rejected = select(Proposal.need_id, Proposal.offer_id).where(Proposal.status == "rejected")
    declined = select(Match.need_id, Match.offer_id).where(Match.status.in_(TURNED_DOWN))
    return {tuple(row) for row in session.execute(rejected.union(declined))}


def _turned_down_pair(built: Built, need_id: str, offer_id: str,
                      excluded: set[tuple[int, int]]) -> bool:
    return (built.needs[need_id].id, built.offers[offer_id].id) in excluded


def ranked_offers(built: Built, need_id: str, skip: Iterable[str] = (),
                  excluded: set[tuple[int, int]] | None = None,
                  busy: dict[str, list[str]] | None = None) -> list[mm.Proposal]:
    """The offers the need may be paired with now, best score first.

    ``busy`` adds, per offer, needs counted as if they were fixed (proposals
    already made to others), so that one offer is not proposed beyond its room.
    """
    diagnosis, weights = built.diagnosis, built.problem.weights
    need = diagnosis.needs[need_id]
    skip = set(skip) | {other for other, served in diagnosis.served.items()
                        if need_id in served}
    found = []
    for pos in built.index.allowed_offers(need):
        offer = built.problem.offers[pos]
        if offer.id in skip or _turned_down_pair(built, need_id, offer.id, excluded or set()):
            continue
        if not diagnosis.is_free(need_id, offer.id) or _booked(built, need, offer, busy):
            continue
        hops, load = built.index.hops(need, offer), len(diagnosis.served[offer.id])
        found.append(mm.Proposal(need_id, offer.id, pair_score(need, offer, hops, weights, load),
                                 pair_reasons(need, offer, hops, weights, load)))
    return sorted(found, key=lambda p: (-p.score, p.offer))


def _booked(built: Built, need: mm.Need, offer: mm.Offer,
            busy: dict[str, list[str]] | None) -> bool:
    if not busy or not busy.get(offer.id):
        return False
    others = built.diagnosis.served[offer.id] + busy[offer.id]
    needs = built.diagnosis.needs
    return len(others) >= offer.capacity or any(
        any_overlap(need.slots, needs[other].slots) for other in busy[offer.id])


def _store(session: Session, run: MatchingRun, built: Built, proposal: mm.Proposal,
           rank: int) -> Proposal:
    row = Proposal(run=run, need=built.needs[proposal.need], offer=built.offers[proposal.offer],
                   rank=rank, score=proposal.score,
                   reasons=proposal_to_dict(proposal)["reasons"])
    session.add(row)
    return row


def _store_need(session: Session, run: MatchingRun, built: Built, need_id: str,
                chosen: list[mm.Proposal], excluded: set[tuple[int, int]]) -> list[Proposal]:
    """Store the need's chosen pairings (rank 1) and its next-best alternatives: offers
    free of confirmed matches, even when proposed to another need."""
    picks = [p for p in chosen if not _turned_down_pair(built, p.need, p.offer, excluded)]
    others = ranked_offers(built, need_id, {p.offer for p in picks}, excluded)
    if len(picks) < len(chosen):
        # The matcher chose a pair someone turned down: the best other offer stands in.
        missing = len(chosen) - len(picks)
        picks, others = picks + others[:missing], others[missing:]
    rows = [_store(session, run, built, p, 1) for p in picks]
    rows += [_store(session, run, built, p, rank)
             for rank, p in enumerate(others[:ALTERNATIVES], start=2)]
    _set_status(built.needs[need_id], bool(picks))
    return rows


def _set_status(need: Need, proposed: bool) -> None:
    if proposed and need.status == "open":
        move_need(need, "proposed")
    elif not proposed and need.status == "proposed":
        move_need(need, "open")


def run_full(session: Session, *, now: datetime | None = None, today: date | None = None,
             kind: str = "full", user: User | None = None) -> MatchingRun:
    """Run the matcher on everything and store its proposals, superseding the waiting ones.

    ``kind`` is ``full`` (the nightly run) or ``manual`` (a facilitator asked);
    ``today`` defaults to the day of ``now`` in Rome.
    """
    now = now or hubtime.clock().now()
    today = today or local_date(now)
    built = build_problem(session, today)
    answer = matching.solve(built.problem)
    _supersede(session)
    run = _new_run(session, kind, user, answer.stats, now)
    chosen: dict[str, list[mm.Proposal]] = defaultdict(list)
    for proposal in answer.proposals:
        chosen[proposal.need].append(proposal)
    excluded = _turned_down(session)
    for need_id in built.seeking:
        _store_need(session, run, built, need_id, chosen.get(need_id, []), excluded)
    session.flush()
    return run


def _live_elsewhere(session: Session, built: Built, need: Need) -> dict[str, list[str]]:
    """Offers already proposed (rank 1) to other needs, as offer id → need ids."""
    query = (select(Proposal).where(Proposal.status == "proposed", Proposal.rank == 1,
                                    Proposal.need_id != need.id)
             .options(selectinload(Proposal.need), selectinload(Proposal.offer)))
    busy: dict[str, list[str]] = defaultdict(list)
    for proposal in session.scalars(query):
        if proposal.need.public_id in built.diagnosis.needs:
            busy[proposal.offer.public_id].append(proposal.need.public_id)
    return busy


def propose_for(session: Session, need: Need, *, today: date,
                now: datetime | None = None) -> list[Proposal]:
    """Propose again for one need (posted, edited, or back to open): its waiting proposals
    are superseded; the best free offers become its choice and the next ones its alternatives.

    Offers already proposed to other needs are left to them while they have no room to spare.
    """
    _supersede(session, Proposal.need_id == need.id)
    built = build_problem(session, today)
    if need.public_id not in built.seeking:
        _set_status(need, False)
        return []
    busy = _live_elsewhere(session, built, need)
    wanted = built.diagnosis.needs[need.public_id].helpers - built.diagnosis.helped[
        need.public_id]
    excluded = _turned_down(session)
    free = ranked_offers(built, need.public_id, (), excluded, busy)
    run = _new_run(session, "incremental", None, None, now or hubtime.clock().now())
    rows = _store_need(session, run, built, need.public_id, free[:max(wanted, 0)], excluded)
    session.flush()
    return rows


def last_run(session: Session) -> MatchingRun | None:
    return session.scalars(select(MatchingRun).order_by(MatchingRun.id.desc()).limit(1)).first()


def supersede_for_need(session: Session, need: Need) -> None:
    """The need's waiting proposals are no longer current (it found all its helpers)."""
    _supersede(session, Proposal.need_id == need.id)


def repropose_blocked(session: Session, offer: Offer, *, today: date,
                      now: datetime | None = None) -> int:
    """After the offer took a need: its waiting proposals to other needs, for which it has
    no room or time left any more, are withdrawn; a need that loses its choice (rank 1)
    gets new proposals. Returns how many proposals were withdrawn."""
    waiting = list(session.scalars(select(Proposal).where(Proposal.status == "proposed",
                                                          Proposal.offer_id == offer.id)
                                   .order_by(Proposal.id)))
    blocked = [p for p in waiting if check_pair(session, p.need, offer, today).blockers]
    for proposal in blocked:
        proposal.status = "superseded"
    for need in sorted({p.need for p in blocked if p.rank == 1}, key=lambda n: n.public_id):
        propose_for(session, need, today=today, now=now)
    return len(blocked)


def propose_for_offer(session: Session, offer: Offer, *, today: date,
                      now: datetime | None = None) -> int:
    """After an offer is posted or changed: propose again for the needs it may now serve,
    or that were proposed it. Returns how many needs got new proposals."""
    built = build_problem(session, today)
    live = session.scalars(select(Proposal).where(Proposal.status == "proposed"))
    with_choice = {p.need_id for p in live if p.rank == 1}
    affected = {p.need for p in session.scalars(select(Proposal).where(
        Proposal.status == "proposed", Proposal.offer_id == offer.id))}
    if offer.public_id in built.offers and offer.status == "open":
        affected |= {built.needs[n] for n in built.seeking
                     if built.needs[n].id not in with_choice
                     and not built.diagnosis.pair_blockers(n, offer.public_id)}
    for need in sorted(affected, key=lambda n: n.public_id):
        propose_for(session, need, today=today, now=now)
    return len(affected)


# ---- one pairing, now --------------------------------------------------------


@dataclass(frozen=True)
class PairCheck:
    """What the matcher's rules say of one pairing against the matches of the moment."""

    blockers: tuple[str, ...]
    score: int
    reasons: list[dict[str, Any]]


def check_pair(session: Session, need: Need, offer: Offer, today: date) -> PairCheck:
    """Judge need–offer against the holding matches, read now (call it under the row locks).

    Besides the contract's rules per offer, a helper household is ``busy`` when
    another of its offers serves a need at the same time: nobody is in two places.
    """
    fixed = _holding(session, (Match.need_id == need.id)
                     | Match.offer_id.in_(select(Offer.id).where(
                         Offer.household_id == offer.household_id)))
    needs = _load(session, Need, Need.id.in_({need.id} | {m.need_id for m in fixed}))
    offers = _load(session, Offer, Offer.id.in_({offer.id} | {m.offer_id for m in fixed}))
    built = _assemble(session, needs, offers, fixed, {n.id for n in needs},
                      {o.id for o in offers}, today)
    diagnosis = built.diagnosis
    blockers = list(diagnosis.pair_blockers(need.public_id, offer.public_id))
    if BUSY not in blockers and _busy_elsewhere(built, need, offer, fixed):
        blockers.append(BUSY)
    n, o = diagnosis.needs[need.public_id], diagnosis.offers[offer.public_id]
    hops, load = built.index.hops(n, o), len(diagnosis.served[o.id])
    proposal = mm.Proposal(n.id, o.id, pair_score(n, o, hops, built.problem.weights, load),
                           pair_reasons(n, o, hops, built.problem.weights, load))
    return PairCheck(tuple(blockers), proposal.score, proposal_to_dict(proposal)["reasons"])


def _busy_elsewhere(built: Built, need: Need, offer: Offer, fixed: list[Match]) -> bool:
    slots = built.diagnosis.needs[need.public_id].slots
    return any(match.offer_id != offer.id and match.need_id != need.id
               and any_overlap(slots, built.diagnosis.needs[match.need.public_id].slots)
               for match in fixed)


# ---- what the dashboard reads ------------------------------------------------


@dataclass
class NeedProposals:
    need: Need
    chosen: list[Proposal] = field(default_factory=list)
    alternatives: list[Proposal] = field(default_factory=list)


# What the dashboard shows of both sides, loaded in a few queries for all the
# proposals at once rather than a few queries per proposal.
_SIDES_SHOWN = tuple(
    selectinload(side).options(*(selectinload(getattr(model, name)) for name in related))
    for side, model, related in (
        (Proposal.need, Need, ("household", "category", "neighbourhood", "skills", "slots")),
        (Proposal.offer, Offer, ("household", "neighbourhood", "skills", "slots")),
    ))


@dataclass(frozen=True)
class ProposalPage:
    """One page of the dashboard: its needs with their proposals, and where it stands."""

    groups: list[NeedProposals]
    number: int
    pages: int
    needs: int  # needs with waiting proposals, on every page


# Needs per dashboard page: about 120 KB of HTML at most, under the 150 KB a phone page may weigh.
PROPOSALS_PER_PAGE = 12


def live_proposals(session: Session, *, neighbourhood: str | None = None,
                   category: str | None = None, urgency: int | None = None,
                   page: int = 1, per_page: int | None = None) -> ProposalPage:
    """Waiting proposals grouped by need, the most urgent and oldest needs first, one
    page of needs at a time (a page past the last shows the last)."""
    per_page = per_page or PROPOSALS_PER_PAGE
    waiting = select(Proposal.need_id).where(Proposal.status == "proposed")
    needs = _filtered(select(Need.id).where(Need.status.in_(NEED_SEEKING), Need.id.in_(waiting)),
                      neighbourhood, category, urgency)
    total = session.scalar(select(func.count()).select_from(needs.subquery())) or 0
    pages = paging.page_count(total, per_page)
    number = paging.clamp(page, pages)
    shown = list(session.scalars(needs.order_by(Need.urgency.desc(), Need.opened_at, Need.id)
                                 .limit(per_page).offset((number - 1) * per_page)))
    query = (select(Proposal).join(Need, Need.id == Proposal.need_id)
             .where(Proposal.status == "proposed", Proposal.need_id.in_(shown))
             .options(*_SIDES_SHOWN)
             .order_by(Need.urgency.desc(), Need.opened_at, Need.id, Proposal.rank,
                       Proposal.score.desc(), Proposal.id))
    grouped: dict[int, NeedProposals] = {}
    for proposal in session.scalars(query):
        group = grouped.setdefault(proposal.need_id, NeedProposals(proposal.need))
        (group.chosen if proposal.rank == 1 else group.alternatives).append(proposal)
    return ProposalPage(list(grouped.values()), number, pages, total)


def _filtered(query: Any, neighbourhood: str | None, category: str | None,
              urgency: int | None) -> Any:
    if neighbourhood:
        query = query.where(Need.neighbourhood_id.in_(
            select(Neighbourhood.id).where(Neighbourhood.slug == neighbourhood)))
    if category:
        query = query.where(Need.category_id.in_(
            select(Category.id).where(Category.slug == category)))
    if urgency is not None:
        query = query.where(Need.urgency >= urgency)
    return query


@dataclass(frozen=True)
class Unmatched:
    need: Need
    reason: str


def unmatched_needs(session: Session, today: date, *, neighbourhood: str | None = None,
                    category: str | None = None, urgency: int | None = None
                    ) -> list[Unmatched]:
    """Needs looking for help with no pairing proposed, each with the reason why."""
    built = build_problem(session, today)
    proposed = set(session.scalars(select(Proposal.need_id).where(
        Proposal.status == "proposed", Proposal.rank == 1)))
    needs = [built.needs[n] for n in built.seeking]
    found = [Unmatched(need, built.diagnosis.why_unmatched(need.public_id) or TAKEN)
             for need in needs
             if need.id not in proposed and _wanted(need, neighbourhood, category, urgency)]
    return sorted(found, key=lambda u: (-u.need.urgency, u.need.opened_at or u.need.created_at,
                                        u.need.id))


def _wanted(need: Need, neighbourhood: str | None, category: str | None,
            urgency: int | None) -> bool:
    return ((not neighbourhood or need.neighbourhood.slug == neighbourhood)
            and (not category or need.category.slug == category)
            and (urgency is None or need.urgency >= urgency))

"""Matching runs: the app's thin adapter around the matcher, and where proposals are stored.

A full run (nightly or on request) solves the whole problem and supersedes
every waiting proposal. ``propose_for`` re-proposes one need, posted or
changed, with the matcher's incremental API (``prepare`` + ``propose_for_need``
on the part of the problem the need can touch, read in a fixed number of
queries): bounded work, done inside the web request. An offer posted or
changed may fit many needs, so ``queue_for_offer`` only queues it and
``run_queued`` (the scheduler's minute job) re-proposes them; so too the needs a
confirmation took their chosen offer from (``repropose_blocked`` queues them with
``queue_for_needs``), as they can be many. ``check_pair``
judges one pairing against the matches of the moment, for confirmations.

Every rule is the matcher's, the household rule (``matching.busy_elsewhere``)
included: nothing here decides on its own whether a need and an offer may be
paired. The problem is built in ``matching_problem``; the pages' queries are in
``proposal_queries``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from mutuo_aiuto import matching
from mutuo_aiuto.matching import model as mm
from mutuo_aiuto.matching.diagnose import BUSY, NOT_VETTED
from mutuo_aiuto.matching.fileformat import proposal_to_dict
from mutuo_aiuto.matching.instance import Clock
from mutuo_aiuto.matching.scoring import pair_reasons, pair_score
from mutuo_aiuto.models import (
    Match,
    MatchingRun,
    Need,
    Offer,
    Proposal,
    QueuedNeed,
    QueuedOffer,
    UnmatchedReason,
    UnmatchedSpell,
    User,
)
from mutuo_aiuto.models.types import new_public_id
from mutuo_aiuto.services import hubtime
from mutuo_aiuto.services.hubtime import local_date
from mutuo_aiuto.services.lifecycle import NEED_SEEKING, move_need
from mutuo_aiuto.services.matching_problem import (
    Built,
    Reads,
    assemble,
    build_for_need,
    build_problem,
    current_proposals,
    holding,
    turned_down,
)

__all__ = ["ALTERNATIVES", "TAKEN", "PairCheck", "Reads", "build_problem", "check_pair",
           "check_pairs", "confirmation_reads", "propose_for", "propose_for_offer",
           "queue_for_need", "queue_for_needs", "queue_for_offer", "repropose_blocked",
           "run_full", "run_queued", "supersede_for_need"]

# Besides the matcher's choice, the facilitator sees this many next-best offers.
ALTERNATIVES = 3
# An unmatched need whose fitting offers are free but proposed to other needs
# (or turned down for it): the matcher's rules do not explain it, the answer does.
TAKEN = "taken"


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


def _declined_offers(built: Built, need_id: str, excluded: set[tuple[int, int]]) -> set[str]:
    """The offers of the problem someone turned down for this need."""
    need = built.needs[need_id].id
    return {built.offer_ids[offer] for turned, offer in excluded
            if turned == need and offer in built.offer_ids}


def _picks(built: Built, need_id: str, chosen: Iterable[mm.Proposal],
           excluded: set[tuple[int, int]]) -> tuple[list[mm.Proposal], list[mm.Proposal]]:
    """The need's chosen pairings (rank 1) and its next-best alternatives (offers free of
    confirmed matches, even when proposed to another need, from the matcher's ranking)."""
    declined = _declined_offers(built, need_id, excluded)
    chosen = list(chosen)
    picks = [p for p in chosen if p.offer not in declined]
    need = built.diagnosis.needs[need_id]
    others = matching.ranked_for_need(built.fixed_only, need,
                                      exclude=declined | {p.offer for p in picks},
                                      limit=ALTERNATIVES + len(chosen))
    if len(picks) < len(chosen):
        # The full run chose a pair someone turned down: the best other offer stands in.
        missing = len(chosen) - len(picks)
        picks, others = picks + others[:missing], others[missing:]
    return picks, others[:ALTERNATIVES]


def _row(run_id: int, built: Built, proposal: mm.Proposal, rank: int) -> dict[str, Any]:
    return {"run_id": run_id, "need_id": built.needs[proposal.need].id,
            "offer_id": built.offers[proposal.offer].id, "rank": rank,
            "score": proposal.score, "reasons": proposal_to_dict(proposal)["reasons"],
            "status": "proposed", "public_id": new_public_id(), "created_at": hubtime.clock().now()}


def _store_need(session: Session, run: MatchingRun, built: Built, need_id: str,
                chosen: Iterable[mm.Proposal], excluded: set[tuple[int, int]],
                stored: dict[int, UnmatchedReason], now: datetime) -> list[Proposal]:
    """Store the need's pairings (``_picks``) in one statement and read them back in
    another, however many there are; a need left with none keeps the reason why, and
    when."""
    picks, others = _picks(built, need_id, chosen, excluded)
    values = [_row(run.id, built, p, 1) for p in picks]
    values += [_row(run.id, built, p, rank) for rank, p in enumerate(others, start=2)]
    rows: list[Proposal] = []
    if values:
        session.execute(insert(Proposal), values)
        rows = list(session.scalars(select(Proposal).where(
            Proposal.public_id.in_([v["public_id"] for v in values]))
            .order_by(Proposal.rank, Proposal.id)))
    _settle_need(session, built, need_id, bool(picks), stored, now)
    return rows


def _settle_need(session: Session, built: Built, need_id: str, proposed: bool,
                 stored: dict[int, UnmatchedReason], now: datetime) -> None:
    row = built.needs[need_id]
    _set_status(row, proposed)
    reason = None if proposed else (built.why_unmatched(need_id) or TAKEN)
    _note_unmatched(session, row, reason, stored, now, _waiting(built, need_id, reason))


def _waiting(built: Built, need_id: str, reason: str | None) -> int | None:
    """With ``not_vetted``: how many helpers wait for the Hub's check to fit the need."""
    return built.waiting_for_check(need_id) if reason == NOT_VETTED else None


def _note_unmatched(session: Session, need: Need, reason: str | None,
                    stored: dict[int, UnmatchedReason], now: datetime,
                    waiting: int | None = None) -> None:
    row = stored.get(need.id)
    if (row.reason if row is not None else None) != reason:
        _change_spell(session, need.id, reason, now)
    if reason is None:
        if row is not None:
            session.delete(row)
            del stored[need.id]
    elif row is None:
        stored[need.id] = UnmatchedReason(need_id=need.id, reason=reason, checked_at=now,
                                          waiting_helpers=waiting)
        session.add(stored[need.id])
    else:
        row.reason, row.checked_at, row.waiting_helpers = reason, now, waiting


def _change_spell(session: Session, need_id: int, reason: str | None, now: datetime) -> None:
    """The need's reason changed (or it got a proposal): close its open spell, open the
    next one. Only on a change, so a run finding the same reasons again writes nothing."""
    # Not synchronised with the session: the default ("evaluate") walks every object
    # the session holds for each statement, and a night run holds thousands while
    # it closes a spell for each need whose reason changed (2,830 on a new city of
    # 10,000 households: 14 s of the run). No spell of this need is read after.
    session.execute(update(UnmatchedSpell)
                    .where(UnmatchedSpell.need_id == need_id, UnmatchedSpell.until.is_(None))
                    .values(until=now)
                    .execution_options(synchronize_session=False))
    if reason is not None:
        session.add(UnmatchedSpell(need_id=need_id, reason=reason, since=now))


def _stored_reasons(session: Session, need_ids: Iterable[int] | None = None
                    ) -> dict[int, UnmatchedReason]:
    query = select(UnmatchedReason)
    if need_ids is not None:
        query = query.where(UnmatchedReason.need_id.in_(list(need_ids)))
    return {row.need_id: row for row in session.scalars(query)}


def _set_status(need: Need, proposed: bool) -> None:
    if proposed and need.status == "open":
        move_need(need, "proposed")
    elif not proposed and need.status == "proposed":
        move_need(need, "open")


def run_full(session: Session, *, now: datetime | None = None, today: date | None = None,
             kind: str = "full", user: User | None = None) -> MatchingRun:
    """Run the matcher on everything and store its proposals, superseding the waiting ones.

    ``kind`` is ``full`` (the nightly run) or ``manual`` (a facilitator asked);
    ``today`` defaults to the day of ``now`` in Rome. It also does the queued
    re-proposals' work: the offers queued before it are dropped from the queue.
    """
    now = now or hubtime.clock().now()
    today = today or local_date(now)
    built = build_problem(session, today)
    answer = matching.solve(built.problem)
    # The full solve keeps the contract's per-offer rules; the household rule on top.
    kept = matching.keep_one_place(built.problem, answer.proposals)
    chosen: dict[str, list[mm.Proposal]] = defaultdict(list)
    for proposal in kept:
        chosen[proposal.need].append(proposal)
    excluded = turned_down(session)
    plans = []
    for need_id in built.seeking:
        picks, others = _picks(built, need_id, chosen.get(need_id, []), excluded)
        reason = None if picks else built.why_unmatched(need_id) or TAKEN
        plans.append((need_id, picks, others, reason, _waiting(built, need_id, reason)))
    # Everything above only reads. The writes below are short and exclude the
    # confirmations (``lock_proposals``), and a need confirmed while the matcher ran is
    # left as the facilitator left it.
    lock_proposals(session, exclusive=True)
    still = _still_seeking(session, today)
    session.execute(delete(QueuedOffer).where(QueuedOffer.queued_at <= now))
    session.execute(delete(QueuedNeed).where(QueuedNeed.queued_at <= now))
    _supersede(session)
    run = _new_run(session, kind, user, answer.stats, now)
    stored = _stored_reasons(session)
    rows: list[dict[str, Any]] = []
    for need_id, picks, others, reason, waiting in plans:
        if built.needs[need_id].id not in still:
            continue
        rows += [_row(run.id, built, p, 1) for p in picks]
        rows += [_row(run.id, built, p, rank) for rank, p in enumerate(others, start=2)]
        _set_status(built.needs[need_id], bool(picks))
        _note_unmatched(session, built.needs[need_id], reason, stored, now, waiting)
    # One executemany for the whole city rather than an object per proposal.
    for start in range(0, len(rows), 5000):
        session.execute(insert(Proposal), rows[start:start + 5000])
    session.flush()
    return run


def _still_seeking(session: Session, today: date) -> set[int]:
    """The needs looking for help now, read afresh (their rows in the session too)."""
    return {need.id for need in session.scalars(
        select(Need).where(Need.status.in_(NEED_SEEKING), Need.ends_on >= today)
        .execution_options(populate_existing=True))}


# One PostgreSQL advisory lock: the full run's writes take it alone, a confirmation or a
# re-proposal shares it. Without it the run's supersession of every waiting proposal and
# a confirmation's row locks could wait on each other (a deadlock, one of them failing).
PROPOSALS_LOCK = 0x6D61_7463  # "matc"


def lock_proposals(session: Session, *, exclusive: bool = False) -> None:
    """Hold the proposals' lock until the transaction ends (PostgreSQL; elsewhere the
    database serialises writers already)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    query = ("SELECT pg_advisory_xact_lock(:key)" if exclusive
             else "SELECT pg_advisory_xact_lock_shared(:key)")
    session.execute(text(query), {"key": PROPOSALS_LOCK})


def _propose_needs(session: Session, built: Built, need_ids: list[str],
                   current: dict[str, list[str]], now: datetime) -> list[Proposal]:
    """Propose again for these needs of ``built``, one after the other, each with the
    matcher's ``propose_for_need`` against the proposals of the moment (``current``,
    updated as it goes): an offer another need holds is not proposed beyond its room."""
    if not need_ids:
        return []
    rows_of = [built.needs[n].id for n in need_ids]
    _supersede(session, Proposal.need_id.in_(rows_of))
    excluded, stored = turned_down(session, rows_of), _stored_reasons(session, rows_of)
    run = _new_run(session, "incremental", None, None, now)
    rows: list[Proposal] = []
    # Prepared once; each need's new choice then takes its places in it (and its old ones
    # are given back), so the next need sees the proposals of the moment.
    state = built.prepared((n, o) for n, offers in current.items() for o in offers)
    taken = [list(places) for places in state.taken]
    state = replace(state, taken=taken)
    position = state.index.position
    for need_id in need_ids:
        need = built.diagnosis.needs[need_id]
        chosen = matching.propose_for_need(
            state, need, exclude=_declined_offers(built, need_id, excluded))
        mine = _store_need(session, run, built, need_id, chosen, excluded, stored, now)
        for offer_id in current.pop(need_id, []):
            at = position[offer_id]
            taken[at] = [entry for entry in taken[at] if entry[0] != need_id]
        current[need_id] = [row.offer.public_id for row in mine if row.rank == 1]
        clock = Clock.of(need)
        for offer_id in current[need_id]:
            taken[position[offer_id]].append((need_id, clock))
        rows += mine
    session.flush()
    return rows


def propose_for(session: Session, need: Need, *, today: date,
                now: datetime | None = None) -> list[Proposal]:
    """Propose again for one need (posted, edited, or back to open): its waiting proposals
    are superseded; the matcher's choice becomes rank 1 and its next best the alternatives.

    Bounded work whatever the size of the Hub: the part of the problem the need
    can touch is read in a fixed number of queries.
    """
    lock_proposals(session)
    built = build_for_need(session, need, today)
    if built is None:
        _supersede(session, Proposal.need_id == need.id)
        _set_status(need, False)
        return []
    current = current_proposals(session, built, Proposal.need_id != need.id,
                                Proposal.offer_id.in_([o.id for o in built.offers.values()]))
    return _propose_needs(session, built, [need.public_id], current,
                          now or hubtime.clock().now())


def supersede_for_need(session: Session, need: Need) -> None:
    """The need's waiting proposals are no longer current (it found all its helpers)."""
    _supersede(session, Proposal.need_id == need.id)


def repropose_blocked(session: Session, offer: Offer, *, now: datetime | None = None,
                      today: date, reads: Reads | None = None) -> int:
    """After the offer took a need: its waiting proposals to other needs, for which it has
    no room or time left any more, are withdrawn at once (never shown stale); a need that
    loses its choice (rank 1) is queued for the scheduler's minute job to propose again
    (``queue_for_needs``). A fixed number of queries however many proposals the offer
    had. Returns how many proposals were withdrawn. ``reads``: the confirmation's own
    check's, shared (``confirmation_reads``)."""
    waiting = list(session.scalars(select(Proposal).where(Proposal.status == "proposed",
                                                          Proposal.offer_id == offer.id)
                                   .order_by(Proposal.id)))
    if not waiting:
        return 0
    reads = reads or Reads()
    needs = reads.posts(session, Need, {p.need_id for p in waiting})
    checks = check_pairs(session, needs, offer, today, reads=reads)
    blocked = [p for p in waiting if checks[p.need_id].blockers]
    if blocked:
        session.execute(update(Proposal).where(Proposal.id.in_([p.id for p in blocked]))
                        .values(status="superseded")
                        .execution_options(synchronize_session=False))
        for proposal in blocked:
            session.expire(proposal, ["status"])
        queue_for_needs(session, sorted({p.need_id for p in blocked if p.rank == 1}), now=now)
    return len(blocked)


def queue_for_needs(session: Session, need_ids: list[int], *,
                    now: datetime | None = None) -> None:
    """Queue these needs for the scheduler's minute job to propose again, one row per need
    however often it is queued (one statement whatever their number)."""
    if need_ids:
        at = now or hubtime.clock().now()
        _enqueue(session, QueuedNeed, [{"need_id": n, "queued_at": at} for n in need_ids])


# ---- offers: queued for the scheduler -----------------------------------------


def _enqueue(session: Session, model: type[QueuedOffer] | type[QueuedNeed],
             rows: list[dict[str, Any]]) -> None:
    """Insert the queue's rows, or move the time of those already queued: one statement
    that cannot find its row gone. (Read, then update, could: the scheduler's job takes
    the rows it read while a request updates one, which then matched nothing.)"""
    upsert = (postgresql_insert if session.get_bind().dialect.name == "postgresql"
              else sqlite_insert)(model)
    key = ["offer_id" if model is QueuedOffer else "need_id"]  # each queue's primary key
    session.execute(upsert.on_conflict_do_update(
        index_elements=key, set_={"queued_at": upsert.excluded.queued_at}), rows)
    # What the session already holds of these rows is the old time.
    for row in rows:
        found = session.identity_map.get(
            session.identity_key(model, tuple(row[name] for name in key)))
        if found is not None:
            session.expire(found)


def queue_for_offer(session: Session, offer: Offer, *, now: datetime | None = None) -> None:
    """After an offer is posted or changed: queue the re-proposal of the needs it may now
    serve (or that were proposed it) for the scheduler's minute job. Re-proposing grows
    with the open needs, so it stays out of the web request."""
    _enqueue(session, QueuedOffer,
             [{"offer_id": offer.id, "queued_at": now or hubtime.clock().now()}])


def queue_for_need(session: Session, need: Need, *, now: datetime | None = None) -> None:
    """A need freed by the helper's "no" or silence: queue its new proposal for the
    scheduler's minute job (the incremental ``propose_for``), outside the request."""
    queue_for_needs(session, [need.id], now=now)


def run_queued(session: Session, *, today: date, now: datetime | None = None) -> int:
    """The scheduler's job: re-propose for the queued offers and needs, the whole problem
    read once for all of them. Returns how many needs got new proposals."""
    # Plain rows, as read: what is taken off the queue at the end.
    queued = session.execute(select(QueuedOffer.offer_id, QueuedOffer.queued_at)
                             .order_by(QueuedOffer.queued_at)).all()
    queued_needs = session.execute(select(QueuedNeed.need_id, QueuedNeed.queued_at)
                                   .order_by(QueuedNeed.queued_at)).all()
    if not queued and not queued_needs:
        return 0
    offers = list(session.scalars(select(Offer).where(
        Offer.id.in_([q.offer_id for q in queued])).order_by(Offer.id))) if queued else []
    needs = list(session.scalars(select(Need).where(
        Need.id.in_([q.need_id for q in queued_needs])))) if queued_needs else []
    if offers:
        # An offer closed since it was queued (a helper withdrawing what they had just
        # posted) with no proposal waiting on it leaves nothing to propose again: the
        # whole city (seconds of reading at 10,000 households) is not read for it.
        waited_on = set(session.scalars(select(Proposal.offer_id).where(
            Proposal.status == "proposed", Proposal.offer_id.in_([o.id for o in offers]))))
        offers = [o for o in offers if o.status == "open" or o.id in waited_on]
    proposed = _propose_for_offers(session, offers, today=today,
                                   now=now or hubtime.clock().now(),
                                   needs=needs) if offers or needs else 0
    # Taken off the queue at the end, and only as they were read: a row queued again
    # meanwhile (a helper changed the offer during the job) stays for the next run, and
    # the requests that queue do not wait the job's seconds behind a deleted row.
    for offer_id, queued_at in queued:
        session.execute(delete(QueuedOffer).where(QueuedOffer.offer_id == offer_id,
                                                  QueuedOffer.queued_at <= queued_at))
    for need_id, queued_at in queued_needs:
        session.execute(delete(QueuedNeed).where(QueuedNeed.need_id == need_id,
                                                 QueuedNeed.queued_at <= queued_at))
    return proposed


def propose_for_offer(session: Session, offer: Offer, *, today: date,
                      now: datetime | None = None) -> int:
    """Propose again now for the needs the offer may serve, or that were proposed it (the
    queued job's work for one offer). Returns how many needs got new proposals."""
    return _propose_for_offers(session, [offer], today=today, now=now or hubtime.clock().now())


def _propose_for_offers(session: Session, offers: list[Offer], *, today: date,
                        now: datetime, needs: Iterable[Need] = ()) -> int:
    lock_proposals(session)  # shared: never beside a full run's writes
    built = build_problem(session, today)
    current = current_proposals(session, built)
    with_choice = {built.needs[n].id for n in current}
    affected = set(needs)
    if offers:
        affected |= {p.need for p in session.scalars(select(Proposal).where(
            Proposal.status == "proposed", Proposal.offer_id.in_([o.id for o in offers])))}
    for offer in offers:
        if offer.public_id in built.offers and offer.status == "open":
            affected |= {built.needs[n] for n in built.seeking
                         if built.needs[n].id not in with_choice
                         and not built.diagnosis.pair_blockers(n, offer.public_id)}
    ordered = sorted(affected, key=lambda n: n.public_id)
    _propose_needs(session, built, [n.public_id for n in ordered
                                    if n.public_id in built.seeking], current, now)
    for need in ordered:
        if need.public_id not in built.seeking:
            propose_for(session, need, today=today, now=now)  # withdrawn: no longer seeking
    return len(affected)


# ---- one pairing, now --------------------------------------------------------


@dataclass(frozen=True)
class PairCheck:
    """What the matcher's rules say of one pairing against the matches of the moment."""

    blockers: tuple[str, ...]
    score: int
    reasons: list[dict[str, Any]]


def confirmation_reads(session: Session, offer: Offer) -> Reads:
    """What a confirmation of ``offer`` shares between its two checks: the first reads
    along the needs of the offer's waiting proposals, that ``repropose_blocked`` then
    judges against the new match without reading them again (one query here)."""
    return Reads(also_needs=session.scalars(select(Proposal.need_id).where(
        Proposal.status == "proposed", Proposal.offer_id == offer.id)))


def check_pair(session: Session, need: Need, offer: Offer, today: date, *,
               reads: Reads | None = None) -> PairCheck:
    """Judge need–offer against the holding matches, read now (call it under the row locks).

    Besides the contract's rules per offer, the matcher's household rule:
    ``busy`` when another offer of the helper's household serves a need at an
    overlapping time (``matching.busy_elsewhere``, the one definition).
    ``reads``: shared with the confirmation's next check (``confirmation_reads``).
    """
    return check_pairs(session, [need], offer, today, reads=reads)[need.id]


def check_pairs(session: Session, needs: list[Need], offer: Offer, today: date, *,
                reads: Reads | None = None) -> dict[int, PairCheck]:
    """``check_pair`` for several needs with one offer, the rows read once for all: the
    answer for each need is the one ``check_pair`` gives it alone (what judges a pair
    is the offer's and its household's matches and the need's own). So ``reads``'
    ``also_needs`` are read along (with their matches) without changing any answer.

    The holding matches are always read afresh: they are what a check judges against."""
    reads = reads or Reads()
    ids = {need.id for need in needs} | reads.also_needs
    # Their needs and offers come from ``reads``, read once per confirmation.
    fixed = holding(session, Match.need_id.in_(ids)
                    | Match.offer_id.in_(select(Offer.id).where(
                        Offer.household_id == offer.household_id)), sides=False)
    rows = reads.posts(session, Need, ids | {m.need_id for m in fixed})
    offers = reads.posts(session, Offer, {offer.id} | {m.offer_id for m in fixed})
    built = assemble(session, rows, offers, fixed, {n.id for n in rows},
                     {o.id for o in offers}, today, reads=reads)
    diagnosis = built.diagnosis
    o = diagnosis.offers[offer.public_id]
    load = len(diagnosis.served[o.id])
    found: dict[int, PairCheck] = {}
    for need in needs:
        blockers = list(diagnosis.pair_blockers(need.public_id, offer.public_id))
        n = diagnosis.needs[need.public_id]
        if BUSY not in blockers and matching.busy_elsewhere(built.fixed_only, n, o.id):
            blockers.append(BUSY)
        hops = built.index.hops(n, o)
        proposal = mm.Proposal(n.id, o.id, pair_score(n, o, hops, built.problem.weights, load),
                               pair_reasons(n, o, hops, built.problem.weights, load))
        found[need.id] = PairCheck(tuple(blockers), proposal.score,
                                   proposal_to_dict(proposal)["reasons"])
    return found

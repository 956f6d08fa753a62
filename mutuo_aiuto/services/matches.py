"""Matches: a facilitator confirms a pairing without overbooking; the helper answers.

Confirming takes capacity and time from the offer in the caller's one
transaction: the need, the offer and the helper's household are locked
(``SELECT … FOR UPDATE`` on PostgreSQL), every rule is checked again against
the matches of that moment, and the offer's and household's ``version`` are
raised with a conditional UPDATE, so that of two facilitators confirming at
once exactly one succeeds — also on SQLite, which ignores row locks. Locking
the household serialises confirmations of *different* offers of one helper,
whose "busy elsewhere" rule reads the helper's other pairings. Locks are
always taken in the order match, need, offer, household.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from mutuo_aiuto.matching import diagnose as rules
from mutuo_aiuto.models import (
    MATCH_HOLDING,
    Household,
    Match,
    MatchStatus,
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
    Proposal,
    ProposalStatus,
    User,
)
from mutuo_aiuto.services import audit, followups, matching_runs, policy
from mutuo_aiuto.services.database import rowcount
from mutuo_aiuto.services.errors import DomainError, InvalidTransition, NotAllowed, NotFound
from mutuo_aiuto.services.hubtime import local_date
from mutuo_aiuto.services.lifecycle import NEED_SEEKING, move_need, move_offer
from mutuo_aiuto.services.notifications import notify, notify_facilitators

REASON_MAX = 500
# How long a helper has to answer a confirmed pairing (product.md: 48 hours); after
# that the scheduler's ``expire_unanswered`` frees the request for a new proposal.
RESPOND_HOURS = 48

# What a facilitator reads when the rules refuse a pairing.
REFUSALS = {
    rules.FULL: _l("This offer has no capacity left."),
    rules.BUSY: _l("This helper is already committed at that time."),
    rules.HELPERS: _l("This request already has all the helpers it asked for."),
    rules.SAME_HOUSEHOLD: _l("A family cannot be paired with its own offer."),
    rules.NO_SKILL: _l("The helper does not offer every skill the request needs."),
    rules.NO_TIME: _l("The helper is not free at the times of the request."),
    rules.TOO_FAR: _l("The helper lives too far from the family."),
    rules.LANGUAGE: _l("The family and the helper have no language in common."),
    rules.NOT_VETTED: _l("This request needs a vetted helper."),
}
# The only rules a facilitator may override, explicitly, when pairing by hand.
OVERRIDABLE = {"distance": rules.TOO_FAR, "language": rules.LANGUAGE}
MATCH_STATUS_LABELS: dict[str, Any] = {
    MatchStatus.AWAITING: _l("waiting for the helper's answer"),
    MatchStatus.ACTIVE: _l("under way"),
    # A context of their own: in several languages a pairing's gender differs
    # from a request's, so "closed" needs its own translation here.
    MatchStatus.CLOSED: lazy_pgettext("match status", "closed"),
    MatchStatus.DECLINED: _l("declined by the helper"),
    MatchStatus.UNANSWERED: _l("not answered in time"),
    MatchStatus.CANCELLED: lazy_pgettext("match status", "cancelled"),
}
ALREADY_PAIRED = _l("This request and this offer are already paired.")
CHANGED_MEANWHILE = _l("Someone changed this request or offer at the same moment. "
                       "Reload the page and try again.")


def match_status_label(status: str) -> str:
    label = MATCH_STATUS_LABELS.get(status)
    return str(label) if label is not None else status


def match_status_for(viewer: Any, match: Match) -> str:
    """The pairing's status as its viewer reads it: the helper asked waits on their own
    answer ("waiting for your answer"), everyone else for the helper's."""
    if match.status == MatchStatus.AWAITING and policy.is_helper(viewer, match):
        return str(_l("waiting for your answer"))
    return match_status_label(match.status)


# ---- finding, with the permission checks --------------------------------------


Row = TypeVar("Row", Proposal, Match, Need, Offer, Household)


def _by_public_id(session: Session, model: type[Row], public_id: str,
                  *options: Any) -> Row | None:
    return session.execute(select(model).filter_by(public_id=public_id)
                           .options(*options)).unique().scalar_one_or_none()


def get_proposal(session: Session, actor: User, public_id: str) -> Proposal:
    proposal = _by_public_id(session, Proposal, public_id)
    if proposal is None or not policy.is_facilitator(actor):
        raise NotFound(_l("This proposal does not exist."))
    return proposal


def get_match(session: Session, actor: User, public_id: str) -> Match:
    """A match its two sides and facilitators may see; NotFound for anyone else."""
    match = _by_public_id(session, Match, public_id)
    if match is None or not policy.can_act_on_match(actor, match, policy.VIEW):
        raise NotFound(_l("This pairing does not exist."))
    return match


def get_need(session: Session, actor: User, public_id: str, *options: Any) -> Need:
    """A request ``actor`` may see, loaded with ``options`` (what its page shows)."""
    need = _by_public_id(session, Need, public_id, *options)
    if need is None or not policy.can_view_need(actor, need):
        raise NotFound(_l("This request does not exist."))
    return need


def get_offer(session: Session, actor: User, public_id: str, *options: Any) -> Offer:
    """An offer ``actor`` may see, loaded with ``options`` (what its page shows)."""
    offer = _by_public_id(session, Offer, public_id, *options)
    if offer is None or not policy.can_view_offer(actor, offer):
        raise NotFound(_l("This offer does not exist."))
    return offer


# ---- locking and claiming ------------------------------------------------------


def _lock(session: Session, model: type[Row], row_id: int) -> Row:
    """The row, read afresh and locked until the transaction ends (PostgreSQL)."""
    query = (select(model).where(model.id == row_id).with_for_update()
             .execution_options(populate_existing=True))
    return session.execute(query).scalar_one()


def _claim(session: Session, need: Need, offer: Offer, helper: Household,
           now: datetime) -> None:
    """Compare-and-set on the three rows: fails if another transaction changed them
    since they were read, which is what protects SQLite where the row locks do nothing."""
    claimed = session.execute(
        update(Offer).where(Offer.id == offer.id, Offer.version == offer.version)
        .values(version=Offer.version + 1).execution_options(synchronize_session=False))
    booked = session.execute(
        update(Household).where(Household.id == helper.id, Household.version == helper.version)
        .values(version=Household.version + 1).execution_options(synchronize_session=False))
    touched = session.execute(
        update(Need).where(Need.id == need.id, Need.updated_at == need.updated_at)
        .values(updated_at=now).execution_options(synchronize_session=False))
    if rowcount(claimed) != 1 or rowcount(booked) != 1 or rowcount(touched) != 1:
        raise DomainError(CHANGED_MEANWHILE)
    session.expire(offer, ["version", "updated_at"])
    session.expire(helper, ["version", "updated_at"])
    session.expire(need, ["updated_at"])


def _pair_holds(session: Session, need_id: int, offer_id: int) -> bool:
    return _holding_count(session, Match.need_id == need_id, Match.offer_id == offer_id) > 0


def _holding_count(session: Session, *where: Any) -> int:
    return session.execute(select(func.count(Match.id)).where(
        Match.status.in_(MATCH_HOLDING), *where)).scalar_one()


def _holding_counts(session: Session, need_id: int, offer_id: int) -> tuple[int, int]:
    """The need's and the offer's holding matches, counted in one query."""
    for_need, for_offer = session.execute(
        select(func.count(Match.id).filter(Match.need_id == need_id),
               func.count(Match.id).filter(Match.offer_id == offer_id))
        .where(Match.status.in_(MATCH_HOLDING),
               (Match.need_id == need_id) | (Match.offer_id == offer_id))).one()
    return for_need, for_offer


# ---- confirming ----------------------------------------------------------------


def _check_open(need: Need, offer: Offer, today: date) -> None:
    if need.status not in NEED_SEEKING or need.ends_on < today:
        raise InvalidTransition(_l("This request is no longer looking for help."))
    if offer.status == OfferStatus.FULL:
        raise DomainError(REFUSALS[rules.FULL])
    if offer.status != OfferStatus.OPEN or offer.ends_on < today:
        raise InvalidTransition(_l("This offer is no longer open."))


def _confirm(session: Session, actor: User, need_id: int, offer_id: int, *,
             now: datetime, respond_hours: int, proposal: Proposal | None = None,
             overrides: Iterable[str] = (), reason: str | None = None) -> Match:
    # First, before any row lock: waits while a full run writes its proposals.
    matching_runs.lock_proposals(session)
    need, offer = _lock(session, Need, need_id), _lock(session, Offer, offer_id)
    helper = _lock(session, Household, offer.household_id)
    today = local_date(now)
    # First: a retry of a confirmation that went through (the worker died before
    # answering) must hear that the pairing holds, not that the offer is now full.
    if _pair_holds(session, need.id, offer.id):
        raise InvalidTransition(ALREADY_PAIRED)
    _check_open(need, offer, today)
    # Read once for both checks: this one and, after the match, the offer's other
    # waiting proposals' (``repropose_blocked``).
    reads = matching_runs.confirmation_reads(session, offer)
    check = matching_runs.check_pair(session, need, offer, today, reads=reads)
    used = sorted(name for name in set(overrides) if OVERRIDABLE[name] in check.blockers)
    blocking = [code for code in check.blockers
                if code not in {OVERRIDABLE[name] for name in used}]
    if blocking:
        raise DomainError(REFUSALS[blocking[0]], field="offer")
    _claim(session, need, offer, helper, now)
    match = Match(need=need, offer=offer, proposal_id=proposal.id if proposal else None,
                  status=MatchStatus.AWAITING, score=proposal.score if proposal else check.score,
                  confirmed_by_id=actor.id, confirmed_at=now,
                  respond_by=now + timedelta(hours=respond_hours),
                  overrides=",".join(used) or None, override_reason=reason if used else None)
    session.add(match)
    session.flush()
    _after_confirm(session, actor, match, proposal, today, now, reads)
    return match


def _after_confirm(session: Session, actor: User, match: Match, proposal: Proposal | None,
                   today: date, now: datetime, reads: matching_runs.Reads) -> None:
    need, offer = match.need, match.offer
    if proposal is not None:
        proposal.status = ProposalStatus.CONFIRMED
    for_need, for_offer = _holding_counts(session, need.id, offer.id)
    if for_need >= need.helpers:
        move_need(need, NeedStatus.MATCHED, now)
        matching_runs.supersede_for_need(session, need)
    if for_offer >= offer.capacity:
        move_offer(offer, OfferStatus.FULL)
    _record(session, actor, match, now)
    _tell_both_sides(session, match, now)
    matching_runs.repropose_blocked(session, offer, today=today, now=now, reads=reads)


def _record(session: Session, actor: User, match: Match, now: datetime) -> None:
    details = {"need": match.need.public_id, "offer": match.offer.public_id}
    audit.record(session, actor, audit.MATCH_CONFIRMED, target=match,
                 household=match.need.household, details=details, at=now)
    if match.overrides:
        audit.record(session, actor, audit.MATCH_OVERRIDDEN, target=match,
                     household=match.need.household,
                     details=details | {"overrides": match.overrides}, at=now)


def _params(match: Match) -> dict[str, Any]:
    """Everything a notice about the match may name: each kind's text picks what its
    reader may see (the staff's name both sides; the sides' own name nobody before the
    helper accepted)."""
    return {"need": match.need.title, "offer": match.offer.title,
            "family": match.need.household.name, "helper": match.offer.household.name,
            "match_id": match.public_id, "need_id": match.need.public_id}


def _family_params(match: Match) -> dict[str, Any]:
    """What the family's notices say before the helper accepted: their own request only."""
    return {"need": match.need.title, "match_id": match.public_id,
            "need_id": match.need.public_id}


def _helper_params(match: Match) -> dict[str, Any]:
    """What the helper's notices say before they accepted: their own offer and the
    neighbourhood, never the family's name or the request's own words."""
    return {"offer": match.offer.title, "neighbourhood": match.need.neighbourhood.name,
            "match_id": match.public_id, "offer_id": match.offer.public_id}


def _tell_both_sides(session: Session, match: Match, now: datetime) -> None:
    # Both readers in one query, not one lazy load each.
    family, helper = match.need.household.user_id, match.offer.household.user_id
    users = {user.id: user for user in session.scalars(
        select(User).where(User.id.in_([family, helper])))}
    notify(session, users[family], "match_confirmed_family", now=now,
           respond_by=match.respond_by, **_family_params(match))
    notify(session, users[helper], "match_confirmed_helper", now=now,
           respond_by=match.respond_by, **_helper_params(match))


HANDLED = _l("This proposal was already handled.")


def confirmation_problems(session: Session, actor: User, proposal: Proposal, *,
                          now: datetime) -> list[str]:
    """What would stop confirming the proposal now, read without locks for the
    confirmation page: the checks ``confirm_proposal`` makes again under the locks."""
    policy.require_facilitator(actor)
    if proposal.status != ProposalStatus.PROPOSED:
        held = _pair_holds(session, proposal.need_id, proposal.offer_id)
        return [str(ALREADY_PAIRED if held else HANDLED)]
    today = local_date(now)
    try:
        _check_open(proposal.need, proposal.offer, today)
    except DomainError as error:
        return [str(error.message)]
    check = matching_runs.check_pair(session, proposal.need, proposal.offer, today)
    return [str(REFUSALS.get(code, code)) for code in check.blockers]


def confirm_proposal(session: Session, actor: User, proposal: Proposal, *, now: datetime,
                     respond_hours: int = RESPOND_HOURS) -> Match:
    """Confirm the matcher's proposal (its choice or an alternative alike): the match
    awaits the helper's answer, every rule checked again under the row locks; the helper
    is asked (seeing no name or contact), the family is told we are waiting."""
    policy.require_facilitator(actor)
    if proposal.status != ProposalStatus.PROPOSED:
        if _pair_holds(session, proposal.need_id, proposal.offer_id):
            raise InvalidTransition(ALREADY_PAIRED)
        raise InvalidTransition(HANDLED)
    return _confirm(session, actor, proposal.need_id, proposal.offer_id, now=now,
                    respond_hours=respond_hours, proposal=proposal)


def pair_by_hand(session: Session, actor: User, need: Need, offer: Offer, *, now: datetime,
                 respond_hours: int = RESPOND_HOURS, overrides: Iterable[str] = (),
                 reason: str | None = None) -> Match:
    """Pair a need with an offer the facilitator chose. Every rule holds, except distance
    and language when explicitly overridden; an override needs a reason and is recorded."""
    policy.require_facilitator(actor)
    overrides = set(overrides)
    if not overrides <= OVERRIDABLE.keys():
        raise DomainError(_l("Only distance and language can be overridden."),
                          field="overrides")
    reason = (reason or "").strip() or None
    if overrides and not reason:
        raise DomainError(_l("Say why you override the rule."), field="reason")
    if reason and len(reason) > REASON_MAX:
        raise DomainError(_l("Keep it under %(max)d characters.", max=REASON_MAX),
                          field="reason")
    proposal = session.execute(select(Proposal).filter_by(
        need_id=need.id, offer_id=offer.id, status=ProposalStatus.PROPOSED)).scalars().first()
    return _confirm(session, actor, need.id, offer.id, now=now, respond_hours=respond_hours,
                    proposal=proposal, overrides=overrides, reason=reason)


def reject_proposal(session: Session, actor: User, proposal: Proposal, reason: str | None,
                    *, now: datetime) -> Proposal:
    """Turn a proposal down for a reason; the pair is not proposed again and the need gets
    new proposals."""
    policy.require_facilitator(actor)
    if proposal.status != ProposalStatus.PROPOSED:
        raise InvalidTransition(_l("This proposal was already handled."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say why this pairing is not right."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_l("Keep it under %(max)d characters.", max=REASON_MAX),
                          field="reason")
    proposal.status = ProposalStatus.REJECTED
    proposal.rejected_reason = reason
    session.flush()
    matching_runs.propose_for(session, proposal.need, today=local_date(now), now=now)
    return proposal


# ---- the helper's answer ---------------------------------------------------------


def _answerable(session: Session, user: User, match: Match) -> Match:
    match = _lock(session, Match, match.id)
    if not policy.can_act_on_match(user, match, policy.VIEW):
        raise NotFound(_l("This pairing does not exist."))
    if not policy.is_helper(user, match):
        raise NotAllowed(_l("Only the helper can answer this pairing."))
    if match.status != MatchStatus.AWAITING:
        raise InvalidTransition(_l("This pairing is no longer waiting for an answer."))
    return match


def accept_match(session: Session, user: User, match: Match, *, now: datetime,
                 first_follow_up_days: int = followups.FIRST_DAYS,
                 follow_up_every_days: int = followups.EVERY_DAYS) -> Match:
    """The helper says yes: the match runs, its first follow-up is planned at once,
    and the need is active once all its helpers said yes."""
    match = _answerable(session, user, match)
    match.status = MatchStatus.ACTIVE
    match.accepted_at = now
    match.started_on = local_date(now)
    need = _lock(session, Need, match.need_id)
    session.flush()
    waiting = _holding_count(session, Match.need_id == need.id,
                             Match.status == MatchStatus.AWAITING)
    if need.status == NeedStatus.MATCHED and not waiting:
        move_need(need, NeedStatus.ACTIVE, now)
    followups.ensure_follow_up(session, match, first_follow_up_days, follow_up_every_days)
    # Only now may the two sides know each other: the family hears the helper's name.
    notify(session, need.household.user, "match_accepted", now=now, **_params(match))
    return match


def decline_match(session: Session, user: User, match: Match, *, now: datetime) -> Match:
    """The helper says no: the need is open again and queued for a new proposal (the
    scheduler's minute job); the family (not told who) and the facilitators are told."""
    match = _answerable(session, user, match)
    _release(session, match, MatchStatus.DECLINED, now)
    notify(session, match.need.household.user, "match_declined", now=now,
           **_family_params(match))
    notify_facilitators(session, "match_declined_staff", now=now, **_params(match))
    return match


def _release(session: Session, match: Match, status: str, now: datetime) -> None:
    """End an awaiting match: the offer's capacity and time are free, the need is open;
    both are queued for the scheduler to propose again (no matching in the request)."""
    match.status = status
    match.closed_at = now
    need, offer = _lock(session, Need, match.need_id), _lock(session, Offer, match.offer_id)
    today = local_date(now)
    session.flush()
    _reopen_need(need, now)
    _free_offer(session, offer, today)
    session.flush()
    matching_runs.queue_for_need(session, need, now=now)
    matching_runs.queue_for_offer(session, offer, now=now)


def _reopen_need(need: Need, now: datetime) -> None:
    if need.status in (NeedStatus.MATCHED, NeedStatus.ACTIVE):
        move_need(need, NeedStatus.OPEN, now)


def _free_offer(session: Session, offer: Offer, today: date) -> None:
    """A full offer that has room and time again takes new pairings."""
    if offer.status == OfferStatus.FULL and offer.ends_on >= today and _holding_count(
            session, Match.offer_id == offer.id) < offer.capacity:
        move_offer(offer, OfferStatus.OPEN)


def end_for_leaving_household(session: Session, match: Match, household_id: int, *,
                              now: datetime) -> Need | Offer:
    """One side of a holding match leaves the Hub (its data are being erased).

    The match is cancelled and the other side is told, without the name of who
    left; what the other side posted is free again. Returns that need or offer,
    for the caller to propose again once the leaving side's own posts are gone.
    """
    match = _lock(session, Match, match.id)
    need, offer = _lock(session, Need, match.need_id), _lock(session, Offer, match.offer_id)
    match.status = MatchStatus.CANCELLED
    match.closed_at = now
    session.flush()
    if need.household_id == household_id:
        _free_offer(session, offer, local_date(now))
        notify(session, offer.household.user, "match_ended_family_left", now=now,
               offer=offer.title, offer_id=offer.public_id)
        return offer
    _reopen_need(need, now)
    notify(session, need.household.user, "match_ended_helper_left", now=now,
           need=need.title, need_id=need.public_id)
    return need


def expire_unanswered(session: Session, now: datetime) -> int:
    """Withdraw every confirmation the helper left unanswered past its deadline (48
    hours): the request is queued for a new proposal, the facilitators are told.

    Idempotent: a second call finds nothing left to withdraw.
    """
    late = list(session.scalars(select(Match.id).where(
        Match.status == MatchStatus.AWAITING, Match.respond_by < now).order_by(Match.id)))
    done = 0
    for match_id in late:
        match = _lock(session, Match, match_id)
        if match.status != MatchStatus.AWAITING:  # answered meanwhile
            continue
        _release(session, match, MatchStatus.UNANSWERED, now)
        notify(session, match.need.household.user, "match_unanswered", now=now,
               **_family_params(match))
        notify(session, match.offer.household.user, "match_unanswered_helper", now=now,
               **_helper_params(match))
        notify_facilitators(session, "match_unanswered_staff", now=now, **_params(match))
        done += 1
    return done


# ---- what the two sides and the dashboard read ---------------------------------------

# Both sides of each match and their households, loaded for a whole list in a few
# queries rather than a few per match.
_BOTH_SIDES = (selectinload(Match.need).options(selectinload(Need.household),
                                                selectinload(Need.category),
                                                selectinload(Need.neighbourhood)),
               selectinload(Match.offer).selectinload(Offer.household))


def matches_of(session: Session, user: User) -> list[Match]:
    """The matches where the user's household asks or gives help, the newest first."""
    household = user.household
    if household is None:
        return []
    query = (select(Match).join(Need, Need.id == Match.need_id)
             .join(Offer, Offer.id == Match.offer_id)
             .where((Need.household_id == household.id) | (Offer.household_id == household.id))
             .options(*_BOTH_SIDES)
             .order_by(Match.confirmed_at.desc(), Match.id.desc()))
    return list(session.scalars(query))


def children_ages(household: Household, today: date) -> list[int]:
    """The ages of the household's children (those with a birth year), youngest first:
    what a helper needs to decide, without a name."""
    return sorted(max(today.year - member.birth_year, 0) for member in household.members
                  if member.kind == "child" and member.birth_year is not None)


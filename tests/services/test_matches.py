"""Confirming without overbooking, pairing by hand, and the helper's answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import (
    AuditEvent,
    Match,
    Notification,
    OfferSlot,
    OutboxMessage,
    Proposal,
    QueuedNeed,
    UnmatchedReason,
)
from mutuo_aiuto.services import matches, matching_runs, proposal_queries
from mutuo_aiuto.services.errors import DomainError, InvalidTransition, NotAllowed, NotFound
from tests import factories
from tests.match_scenes import build_scene, tuesday

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def scene(session):
    return build_scene(session)


def count(session, model, *where) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def propose(scene, need=None) -> list[Proposal]:
    rows = matching_runs.propose_for(scene.session, need or scene.need, today=NOW.date(),
                                     now=NOW)
    scene.session.commit()
    return rows


def confirm(scene, proposal, user=None) -> Match:
    match = matches.confirm_proposal(scene.session, user or scene.facilitator, proposal,
                                     now=NOW, respond_hours=72)
    scene.session.commit()
    return match


def refused(scene, message: str, call) -> None:
    before = count(scene.session, Match), count(scene.session, Notification)
    with pytest.raises(DomainError) as caught:
        call()
    scene.session.rollback()
    assert str(caught.value) == message
    assert (count(scene.session, Match), count(scene.session, Notification)) == before


# ---- confirming ---------------------------------------------------------------------


def test_confirm_takes_the_offer_and_tells_both_sides(scene):
    [proposal] = propose(scene)
    match = confirm(scene, proposal)
    assert match.status == "awaiting"
    assert match.respond_by == NOW + timedelta(days=3)
    assert match.confirmed_by_id == scene.facilitator.id
    assert match.score == proposal.score
    assert proposal.status == "confirmed"
    assert scene.need.status == "matched"
    assert scene.offer.status == "full"
    assert scene.offer.version == 2
    kinds = {(n.user_id, n.kind) for n in scene.session.scalars(select(Notification))}
    assert kinds == {(scene.family.user_id, "match_confirmed_family"),
                     (scene.helper.user_id, "match_confirmed_helper")}
    assert {m.recipient for m in scene.session.scalars(select(OutboxMessage))} == {
        scene.family.user.email, scene.helper.user.email}
    assert count(scene.session, AuditEvent, AuditEvent.action == "match.confirmed") == 1


def test_an_offer_with_room_for_two_stays_open(scene):
    scene.offer.capacity = 2
    [proposal] = propose(scene)
    confirm(scene, proposal)
    assert scene.offer.status == "open"


def by_hand(scene, need, offer=None, **options):
    match = matches.pair_by_hand(scene.session, scene.facilitator, need, offer or scene.offer,
                                 now=NOW, respond_hours=72, **options)
    scene.session.commit()
    return match


def test_no_capacity_left_is_refused(scene):
    scene.offer.capacity = 2
    [c] = propose(scene)
    by_hand(scene, scene.another_need(slots=[tuesday(15, 16)]))
    by_hand(scene, scene.another_need(slots=[tuesday(18, 19)]))
    assert scene.offer.status == "full"
    assert c.status == "superseded"  # the need was proposed again, elsewhere
    refused(scene, "This offer has no capacity left.", lambda: by_hand(scene, scene.need))
    # The confirmed matches count, whatever the offer's status says.
    scene.offer.status = "open"
    scene.session.commit()
    refused(scene, "This offer has no capacity left.", lambda: by_hand(scene, scene.need))
    assert count(scene.session, Match, Match.offer_id == scene.offer.id) == 2


def test_a_helper_is_never_in_two_places_at_once(scene):
    scene.offer.capacity = 2
    [proposal] = propose(scene)
    by_hand(scene, scene.another_need(slots=[tuesday(17, 19)]))
    assert proposal.status == "superseded"  # proposed again, elsewhere
    refused(scene, "This helper is already committed at that time.",
            lambda: by_hand(scene, scene.need))


def test_not_even_through_another_of_their_offers(scene):
    other_offer = scene.another_offer(household=scene.helper, slots=[tuesday(16, 19, OfferSlot)])
    by_hand(scene, scene.another_need(slots=[tuesday(17, 18)]), other_offer)
    refused(scene, "This helper is already committed at that time.",
            lambda: by_hand(scene, scene.need))


def test_a_need_wanting_two_helpers_keeps_looking_after_the_first(scene):
    scene.need.helpers = 2
    second_offer = scene.another_offer()
    chosen = propose(scene)
    assert [p.rank for p in chosen] == [1, 1]
    confirm(scene, chosen[0])
    assert scene.need.status == "proposed"
    confirm(scene, chosen[1])
    assert scene.need.status == "matched"
    assert {m.offer_id for m in scene.session.scalars(select(Match))} == {
        scene.offer.id, second_offer.id}


def test_the_same_pair_is_never_confirmed_twice(scene):
    scene.need.helpers, scene.offer.capacity = 2, 2
    by_hand(scene, scene.need)
    with pytest.raises(InvalidTransition):
        by_hand(scene, scene.need)
    scene.session.rollback()
    assert count(scene.session, Match) == 1


def test_confirming_a_handled_proposal_is_refused(scene):
    [proposal] = propose(scene)
    confirm(scene, proposal)
    with pytest.raises(InvalidTransition):
        confirm(scene, proposal)


def test_a_retried_confirmation_says_the_pairing_holds(scene):
    # The worker died after the commit, before answering: the facilitator tries again.
    [proposal] = propose(scene)
    confirm(scene, proposal)
    assert scene.offer.status == "full" and scene.need.status == "matched"
    refused(scene, "This request and this offer are already paired.",
            lambda: confirm(scene, proposal))
    refused(scene, "This request and this offer are already paired.",
            lambda: by_hand(scene, scene.need))


def test_only_facilitators_confirm(scene):
    [proposal] = propose(scene)
    with pytest.raises(NotAllowed):
        confirm(scene, proposal, user=scene.family.user)
    assert count(scene.session, Match) == 0


def test_a_stale_version_loses(scene):
    """What the row locks do on PostgreSQL, the version does everywhere: a confirmation
    that read the offer before another one changed it cannot go through."""
    offer, need = scene.offer, scene.need
    assert offer.version == 1
    with db.engine.begin() as other:  # another facilitator's transaction, committed first
        other.execute(text("UPDATE offers SET version = version + 1 WHERE id = :id"),
                      {"id": offer.id})
    with pytest.raises(DomainError) as caught:
        matches._claim(scene.session, need, offer, scene.helper, NOW)
    assert "at the same moment" in str(caught.value)


def test_a_stale_helper_loses(scene):
    """Another of the helper's offers confirmed meanwhile raised the household's
    version: a confirmation that read the helper before cannot go through (SQLite)."""
    offer, need, helper = scene.offer, scene.need, scene.helper
    assert helper.version == 1
    with db.engine.begin() as other:
        other.execute(text("UPDATE households SET version = version + 1 WHERE id = :id"),
                      {"id": helper.id})
    with pytest.raises(DomainError) as caught:
        matches._claim(scene.session, need, offer, helper, NOW)
    assert "at the same moment" in str(caught.value)


def test_a_full_offer_is_withdrawn_from_other_needs_alternatives(scene):
    other = scene.another_need(slots=[tuesday(15, 16)])
    [theirs] = propose(scene, other)
    elsewhere = scene.another_offer()
    ours, alternative = propose(scene)
    assert [(p.offer_id, p.rank) for p in (ours, alternative)] == [
        (elsewhere.id, 1), (scene.offer.id, 2)]
    confirm(scene, theirs)
    assert alternative.status == "superseded"
    assert ours.status == "proposed"  # its own choice stands


def test_proposals_of_a_full_offer_to_others_are_renewed(scene):
    other = scene.another_need(slots=[tuesday(15, 16)])
    [ours] = propose(scene)
    [theirs] = propose(scene, other)
    assert theirs.rank == 2  # the offer is ours; the other need sees it as an alternative
    confirm(scene, ours)
    assert theirs.status == "superseded"
    assert other.status == "open"


def test_a_need_losing_its_choice_is_queued_for_the_scheduler(scene):
    """Confirming another need's alternative takes the offer from the need it was the
    choice of: that proposal is withdrawn at once, and proposing again for its need is
    the scheduler's minute job, not the web request's."""
    other = scene.another_need(slots=[tuesday(15, 16)])
    [ours] = propose(scene)
    [theirs] = propose(scene, other)
    assert (ours.rank, theirs.rank) == (1, 2)
    confirm(scene, theirs)
    assert ours.status == "superseded"
    assert scene.need.status == "proposed"  # until the scheduler looks again
    assert proposal_queries.updating(scene.session)
    assert matching_runs.run_queued(scene.session, today=NOW.date(), now=NOW) == 1
    assert not proposal_queries.updating(scene.session)
    assert scene.need.status == "open"
    assert scene.session.get(UnmatchedReason, scene.need.id).reason == "all_full"


# ---- rejecting ------------------------------------------------------------------------


def test_reject_needs_a_reason_and_changes_nothing_without(scene):
    [proposal] = propose(scene)
    with pytest.raises(DomainError) as caught:
        matches.reject_proposal(scene.session, scene.facilitator, proposal, "  ", now=NOW)
    assert caught.value.field == "reason"
    scene.session.rollback()
    assert proposal.status == "proposed"


def test_a_rejected_pair_is_not_proposed_again(scene):
    alternative = scene.another_offer()
    chosen = propose(scene)
    first = next(p for p in chosen if p.rank == 1)
    matches.reject_proposal(scene.session, scene.facilitator, first, "Si conoscono già",
                            now=NOW)
    scene.session.commit()
    assert first.status == "rejected" and first.rejected_reason == "Si conoscono già"
    live = scene.session.scalars(select(Proposal).where(Proposal.status == "proposed")).all()
    other_offer = ({scene.offer.id, alternative.id} - {first.offer_id}).pop()
    assert [(p.offer_id, p.rank) for p in live] == [(other_offer, 1)]
    propose(scene)
    offers = set(scene.session.scalars(select(Proposal.offer_id).where(
        Proposal.status == "proposed")))
    assert first.offer_id not in offers


# ---- pairing by hand --------------------------------------------------------------------


def far_offer(scene):
    away = factories.make_neighbourhood(scene.session, slug="pallotta", name="Pallotta")
    return scene.another_offer(household=scene.household(neighbourhood=away), neighbourhood=away)


def test_by_hand_the_rules_still_hold(scene):
    offer = far_offer(scene)
    refused(scene, "The helper lives too far from the family.",
            lambda: matches.pair_by_hand(scene.session, scene.facilitator, scene.need, offer,
                                         now=NOW, respond_hours=72))


def test_distance_can_be_overridden_with_a_reason_and_is_recorded(scene):
    offer = far_offer(scene)
    match = matches.pair_by_hand(scene.session, scene.facilitator, scene.need, offer, now=NOW,
                                 respond_hours=72, overrides=["distance", "language"],
                                 reason="Lavora in zona")
    scene.session.commit()
    assert match.overrides == "distance"  # only what was really overridden
    assert match.override_reason == "Lavora in zona"
    assert count(scene.session, AuditEvent, AuditEvent.action == "match.overridden") == 1


def test_language_can_be_overridden(scene):
    offer = scene.another_offer(languages=["ro"])
    match = matches.pair_by_hand(scene.session, scene.facilitator, scene.need, offer, now=NOW,
                                 respond_hours=72, overrides=["language"], reason="Parla con gesti")
    assert match.overrides == "language"


def test_an_override_needs_a_reason(scene):
    offer = far_offer(scene)
    with pytest.raises(DomainError) as caught:
        matches.pair_by_hand(scene.session, scene.facilitator, scene.need, offer, now=NOW,
                             respond_hours=72, overrides=["distance"], reason=" ")
    assert caught.value.field == "reason"


def test_other_rules_cannot_be_overridden(scene):
    offer = scene.another_offer(skills=[factories.make_skill(scene.session)])
    with pytest.raises(DomainError) as caught:
        matches.pair_by_hand(scene.session, scene.facilitator, scene.need, offer, now=NOW,
                             respond_hours=72, overrides=["skills"], reason="x")
    assert caught.value.field == "overrides"
    refused(scene, "The helper does not offer every skill the request needs.",
            lambda: matches.pair_by_hand(scene.session, scene.facilitator, scene.need, offer,
                                         now=NOW, respond_hours=72, overrides=["distance"],
                                         reason="x"))


def test_by_hand_confirms_the_matching_proposal(scene):
    [proposal] = propose(scene)
    match = matches.pair_by_hand(scene.session, scene.facilitator, scene.need, scene.offer,
                                 now=NOW, respond_hours=72)
    assert match.proposal_id == proposal.id and proposal.status == "confirmed"
    assert match.overrides is None


def test_a_paused_offer_cannot_be_paired(scene):
    scene.offer.status = "paused"
    with pytest.raises(InvalidTransition):
        matches.pair_by_hand(scene.session, scene.facilitator, scene.need, scene.offer, now=NOW,
                             respond_hours=72)


# ---- the helper's answer ---------------------------------------------------------------


@pytest.fixture
def awaiting(scene) -> Match:
    [proposal] = propose(scene)
    return confirm(scene, proposal)


def test_the_helper_accepts(scene, awaiting):
    matches.accept_match(scene.session, scene.helper.user, awaiting, now=NOW)
    scene.session.commit()
    assert awaiting.status == "active" and awaiting.accepted_at == NOW
    assert awaiting.started_on == NOW.date()
    assert scene.need.status == "active"
    assert count(scene.session, Notification, Notification.kind == "match_accepted",
                 Notification.user_id == scene.family.user_id) == 1


def test_only_the_helper_answers(scene, awaiting):
    with pytest.raises(NotAllowed):
        matches.accept_match(scene.session, scene.family.user, awaiting, now=NOW)
    with pytest.raises(NotFound):
        matches.decline_match(scene.session, factories.make_user(scene.session), awaiting,
                              now=NOW)
    scene.session.rollback()
    assert awaiting.status == "awaiting"


def test_a_decline_reopens_the_need_and_frees_the_offer(scene, awaiting):
    second = scene.another_offer()
    matches.decline_match(scene.session, scene.helper.user, awaiting, now=NOW)
    scene.session.commit()
    assert awaiting.status == "declined" and awaiting.closed_at == NOW
    assert scene.offer.status == "open"
    # Queued, not proposed in the helper's request: the scheduler's minute job does it,
    # with the incremental API, never to the helper who declined.
    assert scene.need.status == "open"
    assert scene.session.get(QueuedNeed, scene.need.id) is not None
    assert scene.session.scalars(select(Proposal).where(
        Proposal.status == "proposed")).all() == []
    assert matching_runs.run_queued(scene.session, today=NOW.date(), now=NOW) >= 1
    scene.session.commit()
    assert scene.need.status == "proposed"
    assert scene.session.get(QueuedNeed, scene.need.id) is None
    live = scene.session.scalars(select(Proposal).where(Proposal.status == "proposed")).all()
    assert [p.offer_id for p in live] == [second.id]
    told = {(n.user_id, n.kind) for n in scene.session.scalars(
        select(Notification).where(Notification.kind.like("match_declined%")))}
    assert told == {(scene.family.user_id, "match_declined"),
                    (scene.facilitator.id, "match_declined_staff")}


def test_a_declined_need_with_no_other_offer_is_open(scene, awaiting):
    matches.decline_match(scene.session, scene.helper.user, awaiting, now=NOW)
    scene.session.commit()
    assert scene.need.status == "open"


def test_an_answered_match_cannot_be_answered_again(scene, awaiting):
    matches.accept_match(scene.session, scene.helper.user, awaiting, now=NOW)
    with pytest.raises(InvalidTransition):
        matches.decline_match(scene.session, scene.helper.user, awaiting, now=NOW)


def test_silence_past_the_deadline_reopens_the_need_once(scene, awaiting):
    assert matches.expire_unanswered(scene.session, NOW + timedelta(days=2)) == 0
    later = NOW + timedelta(days=3, minutes=1)
    assert matches.expire_unanswered(scene.session, later) == 1
    scene.session.commit()
    assert awaiting.status == "unanswered"
    assert scene.need.status == "open" and scene.offer.status == "open"
    kinds = sorted(scene.session.scalars(select(Notification.kind).where(
        Notification.kind.like("match_unanswered%"))))
    assert kinds == ["match_unanswered", "match_unanswered_helper", "match_unanswered_staff"]
    before = count(scene.session, Notification), count(scene.session, OutboxMessage)
    assert matches.expire_unanswered(scene.session, later + timedelta(days=1)) == 0
    assert (count(scene.session, Notification), count(scene.session, OutboxMessage)) == before


def test_lookups_answer_not_found_to_strangers(scene, awaiting):
    stranger = factories.make_user(scene.session)
    with pytest.raises(NotFound):
        matches.get_match(scene.session, stranger, awaiting.public_id)
    assert matches.get_match(scene.session, scene.family.user, awaiting.public_id) is awaiting
    proposal = scene.session.get(Proposal, awaiting.proposal_id)
    with pytest.raises(NotFound):
        matches.get_proposal(scene.session, scene.family.user, proposal.public_id)
    assert matches.get_proposal(scene.session, scene.facilitator, proposal.public_id) is proposal
    with pytest.raises(NotFound):
        matches.get_need(scene.session, stranger, scene.need.public_id)
    with pytest.raises(NotFound):
        matches.get_offer(scene.session, scene.family.user, scene.offer.public_id)

"""Consent before contacts (issue 11): the helper is asked first and decides without
knowing who the family is; names and contacts only once they accept, the address only
for help at home; a "no" or 48 hours of silence free the request for a new proposal
(queued for the scheduler) and tell the facilitators, by notice and by mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from mutuo_aiuto import jobs
from mutuo_aiuto.models import (
    Match,
    Notification,
    OutboxMessage,
    Proposal,
    QueuedNeed,
)
from mutuo_aiuto.services import matches, matching_runs, notifications, policy
from mutuo_aiuto.services.errors import DomainError, InvalidTransition
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


@pytest.fixture
def awaiting(scene) -> Match:
    [proposal] = propose(scene)
    match = matches.confirm_proposal(scene.session, scene.facilitator, proposal, now=NOW)
    scene.session.commit()
    return match


def staff_told(scene, kind: str) -> tuple[int, int]:
    """The facilitator's notices of ``kind`` and the mails queued to them."""
    notices = count(scene.session, Notification, Notification.kind == kind,
                    Notification.user_id == scene.facilitator.id)
    mails = count(scene.session, OutboxMessage,
                  OutboxMessage.recipient == scene.facilitator.email)
    return notices, mails


# ---- asked first, deciding without names ---------------------------------------------------


def test_a_confirmation_awaits_the_helper_for_48_hours(awaiting):
    assert awaiting.status == "awaiting"
    assert awaiting.respond_by - awaiting.confirmed_at == timedelta(hours=48)
    assert matches.RESPOND_HOURS == 48


def test_nobody_is_named_to_the_other_side_before_the_helper_accepts(scene, awaiting):
    by_kind = {n.kind: n for n in scene.session.scalars(select(Notification))}
    asked = by_kind["match_confirmed_helper"].params
    assert "family" not in asked and "need" not in asked  # nor the request's own words
    assert asked["neighbourhood"] == "Fontivegge"
    told = by_kind["match_confirmed_family"].params
    assert "helper" not in told and "offer" not in told
    with force_locale("en"):
        rendered = notifications.render("match_confirmed_helper", asked)
        # The family's text promises contacts only after the helper's yes.
        family_text = notifications.render("match_confirmed_family", told).body
    assert "Famiglia Hassan" not in rendered.title + rendered.body
    assert "can now see" not in family_text and "As soon as they accept" in family_text


def test_names_and_contacts_only_once_the_helper_accepts(scene, awaiting):
    helper, family = scene.helper.user, scene.family.user
    assert not policy.can_see_names(helper, awaiting)
    assert not policy.can_see_names(family, awaiting)
    assert not policy.can_see_contacts(helper, scene.family)
    assert not policy.can_see_contacts(family, scene.helper)
    matches.accept_match(scene.session, helper, awaiting, now=NOW + timedelta(hours=1))
    scene.session.commit()
    assert policy.can_see_names(helper, awaiting) and policy.can_see_names(family, awaiting)
    assert policy.can_see_contacts(helper, scene.family)
    assert policy.can_see_contacts(family, scene.helper)
    accepted = scene.session.scalars(select(Notification).where(
        Notification.kind == "match_accepted")).one()
    assert accepted.params["helper"] == "Famiglia Rossi"


@pytest.mark.parametrize("at_home", [True, False])
def test_the_address_only_where_the_help_happens_at_home(scene, at_home):
    scene.need.at_home = at_home
    scene.session.commit()
    [proposal] = propose(scene)
    match = matches.confirm_proposal(scene.session, scene.facilitator, proposal, now=NOW)
    scene.session.commit()
    helper, family = scene.helper.user, scene.family.user
    assert not policy.can_see_address(helper, scene.family, match)  # not before the yes
    matches.accept_match(scene.session, helper, match, now=NOW)
    scene.session.commit()
    assert policy.can_see_address(helper, scene.family, match) is at_home
    # The help never happens at the helper's: the family is never shown their address.
    assert not policy.can_see_address(family, scene.helper, match)
    assert policy.can_see_address(scene.facilitator, scene.family, match)
    assert policy.can_see_address(family, scene.family, match)


def test_a_declined_pairing_never_reveals_names(scene, awaiting):
    matches.decline_match(scene.session, scene.helper.user, awaiting, now=NOW)
    scene.session.commit()
    assert not policy.can_see_names(scene.helper.user, awaiting)
    assert not policy.can_see_names(scene.family.user, awaiting)
    assert policy.can_see_names(scene.facilitator, awaiting)
    told = scene.session.scalars(select(Notification).where(
        Notification.kind == "match_declined")).one()
    assert "helper" not in told.params


def test_the_childrens_ages_without_names(scene):
    from mutuo_aiuto.models import Member

    scene.family.members = [Member(kind="child", first_name="Amina", birth_year=2019),
                            Member(kind="child", birth_year=2023),
                            Member(kind="adult", birth_year=1990),
                            Member(kind="child")]
    scene.session.commit()
    assert matches.children_ages(scene.family, NOW.date()) == [3, 7]


# ---- "no" and silence free the request -----------------------------------------------------


def test_a_decline_queues_a_new_proposal_and_tells_the_facilitators(scene, awaiting):
    second = scene.another_offer()
    matches.decline_match(scene.session, scene.helper.user, awaiting, now=NOW)
    scene.session.commit()
    assert scene.session.get(QueuedNeed, scene.need.id) is not None
    assert staff_told(scene, "match_declined_staff") == (1, 1)
    jobs.run_task("propose_queued", now=NOW)
    scene.session.expire_all()
    live = scene.session.scalars(select(Proposal).where(Proposal.status == "proposed")).all()
    assert [(p.need_id, p.offer_id) for p in live] == [(scene.need.id, second.id)]
    assert count(scene.session, QueuedNeed) == 0


def test_48_hours_of_silence_frees_the_request_once(scene, awaiting):
    second = scene.another_offer()
    assert matches.expire_unanswered(scene.session, NOW + timedelta(hours=47)) == 0
    assert jobs.run_task("expire_unanswered", now=NOW + timedelta(hours=48, minutes=1)) == 1
    scene.session.expire_all()
    assert scene.session.get(Match, awaiting.id).status == "unanswered"
    assert staff_told(scene, "match_unanswered_staff") == (1, 1)
    withdrawn = scene.session.scalars(select(Notification).where(
        Notification.kind == "match_unanswered_helper")).one()
    assert "family" not in withdrawn.params
    assert jobs.run_task("expire_unanswered", now=NOW + timedelta(hours=49)) == 0
    jobs.run_task("propose_queued", now=NOW + timedelta(hours=49))
    scene.session.expire_all()
    live = scene.session.scalars(select(Proposal).where(Proposal.status == "proposed")).all()
    assert [p.offer_id for p in live] == [second.id]  # never the helper who stayed silent


# ---- an alternative goes through the same step ------------------------------------------------


def test_an_alternative_awaits_the_helper_like_the_first_choice(scene):
    second = scene.another_offer(title="Sere libere")
    rows = propose(scene)
    alternative = next(p for p in rows if p.rank == 2)
    assert alternative.offer_id in {second.id, scene.offer.id}
    assert matches.confirmation_problems(scene.session, scene.facilitator, alternative,
                                         now=NOW) == []
    match = matches.confirm_proposal(scene.session, scene.facilitator, alternative, now=NOW)
    scene.session.commit()
    assert match.status == "awaiting" and match.offer_id == alternative.offer_id
    assert count(scene.session, Notification,
                 Notification.kind == "match_confirmed_helper") == 1


def test_the_confirmation_step_rechecks_the_rules(scene):
    scene.another_offer(title="Sere libere")
    rows = propose(scene)
    alternative = next(p for p in rows if p.rank == 2)
    # Meanwhile the alternative's helper is taken at that very time by another request.
    other = scene.another_need(slots=[tuesday(16, 18)])
    taken = alternative.offer
    taken.capacity = 1
    matches.pair_by_hand(scene.session, scene.facilitator, other, taken, now=NOW)
    scene.session.commit()
    problems = matches.confirmation_problems(scene.session, scene.facilitator, alternative,
                                             now=NOW)
    assert problems
    with pytest.raises((DomainError, InvalidTransition)):
        matches.confirm_proposal(scene.session, scene.facilitator, alternative, now=NOW)
    scene.session.rollback()
    assert count(scene.session, Match, Match.need_id == scene.need.id) == 0

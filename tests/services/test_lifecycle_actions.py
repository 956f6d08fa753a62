"""``lifecycle.allowed_actions`` against the services: for every status and every kind of
person, each action it offers is accepted and each one it leaves out is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from mutuo_aiuto.models import MatchOutcome, MatchStatus, NeedStatus, OfferStatus
from mutuo_aiuto.services import matches, needs, offers, outcomes
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.services.lifecycle import Action, allowed_actions
from mutuo_aiuto.services.needs import NeedInput
from mutuo_aiuto.services.offers import OfferInput
from mutuo_aiuto.services.slots import WeeklyRow
from tests import factories

TODAY = date.today()
END = TODAY + timedelta(days=60)
NOW = datetime.now(UTC)

NEED_ACTIONS = (Action.EDIT, Action.PUBLISH, Action.PAUSE, Action.RESUME, Action.CANCEL)
OFFER_ACTIONS = (Action.EDIT, Action.PAUSE, Action.RESUME, Action.CANCEL)
MATCH_ACTIONS = (Action.ACCEPT, Action.DECLINE, Action.FEEDBACK, Action.CLOSE)


@pytest.fixture
def catalogue(session):
    category = factories.make_category(session, slug="school-run")
    skill = factories.make_skill(session, slug="accompany", category=category)
    session.commit()  # each attempt below is rolled back; the catalogue stays
    return category, skill


def _accepted(attempt: Callable[[], Any]) -> bool:
    try:
        attempt()
    except DomainError:
        return False
    return True


def _need_service(session, action: Action) -> Callable[..., Any]:
    entry = NeedInput(title="Accompagnamento a scuola", category="school-run",
                      skills=["accompany"], ends_on=END,
                      weekly=[WeeklyRow([1], "16:00", "18:00")])
    return {
        Action.EDIT: lambda h, need: needs.update_need(session, h, need, entry, today=TODAY),
        Action.PUBLISH: lambda h, need: needs.publish_need(session, h, need, today=TODAY),
        Action.PAUSE: lambda h, need: needs.pause_need(session, h, need),
        Action.RESUME: lambda h, need: needs.resume_need(session, h, need, today=TODAY),
        Action.CANCEL: lambda h, need: needs.cancel_need(session, h, need),
    }[action]


def _offer_service(session, action: Action) -> Callable[..., Any]:
    entry = OfferInput(title="Aiuto compiti", skills=["accompany"], ends_on=END,
                       weekly=[WeeklyRow([1], "15:00", "19:00")])
    return {
        Action.EDIT: lambda h, offer: offers.update_offer(session, h, offer, entry, today=TODAY),
        Action.PAUSE: lambda h, offer: offers.pause_offer(session, h, offer),
        Action.RESUME: lambda h, offer: offers.resume_offer(session, h, offer, today=TODAY),
        Action.CANCEL: lambda h, offer: offers.cancel_offer(session, h, offer),
    }[action]


def _match_service(session, action: Action) -> Callable[..., Any]:
    return {
        Action.ACCEPT: lambda user, match: matches.accept_match(session, user, match, now=NOW),
        Action.DECLINE: lambda user, match: matches.decline_match(session, user, match, now=NOW),
        Action.FEEDBACK: lambda user, match: outcomes.give_feedback(session, user, match, 4,
                                                                   "Tutto bene."),
        Action.CLOSE: lambda user, match: outcomes.close_match(
            session, user, match, MatchOutcome.RESOLVED, 3, NOW),
    }[action]


def _people(session, owner_household):
    """The owner, another member with a household, a facilitator (who has none)."""
    return {"owner": (owner_household.user, owner_household),
            "stranger": (factories.make_household(session).user, None),
            "facilitator": (factories.make_user(session, role="facilitator"), None)}


@pytest.mark.parametrize("status", list(NeedStatus))
def test_a_need_allows_exactly_what_the_services_accept(session, catalogue, status):
    category, skill = catalogue
    for kind in ("owner", "stranger", "facilitator"):
        for action in NEED_ACTIONS:
            household = factories.make_household(session)
            need = factories.make_need(session, household=household, category=category,
                                       skills=[skill], status=status.value, ends_on=END)
            user, _ = _people(session, household)[kind]
            acting = household if kind == "owner" else user.household
            allowed = action in allowed_actions(need, user)
            done = _accepted(lambda: _need_service(session, action)(acting, need))  # noqa: B023
            assert done == allowed, (status, kind, action)
            session.rollback()


@pytest.mark.parametrize("status", list(OfferStatus))
def test_an_offer_allows_exactly_what_the_services_accept(session, catalogue, status):
    _, skill = catalogue
    for kind in ("owner", "stranger", "facilitator"):
        for action in OFFER_ACTIONS:
            household = factories.make_household(session)
            offer = factories.make_offer(session, household=household, skills=[skill],
                                         status=status.value, ends_on=END)
            user, _ = _people(session, household)[kind]
            acting = household if kind == "owner" else user.household
            allowed = action in allowed_actions(offer, user)
            done = _accepted(lambda: _offer_service(session, action)(acting, offer))  # noqa: B023
            assert done == allowed, (status, kind, action)
            session.rollback()


@pytest.mark.parametrize("status", list(MatchStatus))
def test_a_pairing_allows_exactly_what_the_services_accept(session, status):
    for kind in ("family", "helper", "stranger", "facilitator"):
        for action in MATCH_ACTIONS:
            match = factories.make_match(session, status=status.value)
            user = {"family": match.need.household.user,
                    "helper": match.offer.household.user,
                    "stranger": factories.make_household(session).user,
                    "facilitator": factories.make_user(session, role="facilitator")}[kind]
            allowed = action in allowed_actions(match, user)
            done = _accepted(lambda: _match_service(session, action)(user, match))  # noqa: B023
            assert done == allowed, (status, kind, action)
            session.rollback()


def test_the_owner_of_an_open_need_may_edit_pause_and_cancel_it(session, catalogue):
    category, skill = catalogue
    need = factories.make_need(session, category=category, skills=[skill])
    assert allowed_actions(need, need.household.user) == {"edit", "pause", "cancel"}
    assert allowed_actions(need, None) == frozenset()


def test_actions_are_strings_a_template_can_test():
    assert "pause" in frozenset({Action.PAUSE})
    assert "publish" not in frozenset({Action.PAUSE})

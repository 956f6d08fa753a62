"""Offer services: posting, editing and the helper's own status changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mutuo_aiuto.models import Offer, OfferSlot
from mutuo_aiuto.services import offers
from mutuo_aiuto.services.errors import DomainError, DomainErrors, InvalidTransition, NotFound
from mutuo_aiuto.services.offers import OfferInput
from mutuo_aiuto.services.slots import WeeklyRow

TODAY = date.today()
END = TODAY + timedelta(days=90)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def world(make_household, make_skill, make_neighbourhood):
    make_skill(slug="homework")
    make_skill(slug="errands")
    make_neighbourhood(slug="pallotta")
    return {"household": make_household(languages=["ro", "it"])}


def offer_input(**overrides) -> OfferInput:
    values = {"title": "Aiuto compiti", "skills": ["homework"], "ends_on": END,
              "weekly": [WeeklyRow([0, 1, 2, 3, 4], "15:00", "19:00")]}
    return OfferInput(**(values | overrides))


def post(session, world, **overrides) -> Offer:
    return offers.post_offer(session, world["household"], offer_input(**overrides), today=TODAY)


def test_an_offer_is_created_open_with_weekly_slots_and_defaults(session, world):
    offer = post(session, world)
    session.commit()
    assert offer.status == "open"
    assert [s.weekday for s in offer.slots] == [0, 1, 2, 3, 4]
    assert {(s.start_minute, s.end_minute) for s in offer.slots} == {(900, 1140)}
    assert offer.neighbourhood is world["household"].neighbourhood
    assert offer.languages == ["it", "ro"]
    assert offer.capacity == 1 and offer.max_hops == 1


def test_every_field_is_stored(session, world):
    offer = post(session, world, skills=["errands", "homework"], neighbourhood="pallotta",
                 max_hops=0, capacity=5, languages=[], description="Ho la macchina.")
    assert sorted(skill.slug for skill in offer.skills) == ["errands", "homework"]
    assert offer.neighbourhood.slug == "pallotta"
    assert (offer.max_hops, offer.capacity, offer.languages) == (0, 5, [])
    assert offer.description == "Ho la macchina."


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": ""}, "title"),
    ({"skills": []}, "skills"),
    ({"skills": ["astrology"]}, "skills"),
    ({"ends_on": None}, "ends_on"),
    ({"ends_on": TODAY - timedelta(days=1)}, "ends_on"),
    ({"ends_on": TODAY + timedelta(days=367)}, "ends_on"),
    ({"weekly": []}, "weekly-0-days"),
    ({"weekly": [WeeklyRow([2], "9:00", "25:00")]}, "weekly-0-end"),
    ({"weekly": [WeeklyRow([2], "09:00", "12:00"), WeeklyRow([2], "11:00", "13:00")]},
     "weekly-1-start"),
    ({"neighbourhood": "nowhere"}, "neighbourhood"),
    ({"max_hops": -1}, "max_hops"),
    ({"capacity": 0}, "capacity"),
    ({"capacity": 6}, "capacity"),
    ({"languages": ["it", "tlh"]}, "languages"),
    ({"description": "x" * 2001}, "description"),
])
def test_invalid_input_names_the_field_and_saves_nothing(session, world, overrides, field):
    with pytest.raises(DomainError) as caught:
        post(session, world, **overrides)
    assert caught.value.field == field
    assert count(session, Offer) == 0
    assert count(session, OfferSlot) == 0


def test_editing_replaces_fields_and_slots(session, world):
    offer = post(session, world)
    session.commit()
    offers.update_offer(session, world["household"], offer,
                        offer_input(capacity=2, weekly=[WeeklyRow([5], "09:00", "12:00")]),
                        today=TODAY)
    session.commit()
    assert offer.capacity == 2
    assert [(s.weekday, s.start_minute, s.end_minute) for s in offer.slots] == [(5, 540, 720)]
    assert count(session, OfferSlot) == 1


def test_an_invalid_edit_changes_nothing(session, world):
    offer = post(session, world)
    session.commit()
    with pytest.raises(DomainError):
        offers.update_offer(session, world["household"], offer,
                            offer_input(title="Altro", capacity=9), today=TODAY)
    assert offer.title == "Aiuto compiti" and offer.capacity == 1


def test_editing_an_expired_offer_reopens_it(session, world, make_offer):
    offer = make_offer(household=world["household"], status="expired",
                       ends_on=TODAY - timedelta(days=1))
    offers.update_offer(session, world["household"], offer, offer_input(), today=TODAY)
    assert offer.status == "open"


def test_with_a_family_paired_times_skills_place_and_room_stay(session, world, make_match,
                                                              make_need):
    offer = post(session, world, capacity=2)
    make_match(offer=offer, status="active")
    make_match(offer=offer, need=make_need(status="matched"), status="awaiting")
    session.commit()
    with pytest.raises(DomainError, match="already paired"):
        offers.update_offer(session, world["household"], offer,
                            offer_input(capacity=2, weekly=[WeeklyRow([0], "15:00", "19:00")]),
                            today=TODAY)
    session.rollback()
    with pytest.raises(DomainError, match="already helps 2 families") as refused:
        offers.update_offer(session, world["household"], offer, offer_input(capacity=1),
                            today=TODAY)
    assert refused.value.field == "capacity"
    session.rollback()
    offers.update_offer(session, world["household"], offer,
                        offer_input(capacity=3, title="Pomeriggi e sere"), today=TODAY)
    session.commit()
    assert (offer.title, offer.capacity) == ("Pomeriggi e sere", 3)


def test_a_cancelled_offer_cannot_be_edited(session, world, make_offer):
    offer = make_offer(household=world["household"], status="cancelled")
    with pytest.raises(InvalidTransition):
        offers.update_offer(session, world["household"], offer, offer_input(), today=TODAY)


@pytest.mark.parametrize(("action", "before", "after"), [
    (offers.pause_offer, "open", "paused"),
    (offers.pause_offer, "full", "paused"),
    (offers.resume_offer, "paused", "open"),
    (offers.cancel_offer, "open", "cancelled"),
    (offers.cancel_offer, "paused", "cancelled"),
    (offers.cancel_offer, "expired", "cancelled"),
])
def test_allowed_status_changes(session, world, make_offer, action, before, after):
    offer = make_offer(household=world["household"], status=before)
    action(session, world["household"], offer)
    assert offer.status == after


@pytest.mark.parametrize(("action", "before"), [
    (offers.pause_offer, "paused"),
    (offers.pause_offer, "cancelled"),
    (offers.resume_offer, "open"),
    (offers.resume_offer, "full"),
    (offers.resume_offer, "expired"),
    (offers.cancel_offer, "cancelled"),
])
def test_refused_status_changes_change_nothing(session, world, make_offer, action, before):
    offer = make_offer(household=world["household"], status=before)
    with pytest.raises(InvalidTransition):
        action(session, world["household"], offer)
    assert offer.status == before


def test_a_paused_offer_past_its_end_date_must_be_edited(session, world, make_offer):
    offer = make_offer(household=world["household"], status="paused",
                       ends_on=TODAY - timedelta(days=1))
    with pytest.raises(DomainError) as caught:
        offers.resume_offer(session, world["household"], offer, today=TODAY)
    assert caught.value.field == "ends_on"
    assert offer.status == "paused"


def test_another_households_offer_is_not_found(session, world, make_offer):
    theirs = make_offer()
    mine = world["household"]
    with pytest.raises(NotFound):
        offers.get_offer(session, mine, theirs.public_id)
    for action in (offers.pause_offer, offers.resume_offer, offers.cancel_offer):
        with pytest.raises(NotFound):
            action(session, mine, theirs)
    with pytest.raises(NotFound):
        offers.update_offer(session, mine, theirs, offer_input(), today=TODAY)
    assert theirs.status == "open"
    assert offers.list_offers(session, mine) == []
    assert offers.get_offer(session, theirs.household, theirs.public_id) is theirs


def test_every_problem_of_an_offer_is_reported_at_once(session, world):
    data = offer_input(title="", skills=[], ends_on=TODAY - timedelta(days=1),
                       weekly=[WeeklyRow([1], "10:00", "09:00")], capacity=9)
    with pytest.raises(DomainErrors) as raised:
        offers.post_offer(session, world["household"], data, today=TODAY)
    fields = ["title", "skills", "ends_on", "weekly-0-end", "capacity"]
    assert [error.field for error in raised.value.errors] == fields
    assert [e.field for e in offers.check_offer(session, world["household"], data, TODAY)] == fields
    assert offers.check_offer(session, world["household"], offer_input(), TODAY) == []
    assert count(session, Offer) == 0

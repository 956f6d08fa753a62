"""Household services: the profile, its members, and who may read its contacts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mutuo_aiuto.models import Household, Member
from mutuo_aiuto.services import households
from mutuo_aiuto.services.errors import DomainError, NotFound

THIS_YEAR = 2026


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def profile(place, **overrides):
    return {"name": "Famiglia Rossi", "neighbourhood": place.slug,
            "languages": ["ar", "it"], "phone": "+39 333 555 0101",
            "address": "Via del Macello 4", "care_notes": "Nonna in sedia a rotelle"} | overrides


def test_first_save_creates_the_household(session, make_user, make_neighbourhood):
    user, place = make_user(), make_neighbourhood()
    household = households.save_household(session, user, **profile(place))
    session.commit()
    assert households.household_of(session, user) is household
    assert household.name == "Famiglia Rossi"
    assert household.neighbourhood is place
    # Kept in the order of the form's list, whatever order they came in.
    assert household.languages == ["it", "ar"]
    assert household.care_notes == "Nonna in sedia a rotelle"


def test_a_second_save_updates_the_same_household(session, make_household, make_neighbourhood):
    household = make_household()
    other = make_neighbourhood()
    households.save_household(session, household.user,
                              **profile(other, name="  Famiglia Bianchi ", phone="", address=None))
    session.commit()
    assert count(session, Household) == 1
    assert household.name == "Famiglia Bianchi"
    assert household.neighbourhood is other
    assert household.phone is None and household.address is None


@pytest.mark.parametrize(("overrides", "field"), [
    ({"name": "   "}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"neighbourhood": ""}, "neighbourhood"),
    ({"neighbourhood": "atlantide"}, "neighbourhood"),
    ({"languages": ["it", "klingon"]}, "languages"),
    ({"languages": "it"}, "languages"),
    ({"phone": "call me"}, "phone"),
    ({"phone": "12"}, "phone"),
    ({"address": "x" * 201}, "address"),
    ({"care_notes": "x" * 2001}, "care_notes"),
])
def test_invalid_profiles_name_the_field_and_save_nothing(session, make_user, make_neighbourhood,
                                                           overrides, field):
    user, place = make_user(), make_neighbourhood()
    with pytest.raises(DomainError) as caught:
        households.save_household(session, user, **profile(place, **overrides))
    assert caught.value.field == field
    assert count(session, Household) == 0


def test_an_inactive_neighbourhood_cannot_be_chosen(session, make_user, make_neighbourhood):
    user, place = make_user(), make_neighbourhood(active=False)
    with pytest.raises(DomainError) as caught:
        households.save_household(session, user, **profile(place))
    assert caught.value.field == "neighbourhood"


def test_active_neighbourhoods_are_listed_by_name(session, make_neighbourhood):
    make_neighbourhood(name="Pallotta")
    make_neighbourhood(name="Fontivegge")
    make_neighbourhood(name="Chiusa", active=False)
    names = [place.name for place in households.active_neighbourhoods(session)]
    assert names == ["Fontivegge", "Pallotta"]


def test_members_are_added_and_removed(session, make_household):
    household = make_household()
    child = households.add_member(session, household, kind="child", first_name=" Amina ",
                                  birth_year=2018, this_year=THIS_YEAR)
    households.add_member(session, household, kind="elder", has_disability=True,
                          this_year=THIS_YEAR)
    session.commit()
    assert [m.kind for m in household.members] == ["child", "elder"]
    assert child.first_name == "Amina" and child.birth_year == 2018
    households.remove_member(session, household, child.public_id)
    session.commit()
    assert [m.kind for m in household.members] == ["elder"]
    assert count(session, Member) == 1


@pytest.mark.parametrize(("overrides", "field"), [
    ({"kind": "cousin"}, "kind"),
    ({"birth_year": 1899}, "birth_year"),
    ({"birth_year": THIS_YEAR + 1}, "birth_year"),
    ({"birth_year": True}, "birth_year"),
    ({"first_name": "x" * 81}, "first_name"),
])
def test_invalid_members_name_the_field_and_save_nothing(session, make_household, overrides,
                                                         field):
    household = make_household()
    values = {"kind": "child", "this_year": THIS_YEAR} | overrides
    with pytest.raises(DomainError) as caught:
        households.add_member(session, household, **values)
    assert caught.value.field == field
    assert count(session, Member) == 0


def test_birth_years_at_the_limits_are_accepted(session, make_household):
    household = make_household()
    households.add_member(session, household, kind="elder", birth_year=1900, this_year=THIS_YEAR)
    households.add_member(session, household, kind="child", birth_year=THIS_YEAR,
                          this_year=THIS_YEAR)
    assert count(session, Member) == 2


def test_another_households_member_is_not_found(session, make_household):
    mine, theirs = make_household(), make_household()
    member = households.add_member(session, theirs, kind="adult", this_year=THIS_YEAR)
    session.commit()
    with pytest.raises(NotFound):
        households.remove_member(session, mine, member.public_id)
    assert count(session, Member) == 1

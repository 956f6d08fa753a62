"""Household services: the profile, its members, and who may read its contacts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from mutuo_aiuto.models import AuditEvent, Household, Member
from mutuo_aiuto.services import audit, households
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
    households.add_member(session, household, kind="elder", this_year=THIS_YEAR)
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


# ---- ESF+ answers and the special-category consent --------------------------------------

CONSENT_AT = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
def context(make_user):
    return households.ConsentContext(actor=make_user(), now=CONSENT_AT,
                                     notice_version="2026-11")


def _events(session, action):
    return list(session.scalars(select(AuditEvent).filter_by(action=action)))


def test_the_funders_answers_are_stored(session, make_household):
    household = make_household()
    answers = households.PersonAnswers(gender="non_binary", employment="long_term_unemployed",
                                       education="isced_3_4", citizenship="third_country",
                                       foreign_background="prefer_not")
    member = households.add_member(session, household, kind="adult", birth_year=1980,
                                   this_year=THIS_YEAR, answers=answers)
    session.commit()
    session.expire_all()
    assert (member.gender, member.employment, member.education, member.citizenship,
            member.foreign_background) == ("non_binary", "long_term_unemployed", "isced_3_4",
                                           "third_country", "prefer_not")
    assert member.special_consent_at is None and member.disability is None


@pytest.mark.parametrize("field", ["gender", "employment", "education", "citizenship",
                                   "foreign_background"])
def test_an_unknown_answer_names_its_field_and_adds_nobody(session, make_household, field):
    household = make_household()
    answers = households.PersonAnswers(**{field: "martian"})
    with pytest.raises(DomainError) as caught:
        households.add_member(session, household, kind="adult", this_year=THIS_YEAR,
                              answers=answers)
    assert caught.value.field == field
    assert count(session, Member) == 0


def test_disability_without_the_consent_is_refused(session, make_household, context):
    household = make_household()
    with pytest.raises(DomainError) as caught:
        households.add_member(session, household, kind="adult", this_year=THIS_YEAR,
                              answers=households.PersonAnswers(disability="yes"),
                              context=context)
    assert caught.value.field == "special_consent"
    assert count(session, Member) == 0


def test_the_consent_is_recorded_with_its_time_and_notice(session, make_household, context):
    household = make_household()
    member = households.add_member(
        session, household, kind="elder", this_year=THIS_YEAR, context=context,
        answers=households.PersonAnswers(disability="yes", minority="prefer_not",
                                         special_consent=True))
    session.commit()
    assert (member.disability, member.minority) == ("yes", "prefer_not")
    assert (member.special_consent_at, member.special_consent_version) == (CONSENT_AT, "2026-11")
    [event] = _events(session, audit.SPECIAL_CONSENT_GIVEN)
    assert event.household_id == household.id
    assert event.details == {"member": member.public_id, "version": "2026-11"}


def test_a_later_edit_keeps_the_first_consents_date(session, make_household, context):
    household = make_household()
    member = households.add_member(
        session, household, kind="adult", this_year=THIS_YEAR, context=context,
        answers=households.PersonAnswers(disability="no", special_consent=True))
    later = households.ConsentContext(context.actor, datetime(2027, 1, 9, tzinfo=UTC), "2027-01")
    households.update_member(session, household, member.public_id, kind="adult",
                             this_year=THIS_YEAR, context=later,
                             answers=households.PersonAnswers(disability="yes", gender="woman",
                                                              special_consent=True))
    session.commit()
    assert (member.disability, member.gender) == ("yes", "woman")
    assert (member.special_consent_at, member.special_consent_version) == (CONSENT_AT, "2026-11")
    assert len(_events(session, audit.SPECIAL_CONSENT_GIVEN)) == 1


def test_unticking_the_consent_clears_the_answers(session, make_household, context):
    household = make_household()
    member = households.add_member(
        session, household, kind="adult", this_year=THIS_YEAR, context=context,
        answers=households.PersonAnswers(gender="man", disability="yes", minority="yes",
                                         special_consent=True))
    households.update_member(session, household, member.public_id, kind="adult",
                             this_year=THIS_YEAR, context=context,
                             answers=households.PersonAnswers(gender="man"))
    session.commit()
    session.expire_all()
    assert (member.disability, member.minority, member.special_consent_at,
            member.special_consent_version) == (None, None, None, None)
    assert member.gender == "man"
    assert len(_events(session, audit.SPECIAL_CONSENT_WITHDRAWN)) == 1


def test_withdrawing_the_consent_clears_only_the_special_answers(session, make_household,
                                                                 context):
    household = make_household()
    member = households.add_member(
        session, household, kind="adult", this_year=THIS_YEAR, context=context,
        answers=households.PersonAnswers(education="isced_5_8", disability="yes",
                                         special_consent=True))
    households.withdraw_special_consent(session, household, member.public_id, context)
    session.commit()
    assert (member.disability, member.special_consent_at) == (None, None)
    assert member.education == "isced_5_8"
    raw = session.execute(text("SELECT disability FROM household_members")).scalar_one()
    assert raw is None
    with pytest.raises(DomainError):
        households.withdraw_special_consent(session, household, member.public_id, context)


def test_a_refused_edit_changes_nothing(session, make_household, context):
    household = make_household()
    member = households.add_member(session, household, kind="adult", first_name="Ada",
                                   this_year=THIS_YEAR,
                                   answers=households.PersonAnswers(gender="woman"))
    with pytest.raises(DomainError):
        households.update_member(session, household, member.public_id, kind="child",
                                 first_name="Bea", this_year=THIS_YEAR, context=context,
                                 answers=households.PersonAnswers(gender="other"))
    assert (member.kind, member.first_name, member.gender) == ("adult", "Ada", "woman")


def test_another_households_member_cannot_be_edited(session, make_household, context):
    mine, theirs = make_household(), make_household()
    member = households.add_member(session, theirs, kind="adult", this_year=THIS_YEAR)
    with pytest.raises(NotFound):
        households.update_member(session, mine, member.public_id, kind="adult",
                                 this_year=THIS_YEAR, context=context,
                                 answers=households.PersonAnswers())
    with pytest.raises(NotFound):
        households.withdraw_special_consent(session, mine, member.public_id, context)

"""Need services: posting, editing and the family's own status changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mutuo_aiuto.models import Need, NeedSlot
from mutuo_aiuto.services import needs
from mutuo_aiuto.services.errors import DomainError, InvalidTransition, NotFound
from mutuo_aiuto.services.needs import NeedInput
from mutuo_aiuto.services.slots import DatedRow, WeeklyRow

TODAY = date.today()
END = TODAY + timedelta(days=60)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def world(make_household, make_category, make_skill, make_neighbourhood):
    """A household, a category and two skills, as the form would offer them."""
    household = make_household(languages=["it", "ar"])
    category = make_category(slug="school-run")
    return {
        "household": household, "category": category,
        "skills": [make_skill(slug="accompany", category=category), make_skill(slug="drive")],
        "elsewhere": make_neighbourhood(slug="madonna-alta"),
    }


def need_input(**overrides) -> NeedInput:
    values = {"title": "Accompagnamento a scuola", "category": "school-run",
              "skills": ["accompany"], "ends_on": END,
              "weekly": [WeeklyRow([0, 2], "07:30", "08:30"), WeeklyRow([4], "16:00", "18:00")]}
    return NeedInput(**(values | overrides))


def post(session, world, publish=True, **overrides) -> Need:
    return needs.post_need(session, world["household"], need_input(**overrides),
                           publish=publish, today=TODAY)


# -- posting ----------------------------------------------------------------------------

def test_a_published_need_is_open_with_its_slots_and_defaults(session, world):
    need = post(session, world)
    session.commit()
    assert need.status == "open" and need.opened_at is not None
    assert need.household is world["household"]
    assert [(s.weekday, s.start_minute, s.end_minute) for s in need.slots] == [
        (0, 450, 510), (2, 450, 510), (4, 960, 1080)]
    # Neighbourhood and languages default to the household's.
    assert need.neighbourhood is world["household"].neighbourhood
    assert need.languages == ["it", "ar"]
    assert need.helpers == 1 and need.urgency == 0 and need.max_hops == 1


def test_a_draft_is_saved_unpublished(session, world):
    need = post(session, world, publish=False)
    assert need.status == "draft" and need.opened_at is None


def test_every_field_is_stored(session, world):
    need = post(session, world, skills=["accompany", "drive"], neighbourhood="madonna-alta",
                max_hops=2, helpers=3, urgency=3, languages=["uk"], starts_on=TODAY,
                remote=True, description="  Due bambini, 6 e 9 anni.  ",
                weekly=[], dated=[DatedRow(TODAY + timedelta(days=3), "18:00", "00:00")])
    assert [skill.slug for skill in need.skills] == ["accompany", "drive"]
    assert need.neighbourhood is world["elsewhere"]
    assert (need.max_hops, need.helpers, need.urgency) == (2, 3, 3)
    assert need.languages == ["uk"] and need.remote is True
    assert need.description == "Due bambini, 6 e 9 anni."
    assert [(s.on_date, s.weekday, s.end_minute) for s in need.slots] == [
        (TODAY + timedelta(days=3), None, 1440)]


def test_the_category_sets_vetting_and_remote_defaults(session, world, make_category):
    make_category(slug="childcare", requires_vetted=True, remote=True)
    need = post(session, world, category="childcare", requires_vetted=False)
    assert need.requires_vetted is True  # cannot be lifted by the family
    assert need.remote is True  # taken from the category when not given
    need = post(session, world, requires_vetted=True, remote=False)
    assert need.requires_vetted is True and need.remote is False


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": " "}, "title"),
    ({"title": "x" * 121}, "title"),
    ({"category": "unknown"}, "category"),
    ({"category": ""}, "category"),
    ({"category": ["school-run"]}, "category"),
    ({"skills": []}, "skills"),
    ({"skills": ["accompany", "unknown"]}, "skills"),
    ({"skills": "accompany"}, "skills"),
    ({"ends_on": "tomorrow"}, "ends_on"),  # left as None it has a default (test_need_form)
    ({"ends_on": TODAY - timedelta(days=1)}, "ends_on"),
    ({"ends_on": TODAY + timedelta(days=400)}, "ends_on"),
    ({"starts_on": END + timedelta(days=1)}, "starts_on"),
    ({"weekly": []}, "weekly-0-days"),
    ({"weekly": [WeeklyRow([1], "18:00", "17:00")]}, "weekly-0-end"),
    ({"weekly": [WeeklyRow([1], "16:00", "18:00"), WeeklyRow([1], "17:00", "19:00")]},
     "weekly-1-start"),
    ({"dated": [DatedRow(TODAY + timedelta(days=1), "10:00", "11:00")]}, "dated"),
    ({"weekly": [], "dated": [DatedRow(END + timedelta(days=1), "10:00", "11:00")]},
     "dated-0-on_date"),
    ({"neighbourhood": "atlantide"}, "neighbourhood"),
    ({"neighbourhood": 7}, "neighbourhood"),
    ({"max_hops": 3}, "max_hops"),
    ({"helpers": 0}, "helpers"),
    ({"helpers": 4}, "helpers"),
    ({"helpers": True}, "helpers"),
    ({"urgency": 4}, "urgency"),
    ({"urgency": None}, "urgency"),
    ({"languages": ["xx"]}, "languages"),
    ({"description": "x" * 2001}, "description"),
])
def test_invalid_input_names_the_field_and_saves_nothing(session, world, overrides, field):
    with pytest.raises(DomainError) as caught:
        post(session, world, **overrides)
    assert caught.value.field == field
    # Counting flushes the session: nothing was even added to it.
    assert count(session, Need) == 0
    assert count(session, NeedSlot) == 0


def test_inactive_skills_and_categories_are_refused(session, world, make_skill, make_category):
    make_skill(slug="retired", active=False)
    make_category(slug="old", active=False)
    with pytest.raises(DomainError) as caught:
        post(session, world, skills=["retired"])
    assert caught.value.field == "skills"
    with pytest.raises(DomainError) as caught:
        post(session, world, category="old")
    assert caught.value.field == "category"


def test_lists_for_the_form(session, world, make_category, make_skill):
    late = make_category(slug="late", position=9)
    make_skill(slug="late-skill", category=late)
    make_category(slug="hidden", active=False)
    assert [c.slug for c in needs.active_categories(session)][-1] == "late"
    assert "hidden" not in [c.slug for c in needs.active_categories(session)]
    slugs = [s.slug for s in needs.active_skill_list(session)]
    # Grouped by category, skills without one last.
    assert slugs.index("accompany") < slugs.index("late-skill") < slugs.index("drive")


# -- editing ----------------------------------------------------------------------------

def test_editing_replaces_fields_and_slots(session, world):
    need = post(session, world)
    session.commit()
    needs.update_need(session, world["household"], need,
                      need_input(title="Compiti", weekly=[WeeklyRow([1], "15:00", "16:00")]),
                      today=TODAY)
    session.commit()
    assert need.title == "Compiti" and need.status == "open"
    assert [(s.weekday, s.start_minute) for s in need.slots] == [(1, 900)]
    assert count(session, NeedSlot) == 1


def test_an_invalid_edit_changes_nothing(session, world):
    need = post(session, world)
    session.commit()
    with pytest.raises(DomainError):
        needs.update_need(session, world["household"], need,
                          need_input(title="Nuovo", weekly=[WeeklyRow([1], "", "")]),
                          today=TODAY)
    assert need.title == "Accompagnamento a scuola"
    assert len(need.slots) == 3


def test_with_a_confirmed_helper_times_skills_and_place_stay(session, world, make_match):
    need = post(session, world, helpers=2)  # one helper confirmed, a second wanted: open
    make_match(need=need, status="active")
    session.commit()
    for change in ({"weekly": [WeeklyRow([1], "15:00", "16:00")]}, {"skills": ["drive"]},
                   {"neighbourhood": "madonna-alta"}):
        with pytest.raises(DomainError, match="already confirmed"):
            needs.update_need(session, world["household"], need,
                              need_input(helpers=2, **change), today=TODAY)
        session.rollback()
    needs.update_need(session, world["household"], need,
                      need_input(helpers=2, title="Scuola, due bambini"), today=TODAY)
    session.commit()
    assert need.title == "Scuola, due bambini" and len(need.slots) == 3


def test_editing_a_draft_can_publish_it(session, world):
    need = post(session, world, publish=False)
    needs.update_need(session, world["household"], need, need_input(), today=TODAY)
    assert need.status == "draft"
    needs.update_need(session, world["household"], need, need_input(), today=TODAY,
                      publish=True)
    assert need.status == "open"


def test_editing_an_expired_need_with_a_new_end_date_reopens_it(session, world, make_need):
    need = make_need(household=world["household"], status="expired",
                     ends_on=TODAY - timedelta(days=2))
    needs.update_need(session, world["household"], need, need_input(ends_on=END), today=TODAY)
    assert need.status == "open" and need.ends_on == END


@pytest.mark.parametrize("status", ["matched", "active", "closed", "cancelled"])
def test_needs_past_editing_are_refused(session, world, make_need, status):
    need = make_need(household=world["household"], status=status)
    with pytest.raises(InvalidTransition):
        needs.update_need(session, world["household"], need, need_input(title="Altro"),
                          today=TODAY)
    assert need.title != "Altro"


# -- status changes ---------------------------------------------------------------------

@pytest.mark.parametrize(("action", "before", "after"), [
    (needs.publish_need, "draft", "open"),
    (needs.pause_need, "open", "paused"),
    (needs.pause_need, "proposed", "paused"),
    (needs.resume_need, "paused", "open"),
    (needs.cancel_need, "draft", "cancelled"),
    (needs.cancel_need, "open", "cancelled"),
    (needs.cancel_need, "matched", "cancelled"),
    (needs.cancel_need, "expired", "cancelled"),
])
def test_allowed_status_changes(session, world, make_need, action, before, after):
    need = make_need(household=world["household"], status=before)
    action(session, world["household"], need)
    assert need.status == after
    if after == "cancelled":
        assert need.closed_at is not None


@pytest.mark.parametrize(("action", "before"), [
    (needs.publish_need, "open"),
    (needs.publish_need, "paused"),
    (needs.pause_need, "draft"),
    (needs.pause_need, "paused"),
    (needs.pause_need, "matched"),
    (needs.resume_need, "open"),
    # An expired need is reopened by an edit with a new end date, not by "resume".
    (needs.resume_need, "expired"),
    (needs.cancel_need, "closed"),
    (needs.cancel_need, "cancelled"),
])
def test_refused_status_changes_change_nothing(session, world, make_need, action, before):
    need = make_need(household=world["household"], status=before)
    with pytest.raises(InvalidTransition):
        action(session, world["household"], need)
    assert need.status == before


def test_a_stale_draft_or_paused_need_must_get_a_new_end_date(session, world, make_need):
    past = TODAY - timedelta(days=1)
    for status, action in (("draft", needs.publish_need), ("paused", needs.resume_need)):
        need = make_need(household=world["household"], status=status, ends_on=past)
        with pytest.raises(DomainError) as caught:
            action(session, world["household"], need, today=TODAY)
        assert caught.value.field == "ends_on"
        assert need.status == status


# -- ownership --------------------------------------------------------------------------

def test_another_households_need_is_not_found(session, world, make_need, make_household):
    theirs = make_need(status="open")
    mine = world["household"]
    with pytest.raises(NotFound):
        needs.get_need(session, mine, theirs.public_id)
    with pytest.raises(NotFound):
        needs.get_need(session, None, theirs.public_id)
    with pytest.raises(NotFound):
        needs.get_need(session, mine, "no-such-id")
    for action in (needs.pause_need, needs.cancel_need, needs.publish_need, needs.resume_need):
        with pytest.raises(NotFound):
            action(session, mine, theirs)
    with pytest.raises(NotFound):
        needs.update_need(session, mine, theirs, need_input(), today=TODAY)
    assert theirs.status == "open"


def test_the_household_lists_only_its_own_needs_newest_first(session, world, make_need):
    first = post(session, world)
    second = post(session, world, title="Secondo")
    make_need(status="open")
    assert needs.list_needs(session, world["household"]) == [second, first]


def test_need_input_is_reusable_by_an_api(world):
    # A future JSON API builds the same dataclass: a plain, frozen value.
    data = need_input()
    assert replace(data, title="x").title == "x"
    with pytest.raises(AttributeError):
        data.title = "y"  # type: ignore[misc]

"""The iCalendar feed: parses, recurs weekly in Europe/Rome, says nothing private."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from mutuo_aiuto.models import NeedSlot
from mutuo_aiuto.services import calendar_feed

ROME = ZoneInfo("Europe/Rome")
CONFIRMED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def school_run(make_match, make_need, make_offer, make_category, make_household, make_user):
    category = make_category(name="Accompagnamento a scuola",
                             translations={"en": "School run"})
    family = make_household(name="Famiglia Hassan", user=make_user(locale="en"),
                            phone="+39 333 111 2222", address="Via del Macello 3")
    helper = make_household(name="Famiglia Rossi", user=make_user(locale="it"),
                            phone="+39 333 999 8888")
    need = make_need(household=family, category=category, status="active",
                     title="Portare Amina a scuola", description="Amina ha l'asma",
                     starts_on=None, ends_on=date(2027, 1, 31),
                     slots=[NeedSlot(weekday=1, start_minute=7 * 60 + 30, end_minute=8 * 60 + 30),
                            NeedSlot(on_date=date(2026, 12, 5), start_minute=16 * 60,
                                     end_minute=24 * 60)])
    offer = make_offer(household=helper, ends_on=date(2027, 3, 31))
    return make_match(need=need, offer=offer, confirmed_at=CONFIRMED,
                      started_on=date(2026, 11, 3))


def parse(session, user) -> Calendar:
    return Calendar.from_ical(calendar_feed.build_feed(session, user))


def events(calendar: Calendar) -> list:
    return [c for c in calendar.walk("VEVENT")]


def test_a_pairing_awaiting_the_helper_names_nobody(session, school_run):
    school_run.status = "awaiting"
    school_run.accepted_at = None
    session.commit()
    for user in (school_run.need.household.user, school_run.offer.household.user):
        summaries = {str(e["SUMMARY"]) for e in events(parse(session, user))}
        assert not any("Famiglia" in summary for summary in summaries), summaries
    family = {str(e["SUMMARY"]) for e in events(parse(session, school_run.need.household.user))}
    assert family == {"School run (waiting for the helper's answer)"}


def test_weekly_slot_is_a_recurring_event_in_rome(session, school_run):
    calendar = parse(session, school_run.need.household.user)
    weekly = next(e for e in events(calendar) if "RRULE" in e)
    start = weekly.decoded("DTSTART")
    assert start == datetime(2026, 11, 3, 7, 30, tzinfo=ROME)  # the first Tuesday
    assert weekly["DTSTART"].params["TZID"] == "Europe/Rome"
    assert weekly.decoded("DTEND") == datetime(2026, 11, 3, 8, 30, tzinfo=ROME)
    rule = weekly["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["TU"]
    # Until the end of the need's last day in Rome, given in UTC as RFC 5545 asks.
    until = rule["UNTIL"][0]
    assert until.tzinfo is not None and until.utcoffset() == timedelta(0)
    assert until.astimezone(ROME).date() == date(2027, 1, 31)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Rome"]


def test_times_stay_on_the_wall_clock_across_daylight_saving(session, school_run):
    # 3 November is winter time (UTC+1); a July session would be UTC+2.
    weekly = next(e for e in events(parse(session, school_run.need.household.user))
                  if "RRULE" in e)
    assert weekly.decoded("DTSTART").astimezone(UTC).time() == time(6, 30)


def test_dated_slot_is_one_event_ending_at_midnight(session, school_run):
    single = next(e for e in events(parse(session, school_run.need.household.user))
                  if "RRULE" not in e)
    assert single.decoded("DTSTART") == datetime(2026, 12, 5, 16, 0, tzinfo=ROME)
    assert single.decoded("DTEND") == datetime(2026, 12, 6, 0, 0, tzinfo=ROME)


def test_both_sides_see_it_in_their_own_language(session, school_run):
    family = events(parse(session, school_run.need.household.user))
    helper = events(parse(session, school_run.offer.household.user))
    assert {str(e["SUMMARY"]) for e in family} == {"School run with Famiglia Rossi"}
    # The helper reads Italian: the category's Italian name, the family's name.
    assert all(str(e["SUMMARY"]).startswith("Accompagnamento a scuola ")
               and str(e["SUMMARY"]).endswith(" Famiglia Hassan") for e in helper)
    assert len(helper) == len(family) == 2


def test_uids_are_stable(session, school_run):
    user = school_run.need.household.user
    first = sorted(str(e["UID"]) for e in events(parse(session, user)))
    assert first == sorted(str(e["UID"]) for e in events(parse(session, user)))
    assert all(uid.startswith(school_run.public_id) for uid in first)


def test_feed_never_contains_contacts_or_free_text(session, school_run):
    for user in (school_run.need.household.user, school_run.offer.household.user):
        text = calendar_feed.build_feed(session, user).decode()
        for private in ("333", "Macello", "Amina", "asma", "Portare"):
            assert private not in text


def test_awaiting_is_tentative_and_finished_matches_leave(session, school_run):
    user = school_run.need.household.user
    assert {str(e["STATUS"]) for e in events(parse(session, user))} == {"CONFIRMED"}
    school_run.status = "awaiting"
    assert {str(e["STATUS"]) for e in events(parse(session, user))} == {"TENTATIVE"}
    school_run.status = "closed"
    assert events(parse(session, user)) == []


def test_a_stranger_sees_nothing_of_it(session, school_run, make_household):
    assert events(parse(session, make_household().user)) == []


def test_tokens_regenerate_and_revoke(session, make_user):
    user = make_user()
    token = calendar_feed.ensure_calendar_token(session, user)
    assert len(token) >= 40
    assert calendar_feed.ensure_calendar_token(session, user) == token
    assert calendar_feed.user_for_calendar_token(session, token) is user
    new = calendar_feed.regenerate_calendar_token(session, user)
    assert new != token
    assert calendar_feed.user_for_calendar_token(session, token) is None
    assert calendar_feed.user_for_calendar_token(session, new) is user
    user.active = False
    assert calendar_feed.user_for_calendar_token(session, new) is None
    assert calendar_feed.user_for_calendar_token(session, "") is None


def test_only_a_replaced_address_is_said_to_be_replaced(session, make_user):
    """The first address revokes nothing; asking again replaces (and revokes) it."""
    user = make_user()
    assert calendar_feed.make_calendar_address(session, user) is False
    first = user.calendar_token
    assert first and calendar_feed.user_for_calendar_token(session, first) is user
    assert calendar_feed.make_calendar_address(session, user) is True
    assert user.calendar_token != first
    assert calendar_feed.user_for_calendar_token(session, first) is None

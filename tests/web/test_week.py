"""The week view: one's own requests, availability and confirmed sessions, day by day."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Match, NeedSlot, OfferSlot
from mutuo_aiuto.web.week.agenda import (
    FIRST_YEAR,
    HELPED,
    HELPING,
    NEED,
    OFFER,
    member_week,
    parse_week_start,
    shared_spans,
)

# A Monday well inside every factory's default date range.
MONDAY = date.today() - timedelta(days=date.today().weekday()) + timedelta(days=7)
TUESDAY = MONDAY + timedelta(days=1)


def week_page(client, start: date = MONDAY):
    return client.get(f"/week?start={start.isoformat()}")


def day_items(html: str) -> list[str]:
    """The seven ``<li class="week-day">`` blocks of the page, Monday first."""
    return re.findall(r'<li class="week-day[^"]*"[^>]*>(.*?)</li>\s*(?=<li class="week-day|</ol>)',
                      html, flags=re.S)


@pytest.fixture
def member(make_household, login):
    household = make_household(user=None)
    household.user.locale = "en"
    db.session.commit()
    login(household.user)
    return household


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get("/week")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_member_without_household_sees_an_empty_week(client, make_user, login):
    login(make_user(locale="en"))
    response = week_page(client)
    assert response.status_code == 200
    days = day_items(response.text)
    assert len(days) == 7
    assert all("Nothing planned" in day for day in days)
    assert "Your family is not filled in yet" in response.text


def test_week_starts_on_monday_with_weekday_names_in_the_readers_language(client, member):
    response = week_page(client, TUESDAY + timedelta(days=2))  # any day picks its week
    days = day_items(response.text)
    assert "Monday" in days[0] and "Sunday" in days[6]
    assert f'datetime="{MONDAY.isoformat()}"' in days[0]


def test_open_need_shows_on_its_weekday_only(client, member, make_need):
    make_need(household=member, title="School run for Amina",
              slots=[NeedSlot(weekday=1, start_minute=16 * 60, end_minute=18 * 60)])
    days = day_items(week_page(client).text)
    assert "School run for Amina" in days[1]
    assert "16:00" in days[1] and "18:00" in days[1]
    assert "Your request, waiting for a helper" in days[1]
    assert not any("School run for Amina" in day for i, day in enumerate(days) if i != 1)


def test_another_familys_posts_never_show(client, member, make_need, make_offer):
    make_need(title="Someone else's request")
    make_offer(title="Someone else's offer")
    html = week_page(client).text
    assert "Someone else" not in html


def test_offer_availability_shows_as_available(client, member, make_offer):
    make_offer(household=member, title="Homework on Fridays",
               slots=[OfferSlot(weekday=4, start_minute=15 * 60, end_minute=17 * 60)])
    days = day_items(week_page(client).text)
    assert "Homework on Fridays" in days[4] and "You are available" in days[4]


@pytest.mark.parametrize("status", ["draft", "cancelled", "closed", "expired", "matched"])
def test_needs_not_waiting_for_help_are_left_out(app, member, make_need, status):
    make_need(household=member, status=status)
    days = member_week(db.session, member.user, MONDAY)
    assert [e for d in days for e in d.entries if e.kind == NEED] == []


def test_need_shows_only_between_its_start_and_end(app, member, make_need):
    make_need(household=member, starts_on=TUESDAY + timedelta(days=1),
              ends_on=TUESDAY + timedelta(days=7),
              slots=[NeedSlot(weekday=day, start_minute=600, end_minute=660)
                     for day in range(7)])
    days = member_week(db.session, member.user, MONDAY)
    shown = [d.on for d in days if d.entries]
    assert shown == [MONDAY + timedelta(days=n) for n in range(2, 7)]


def test_dated_slot_shows_in_its_own_week_only(app, member, make_need):
    on = MONDAY + timedelta(days=3)
    make_need(household=member, slots=[NeedSlot(on_date=on, start_minute=600, end_minute=720)])
    this_week = member_week(db.session, member.user, MONDAY)
    next_week = member_week(db.session, member.user, MONDAY + timedelta(days=7))
    assert [(d.on, len(d.entries)) for d in this_week if d.entries] == [(on, 1)]
    assert all(not d.entries for d in next_week)


def _pair(make_household, make_need, make_offer, status="awaiting"):
    family = make_household()
    helper = make_household()
    need = make_need(household=family, status="matched", title="School run",
                     slots=[NeedSlot(weekday=1, start_minute=16 * 60, end_minute=18 * 60)])
    offer = make_offer(household=helper,
                       slots=[OfferSlot(weekday=1, start_minute=17 * 60, end_minute=20 * 60)])
    db.session.add(Match(need=need, offer=offer, status=status))
    db.session.commit()
    return family, helper


def test_confirmed_session_shows_to_both_sides_at_the_shared_hours(
        app, make_household, make_need, make_offer):
    family, helper = _pair(make_household, make_need, make_offer)
    family_days = member_week(db.session, family.user, MONDAY)
    helper_days = member_week(db.session, helper.user, MONDAY)
    [session] = family_days[1].entries
    assert (session.kind, session.start, session.end) == (HELPED, "17:00", "18:00")
    kinds = [(e.kind, e.start) for e in helper_days[1].entries]
    # The helper sees the session and, below it, the offer's own hours.
    assert kinds == [(HELPING, "17:00"), (OFFER, "17:00")]


@pytest.mark.parametrize("status", ["closed", "declined", "cancelled", "unanswered"])
def test_matches_that_no_longer_hold_are_not_sessions(
        app, make_household, make_need, make_offer, status):
    family, _ = _pair(make_household, make_need, make_offer, status=status)
    days = member_week(db.session, family.user, MONDAY)
    assert [e for d in days for e in d.entries] == []


def test_session_page_says_who_helps_whom(client, login, make_household, make_need, make_offer):
    _, helper = _pair(make_household, make_need, make_offer, status="active")
    helper.user.locale = "en"
    db.session.commit()
    login(helper.user)
    days = day_items(week_page(client).text)
    assert "You help (confirmed)" in days[1]
    assert "School run" in days[1]


def test_a_session_waiting_for_the_helper_says_so_to_each_side(
        client, login, make_household, make_need, make_offer):
    family, helper = _pair(make_household, make_need, make_offer)
    for side, words in ((family, "Help for your family (waiting for the helper's answer)"),
                        (helper, "You help (waiting for your answer)")):
        side.user.locale = "en"
        db.session.commit()
        login(side.user)
        day = day_items(week_page(client).text)[1]
        assert words in day.replace("&#39;", "'")
        assert "matched" not in day


def test_hand_made_pairing_outside_the_offers_hours_uses_the_needs_times(
        app, make_need, make_offer):
    need = make_need(slots=[NeedSlot(weekday=2, start_minute=600, end_minute=660)])
    offer = make_offer(slots=[OfferSlot(weekday=4, start_minute=600, end_minute=660)])
    [span] = shared_spans(need, offer)
    assert (span.weekday, span.start_minute, span.end_minute) == (2, 600, 660)


def test_today_is_marked_in_the_hubs_time_zone(client, member):
    # 23:30 UTC on a Monday is already Tuesday in Rome.
    with time_machine.travel(datetime(2026, 12, 7, 23, 30, tzinfo=UTC), tick=False):
        response = client.get("/week")
    days = day_items(response.text)
    assert 'aria-current="date"' not in days[0]
    assert 'datetime="2026-12-08"' in days[1]
    assert 'aria-current="date"' in response.text.split('datetime="2026-12-08"')[0].rsplit(
        "<li", 1)[1]


def test_week_navigation_links_to_the_weeks_around(client, member):
    html = week_page(client).text
    assert f"start={(MONDAY - timedelta(days=7)).isoformat()}" in html
    assert f"start={(MONDAY + timedelta(days=7)).isoformat()}" in html


@pytest.mark.parametrize("start", ["yesterday", "2026-13-01", "1066-10-14", "", "2026-02-30"])
def test_unreadable_week_shows_this_week(client, member, start):
    response = client.get(f"/week?start={start}")
    assert response.status_code == 200
    this_monday = date.today() - timedelta(days=date.today().weekday())
    assert f'datetime="{this_monday.isoformat()}"' in response.text


def test_page_has_no_inline_style_or_script(client, member, make_need):
    make_need(household=member)
    html = week_page(client).text
    assert "style=" not in html and "<script" not in html


@given(st.one_of(st.text(max_size=20), st.dates().map(date.isoformat), st.none(),
                 st.integers()))
def test_any_start_gives_a_monday_in_range(text):
    today = date(2026, 12, 2)
    monday = parse_week_start(text, today)
    assert monday.weekday() == 0
    assert FIRST_YEAR - 1 <= monday.year <= 2100
    assert monday + timedelta(days=7) > monday

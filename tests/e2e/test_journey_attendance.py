"""Attendance, the groups' impact and a group suggested for a request, on a phone (issue 12).

The scene is set in the database: a parents' circle in Fontivegge (Tuesdays… every day,
17–19, in Arabic and Italian) with three families in it and a past meeting
(yesterday); a second group with six families and five recorded meetings, so the
impact page shows counts of 5 and more; a family whose parenting-support request has
no proposal. On a 390×844 phone, in Italian and in Arabic: the leader opens
yesterday's meeting and taps two families present, saves; the facilitator's impact
page counts the participants and the meetings held; the family's request page
suggests the group. Every page: axe-core 0 violations, no sideways scroll at 360 px.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest
from babel.numbers import format_decimal
from flask_babel import force_locale, gettext
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import (
    Activity,
    ActivityMeeting,
    ActivityMembership,
    ActivitySlot,
    Attendance,
    NeedSlot,
    Neighbourhood,
    User,
)
from tests import factories
from tests.e2e import checks, scene, steps
from tests.e2e.conftest import VIEWPORTS, LiveServer, axe_check, new_context

pytestmark = pytest.mark.e2e

PHONE = VIEWPORTS["phone"]
LEADER_EMAIL = "conduttrice@example.org"
FAMILY_EMAIL = "mamma.genitori@example.org"
CIRCLE = "Cerchio dei genitori"


def say(server: LiveServer, lang: str, msgid: str, **values: Any) -> str:
    with server.app_context(), force_locale(lang):
        return gettext(msgid, **values)


def build_scene(server: LiveServer, lang: str) -> dict[str, Any]:
    with server.app_context():
        s = db.session
        place = s.scalars(select(Neighbourhood).where(Neighbourhood.slug == "fontivegge")).one()
        leader = factories.make_user(s, email=LEADER_EMAIL, name="Amina Leader", locale=lang)
        every_day = [ActivitySlot(weekday=d, start_minute=17 * 60, end_minute=19 * 60)
                     for d in range(7)]
        today = date.today()
        circle = Activity(kind="parents_circle", title=CIRCLE, neighbourhood=place,
                          place_name="Sala 2 del Centro per le Famiglie", capacity=8,
                          languages=["ar", "it"], leader_id=leader.id, slots=every_day,
                          starts_on=today - timedelta(days=7))
        s.add(circle)
        families = [factories.make_household(s, neighbourhood=place, name=name)
                    for name in ("Famiglia Haddad", "Famiglia Rossi", "Famiglia Popescu")]
        for household in families:
            s.add(ActivityMembership(activity=circle, household=household, status="joined"))
        # Another group, met five times by six families: the totals pass the "<5" line.
        club = Activity(kind="play_group", title="Gruppo gioco", neighbourhood=place,
                        place_name="Ludoteca", capacity=10, languages=["it"],
                        starts_on=today - timedelta(days=60),
                        slots=[ActivitySlot(weekday=d, start_minute=10 * 60,
                                            end_minute=11 * 60) for d in range(7)])
        s.add(club)
        players = [factories.make_household(s, neighbourhood=place) for _ in range(6)]
        for n in range(5):
            meeting = ActivityMeeting(activity=club, on_date=today - timedelta(days=2 + n),
                                      start_minute=10 * 60, end_minute=11 * 60)
            s.add(meeting)
            for household in players:
                s.add(Attendance(meeting=meeting, household=household, present=True))
        parenting = factories.make_category(
            s, slug="parenting-support", kind="relational", name="Sostegno alla genitorialità",
            translations={"en": "Parenting support", "ar": "دعم الوالدين"})
        mother = factories.make_household(
            s, user=factories.make_user(s, email=FAMILY_EMAIL, name="Samira", locale=lang),
            neighbourhood=place, languages=["ar"], name="Famiglia Samira")
        need = factories.make_need(
            s, household=mother, category=parenting, languages=["ar"],
            title="Parlare con altri genitori",
            slots=[NeedSlot(weekday=1, start_minute=17 * 60, end_minute=19 * 60)])
        staff = s.scalars(select(User).where(User.email == scene.FACILITATOR_EMAIL)).one()
        staff.locale = lang
        s.commit()
        return {"circle": circle.public_id, "need": need.public_id,
                "families": [h.name for h in families],
                "yesterday": (today - timedelta(days=1)).isoformat()}


class Walk:
    """Every page passed: axe-core, no sideways scroll at 360 px; its height at 390 px."""

    def __init__(self) -> None:
        self.heights: dict[str, int] = {}

    def __call__(self, page: Any, name: str) -> None:
        axe_check(page)
        self.heights[name] = int(page.evaluate("document.documentElement.scrollHeight"))
        page.set_viewport_size({"width": checks.PHONE_WIDTH, "height": 800})
        assert checks.horizontal_overflow(page) == 0, (name, checks.wide_elements(page))
        page.set_viewport_size(PHONE)


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_the_leader_records_attendance_and_the_figures_and_suggestions_follow(
        browser, live_server, lang):
    found = build_scene(live_server, lang)
    walk = Walk()
    taps = 0
    started = time.monotonic()

    # The leader: the meetings of the group, yesterday's, two families tapped, saved.
    context = new_context(browser, live_server, lang)
    try:
        page = context.new_page()
        steps.log_in(page, LEADER_EMAIL)
        page.goto(f"/groups/{found['circle']}/meetings")
        walk(page, "meetings")
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        page.locator(f"a[href$='/meetings/{found['yesterday']}']").click()
        taps += 1
        walk(page, "meeting")
        heading = say(live_server, lang, "Who came")
        assert page.get_by_role("heading", level=1).inner_text() == heading
        rows = page.locator(".tap")
        assert rows.count() == 3
        for row in range(3):
            box = rows.nth(row).bounding_box()
            assert box is not None and box["height"] >= 44 and box["width"] >= 300
        for name in found["families"][:2]:
            page.get_by_label(name).click()
            taps += 1
        page.get_by_role("button", name=say(live_server, lang, "Save attendance")).click()
        taps += 1
        walk(page, "saved")
        present = say(live_server, lang, "Attendance saved: %(count)s present.", count=2)
        assert present in page.inner_text("body")
        leader_seconds = time.monotonic() - started
    finally:
        context.close()
    with live_server.app_context():
        here = db.session.scalars(select(Attendance.household_id).where(
            Attendance.present.is_(True))).all()
        assert len(here) == 5 * 6 + 2

    # The facilitator: the groups list, then the impact page counts 8 families, 6 meetings.
    context = new_context(browser, live_server, lang)
    try:
        page = context.new_page()
        steps.log_in(page, scene.FACILITATOR_EMAIL)
        page.goto("/groups")
        walk(page, "groups")
        assert page.get_by_role("link", name=CIRCLE).is_visible()
        page.goto("/facilitator/impact")
        walk(page, "impact")
        section = page.locator("#groups ~ dl.details").first
        terms = section.locator("dt").all_inner_texts()
        values = section.locator("dd").all_inner_texts()
        figures = dict(zip(terms, values, strict=True))
        assert figures[say(live_server, lang, "Families who took part")] == format_decimal(
            8, locale=lang)
        assert figures[say(live_server, lang, "Meetings held")] == format_decimal(6, locale=lang)
    finally:
        context.close()

    # The family: its parenting-support request has no proposal; a group is suggested.
    context = new_context(browser, live_server, lang)
    try:
        page = context.new_page()
        steps.log_in(page, FAMILY_EMAIL)
        page.goto(f"/needs/{found['need']}")
        walk(page, "request")
        box = page.locator(".group-suggestions")
        assert box.get_by_role("heading").inner_text() == say(
            live_server, lang, "A group could help too")
        assert CIRCLE in box.inner_text()
        assert say(live_server, lang, "%(kind)s in %(place)s",
                   kind=say(live_server, lang, "Parents' circle"),
                   place="Fontivegge") in box.inner_text()
    finally:
        context.close()
    print(f"\n[{lang}] heights at 390 px: {walk.heights}; leader's taps from the meetings "
          f"list: {taps}; leader's part {leader_seconds:.1f} s; whole journey "
          f"{time.monotonic() - started:.1f} s")

"""A family is reminded of its group's meeting and says "I can't come"; the leader sees it
(issue 12: "reminders before each meeting as for pairings").

On a 390×844 phone, in Italian and in Arabic: a family in a homework club gets the
day-before reminder, then on the day the morning one (and the next meeting's week-before
one); it opens the morning notice from its messages, taps "I can't come", and its week
shows the answer; the leader is told and the day's attendance sheet marks the family
as "said they can't come". Every page: axe-core 0 violations and no sideways scroll at
360 px (the activities journey's ``Pages``).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Activity, ActivityMembership, ActivitySlot, Neighbourhood
from mutuo_aiuto.services import hubtime
from mutuo_aiuto.services.reminders import send_due_reminders
from tests import factories
from tests.e2e.conftest import LiveServer
from tests.e2e.test_journey_activities import Pages, log_in, tap, text

pytestmark = pytest.mark.e2e

LEADER = "giulia.guida@example.org"
FAMILY = ("karim.promemoria@example.org", "Famiglia Mansour")
CLUB = "Doposcuola di quartiere"


def set_the_scene(server: LiveServer, lang: str) -> str:
    """A club meeting today (the Hub's day) at 16:00, led by Giulia, with the Mansour
    family in it; the reminders sent yesterday at 10:00 and today at 08:00. Returns
    today's date (ISO)."""
    with server.app_context():
        session = db.session
        clock = hubtime.clock()
        today = clock.today()
        place = session.scalars(select(Neighbourhood).where(
            Neighbourhood.slug == "fontivegge")).one()
        leader = factories.make_user(session, email=LEADER, name="Giulia Guida", locale=lang)
        user = factories.make_user(session, email=FAMILY[0], name="Mansour", locale=lang)
        family = factories.make_household(session, user=user, neighbourhood=place,
                                          name=FAMILY[1], languages=["it", "ar"])
        club = Activity(kind="homework_club", title=CLUB, neighbourhood=place,
                        place_kind="hub_room", place_name="Sala 2", capacity=8,
                        languages=["it", "ar"], leader=leader,
                        starts_on=today - timedelta(days=14),
                        slots=[ActivitySlot(weekday=today.weekday(), start_minute=16 * 60,
                                            end_minute=18 * 60)])
        session.add_all([club, ActivityMembership(activity=club, household=family,
                                                  status="joined")])
        session.commit()
        for day, hour in ((today - timedelta(days=1), 10), (today, 8)):
            moment = datetime.combine(day, time(hour), tzinfo=clock.tz)
            send_due_reminders(session, moment, clock)
            session.commit()
        return today.isoformat()


@pytest.mark.parametrize("viewport", ["phone"])
@pytest.mark.parametrize("lang", ["it", "ar"])
def test_a_family_is_reminded_says_it_cannot_come_and_the_leader_sees_it(
        browsing, live_server, shoot, lang):
    server = live_server
    today = set_the_scene(server, lang)
    pages = Pages(shoot, f"meeting-reminders-{lang}")
    t = lambda msgid, **values: text(server, lang, msgid, **values)  # noqa: E731

    # Three reminders in its messages: the day before, this morning, next week's.
    family = log_in(browsing, lang, FAMILY[0], pages)
    family.goto("/inbox")
    pages.look(family, "inbox-reminders")
    shown = family.locator("main").inner_text()
    for title in ("Tomorrow: “%(activity)s”", "Today: “%(activity)s”",
                  "In a few days: “%(activity)s”"):
        assert t(title, activity=CLUB) in shown
    taps: list[int] = []
    morning = family.locator("li.message", has_text=t("Today: “%(activity)s”", activity=CLUB))
    with family.expect_navigation():
        morning.get_by_role("button", name=t("Open")).click()
    taps.append(1)
    pages.look(family, "meeting-notice")
    assert family.get_by_role("heading", name=t("Your group's meeting")).is_visible()
    tap(family, "button", t("I can't come"), taps)
    pages.look(family, "meeting-cannot-come")
    assert t("Thank you: we told the group's leader.") in family.locator("main").inner_text()

    # Its week shows the answer.
    family.goto("/week")
    pages.look(family, "week-answered")
    day = family.locator(f"li.week-day:has(time[datetime='{today}'])")
    assert t("You said: I can't come") in day.inner_text()

    # The leader is told and the day's attendance sheet marks the family.
    leader = log_in(browsing, lang, LEADER, pages)
    leader.goto("/inbox")
    pages.look(leader, "leader-inbox")
    assert t("%(family)s can't come to “%(activity)s”", family=FAMILY[1], activity=CLUB) in (
        leader.locator("main").inner_text())
    with server.app_context():
        club = db.session.scalars(select(Activity).where(Activity.title == CLUB)).one()
        sheet_url = f"/groups/{club.public_id}/meetings/{today}"
    leader.goto(sheet_url)
    pages.look(leader, "attendance-sheet")
    assert t("%(name)s (said they can't come)", name=FAMILY[1]) in (
        leader.locator("main").inner_text())
    print(f"\n[meeting reminders journey {lang}] taps from the messages to \"I can't come\": "
          f"{len(taps)}; page heights at 390×844: "
          + ", ".join(f"{name} {px}px" for name, px in pages.heights.items()))
    assert not pages.problems, pages.problems

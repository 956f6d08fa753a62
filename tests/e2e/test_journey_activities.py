"""A homework club fills, a family waits and moves up, a self-help group stays private
(issue 12).

On a 390×844 phone, in Italian and in Arabic: an association's coordinator posts a
weekly homework club with one place; a family finds it from its own page, signs up
and sees it in its week and in its calendar feed; a second family lands on the
waiting list and moves up when the first leaves; a third family asks to join a
confidential self-help group: the coordinator of another association does not see
it, the facilitator does.

Driven by labels and visible text, each in the page's language (read from the
app's own catalogues). Every page: axe-core 0 violations and no sideways scroll at
360 px. Heights, taps and times are printed (``-s``) for the report.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import (
    Activity,
    ActivityMembership,
    ActivitySlot,
    Association,
    AssociationCoordinator,
    Neighbourhood,
    User,
)
from mutuo_aiuto.services.calendar_feed import ensure_calendar_token
from tests import factories
from tests.e2e import checks, steps
from tests.e2e.conftest import LiveServer, axe_check

pytestmark = pytest.mark.e2e

COORDINATOR = "marta.coordinatrice@example.org"
OTHER_COORDINATOR = "paolo.altra@example.org"
FAMILIES = {"first": ("amina.club@example.org", "Famiglia Haddad"),
            "second": ("ioana.club@example.org", "Famiglia Popescu"),
            "third": ("lucia.ama@example.org", "Famiglia Bianchi")}
CLUB = "Doposcuola del mercoledì"
SELF_HELP = "Genitori che si separano"
NOTE = "Ci stiamo separando e i bambini ne soffrono."


def text(server: LiveServer, lang: str, msgid: str, **values: Any) -> str:
    with server.app.test_request_context(), force_locale(lang):
        return str(gettext(msgid, **values))


def set_the_scene(server: LiveServer, lang: str) -> None:
    """Two approved associations with a coordinator each, three families in Fontivegge, and
    the first association's confidential self-help group (led by its coordinator)."""
    with server.app_context():
        session = db.session
        place = session.scalars(select(Neighbourhood).where(
            Neighbourhood.slug == "fontivegge")).one()
        coordinators = []
        for email, name, association in (
                (COORDINATOR, "Marta Coordinatrice", "Famiglie Insieme APS"),
                (OTHER_COORDINATOR, "Paolo Altri", "Oratorio San Paolo")):
            user = factories.make_user(session, email=email, name=name, locale=lang)
            row = Association(name=association, status="approved")
            session.add(row)
            session.flush()
            session.add(AssociationCoordinator(association=row, user=user))
            coordinators.append((user, row))
        for email, family in FAMILIES.values():
            user = factories.make_user(session, email=email, name=family.split()[-1],
                                       locale=lang)
            factories.make_household(session, user=user, neighbourhood=place, name=family,
                                     languages=["it", "ar"])
        leader, association = coordinators[0]
        session.add(Activity(
            association=association, kind="self_help", title=SELF_HELP, neighbourhood=place,
            place_kind="hub_room", place_name="Sala 3", capacity=8, languages=["it"],
            admission="by_request", confidential=True, leader=leader,
            starts_on=date.today(),
            slots=[ActivitySlot(weekday=3, start_minute=18 * 60, end_minute=19 * 60 + 30)]))
        session.scalars(select(User).where(
            User.email == server.reference["facilitator"])).one().locale = lang
        session.commit()


class Pages:
    """Checks every page a journey passes and keeps what was measured."""

    def __init__(self, shoot: Any, journey: str) -> None:
        self.shoot, self.journey, self.shot = shoot, journey, 0
        self.heights: dict[str, int] = {}
        self.problems: list[str] = []
        self.taps: dict[str, int] = {}

    def look(self, page: Any, name: str) -> None:
        self.heights[name] = int(page.evaluate("document.documentElement.scrollHeight"))
        self.shot += 1
        self.shoot(page, self.journey, f"{self.shot:02d}-{name}")
        axe_check(page)
        self.problems += [f"{name}: touch target under 24 px: {target}"
                          for target in checks.small_targets(page)]
        page.set_viewport_size({"width": checks.PHONE_WIDTH, "height": 844})
        overflow = checks.horizontal_overflow(page)
        page.set_viewport_size({"width": 390, "height": 844})
        if overflow:
            self.problems.append(f"{name}: {overflow}px of sideways scroll at 360 px")


def log_in(browsing: Any, lang: str, email: str, pages: Pages) -> Any:
    page = browsing.new_page(lang)
    steps.log_in(page, email, pages.look)
    return page


def tap(page: Any, role: str, name: str, taps: list[int]) -> None:
    with page.expect_navigation():
        page.get_by_role("main").get_by_role(role, name=name, exact=True).first.click()
    taps.append(1)


def membership_status(server: LiveServer, family: str) -> str:
    with server.app_context():
        return db.session.scalars(
            select(ActivityMembership.status).join(ActivityMembership.household)
            .join(ActivityMembership.activity)
            .where(Activity.title == CLUB,
                   ActivityMembership.household.has(name=family))).one()


@pytest.mark.parametrize("viewport", ["phone"])
@pytest.mark.parametrize("lang", ["it", "ar"])
def test_a_club_fills_a_family_moves_up_and_a_self_help_group_stays_private(
        browsing, live_server, shoot, lang):
    server = live_server
    set_the_scene(server, lang)
    pages = Pages(shoot, f"activities-{lang}")
    started = time.monotonic()
    t = lambda msgid, **values: text(server, lang, msgid, **values)  # noqa: E731

    # The coordinator posts a weekly homework club with one place.
    coordinator = log_in(browsing, lang, COORDINATOR, pages)
    coordinator.goto("/activities")
    pages.look(coordinator, "activities")
    post_taps: list[int] = []
    tap(coordinator, "link", t("Post an activity"), post_taps)
    pages.look(coordinator, "activity-form")
    coordinator.get_by_label(t("Homework club")).check()
    coordinator.get_by_label(t("Title")).fill(CLUB)
    steps.fill_weekly_row(coordinator, steps.Post(title=CLUB, weekdays=(2,), start="16:00",
                                                  end="18:00"))
    coordinator.get_by_label(t("Neighbourhood")).select_option(label="Fontivegge")
    coordinator.get_by_label(t("Name of the place")).fill("Sala 2")
    coordinator.get_by_label(t("How many families at most")).fill("1")
    # Each field touched above: the kind, title, day, from, to, neighbourhood, place, places.
    post_taps += [1] * 8
    tap(coordinator, "button", t("Publish the activity"), post_taps)
    pages.look(coordinator, "club-published")
    assert coordinator.get_by_role("heading", name=CLUB).is_visible()
    club_url = coordinator.url

    # The first family finds it from its own page and signs up.
    first = log_in(browsing, lang, FAMILIES["first"][0], pages)
    first.goto("/family")
    pages.look(first, "family-page")
    near = first.locator("section.groups-near")
    assert near.get_by_role("heading", name=t("Groups near you")).is_visible()
    find_taps: list[int] = []
    with first.expect_navigation():
        near.get_by_role("link", name=CLUB).click()
    find_taps.append(1)
    pages.look(first, "club-page")
    tap(first, "button", t("Sign up"), find_taps)
    pages.look(first, "club-joined")
    assert t("Your family takes part.") in first.locator("main").inner_text()
    assert membership_status(server, FAMILIES["first"][1]) == "joined"

    # …sees it in its week and its calendar feed.
    today = date.today()
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7)
    first.goto(f"/week?start={wednesday.isoformat()}")
    pages.look(first, "week")
    day = first.locator(f"li.week-day:has(time[datetime='{wednesday.isoformat()}'])")
    assert CLUB in day.inner_text() and "16:00" in day.inner_text()
    with server.app_context():
        user = db.session.scalars(select(User).where(
            User.email == FAMILIES["first"][0])).one()
        token = ensure_calendar_token(db.session, user)
        db.session.commit()
    feed = first.request.get(f"/calendar/{token}.ics").text()
    assert f"SUMMARY:{CLUB}" in feed and "BYDAY=WE" in feed

    # The second family: full, so the waiting list.
    second = log_in(browsing, lang, FAMILIES["second"][0], pages)
    second.goto(club_url)
    pages.look(second, "club-full")
    tap(second, "button", t("Join the waiting list"), [])
    pages.look(second, "club-waiting")
    assert t("Your family is on the waiting list.") in second.locator("main").inner_text()

    # The first family leaves: the second moves up by itself and is told.
    first.goto(club_url)
    tap(first, "button", t("Leave the group"), [])
    pages.look(first, "club-left")
    assert membership_status(server, FAMILIES["second"][1]) == "joined"
    second.goto(club_url)
    pages.look(second, "club-moved-up")
    assert t("Your family takes part.") in second.locator("main").inner_text()
    second.goto("/inbox")
    pages.look(second, "inbox-moved-up")
    assert t("A place is free for you in “%(activity)s”", activity=CLUB) in (
        second.locator("main").inner_text())

    # The third family asks to join the confidential self-help group.
    third = log_in(browsing, lang, FAMILIES["third"][0], pages)
    third.goto("/activities")
    with third.expect_navigation():
        third.get_by_role("link", name=SELF_HELP).click()
    pages.look(third, "self-help-page")
    third.get_by_label(t("A few words for the leader (optional)")).fill(NOTE)
    tap(third, "button", t("Ask to join"), [])
    pages.look(third, "self-help-asked")

    # Another association's coordinator does not see who asked; the facilitator does.
    other = log_in(browsing, lang, OTHER_COORDINATOR, pages)
    other.goto("/activities")
    with other.expect_navigation():
        other.get_by_role("link", name=SELF_HELP).click()
    pages.look(other, "self-help-other-coordinator")
    shown = other.locator("main").inner_text()
    assert FAMILIES["third"][1] not in shown and NOTE not in shown
    facilitator = log_in(browsing, lang, server.reference["facilitator"], pages)
    facilitator.goto(other.url)
    pages.look(facilitator, "self-help-facilitator")
    shown = facilitator.locator("main").inner_text()
    assert FAMILIES["third"][1] in shown and NOTE in shown

    seconds = time.monotonic() - started
    print(f"\n[activities journey {lang}] {seconds:.1f} s; taps: posting the club "
          f"{len(post_taps)} (8 fields, 2 links and buttons), "
          f"finding and joining from the family page {len(find_taps)}; page heights at "
          "390×844: " + ", ".join(f"{name} {px}px" for name, px in pages.heights.items()))
    assert not pages.problems, pages.problems

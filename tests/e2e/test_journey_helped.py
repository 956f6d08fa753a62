"""Being helped and closing (issue 11), on a 390×844 phone in Italian and in Arabic.

A family whose helper accepted sees, on her request, where it stands in plain
words with the helper's name and phone; she opens the pairing; the week says who
comes, and whom the helper goes to. The helper
records 12,5 hours (12.5 in Arabic) and sees them written the page's way, then
says "something is wrong"; the family says "it's done". The facilitator reads
both on the close page (prefilled with the hours) and closes; both sides get
the message asking how it went and leave their feedback from its link. Every
page: no sideways scroll at 360 px, axe-core 0 violations; heights and times
are printed for the report.
"""

from __future__ import annotations

import dataclasses
import re
import time
from datetime import timedelta
from typing import Any

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Match, MatchReport, Notification
from tests.e2e import checks, scene, steps
from tests.e2e.conftest import LiveServer, axe_check

pytestmark = pytest.mark.e2e

PHONE = "+39 333 765 4321"


@pytest.fixture
def viewport() -> str:
    """This journey is the phone's (the facilitator's close page is checked there too)."""
    return "phone"


def say(server: LiveServer, lang: str, msgid: str, **values: Any) -> str:
    """A text as the app writes it in ``lang``."""
    with server.app_context(), force_locale(lang):
        return gettext(msgid, **values)


class Walk:
    """Checks every page passed: axe, no sideways scroll at 360 px, and its height."""

    def __init__(self, shoot: Any, lang: str) -> None:
        self.shoot, self.lang = shoot, lang
        self.heights: dict[str, int] = {}

    def seen(self, page: Any, name: str) -> None:
        axe_check(page)
        page.set_viewport_size({"width": 360, "height": 844})
        overflow = checks.horizontal_overflow(page)
        page.set_viewport_size({"width": 390, "height": 844})
        assert overflow == 0, f"{name} scrolls sideways by {overflow}px at 360 px"
        self.heights[name] = int(page.evaluate("document.documentElement.scrollHeight"))
        self.shoot(page, f"helped-{self.lang}", name)


def click_link(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=name, exact=True).first.click()


def click_button(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).first.click()


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_being_helped_and_closing(browsing, live_server, shoot, lang):
    started = time.monotonic()
    server = live_server
    walk = Walk(shoot, lang)
    mother = dataclasses.replace(steps.MOTHER, locale=lang)
    volunteer = dataclasses.replace(steps.VOLUNTEER, locale=lang)
    with server.app_context():
        from mutuo_aiuto.web.helpers import hub_clock

        today = hub_clock().today()
    monday = today + timedelta(days=7 - today.weekday())
    match_id = scene.accepted_pairing(server, mother, volunteer, monday, PHONE)
    t = lambda msgid, **v: say(server, lang, msgid, **v)  # noqa: E731

    # ---- the family: her request in plain words, the helper's name and phone ----------
    family = browsing.new_page(lang)
    steps.log_in(family, mother.email)
    family.goto("/needs")
    walk.seen(family, "01-my-requests")
    click_link(family, steps.SCHOOL_RUN.title)
    walk.seen(family, "02-request")
    status = family.locator(".standing").inner_text()
    assert volunteer.family in status and "333 765 4321" in status  # the national format
    with server.app_context(), force_locale(lang):
        from mutuo_aiuto.services.standing import long_day

        assert long_day(monday) in status
    assert t("Agree the details together. When the help is over, or if something is wrong, "
             "tell us on the pairing's page.") in status
    click_link(family, t("Open the pairing"))
    walk.seen(family, "03-pairing-family")
    assert family.url.endswith(f"/matches/{match_id}")
    family.goto(f"/week?start={monday.isoformat()}")
    walk.seen(family, "03b-week-family")
    assert t("%(name)s comes", name=volunteer.family) in family.content()

    # ---- the helper: hours for this month, written the page's way ---------------------
    helper = browsing.new_page(lang)
    steps.log_in(helper, volunteer.email)
    helper.goto(f"/week?start={monday.isoformat()}")
    walk.seen(helper, "04a-week-helper")
    assert t("You go to %(name)s", name=mother.family) in helper.content()
    helper.goto(f"/matches/{match_id}")
    walk.seen(helper, "04-pairing-helper")
    click_link(helper, t("Record the hours month by month"))
    walk.seen(helper, "05-hours")
    typed = "12,5" if lang == "it" else "12.5"
    helper.get_by_label(t("Hours of help in that month")).fill(typed)
    click_button(helper, t("Save the hours"))
    walk.seen(helper, "06-hours-saved")
    table = helper.locator("table.hours-table").inner_text()
    assert typed in table and ("12.5" not in table if lang == "it" else True)
    with server.app_context():
        assert db.session.scalars(select(Match)).one().hours == 12.5

    # ---- the helper: something is wrong (for the facilitators only) -------------------------
    click_link(helper, t("Back to the pairing"))
    click_link(helper, t("Something is wrong"))
    walk.seen(helper, "07-something-wrong")
    helper.get_by_label(t("What is wrong?")).fill("Il martedì la scuola esce prima")
    click_button(helper, t("Send to the Hub"))
    walk.seen(helper, "08-pairing-after-problem")

    # ---- the family: it's done, after a confirmation ----------------------------------------
    family.goto(f"/matches/{match_id}")
    assert "Il martedì la scuola esce prima" not in family.content()
    click_link(family, t("It's done"))
    walk.seen(family, "09-is-it-over")
    click_button(family, t("Yes, the help is over"))
    walk.seen(family, "10-pairing-done-reported")
    with server.app_context():
        reports = db.session.scalars(select(MatchReport)).all()
        assert {(r.side, r.kind) for r in reports} == {("helper", "problem"),
                                                       ("family", "done")}

    # ---- the facilitator: reads both, closes with an outcome ---------------------------------
    staff = browsing.new_page("it")
    steps.log_in(staff, scene.FACILITATOR_EMAIL)
    staff.goto(f"/matches/{match_id}/close")
    walk.seen(staff, "11-close")
    assert "Il martedì la scuola esce prima" in staff.content()
    assert staff.get_by_label(say(server, "it", "Hours of help given in all")).input_value() == (
        "12,5")
    staff.get_by_label(say(server, "it", "Resolved: the need was met")).check()
    click_button(staff, say(server, "it", "Close the match"))

    # ---- both sides: the message and its feedback link ---------------------------------------
    with server.app_context():
        told = db.session.scalars(select(Notification.user_id).where(
            Notification.kind == "match_closed")).all()
        assert len(told) == 2
    for page, person in ((family, mother), (helper, volunteer)):
        mail = server.last_mail_to(person.email)
        links = re.findall(r"https?://\S+/matches/\S+/feedback", mail)
        assert links, mail
        page.goto(f"/matches/{match_id}")
        walk.seen(page, f"12-closed-pairing-{person.locale}-{person.family.split()[-1]}")
        click_link(page, t("Tell us how it went"))
        walk.seen(page, f"13-feedback-{person.family.split()[-1]}")
        page.locator('input[name="rating"][value="5"]').check()
        click_button(page, t("Send"))
    with server.app_context():
        match = db.session.scalars(select(Match)).one()
        assert (match.status, match.family_rating, match.helper_rating) == ("closed", 5, 5)
    family.goto("/needs")
    walk.seen(family, "14-my-requests-closed")
    assert t("This request is closed: the help is over.") in family.content()
    elapsed = time.monotonic() - started
    print(f"\n[helped {lang}] {elapsed:.1f}s; heights: {walk.heights}")

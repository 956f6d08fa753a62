"""A new volunteer's childcare offer waits for, then passes, the Hub's check (issue 11).

On a 390×844 phone, in Italian and in Arabic: the volunteer opens the offer
form, reads that childcare needs the Hub's check and where and when to bring
the certificate, posts the offer and sees it waiting for the check. A
facilitator runs the matcher, reads on the page of requests without a
proposal that a helper could help but waits for the check, follows the link
to the waiting list and records the check. The volunteer sees the check
passed; the facilitator runs the matcher again and the volunteer is proposed
for the family's childcare request.

Driven by labels and visible text, each in the page's language (read from the
app's own catalogues). Every page: axe-core 0 violations and no sideways
scroll at 360 px. Heights and times are printed (``-s``) for the report.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest
from babel import Locale
from flask_babel import force_locale, format_date, gettext, ngettext
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Category, NeedSlot, Neighbourhood, Proposal, User
from mutuo_aiuto.services import hub_desk
from tests import factories
from tests.e2e import checks, steps
from tests.e2e.conftest import LiveServer, axe_check

pytestmark = pytest.mark.e2e

VOLUNTEER = steps.Person(name="Ioana Popescu", email="ioana.vetting@example.org", locale="it",
                         family="Famiglia Popescu", languages=("ro", "it", "ar"))
FAMILY = steps.Person(name="Amina Haddad", email="amina.vetting@example.org", locale="it",
                      family="Famiglia Haddad", languages=("ar", "it"))
CHILDCARE_NEED = "Qualcuno per Yasmine il martedì"
OFFER = steps.Post(title="Pomeriggi con i bambini", weekdays=(1, 3), start="15:00",
                   end="19:00", skills=("babysitting",), category="childcare")
CHILDCARE_NAMES = {"it": "Cura dei bambini", "en": "Childcare", "ar": "رعاية الأطفال"}
BABYSITTING_NAMES = {"it": "Badare ai bambini", "en": "Looking after children",
                     "ar": "الاعتناء بالأطفال"}


def text(server: LiveServer, lang: str, msgid: str, **values: Any) -> str:
    """``msgid`` as the app shows it in ``lang``."""
    with server.app.test_request_context(), force_locale(lang):
        return str(gettext(msgid, **values))


def set_the_scene(server: LiveServer, lang: str) -> None:
    """Childcare (only helpers with the Hub's check), the family's request, the volunteer's
    account and household (sign-up is another journey)."""
    with server.app_context():
        session = db.session
        place = session.scalars(select(Neighbourhood).where(
            Neighbourhood.slug == "fontivegge")).one()
        childcare = factories.make_category(
            session, slug="childcare", name=CHILDCARE_NAMES["it"], icon="care",
            requires_vetted=True, translations={k: v for k, v in CHILDCARE_NAMES.items()
                                                if k != "it"})
        babysitting = factories.make_skill(
            session, slug="babysitting", name=BABYSITTING_NAMES["it"], category=childcare,
            translations={k: v for k, v in BABYSITTING_NAMES.items() if k != "it"})
        for person in (VOLUNTEER, FAMILY):
            user = factories.make_user(session, email=person.email, name=person.name,
                                       locale=lang)
            household = factories.make_household(session, user=user, neighbourhood=place,
                                                 name=person.family,
                                                 languages=list(person.languages))
        factories.make_need(session, household=household, category=childcare,
                            skills=[babysitting], title=CHILDCARE_NEED, requires_vetted=True,
                            languages=["ar", "it"],
                            slots=[NeedSlot(weekday=1, start_minute=16 * 60,
                                            end_minute=18 * 60)])
        # The facilitator reads the pages in the journey's language too.
        session.scalars(select(User).where(
            User.email == server.reference["facilitator"])).one().locale = lang
        session.commit()


class Pages:
    """Checks every page a journey passes and keeps what was measured."""

    def __init__(self, shoot: Any, journey: str) -> None:
        self.shoot, self.journey, self.shot = shoot, journey, 0
        self.heights: dict[str, int] = {}
        self.problems: list[str] = []

    def look(self, page: Any, name: str) -> None:
        self.heights[name] = int(page.evaluate("document.documentElement.scrollHeight"))
        self.shot += 1
        self.shoot(page, self.journey, f"{self.shot:02d}-{name}")
        axe_check(page)
        page.set_viewport_size({"width": checks.PHONE_WIDTH, "height": 844})
        overflow = checks.horizontal_overflow(page)
        page.set_viewport_size({"width": 390, "height": 844})
        if overflow:
            self.problems.append(f"{name}: {overflow}px of sideways scroll at 360 px")


def log_in(page: Any, server: LiveServer, lang: str, email: str, pages: Pages) -> None:
    page.goto("/login")
    pages.look(page, "login")
    page.get_by_label(text(server, lang, "Email")).fill(email)
    page.get_by_label(text(server, lang, "Password"), exact=True).fill(steps.PASSWORD)
    steps.submit(page)


def run_matcher(page: Any, server: LiveServer, lang: str, pages: Pages, name: str) -> None:
    page.goto("/facilitator")
    with page.expect_navigation():
        page.get_by_role("button", name=text(server, lang, "Run the matcher now")).click()
    pages.look(page, name)


@pytest.mark.parametrize("viewport", ["phone"])
@pytest.mark.parametrize("lang", ["it", "ar"])
def test_a_childcare_offer_waits_for_and_passes_the_hubs_check(browsing, live_server, shoot,
                                                               lang):
    server = live_server
    set_the_scene(server, lang)
    pages = Pages(shoot, f"vetting-{lang}")
    started = time.monotonic()
    t = lambda msgid, **values: text(server, lang, msgid, **values)  # noqa: E731

    # The volunteer: the offer form says which help needs the check, and how to get it.
    volunteer = browsing.new_page(lang)
    log_in(volunteer, server, lang, VOLUNTEER.email, pages)
    volunteer.goto("/offers")
    pages.look(volunteer, "offers-empty")
    with volunteer.expect_navigation():
        volunteer.get_by_role("main").get_by_role("link", name=t("Offer help")).first.click()
    pages.look(volunteer, "offer-form")
    notice = volunteer.locator("[data-check=notice]")
    assert notice.get_by_role("heading", name=t("Some help needs the Hub's check")).is_visible()
    assert CHILDCARE_NAMES[lang] in notice.inner_text()
    assert "certificato del casellario giudiziale" in notice.inner_text()
    settings = server.app.config["SETTINGS"]
    assert settings.hub_address in notice.inner_text()
    with server.app.test_request_context(), force_locale(lang):
        hours = hub_desk.hours_lines(hub_desk.parse_hours(settings.hub_hours), Locale(lang))
    assert hours and all(line in notice.inner_text() for line in hours)

    volunteer.get_by_label(t("Title")).fill(OFFER.title)
    volunteer.get_by_label(BABYSITTING_NAMES[lang]).check()
    steps.fill_weekly_row(volunteer, OFFER)
    volunteer.get_by_label(t("Until when")).fill(OFFER.ends_on.isoformat())
    with volunteer.expect_navigation():
        volunteer.get_by_role("button", name=t("Publish the offer")).click()
    pages.look(volunteer, "offer-waiting")
    waiting = volunteer.locator("[data-check=waiting]")
    assert t("Waiting for the Hub's check") in waiting.inner_text()
    assert settings.hub_address in waiting.inner_text()
    offer_url = volunteer.url

    # The facilitator: the request's reason names the helper waiting, with a link.
    facilitator = browsing.new_page(lang)
    log_in(facilitator, server, lang, server.reference["facilitator"], pages)
    run_matcher(facilitator, server, lang, pages, "dashboard-before")
    facilitator.goto("/facilitator/unmatched")
    pages.look(facilitator, "unmatched")
    with server.app.test_request_context(), force_locale(lang):
        reason = str(ngettext("%(num)d helper could help but is waiting for the Hub's check",
                              "%(num)d helpers could help but are waiting for the Hub's check",
                              1))
    card = facilitator.locator("main li.card").filter(has_text=CHILDCARE_NEED)
    assert reason in card.inner_text()
    with facilitator.expect_navigation():
        card.get_by_role("link", name=t("Helpers waiting for the Hub's check")).click()
    pages.look(facilitator, "waiting-list")
    helper = facilitator.locator("[data-waiting] li.card").filter(has_text=VOLUNTEER.family)
    assert OFFER.title in helper.inner_text()
    with facilitator.expect_navigation():
        helper.get_by_role("link", name=t("Record the check of %(name)s",
                                          name=VOLUNTEER.family)).click()
    pages.look(facilitator, "record-check")
    today = date.today()
    facilitator.get_by_label(t("Day you saw the certificate")).fill(today.isoformat())
    facilitator.get_by_label(t("Day the certificate expires")).fill(
        (today + timedelta(days=180)).isoformat())
    with facilitator.expect_navigation():
        facilitator.get_by_role("button", name=t("Record the vetting")).click()
    pages.look(facilitator, "check-recorded")
    facilitator.goto("/vetting")
    assert facilitator.locator("[data-waiting]").count() == 0

    # The volunteer sees the check passed.
    volunteer.goto(offer_url)
    pages.look(volunteer, "offer-checked")
    passed = volunteer.locator("[data-check=valid]").inner_text()
    with server.app.test_request_context(), force_locale(lang):
        until = format_date(today + timedelta(days=180), "medium")
    assert until in passed

    # And is proposed for the family's childcare request.
    run_matcher(facilitator, server, lang, pages, "dashboard-after")
    # The queue's row opens the request, whose page shows the matcher's choice.
    steps.open_request(facilitator, FAMILY.family)
    pages.look(facilitator, "request-after")
    assert VOLUNTEER.family in steps.proposal_for(facilitator, CHILDCARE_NEED).inner_text()
    with server.app_context():
        proposal = db.session.scalars(select(Proposal).where(Proposal.rank == 1)).one()
        assert proposal.offer.household.name == VOLUNTEER.family
        assert db.session.scalars(select(Category).where(
            Category.slug == "childcare")).one().requires_vetted

    seconds = time.monotonic() - started
    print(f"\n[vetting journey {lang}] {seconds:.1f} s; page heights at 390×844: "
          + ", ".join(f"{name} {px}px" for name, px in pages.heights.items()))
    assert not pages.problems, pages.problems

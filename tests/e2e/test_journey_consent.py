"""Consent before contacts, in the browser (issue 11), on a 390×844 phone in Italian and
Arabic: a facilitator confirms (the matcher's choice, or an alternative through the same
confirmation page); the helper decides on a page without the family's name, contacts,
address or words; once they accept, both sides see names and contacts, and the family's
address only where the help happens at home. Every page: axe-core 0 violations and no
sideways scroll at 360 px, with 60-character email addresses in the contact boxes.

Driven by labels and visible text in the page's language (the catalogue's own strings).
The measured heights, taps and seconds are printed (``-s``) for the issue's closing note.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Household, Match, MatchingRun, Member, Need, Offer, Proposal
from tests import factories
from tests.e2e import checks, scene, steps
from tests.e2e.conftest import LiveServer, axe_violations, describe_violations

pytestmark = pytest.mark.e2e


def sixty(local: str) -> str:
    """An email address of exactly 60 characters: the contact box must wrap it."""
    domain = "@posta.example.org"
    address = (local + "." + "x" * 60)[:60 - len(domain)] + domain
    assert len(address) == 60
    return address


MOTHER_PHONE, HELPER_PHONE = "+39 333 111 2222", "+39 333 999 8888"
# As the pages show them: Italian numbers in the national format (issue 16).
MOTHER_SHOWN, HELPER_SHOWN = "333 111 2222", "333 999 8888"
MOTHER_ADDRESS, HELPER_ADDRESS = "Via del Macello 3, Perugia", "Via dei Priori 40, Perugia"
FAMILY_WORDS = "Yasmine esce alle 8 dalla scuola Comparozzi"
OTHER = steps.Person(name="Marco Bianchi", email="marco@example.org", locale="it",
                     family="Famiglia Bianchi")


SERVER: list[LiveServer] = []


def text(lang: str, message: str, **values: Any) -> str:
    """A string of the catalogue as the page shows it in ``lang`` (the test's server)."""
    with SERVER[-1].app_context(), force_locale(lang):
        return gettext(message, **values)


class Walk:
    """One person's pages: axe-core and the 360 px width on each, the height, the taps."""

    def __init__(self, page: Any, shoot: Any, journey: str) -> None:
        self.page, self.shoot, self.journey = page, shoot, journey
        self.problems: list[str] = []
        self.heights: dict[str, int] = {}
        self.taps = 0

    def tap(self, locator: Any) -> None:
        with self.page.expect_navigation():
            locator.click()
        self.taps += 1

    def look(self, name: str) -> None:
        page = self.page
        self.shoot(page, self.journey, name)
        self.heights[name] = int(page.evaluate("document.documentElement.scrollHeight"))
        violations = axe_violations(page)
        if violations:
            self.problems.append(f"{name}: axe-core\n{describe_violations(violations)}")
        page.set_viewport_size({"width": checks.PHONE_WIDTH, "height": 844})
        try:
            overflow = checks.horizontal_overflow(page)
            if overflow:
                self.problems.append(f"{name}: {overflow} px of sideways scroll at 360 px")
        finally:
            page.set_viewport_size({"width": 390, "height": 844})


def log_in(walk: Walk, lang: str, email: str) -> None:
    page = walk.page
    page.goto("/login")
    walk.look("login")
    page.get_by_label(text(lang, "Email")).fill(email)
    page.get_by_label(text(lang, "Password")).fill(steps.PASSWORD)
    walk.tap(page.get_by_role("button", name=text(lang, "Log in")))


def set_up(server: LiveServer, lang: str, *, alternative: bool, at_home: bool
           ) -> tuple[steps.Person, steps.Person]:
    """The mother's request and the volunteer's offer (and, for the alternative path,
    another helper's offer proposed first), long emails, distinct contacts, a child of 7."""
    mother = replace(steps.MOTHER, locale=lang, email=sixty("amina.haddad"))
    volunteer = replace(steps.VOLUNTEER, locale=lang, email=sixty("ioana.popescu"))
    scene.set_the_scene(server, mother=mother, volunteer=volunteer)
    with server.app_context():
        session = db.session
        need = session.scalars(select(Need)).one()
        offer = session.scalars(select(Offer)).one()
        need.at_home, need.description = at_home, FAMILY_WORDS
        family, helper = need.household, offer.household
        family.phone, family.address = MOTHER_PHONE, MOTHER_ADDRESS
        helper.phone, helper.address = HELPER_PHONE, HELPER_ADDRESS
        family.members = [Member(kind="child", first_name="Yasmine",
                                 birth_year=time.localtime().tm_year - 7)]
        run = MatchingRun(kind="manual")
        session.add(run)
        offers = [offer]
        if alternative:  # another helper's offer is the matcher's choice
            other = factories.make_household(
                session, user=factories.make_user(session, email=OTHER.email, name=OTHER.name),
                neighbourhood=family.neighbourhood, name=OTHER.family)
            offers.insert(0, factories.make_offer(
                session, household=other, skills=list(offer.skills), title="Mattine libere",
                ends_on=offer.ends_on, languages=list(offer.languages),
                slots=[type(slot)(weekday=slot.weekday, start_minute=slot.start_minute,
                                  end_minute=slot.end_minute) for slot in offer.slots]))
        for rank, proposed in enumerate(offers, start=1):
            session.add(Proposal(run=run, need=need, offer=proposed, rank=rank, score=50,
                                 reasons=[]))
        need.status = "proposed"
        session.commit()
    return mother, volunteer


def the_match(server: LiveServer) -> tuple[str, str]:
    with server.app_context():
        match = db.session.scalars(select(Match)).one()
        return match.status, db.session.get(Household, match.offer.household_id).name


@pytest.mark.parametrize("viewport", ["phone"])
@pytest.mark.parametrize(("lang", "alternative", "at_home"), [
    ("it", True, True), ("it", False, False), ("ar", True, False), ("ar", False, True)])
def test_consent_before_contacts(browsing, live_server, shoot, lang, alternative, at_home):
    started = time.monotonic()
    SERVER.append(live_server)
    journey = f"consent-{lang}-{'alternative' if alternative else 'choice'}"
    mother, volunteer = set_up(live_server, lang, alternative=alternative, at_home=at_home)
    with live_server.app_context():  # the kind of help, in the administrator's own words
        category = db.session.scalars(select(Need)).one().category.label(lang)

    # The facilitator (Italian) opens the confirmation step and confirms there.
    staff = Walk(browsing.new_page("it"), shoot, journey + "/facilitator")
    log_in(staff, "it", live_server.reference["facilitator"])
    staff.page.goto("/facilitator")
    staff.look("dashboard")
    staff.tap(staff.page.locator("main table.queue").get_by_role("link", name=mother.family))
    staff.look("request")
    group = staff.page.locator("main")
    button = text("it", "Take this one instead" if alternative else "Confirm this pairing")
    staff.tap(group.get_by_role("link", name=button, exact=True).first)
    staff.look("confirm-step")
    assert staff.page.get_by_role("heading", name=text("it", "What happens next")).is_visible()
    with live_server.app_context():
        assert db.session.scalars(select(Match)).first() is None, "looking confirmed it"
    staff.tap(staff.page.get_by_role("button", name=text("it", "Confirm and ask the helper")))
    staff.look("confirmed")
    assert the_match(live_server) == ("awaiting", volunteer.family)

    # The helper decides without knowing who the family is.
    helper = Walk(browsing.new_page(lang), shoot, journey + "/helper")
    log_in(helper, lang, volunteer.email)
    helper.page.goto("/inbox")
    helper.look("inbox")
    helper.tap(helper.page.get_by_role("link", name=f"{category} · Fontivegge"))
    helper.look("decision")
    decision_height = helper.heights["decision"]
    page = helper.page.content()
    for secret in (mother.family, mother.name, "Yasmine", MOTHER_SHOWN, mother.email,
                   MOTHER_ADDRESS, FAMILY_WORDS, steps.SCHOOL_RUN.title):
        assert secret not in page, f"the decision page shows {secret!r}"
    main = helper.page.locator("main")
    for needed in (category, "Fontivegge", text(lang, "Children's ages"),
                   text(lang, "Can you help a family in %(place)s?", place="Fontivegge")):
        assert needed in main.inner_text(), needed
    assert helper.page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    helper.tap(helper.page.get_by_role("button", name=text(lang, "Yes, I will help")))
    helper.look("accepted")
    shown = helper.page.locator("main").inner_text()
    for contact in (mother.family, MOTHER_SHOWN, mother.email):
        assert contact in shown, contact
    assert (MOTHER_ADDRESS in shown) is at_home
    assert the_match(live_server)[0] == "active"

    # The family sees the helper's name and contacts, never the helper's address.
    family = Walk(browsing.new_page(lang), shoot, journey + "/family")
    log_in(family, lang, mother.email)
    family.page.goto("/inbox")
    family.look("inbox")
    family.tap(family.page.locator("main").get_by_role(
        "link", name=steps.SCHOOL_RUN.title, exact=True).first)
    family.look("pairing")
    shown = family.page.locator("main").inner_text()
    for contact in (volunteer.family, HELPER_SHOWN, volunteer.email):
        assert contact in shown, contact
    assert HELPER_ADDRESS not in shown

    problems = staff.problems + helper.problems + family.problems
    assert not problems, "\n".join(problems)
    print(f"\n{journey}: {time.monotonic() - started:.1f} s; facilitator {staff.taps} taps "
          f"(login included), helper {helper.taps}, family {family.taps}; decision page "
          f"{decision_height} px, helper's contacts {helper.heights['accepted']} px, "
          f"family's pairing {family.heights['pairing']} px, confirmation step "
          f"{staff.heights['confirm-step']} px")

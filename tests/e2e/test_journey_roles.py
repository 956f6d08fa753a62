"""Who you are (issue 11), in a real browser on a 390×844 phone, in Italian and in Arabic.

A person signs up as a family (need), as a volunteer who is not a family
(give) or as both, by the labels a person reads; each lands where they should:
a family on the household form, a volunteer on "about you" and then the offer
form, never on a household. A facilitator logging in lands on the proposals
with a staff menu. On every page: axe-core finds nothing and nothing scrolls
sideways at 360 px. A member's menu fits one row on a 1280×800 laptop (measured:
every link shares one top), and the phone's Menu button shows the unread
messages. The taps and the menu's measures are printed for the report.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Household, Notification, User
from tests.e2e import checks, steps
from tests.e2e.conftest import BROWSER_LOCALES, VIEWPORTS, LiveServer, axe_check

pytestmark = pytest.mark.e2e

LANGS = ["it", "ar"]
KIND_LABEL = {"need": "I need help (for me or my family)", "give": "I can help (I volunteer)",
              "both": "Both: I need help and I can help"}
MEMBER_MENU = {
    "need": ["My family", "My requests", "My week", "Groups", "Messages", "My account"],
    "give": ["My offers", "My week", "Groups", "Messages", "My account"],
    "both": ["My family", "My requests", "My offers", "My week", "Groups", "Messages",
             "My account"],
}
FAMILY_LINKS = ["My family", "My requests", "My offers"]


@pytest.fixture
def viewport() -> str:
    """These journeys are a phone's (the laptop's menu is measured in its own context)."""
    return "phone"


class Walk:
    """One person's walk: counts taps, and checks each page (axe, no sideways scroll)."""

    def __init__(self, page: Any, server: LiveServer, lang: str, shoot: Any, journey: str):
        self.page, self.server, self.lang = page, server, lang
        self.shoot, self.journey = shoot, journey
        self.taps = 0
        self.pages: list[str] = []

    def t(self, text: str, **params: Any) -> str:
        with self.server.app.test_request_context(), force_locale(self.lang):
            return gettext(text, **params)

    def tap(self, locator: Any, navigates: bool = False) -> None:
        self.taps += 1
        if navigates:
            with self.page.expect_navigation():
                locator.click()
        else:
            locator.click()

    def type_into(self, label: str, text: str) -> None:
        field = self.page.get_by_label(self.t(label), exact=True)
        self.tap(field)
        field.fill(text)

    def check_page(self, name: str) -> None:
        page = self.page
        self.shoot(page, self.journey, name)
        axe_check(page)
        assert checks.small_targets(page) == [], name
        phone = dict(page.viewport_size)
        page.set_viewport_size({"width": checks.PHONE_WIDTH, "height": phone["height"]})
        try:
            assert checks.horizontal_overflow(page) == 0, f"{name} scrolls sideways at 360 px"
        finally:
            page.set_viewport_size(phone)
        assert page.get_attribute("html", "lang") == self.lang
        assert page.get_attribute("html", "dir") == ("rtl" if self.lang == "ar" else "ltr")
        self.pages.append(page.url)

    def heading(self) -> str:
        return self.page.locator("main h1").first.inner_text().strip()


def sign_up(walk: Walk, person: steps.Person) -> None:
    """From the home page to the page the new account lands on, by labels and taps."""
    page = walk.page
    page.goto("/")
    walk.check_page("01-home")
    walk.tap(page.locator("main").get_by_role("link", name=walk.t("Create an account")),
             navigates=True)
    walk.check_page("02-register")
    walk.tap(page.get_by_label(walk.t(KIND_LABEL[person.comes_for])))
    walk.type_into("Your name", person.name)
    walk.type_into("Email", person.email)
    walk.type_into("Password", steps.PASSWORD)
    walk.type_into("Repeat the password", steps.PASSWORD)
    # The page's language is already chosen; the privacy notice must be agreed to.
    assert page.locator("#locale").input_value() == walk.lang
    walk.tap(page.get_by_label(walk.t("I have read the privacy notice and I agree to it")))
    walk.tap(page.get_by_role("button", name=walk.t("Create the account")), navigates=True)
    walk.check_page("03-check-mailbox")
    mail = walk.server.last_mail_to(person.email)
    link = next(word for word in mail.split() if "/confirm/" in word)
    page.goto(link)  # the link in the mail: one tap in the mail app
    walk.taps += 1
    walk.check_page("04-confirm")
    walk.tap(page.get_by_role("button", name=walk.t("Confirm my address")), navigates=True)


def user_id(server: LiveServer, email: str) -> int:
    with server.app_context():
        return db.session.scalars(select(User.id).where(User.email == email)).one()


def household_of(server: LiveServer, email: str) -> dict[str, Any] | None:
    with server.app_context():
        household = db.session.scalars(
            select(Household).join(Household.user).where(User.email == email)).first()
        if household is None:
            return None
        return {"name": household.name, "members": len(household.members),
                "neighbourhood": household.neighbourhood.slug,
                "languages": sorted(household.languages), "address": household.address}


def add_unread(server: LiveServer, email: str, count: int) -> None:
    with server.app_context():
        for _ in range(count):
            db.session.add(Notification(user_id=user_id(server, email), kind="match_accepted",
                                        params={}))
        db.session.commit()


def measure_menu(browsing: Any, page: Any, url: str) -> dict[str, Any]:
    """The same session on a 1280×800 laptop: the menu's rows, its height, its links."""
    context = browsing.browser.new_context(
        viewport=VIEWPORTS["desktop"], base_url=browsing.server.url,
        locale=BROWSER_LOCALES[browsing_lang(page)], storage_state=page.context.storage_state())
    try:
        laptop = context.new_page()
        laptop.goto(url)
        boxes = laptop.eval_on_selector_all(
            ".nav-list > li", "items => items.map(li => { const b = li.getBoundingClientRect();"
            " return {top: Math.round(b.top), bottom: Math.round(b.bottom),"
            " text: li.innerText.trim()}; })")
        header = laptop.locator(".site-header").bounding_box()
        nav = laptop.locator(".nav-list").bounding_box()
        assert checks.horizontal_overflow(laptop) == 0
        return {"rows": len({box["top"] for box in boxes}), "links": [b["text"] for b in boxes],
                "menu_height": round(nav["height"]), "header_height": round(header["height"]),
                "menu_width": round(nav["width"])}
    finally:
        context.close()


def browsing_lang(page: Any) -> str:
    return page.get_attribute("html", "lang") or "it"


def check_phone_menu_count(walk: Walk, email: str) -> None:
    """Two unread messages: the phone's Menu button says so, in the page's language."""
    add_unread(walk.server, email, 2)
    walk.page.reload()
    summary = walk.page.locator(".nav-menu > summary")
    assert summary.is_visible()
    shown = summary.locator('[aria-hidden="true"]').inner_text().strip()
    assert shown == walk.t("Menu (%(num)d)", num=2)
    with walk.server.app.test_request_context(), force_locale(walk.lang):
        spoken = ngettext("Menu: %(num)d unread message", "Menu: %(num)d unread messages", 2)
    assert summary.locator(".visually-hidden").inner_text().strip() == spoken
    walk.tap(summary)
    messages = walk.page.locator(".nav-list").get_by_role(
        "link", name=walk.t("Messages (%(num)d)", num=2))
    assert messages.is_visible()
    walk.check_page("09-menu-open")
    walk.taps -= 1  # opening the menu is not part of signing up


REPORT: dict[str, Any] = {}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", ["need", "give", "both"])
def test_sign_up_lands_where_one_came_for(browsing, live_server, shoot, lang, kind):
    person = steps.Person(name={"need": "Amina Haddad", "give": "Giulia Conti",
                                "both": "Ioana Popescu"}[kind],
                          email=f"{kind}-{lang}@example.org", locale=lang,
                          family=f"Famiglia {kind}", languages=("ar", "it"), comes_for=kind)
    page = browsing.new_page(lang)
    walk = Walk(page, live_server, lang, shoot, f"roles-{kind}-{lang}")
    sign_up(walk, person)
    signed_up = walk.taps

    if kind == "give":
        # Never a household form: "about you", three fields, then the offer form.
        assert page.url.endswith("/about-you"), page.url
        assert walk.heading() == walk.t("About you")
        walk.check_page("05-about-you")
        main = page.locator("main")
        assert main.get_by_label(walk.t("Family name")).count() == 0
        assert main.get_by_text(walk.t("Tell us about your family")).count() == 0
        assert main.locator("input:not([type=hidden]), select, textarea").count() == (
            1 + len(page.locator('input[name="languages"]').all()) + 1)
        walk.tap(main.get_by_label(walk.t("Your neighbourhood")))
        main.get_by_label(walk.t("Your neighbourhood")).select_option("fontivegge")
        walk.type_into("Phone (optional)", person.phone)
        walk.tap(main.get_by_role("button", name=walk.t("Continue")), navigates=True)
        assert page.url.endswith("/offers/new"), page.url
        assert walk.heading() == walk.t("Offer help")
        walk.check_page("06-offer-form")
        assert household_of(live_server, person.email) == {
            "name": person.name, "members": 0, "neighbourhood": "fontivegge",
            "languages": ["it"], "address": None}
        for text in (walk.t("My family"), walk.t("Tell us about your family")):
            assert page.get_by_text(text, exact=True).count() == 0
    else:
        # A family: the household form, as before.
        assert page.url.endswith("/family/edit"), page.url
        assert walk.heading() == walk.t("Tell us about your family")
        walk.check_page("05-household-form")
        assert household_of(live_server, person.email) is None
    landed = walk.taps

    check_phone_menu_count(walk, person.email)
    menu = [text.strip() for text in page.locator(".nav-list > li > a").all_inner_texts()]
    expected = [walk.t(text) for text in MEMBER_MENU[kind]]
    expected[expected.index(walk.t("Messages"))] = walk.t("Messages (%(num)d)", num=2)
    assert menu == expected

    # The account page (from the open menu): what one came for, and can change.
    with page.expect_navigation():
        page.locator(".nav-list").get_by_role("link", name=walk.t("My account")).click()
    walk.check_page("10-account")
    assert page.get_by_label(walk.t(KIND_LABEL[kind])).is_checked()
    assert page.locator("main").get_by_role("link", name=walk.t("Calendar")).count() == 1

    laptop = measure_menu(browsing, page, page.url)
    assert laptop["rows"] == 1, laptop
    # …and beside the brand: the header is one row too.
    assert laptop["header_height"] <= laptop["menu_height"] + 20, laptop
    REPORT[f"{kind}-{lang}"] = {"taps_to_sign_up": signed_up, "taps_to_land": landed,
                                "laptop_menu": laptop}
    print(f"\n[roles] {kind} {lang}: {signed_up} taps to the landing page, {landed} to "
          f"{'the offer form' if kind == 'give' else 'the household form'}; laptop menu "
          f"{laptop}")


@pytest.mark.parametrize("lang", LANGS)
def test_a_facilitator_lands_on_the_proposals_with_a_staff_menu(browsing, live_server, shoot,
                                                                 lang):
    email = live_server.reference["facilitator"]
    with live_server.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        user.locale = lang
        db.session.commit()
    page = browsing.new_page(lang)
    walk = Walk(page, live_server, lang, shoot, f"roles-facilitator-{lang}")
    page.goto("/login")
    walk.check_page("01-login")
    walk.type_into("Email", email)
    walk.type_into("Password", steps.PASSWORD)
    walk.tap(page.locator("main").get_by_role("button", name=walk.t("Log in")), navigates=True)
    assert page.url.endswith("/facilitator"), page.url
    walk.check_page("02-proposals")
    assert page.url.find("/family") == -1

    add_unread(live_server, email, 1)
    page.reload()
    assert page.locator(".nav-menu > summary [aria-hidden=true]").inner_text().strip() == \
        walk.t("Menu (%(num)d)", num=1)
    menu = [text.strip() for text in page.locator(".nav-list > li > a").all_text_contents()]
    for staff in ("Proposals", "Follow-ups", "Vetting", "Erasure requests", "Impact",
                  "My account"):
        assert walk.t(staff) in menu, (staff, menu)
    for family in FAMILY_LINKS:
        assert walk.t(family) not in menu
    laptop = measure_menu(browsing, page, page.url)
    REPORT[f"facilitator-{lang}"] = {"taps_to_land": walk.taps, "laptop_menu": laptop}
    print(f"\n[roles] facilitator {lang}: {walk.taps} taps to the proposals; laptop menu "
          f"{laptop}")

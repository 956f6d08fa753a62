"""Asking for help on a phone (issue 11): from the family page, a first request in few taps.

A mother on a 390×844 phone, in Italian and in Arabic, with the Hub's thirteen
kinds of help: "Ask for help" is the first thing on her family's page; the
request form fits in two screens with "more details" closed; a first request
takes at most 8 taps besides entering the times; a form with three mistakes
shows all three at once, in the page's language, nothing typed lost. Each page
passes axe-core and does not scroll sideways at 360 px.

The measured figures are printed (``-s``) for the closing note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Category, Household, Need, User
from tests.e2e import checks, scene, steps
from tests.e2e.conftest import LiveServer, axe_check

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
TWO_SCREENS = 2 * PHONE["height"]
MAX_TAPS = 8


@dataclass
class Taps:
    """Every tap of the journey: a click, a tick, a choice, a field focused to type in."""

    count: int = 0
    log: list[str] = field(default_factory=list)

    def tap(self, locator: Any, what: str) -> None:
        locator.click()
        self.count += 1
        self.log.append(what)

    def type(self, locator: Any, text: str, what: str) -> None:
        locator.fill(text)  # focusing the field is one tap; the typing itself is not
        self.count += 1
        self.log.append(what)


def words(server: LiveServer, lang: str, *texts: str) -> list[str]:
    """The interface's words in ``lang``, as the pages say them."""
    with server.app.test_request_context(), force_locale(lang):
        return [gettext(text) for text in texts]


def page_height(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


def check_page(page: Any, problems: list[str]) -> None:
    """axe-core finds nothing, no target under 24 px, no sideways scrolling 360 px wide."""
    axe_check(page)
    problems.extend(f"{page.url}: touch target under 24 px: {target}"
                    for target in checks.small_targets(page))
    page.set_viewport_size({"width": checks.PHONE_WIDTH, "height": PHONE["height"]})
    overflow = checks.horizontal_overflow(page)
    if overflow:
        problems.append(f"{page.url}: {overflow} px of sideways scrolling at 360 px")
    page.set_viewport_size(PHONE)


def mother(lang: str) -> steps.Person:
    return steps.Person(**{**steps.MOTHER.__dict__, "locale": lang})


def kind_name(server: LiveServer, slug: str, lang: str) -> str:
    with server.app_context():
        category = db.session.scalars(select(Category).where(Category.slug == slug)).one()
        return category.label(lang)


def needs_of(server: LiveServer, email: str) -> list[Need]:
    with server.app_context():
        rows = list(db.session.scalars(
            select(Need).join(Need.household).join(Household.user).where(User.email == email)
            .order_by(Need.id)))
        for need in rows:
            _ = (need.skills, need.slots, need.category, need.neighbourhood)
            db.session.expunge(need)
        return rows


@pytest.fixture
def viewport() -> str:
    return "phone"


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_a_first_request_from_the_family_page(browsing, live_server, shoot, lang):
    scene.add_demo_catalogue(live_server)
    page = browsing.new_page(lang)
    person = mother(lang)
    steps.register(page, person, mailbox=live_server.last_mail_to)
    steps.fill_household(page, person)
    problems: list[str] = []
    ask, in_a_few_words, publish, more = words(
        live_server, lang, "Ask for help", "In a few words", "Publish", "More details")

    # The family page: "Ask for help" first, on the first screen.
    page.goto("/family")
    family_height = page_height(page)
    shoot(page, f"request-{lang}", "01-family")
    first_button = page.locator("main .button").first
    assert first_button.inner_text().strip() == ask
    box = first_button.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"] / 2
    check_page(page, problems)

    taps = Taps()
    with page.expect_navigation():
        taps.tap(page.get_by_role("link", name=ask, exact=True).first, "ask for help")

    # The form: two screens with "more details" closed.
    assert page.locator("#more-details").get_attribute("open") is None
    form_height = page_height(page)
    shoot(page, f"request-{lang}", "02-form")
    assert form_height <= TWO_SCREENS, f"the request form is {form_height} px tall"
    check_page(page, problems)
    sentence = page.locator("main .need-where").inner_text()
    assert "Fontivegge" in sentence  # the household's neighbourhood, already there

    taps.tap(page.get_by_role("radio", name=kind_name(live_server, "school-run", lang)),
             "kind of help")
    taps.type(page.get_by_label(in_a_few_words, exact=True), steps.SCHOOL_RUN.title,
              "in a few words")
    steps.fill_weekly_row(page, steps.SCHOOL_RUN)  # the times: not counted
    with page.expect_navigation():
        taps.tap(page.get_by_role("button", name=publish, exact=True), "publish")
    shoot(page, f"request-{lang}", "03-posted")
    check_page(page, problems)

    assert taps.count <= MAX_TAPS, taps.log
    [need] = needs_of(live_server, person.email)
    assert need.status == "open" and need.category.slug == "school-run"
    assert [skill.slug for skill in need.skills] == ["accompany-children"]  # the kind's default
    assert need.neighbourhood.slug == person.neighbourhood
    assert sorted(need.languages) == sorted(person.languages)
    assert sorted((s.weekday, s.start_minute) for s in need.slots) == [
        (day, 7 * 60 + 30) for day in steps.SCHOOL_RUN.weekdays]
    assert problems == []
    print(f"\n[{lang}] family page {family_height} px; request form {form_height} px "
          f"(more details closed); {taps.count} taps besides the times: {taps.log}")
    assert more  # the summary's name exists in this language


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_three_mistakes_are_shown_at_once(browsing, live_server, shoot, lang):
    scene.add_demo_catalogue(live_server)
    page = browsing.new_page(lang)
    person = mother(lang)
    steps.register(page, person, mailbox=live_server.last_mail_to)
    steps.fill_household(page, person)
    problems: list[str] = []
    in_a_few_words, publish, description = words(
        live_server, lang, "In a few words", "Publish", "Description (optional)")
    expected = words(live_server, lang, "Choose a kind of help from the list.",
                     "The end time must be after the start time.",
                     "The end date cannot be in the past.")

    page.goto("/needs/new")
    # Mistakes: no kind of help, an end time before the start, an end date in the past.
    page.get_by_label(in_a_few_words, exact=True).fill("Compiti di Yasmine")
    steps.tick(page, ["weekly-0-days-1"])
    page.fill("#weekly-0-start", "16:00")
    page.fill("#weekly-0-end", "15:00")
    steps.open_more_details(page)
    page.fill("#ends_on", (date.today() - timedelta(days=2)).isoformat())
    page.get_by_label(description, exact=True).fill("Due bambini, 7 e 9 anni.")
    with page.expect_navigation():
        page.get_by_role("button", name=publish, exact=True).click()
    shoot(page, f"request-{lang}", "04-three-mistakes")

    summary = [text.strip() for text in
               page.locator(".error-summary li").all_inner_texts()]
    assert summary == expected
    assert page.get_attribute("html", "lang") == lang
    assert checks.errors_not_tied(page) == []
    # Nothing typed is lost, and "more details" opened by itself on its mistake.
    assert page.locator("#more-details").get_attribute("open") is not None
    assert page.get_by_label(in_a_few_words, exact=True).input_value() == "Compiti di Yasmine"
    assert page.locator("#weekly-0-days-1").is_checked()
    assert page.input_value("#weekly-0-start") == "16:00"
    assert page.get_by_label(description, exact=True).input_value() == (
        "Due bambini, 7 e 9 anni.")
    for link in page.locator(".error-summary a").all():
        target = (link.get_attribute("href") or "").lstrip("#")
        assert page.locator(f"#{target}").is_visible(), f"#{target} is hidden"
    check_page(page, problems)
    assert needs_of(live_server, person.email) == []
    assert problems == []


def test_change_opens_more_details_at_the_neighbourhood(browsing, live_server):
    """The sentence's "Change" link goes to the neighbourhood, inside "more details"."""
    page = browsing.new_page("it")
    steps.register(page, steps.MOTHER, mailbox=live_server.last_mail_to)
    steps.fill_household(page, steps.MOTHER)
    page.goto("/needs/new")
    [change] = words(live_server, "it", "Change")
    page.locator("main .need-where").get_by_role("link", name=change).click()
    assert page.locator("#more-details").get_attribute("open") is not None
    assert page.locator("#neighbourhood").is_visible()


def test_a_request_on_one_day(browsing, live_server):
    """One date instead of weekly times: one more tap, to open "Or on one day only"."""
    page = browsing.new_page("it")
    steps.register(page, steps.MOTHER, mailbox=live_server.last_mail_to)
    steps.fill_household(page, steps.MOTHER)
    ask, in_a_few_words, one_day, publish = words(
        live_server, "it", "Ask for help", "In a few words", "Or on one day only", "Publish")
    page.goto("/family")
    taps = Taps()
    with page.expect_navigation():
        taps.tap(page.get_by_role("link", name=ask, exact=True).first, "ask for help")
    taps.tap(page.get_by_role("radio", name=kind_name(live_server, "homework", "it")),
             "kind of help")
    taps.type(page.get_by_label(in_a_few_words, exact=True), "Compiti sabato", "in a few words")
    taps.tap(page.get_by_text(one_day, exact=True), "or on one day only")
    day = date.today() + timedelta(days=5)
    page.fill("#dated-0-on_date", day.isoformat())  # the date and times: not counted
    page.fill("#dated-0-start", "10:00")
    page.fill("#dated-0-end", "12:00")
    with page.expect_navigation():
        taps.tap(page.get_by_role("button", name=publish, exact=True), "publish")
    assert taps.count <= MAX_TAPS, taps.log
    [need] = needs_of(live_server, steps.MOTHER.email)
    assert (need.status, need.ends_on, [s.on_date for s in need.slots]) == ("open", day, [day])
    assert [skill.slug for skill in need.skills] == ["maths"]
    print(f"\n[it] one day: {taps.count} taps besides the date and times: {taps.log}")

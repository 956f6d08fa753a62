"""The steps of the journeys, written once and walked by the journey and accessibility tests.

Each step drives the real pages by their inputs' ids (the same in every
language), not by their labels, so one step serves Italian, English, Arabic
and Romanian. After each page it calls ``seen(page, name)``: the journey
tests save a screenshot there, the accessibility tests also run axe-core.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

Seen = Callable[["Page", str], None]
Mailbox = Callable[[str], str]

PASSWORD = "correct horse battery staple"


def nothing(page: Page, name: str) -> None:
    """The default ``seen``: look at nothing."""


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    locale: str
    family: str
    neighbourhood: str = "fontivegge"
    languages: tuple[str, ...] = ("it",)
    phone: str = "+39 333 000 0000"
    address: str = "Via del Macello 1, Perugia"
    # What they answer at sign-up: "need" (help), "give" (to help) or "both".
    comes_for: str = "need"


MOTHER = Person(name="Amina Haddad", email="amina@example.org", locale="it",
                family="Famiglia Haddad", languages=("ar", "it"))
# A family that also helps: the household form, then offers.
VOLUNTEER = Person(name="Ioana Popescu", email="ioana@example.org", locale="it",
                   family="Famiglia Popescu", languages=("ro", "it"), comes_for="both")
# A volunteer on her own: no household, only "about you".
HELPER = Person(name="Giulia Conti", email="giulia@example.org", locale="it",
                family="", languages=("it", "en"), comes_for="give")


@dataclass(frozen=True)
class Post:
    """A request or an offer as a person fills it in: weekdays ticked and one pair of hours."""

    title: str
    weekdays: tuple[int, ...]
    start: str
    end: str
    skills: tuple[str, ...] = ("accompany-children",)
    category: str = "school-run"
    languages: tuple[str, ...] = field(default_factory=tuple)
    days_from_now: int = 90

    @property
    def ends_on(self) -> date:
        return date.today() + timedelta(days=self.days_from_now)


SCHOOL_RUN = Post(title="Accompagnamento a scuola di Yasmine", weekdays=(0, 2, 4),
                  start="07:30", end="08:30")
MORNING_HELP = Post(title="Posso accompagnare bambini a scuola", weekdays=(0, 1, 2, 3, 4),
                    start="07:00", end="09:00")


def submit(page: Page, selector: str = "main form.stacked [type=submit]") -> None:
    """Press the form's (first) submit button and wait for the next page."""
    with page.expect_navigation():
        page.locator(selector).first.click()


def tick(page: Page, ids: Iterable[str]) -> None:
    for input_id in ids:
        page.locator(f"#{input_id}").check()


def tick_values(page: Page, name: str, values: Iterable[str]) -> None:
    """Tick the checkboxes of ``name`` whose value is one of ``values``."""
    for value in values:
        page.locator(f'input[name="{name}"][value="{value}"]').check()


def register(page: Page, person: Person, seen: Seen = nothing,
             mailbox: Mailbox | None = None) -> None:
    """From the home page to a new account; with ``mailbox``, confirmed and logged in.

    ``mailbox(email)`` returns the text of the last mail sent to the address:
    the confirmation link is followed from there, as a person does.
    """
    page.goto("/")
    seen(page, "01-home")
    with page.expect_navigation():
        page.locator('main a[href$="/register"]').first.click()
    seen(page, "02-register")
    page.check(f'input[name="comes_for"][value="{person.comes_for}"]')
    page.fill("#name", person.name)
    page.fill("#email", person.email)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.select_option("#locale", person.locale)
    page.check("#consent")
    submit(page)
    seen(page, "02b-check-mailbox")
    if mailbox is not None:
        confirm_address(page, mailbox(person.email), seen)


def confirm_address(page: Page, mail: str, seen: Seen = nothing) -> None:
    """Open the link of the sign-up mail and press its one button."""
    links = re.findall(r"https?://\S+/confirm/\S+", mail)
    assert links, f"no confirmation link in the mail:\n{mail}"
    page.goto(links[-1])
    seen(page, "02c-confirm-address")
    submit(page)


def log_in(page: Page, email: str, seen: Seen = nothing) -> None:
    page.goto("/login")
    seen(page, "login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    submit(page)


def fill_household(page: Page, person: Person, seen: Seen = nothing) -> None:
    """The family profile, first time: a new account lands on it (or is sent to it).
    A helper who is not a family fills in "about you" instead."""
    if person.comes_for == "give":
        fill_about_you(page, person, seen)
        return
    page.goto("/family/edit")
    seen(page, "03-household-form")
    page.fill("#name", person.family)
    page.select_option("#neighbourhood", person.neighbourhood)
    for box in page.locator('input[name="languages"]').all():
        box.set_checked(box.get_attribute("value") in person.languages)
    page.fill("#phone", person.phone)
    page.fill("#address", person.address)
    submit(page)
    seen(page, "04-household")


def fill_about_you(page: Page, person: Person, seen: Seen = nothing) -> None:
    """A helper's first step: neighbourhood, languages, phone; then the offer form."""
    page.goto("/about-you")
    seen(page, "03-about-you")
    page.select_option("#neighbourhood", person.neighbourhood)
    for box in page.locator('input[name="languages"]').all():
        box.set_checked(box.get_attribute("value") in person.languages)
    page.fill("#phone", person.phone)
    submit(page)
    seen(page, "04-offer-form")


def fill_weekly_row(page: Page, post: Post, row: int = 0) -> None:
    """Tick the weekdays of one row and give its hours, as a person does."""
    tick(page, (f"weekly-{row}-days-{day}" for day in post.weekdays))
    page.fill(f"#weekly-{row}-start", post.start)
    page.fill(f"#weekly-{row}-end", post.end)


def choose_kind(page: Page, category: str) -> None:
    """Tap the kind of help (a large radio button)."""
    page.locator(f'input[name="category"][value="{category}"]').check()


def open_more_details(page: Page) -> None:
    """Open the request form's "more details" (a native <details>: no script needed)."""
    if page.locator("#more-details").get_attribute("open") is None:
        page.locator("#more-details-summary").click()


def post_need(page: Page, post: Post, seen: Seen = nothing) -> None:
    """Ask for help: kind, a few words, weekdays and hours; under "more details" the
    skills, until when and languages; publish."""
    page.goto("/needs")
    seen(page, "05-needs-empty")
    with page.expect_navigation():
        page.locator('main a[href$="/needs/new"]').first.click()
    seen(page, "06-need-form")
    choose_kind(page, post.category)
    page.fill("#title", post.title)
    fill_weekly_row(page, post)
    open_more_details(page)
    for box in page.locator('input[name="skills"]').all():
        box.set_checked(box.get_attribute("value") in post.skills)
    page.fill("#ends_on", post.ends_on.isoformat())
    tick_values(page, "languages", post.languages)
    submit(page, 'main form.stacked button[name="publish"]')
    seen(page, "07-need-posted")


def see_needs_listed(page: Page, seen: Seen = nothing) -> None:
    page.goto("/needs")
    seen(page, "08-needs-listed")


def post_offer(page: Page, post: Post, seen: Seen = nothing) -> None:
    """Offer help: title, skills, weekdays and hours, until when."""
    page.goto("/offers")
    seen(page, "05-offers-empty")
    with page.expect_navigation():
        page.locator('main a[href$="/offers/new"]').first.click()
    seen(page, "06-offer-form")
    page.fill("#title", post.title)
    tick_values(page, "skills", post.skills)
    fill_weekly_row(page, post)
    page.fill("#ends_on", post.ends_on.isoformat())
    submit(page)
    seen(page, "07-offer-posted")


def run_matcher(page: Page, seen: Seen = nothing) -> None:
    """The facilitator's queue: run the matcher now."""
    page.goto("/facilitator")
    seen(page, "02-proposals-before")
    submit(page, 'main form[action$="/facilitator/run"] [type=submit]')
    seen(page, "03-proposals")


def open_request(page: Page, family: str, seen: Seen = nothing) -> None:
    """From the queue, open the request of ``family`` (its row's link)."""
    row = page.locator("main table.queue tr.queue-row").filter(has_text=family)
    with page.expect_navigation():
        row.get_by_role("link", name=family).click()
    seen(page, "03-request")


def proposal_for(page: Page, need_title: str):  # -> Locator
    """The matcher's choice on the request's page (opened with ``open_request``)."""
    assert need_title in page.locator("main h1").inner_text()
    return page.locator('main .card.proposal[data-rank="1"]').first


def reasons_for(page: Page, need_title: str) -> list[str]:
    """The reasons the matcher gives for its choice, as the facilitator reads them."""
    items = proposal_for(page, need_title).locator(".reason-list li")
    return [text.strip() for text in items.all_inner_texts()]


def confirm_pairing(page: Page, need_title: str, seen: Seen = nothing,
                    alternative: bool = False) -> None:
    """On the request's page, open the confirmation step of the matcher's choice (or of
    the first alternative) and confirm there: the helper is asked. Both go through the
    same page."""
    assert need_title in page.locator("main h1").inner_text()
    chosen = ':not([data-rank="1"])' if alternative else '[data-rank="1"]'
    card = page.locator(f"main .card.proposal{chosen}").first
    with page.expect_navigation():
        card.locator('a[href*="/confirm"]').first.click()
    seen(page, "04-confirm-step")
    submit(page, 'main form[method="post"] [type=submit]')
    seen(page, "04-confirmed")


def read_inbox(page: Page, seen: Seen = nothing) -> None:
    page.goto("/inbox")
    seen(page, "inbox")

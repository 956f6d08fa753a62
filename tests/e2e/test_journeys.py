"""The journeys of the issue, in a real browser, on a phone and on a desktop.

A mother registers, fills in her household, asks for a school run by ticking
weekdays and sees it listed; a volunteer registers and offers help; a
facilitator runs the matcher, reads the reasons and confirms the pairing; the
mother finds the notification: in Italian, English, Arabic (right to left)
and Romanian.

Screenshots of every step land in ``tests/e2e/screenshots/<journey>/``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import (
    Household,
    Match,
    Need,
    Offer,
    User,
)
from tests.e2e import scene, steps
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e



def recorder(shoot: Callable[..., Path], journey: str) -> steps.Seen:
    def seen(page: Any, name: str) -> None:
        shoot(page, journey, name)

    return seen


def html_lang_dir(page: Any) -> tuple[str, str]:
    return (page.get_attribute("html", "lang") or "", page.get_attribute("html", "dir") or "")


def account(server: LiveServer, email: str) -> User | None:
    with server.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if user is not None:
            db.session.expunge(user)
        return user


def needs_of(server: LiveServer, email: str) -> list[dict[str, Any]]:
    with server.app_context():
        rows = db.session.scalars(
            select(Need).join(Need.household).join(Household.user)
            .where(User.email == email)).all()
        return [{"title": n.title, "status": n.status, "category": n.category.slug,
                 "skills": sorted(s.slug for s in n.skills),
                 "slots": sorted((s.weekday, s.start_minute, s.end_minute) for s in n.slots)}
                for n in rows]


def offers_of(server: LiveServer, email: str) -> list[dict[str, Any]]:
    with server.app_context():
        rows = db.session.scalars(
            select(Offer).join(Offer.household).join(Household.user)
            .where(User.email == email)).all()
        return [{"title": o.title, "status": o.status,
                 "skills": sorted(s.slug for s in o.skills),
                 "slots": sorted((s.weekday, s.start_minute, s.end_minute) for s in o.slots)}
                for o in rows]


def household_of(server: LiveServer, email: str) -> dict[str, Any] | None:
    with server.app_context():
        household = db.session.scalars(
            select(Household).join(Household.user).where(User.email == email)).first()
        if household is None:
            return None
        return {"name": household.name, "neighbourhood": household.neighbourhood.slug,
                "languages": sorted(household.languages)}


def expected_slots(post: steps.Post) -> list[tuple[int, int, int]]:
    def minutes(hhmm: str) -> int:
        hours, mins = hhmm.split(":")
        return int(hours) * 60 + int(mins)

    return [(day, minutes(post.start), minutes(post.end)) for day in sorted(post.weekdays)]


# ---- the mother -------------------------------------------------------------------------


def walk_mother(page: Any, server: LiveServer, seen: steps.Seen,
                person: steps.Person = steps.MOTHER, post: steps.Post = steps.SCHOOL_RUN) -> None:
    steps.register(page, person, seen, server.last_mail_to)
    user = account(server, person.email)
    assert user is not None and user.locale == person.locale

    steps.fill_household(page, person, seen)
    assert household_of(server, person.email) == {
        "name": person.family, "neighbourhood": person.neighbourhood,
        "languages": sorted(person.languages)}

    steps.post_need(page, post, seen)
    [need] = needs_of(server, person.email)
    assert need == {"title": post.title, "status": "open", "category": post.category,
                    "skills": sorted(post.skills), "slots": expected_slots(post)}

    steps.see_needs_listed(page, seen)
    assert page.locator("main").get_by_text(post.title).count() == 1


def test_mother_asks_for_a_school_run_in_italian(page, live_server, shoot):
    walk_mother(page, live_server, recorder(shoot, "mother-it"))
    assert html_lang_dir(page) == ("it", "ltr")


def test_mother_asks_for_a_school_run_in_english(browsing, live_server, shoot):
    page = browsing.new_page("en")
    person = steps.Person(**{**steps.MOTHER.__dict__, "locale": "en"})
    walk_mother(page, live_server, recorder(shoot, "mother-en"), person=person)
    assert html_lang_dir(page) == ("en", "ltr")
    assert page.locator("main").get_by_text("My requests").count() >= 1


def test_mother_asks_for_a_school_run_in_arabic_right_to_left(browsing, live_server, shoot):
    page = browsing.new_page("ar")
    person = steps.Person(**{**steps.MOTHER.__dict__, "locale": "ar"})
    walk_mother(page, live_server, recorder(shoot, "mother-ar"), person=person)
    assert html_lang_dir(page) == ("ar", "rtl")


# ---- the volunteer ----------------------------------------------------------------------


def walk_volunteer(page: Any, server: LiveServer, seen: steps.Seen,
                   person: steps.Person = steps.VOLUNTEER,
                   post: steps.Post = steps.MORNING_HELP) -> None:
    steps.register(page, person, seen, server.last_mail_to)
    steps.fill_household(page, person, seen)
    steps.post_offer(page, post, seen)
    [offer] = offers_of(server, person.email)
    assert offer == {"title": post.title, "status": "open", "skills": sorted(post.skills),
                     "slots": expected_slots(post)}


def test_volunteer_offers_help_in_italian(page, live_server, shoot):
    walk_volunteer(page, live_server, recorder(shoot, "volunteer-it"))
    assert html_lang_dir(page) == ("it", "ltr")


def test_volunteer_offers_help_in_romanian(browsing, live_server, shoot):
    page = browsing.new_page("ro")
    person = steps.Person(**{**steps.VOLUNTEER.__dict__, "locale": "ro"})
    walk_volunteer(page, live_server, recorder(shoot, "volunteer-ro"), person=person)
    assert html_lang_dir(page) == ("ro", "ltr")


# ---- the facilitator confirms; the mother is told -------------------------------------------


def match_status(server: LiveServer) -> list[str]:
    with server.app_context():
        return [m.status for m in db.session.scalars(select(Match))]


def walk_facilitator_and_mother(browsing: Any, server: LiveServer, shoot: Any, journey: str,
                                mother: steps.Person, run_matcher: bool = True) -> Any:
    """The facilitator runs the matcher (or finds its proposal), reads why, confirms;
    the mother opens her messages."""
    seen = recorder(shoot, journey)
    facilitator = browsing.new_page("it")
    steps.log_in(facilitator, server.reference["facilitator"], seen)
    if run_matcher:
        steps.run_matcher(facilitator, seen)
    else:
        facilitator.goto("/facilitator")
        seen(facilitator, "03-proposals")
    steps.open_request(facilitator, mother.family, seen)
    reasons = steps.reasons_for(facilitator, steps.SCHOOL_RUN.title)
    assert reasons, "the matcher's choice comes without reasons"
    assert html_lang_dir(facilitator) == ("it", "ltr")
    steps.confirm_pairing(facilitator, steps.SCHOOL_RUN.title, seen)
    assert match_status(server) == ["awaiting"]

    family = browsing.new_page(mother.locale)
    steps.log_in(family, mother.email)
    steps.read_inbox(family, lambda page, name: shoot(page, journey, "05-mother-" + name))
    message = family.locator("main .message").filter(has_text=steps.SCHOOL_RUN.title)
    assert message.count() == 1
    return family


def test_facilitator_runs_the_matcher_and_confirms_in_italian(browsing, live_server, shoot):
    scene.set_the_scene(live_server)
    family = walk_facilitator_and_mother(browsing, live_server, shoot, "facilitator-it",
                                         steps.MOTHER)
    assert html_lang_dir(family) == ("it", "ltr")


def test_mother_is_told_in_her_language_not_the_facilitators(browsing, live_server, shoot):
    """An Italian facilitator confirms; the English-speaking mother reads English."""
    mother = steps.Person(**{**steps.MOTHER.__dict__, "locale": "en"})
    scene.set_the_scene(live_server, mother=mother)
    scene.propose(live_server)
    family = walk_facilitator_and_mother(browsing, live_server, shoot, "facilitator-en",
                                         mother, run_matcher=False)
    assert html_lang_dir(family) == ("en", "ltr")
    message = family.locator("main .message").first.inner_text()
    assert f"We asked a helper for “{steps.SCHOOL_RUN.title}”" in message


def test_mother_is_told_in_arabic(browsing, live_server, shoot):
    mother = steps.Person(**{**steps.MOTHER.__dict__, "locale": "ar"})
    scene.set_the_scene(live_server, mother=mother)
    scene.propose(live_server)
    family = walk_facilitator_and_mother(browsing, live_server, shoot, "facilitator-ar",
                                         mother, run_matcher=False)
    assert html_lang_dir(family) == ("ar", "rtl")
    with live_server.app_context(), force_locale("ar"):
        title = gettext("We asked a helper for “%(need)s”", need=steps.SCHOOL_RUN.title)
    assert title != f"We asked a helper for “{steps.SCHOOL_RUN.title}”", "no Arabic translation"
    assert title in family.locator("main .message").first.inner_text()

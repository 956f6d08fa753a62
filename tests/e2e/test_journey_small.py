"""No page scrolls sideways on a 360 px phone (issue 11, "small things seen").

Each kind of person (a family, a helper, a facilitator, an administrator)
logs in on a 360×800 phone, in Italian and in Arabic, and opens every page of
their menu and the detail pages of a demo-like scene: a request, an offer, a
running pairing between a family whose name is one long unbroken word and
whose email address is 60 characters long, the facilitator's page of the
request, the impact page and the administration lists. Every page must fit
the width of the window (``checks.horizontal_overflow == 0``) and pass axe-core.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import (
    Category,
    FollowUp,
    MatchingRun,
    NeedSlot,
    Neighbourhood,
    OfferSlot,
    Proposal,
    Skill,
    User,
)
from tests import factories
from tests.e2e import checks, scene, steps
from tests.e2e.conftest import LiveServer, axe_violations, describe_violations, new_context

pytestmark = pytest.mark.e2e

# 60 characters, the longest ordinary address the contact box must hold.
LONG_EMAIL = "mariagraziaannunziata.bartolomei-de-santis@comune-perugia.it"
HELPER_EMAIL = "costantinoalessandro.vitruviano-montefeltro@volontari.org"
# A name with no place to break a line.
LONG_NAME = "Mariagraziaannunziatabartolomeidesantisferri"
ADMIN_EMAIL = "amministratrice@example.org"
VIEWPORT = {"width": checks.PHONE_WIDTH, "height": 800}


def build_scene(server: LiveServer, locale: str) -> dict[str, Any]:
    """A running pairing with long contacts, an open request and offer, a closed pairing
    with 12.5 hours; the persons' language is ``locale``. Returns the detail addresses."""
    with server.app_context():
        session = db.session
        place = session.scalars(select(Neighbourhood).where(
            Neighbourhood.slug == "fontivegge")).one()
        category = session.scalars(select(Category).where(Category.slug == "school-run")).one()
        skills = list(session.scalars(select(Skill).where(Skill.category_id == category.id)))

        def household(email: str, name: str, family: str) -> Any:
            user = factories.make_user(session, email=email, name=name, locale=locale)
            return factories.make_household(
                session, user=user, neighbourhood=place, name=family, languages=["it", "ar"],
                phone="+39 333 123 4567 890", address=f"Via {LONG_NAME} 123456, 06128 Perugia")

        family = household(LONG_EMAIL, f"{LONG_NAME} Haddad", f"Famiglia {LONG_NAME}")
        helper = household(HELPER_EMAIL, f"Costantino {LONG_NAME}", f"Famiglia {LONG_NAME}2")

        def need(title: str, status: str) -> Any:
            return factories.make_need(
                session, household=family, category=category, skills=skills, title=title,
                status=status, languages=["it", "ar"], description=LONG_NAME * 3,
                slots=[NeedSlot(weekday=0, start_minute=450, end_minute=510)])

        def offer(title: str) -> Any:
            return factories.make_offer(
                session, household=helper, skills=skills, title=title, languages=["it"],
                description=LONG_NAME * 3,
                slots=[OfferSlot(weekday=d, start_minute=420, end_minute=540) for d in range(5)])

        running = factories.make_match(
            session, need=need(f"Accompagnamento di {LONG_NAME}", "active"),
            offer=offer(f"Posso accompagnare {LONG_NAME}"), status="active",
            accepted_at=datetime.now(UTC) - timedelta(days=3))
        closed = factories.make_match(
            session, need=need("Compiti finiti", "closed"), offer=offer("Compiti"),
            status="closed", started_on=date.today() - timedelta(days=60),
            closed_at=datetime.now(UTC) - timedelta(days=2), hours=12.5,
            outcome="resolved")
        waiting = need(f"Ancora da abbinare {LONG_NAME}", "proposed")
        # What a matcher run leaves: the helper's open offer proposed for the request.
        spare = offer(f"Posso anche {LONG_NAME}")
        run = MatchingRun(kind="manual")
        proposal = Proposal(run=run, need=waiting, offer=spare, rank=1, score=40, reasons=[])
        session.add_all([run, proposal])
        check = FollowUp(match=running, due_on=date.today() - timedelta(days=1))
        session.add(check)
        # The family has a calendar address: the page shows it, 60-odd characters long.
        family.user.calendar_token = "t" * 43
        factories.make_user(session, email=ADMIN_EMAIL, name="Anna Admin", role="admin",
                            locale=locale)
        staff = session.scalars(select(User).where(
            User.email == scene.FACILITATOR_EMAIL)).one()
        staff.locale = locale
        session.commit()
        return {
            "family": [f"/needs/{running.need.public_id}", f"/needs/{waiting.public_id}",
                       f"/needs/{waiting.public_id}/edit", f"/matches/{running.public_id}",
                       f"/matches/{closed.public_id}", f"/matches/{closed.public_id}/feedback",
                       "/family/edit", "/family/data", "/family/access"],
            "helper": [f"/offers/{running.offer.public_id}", f"/offers/{spare.public_id}/edit",
                       f"/matches/{running.public_id}", f"/matches/{closed.public_id}/feedback"],
            "facilitator": [f"/facilitator/needs/{running.need.public_id}",
                            f"/facilitator/needs/{waiting.public_id}",
                            f"/facilitator/needs/{waiting.public_id}/pair",
                            f"/facilitator/proposals/{proposal.public_id}/reject",
                            f"/facilitator/offers/{running.offer.public_id}",
                            f"/matches/{running.public_id}",
                            f"/matches/{running.public_id}/close",
                            f"/followups/{check.public_id}", "/facilitator/impact",
                            "/facilitator/unmatched",
                            "/facilitator/undelivered-mail", "/vetting",
                            f"/vetting/{family.public_id}"],
            "admin": ["/facilitator/weights", "/admin/categories",
                      "/admin/categories/school-run/edit", "/admin/neighbourhoods",
                      "/admin/skills", "/admin/users", f"/admin/users/{family.user.public_id}",
                      "/admin/audit"],
        }


def menu_links(page: Any) -> list[str]:
    """The addresses of the main menu and of the footer (where the calendar and the
    privacy pages went when the menu was cut to one row), as the page lists them; not
    the footer's language switch, which would change the page's language."""
    hrefs = page.locator("nav.site-nav a[href], .site-footer a[href]").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    return [href for href in hrefs
            if href.startswith("/") and href != "/logout" and "lang=" not in href]


PEOPLE = {"family": LONG_EMAIL, "helper": HELPER_EMAIL,
          "facilitator": scene.FACILITATOR_EMAIL, "admin": ADMIN_EMAIL}
# The pages each person's menu, footer and details reach (counted on 2026-12-05): one
# test per person, so the suite's workers share the walk.
LEAST_PAGES = {"family": 22, "helper": 17, "facilitator": 26, "admin": 25}


@pytest.mark.parametrize("who", list(PEOPLE))
@pytest.mark.parametrize("lang", ["it", "ar"])
def test_no_page_scrolls_sideways_at_360_px(browser, live_server, lang, who):
    details = build_scene(live_server, lang)
    problems: list[str] = []
    widths: dict[str, int] = {}
    context = new_context(browser, live_server, lang, VIEWPORT)
    try:
        page = context.new_page()
        steps.log_in(page, PEOPLE[who])
        assert "/login" not in page.url, f"{who} could not log in"
        urls = [*menu_links(page), *details[who]]
        for url in dict.fromkeys(urls):
            response = page.goto(url)
            where = f"{who} {lang} {url}"
            if response is None or not response.ok:
                problems.append(f"{where}: answered {response and response.status}")
                continue
            assert page.locator("html").get_attribute("lang") == lang, where
            widths[where] = page.evaluate("document.documentElement.scrollWidth")
            overflow = checks.horizontal_overflow(page)
            if overflow:
                problems.append(f"{where}: {overflow} px of sideways scrolling at 360 px, "
                                f"from {checks.wide_elements(page)}")
            violations = axe_violations(page)
            if violations:
                problems.append(f"{where}: axe-core\n{describe_violations(violations)}")
    finally:
        context.close()
    print("\n".join(f"{where}: {width} px" for where, width in widths.items()))
    # Every menu entry of the person and the pages behind them (staff menus hold only
    # staff work since issue 11, so fewer entries than the old mixed menu).
    assert len(widths) >= LEAST_PAGES[who], sorted(widths)
    assert not problems, "\n".join(problems)

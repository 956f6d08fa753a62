"""The facilitator's day (issue 11): the queue of twelve requests, one row each, on a
1280×800 laptop and on a 390×844 phone, in Italian and in Arabic.

The facilitator opens the queue (its height within budget), opens the first row,
reads the score's parts adding up to the score shown (and how a tie was broken),
and confirms the matcher's choice. Every page: axe-core 0 violations and no
sideways scroll at 360 px. The heights measured are printed (``-s``) for the report.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Category, Match, MatchingRun, Neighbourhood, Proposal, Skill, User
from tests import factories
from tests.e2e import checks, steps
from tests.e2e.conftest import LiveServer, axe_check

pytestmark = pytest.mark.e2e

REQUESTS = 12
# Twelve rows within one and a half laptop screens (800 px high).
LAPTOP_BUDGET_PX = 1200
# On a phone a row is a short block of three lines: twelve within about three screens.
PHONE_BUDGET_PX = 2600
FAMILIES = ["Famiglia Haddad", "Famiglia Popescu", "Famiglia Bianchi", "Famiglia Kovalenko",
            "Famiglia Esposito", "Famiglia Hoxha", "Famiglia Romano", "Famiglia Benali",
            "Famiglia Colombo", "Famiglia Mancini", "Famiglia Ricci", "Famiglia Moretti"]
# The parts the matcher stores for a pairing in the same neighbourhood sharing a language.
PARTS = ({"code": "base", "points": 10}, {"code": "proximity", "points": 6, "hops": 0},
         {"code": "language", "points": 4, "shared": ["it"]})


def twelve_requests(server: LiveServer, locale: str) -> str:
    """Twelve families' requests, each with the matcher's choice (the first with a tied
    alternative); returns the first family's name (first in the queue)."""
    now = datetime.now(UTC)
    with server.app_context():
        session = db.session
        facilitator = session.scalars(select(User).where(
            User.email == server.reference["facilitator"])).one()
        facilitator.locale = locale
        places = list(session.scalars(select(Neighbourhood).order_by(Neighbourhood.id)))
        categories = list(session.scalars(select(Category).order_by(Category.id)))
        skills = list(session.scalars(select(Skill).order_by(Skill.id)))
        run = MatchingRun(kind="manual", started_at=now, finished_at=now, stats={})
        session.add(run)
        for n, name in enumerate(FAMILIES):
            place = places[n % len(places)]
            family = factories.make_household(session, name=name, neighbourhood=place)
            category = categories[n % len(categories)]
            need = factories.make_need(
                session, household=family, category=category, neighbourhood=place,
                skills=[s for s in skills if s.category_id == category.id][:1],
                title=f"Richiesta {n + 1}", urgency=n % 4, status="proposed",
                opened_at=now - timedelta(days=n + 1), languages=["it"])
            urgency = {"code": "urgency", "points": 5 * need.urgency}
            parts = [PARTS[0], urgency, *PARTS[1:]] if need.urgency else list(PARTS)
            score = sum(part["points"] for part in parts)
            ranks = (1, 2) if n == 0 else (1,)
            for rank in ranks:
                helper = factories.make_household(
                    session, name=f"Aiuto {n + 1}{'ab'[rank - 1]}", neighbourhood=place)
                offer = factories.make_offer(session, household=helper, skills=need.skills,
                                             neighbourhood=place, languages=["it"])
                session.add(Proposal(run=run, need=need, offer=offer, rank=rank, score=score,
                                     reasons=parts, created_at=now - timedelta(hours=n)))
        session.commit()
    # The queue puts the most urgent first (urgency 3: the 4th, 8th, 12th), oldest first.
    return FAMILIES[11]


def height(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


def check_page(page: Any, name: str, seen: dict[str, Any]) -> None:
    """axe-core on the page as it is; then at 360 px wide, nothing scrolls sideways."""
    axe_check(page)
    size = page.viewport_size
    page.set_viewport_size({"width": 360, "height": size["height"]})
    assert checks.horizontal_overflow(page) == 0, f"{name} scrolls sideways at 360 px"
    page.set_viewport_size(size)
    seen["pages"].append(name)


@pytest.mark.parametrize("locale", ["it", "ar"])
def test_a_facilitator_confirms_from_the_queue(browsing, live_server, shoot, viewport, locale):
    first = twelve_requests(live_server, locale)
    seen: dict[str, Any] = {"pages": []}
    page = browsing.new_page(locale)
    steps.log_in(page, live_server.reference["facilitator"])

    page.goto("/facilitator")
    assert page.get_attribute("html", "lang") == locale
    assert page.get_attribute("html", "dir") == ("rtl" if locale == "ar" else "ltr")
    rows = page.locator("main table.queue tr.queue-row")
    assert rows.count() == REQUESTS
    queue_height = height(page)
    print(f"\nqueue {viewport} {locale}: {queue_height} px for {REQUESTS} rows")
    shoot(page, f"queue-{locale}", "01-queue")
    budget = LAPTOP_BUDGET_PX if viewport == "desktop" else PHONE_BUDGET_PX
    assert queue_height <= budget, f"the queue is {queue_height} px tall (budget {budget})"
    check_page(page, "queue", seen)
    # The family's own words for its urgency, never a derived "urgent".
    assert rows.first.get_attribute("data-urgency") == "3"

    steps.open_request(page, first)
    proposal = page.locator('main .card.proposal[data-rank="1"]')
    points = [int(p) for p in proposal.locator("[data-points]").evaluate_all(
        "nodes => nodes.map(n => n.dataset.points)")]
    score = int(proposal.locator("[data-score]").get_attribute("data-score"))
    assert points and sum(points) == score == 35
    print(f"request {viewport} {locale}: {height(page)} px; parts {points} = {score}")
    shoot(page, f"queue-{locale}", "02-request")
    check_page(page, "request", seen)

    # The confirmation step: the helper is asked first (issue 11), for any choice.
    with page.expect_navigation():
        proposal.locator('a[href*="/confirm"]').click()
    shoot(page, f"queue-{locale}", "03-confirm-step")
    check_page(page, "confirm", seen)
    with page.expect_navigation():
        page.locator('main form[method="post"] [type=submit]').first.click()
    shoot(page, f"queue-{locale}", "04-confirmed")
    check_page(page, "confirmed", seen)
    with live_server.app_context():
        [match] = db.session.scalars(select(Match)).all()
        assert match.status == "awaiting" and match.need.household.name == first
    assert seen["pages"] == ["queue", "request", "confirm", "confirmed"]


def test_a_tie_on_the_request_says_how_it_was_broken(browsing, live_server, viewport):
    twelve_requests(live_server, "it")
    page = browsing.new_page("it")
    steps.log_in(page, live_server.reference["facilitator"])
    page.goto("/facilitator")
    steps.open_request(page, FAMILIES[0])
    notes = page.locator("main [data-tie]").all_inner_texts()
    assert len(notes) == 2
    assert "ordine fisso" in notes[1]
    axe_check(page)

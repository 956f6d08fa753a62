"""The impact charts on a phone, in Italian and in Arabic (issue 14, part 3).

A facilitator opens the impact page of a Hub with fourteen months of pairings (a
few a month: most months under 5), follows the page's offer of quarters, looks
at the running total, then anyone opens the public figures (/numbers). On a
390×844 phone every page fits the width, every chart text is drawn at 12 px or
more (measured in the browser), axe-core finds nothing, and in Arabic time runs
from the right. Screenshots go to tests/e2e/screenshots/charts-<lang>/.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Neighbourhood, User
from tests import factories
from tests.e2e import checks, steps
from tests.e2e.conftest import TAKE_SCREENSHOTS, LiveServer, axe_check

pytestmark = pytest.mark.e2e

# Pairings per month, from 13 months ago to this one: small months, a busier spring.
PER_MONTH = (1, 2, 1, 3, 2, 6, 7, 2, 1, 3, 2, 1, 4, 2)


def text(server: LiveServer, lang: str, msgid: str) -> str:
    with server.app.test_request_context(), force_locale(lang):
        return str(gettext(msgid))


def set_the_scene(server: LiveServer, lang: str) -> None:
    """Pairings in the three neighbourhoods, a family each, helpers in the next one;
    half of them closed with hours. The facilitator reads ``lang``."""
    now = datetime.now(UTC).replace(day=10, hour=9, minute=0, second=0, microsecond=0)
    with server.app_context():
        session = db.session
        places = list(session.scalars(select(Neighbourhood).order_by(Neighbourhood.id)))
        for back, count in enumerate(reversed(PER_MONTH)):
            month = now
            for _ in range(back):
                month = (month.replace(day=1) - timedelta(days=1)).replace(day=10)
            for n in range(count):
                place = places[n % len(places)]
                family = factories.make_household(session, neighbourhood=place)
                helper = factories.make_household(
                    session, neighbourhood=places[(n + 1) % len(places)] if n % 2 else place)
                need = factories.make_need(session, household=family, status="active",
                                           opened_at=month - timedelta(days=4))
                ended = ({"status": "closed", "closed_at": month + timedelta(days=3),
                          "hours": 2.5} if n % 2 == 0 else {})
                factories.make_match(session, need=need,
                                     offer=factories.make_offer(session, household=helper),
                                     confirmed_at=month, **ended)
        session.scalars(select(User).where(
            User.email == server.reference["facilitator"])).one().locale = lang
        session.commit()


def measure(page, name: str, shoot, journey: str, problems: list[str]) -> None:
    full = shoot(page, journey, name)
    # The switch and the first chart as a phone shows them, and each chart on its own:
    # a whole page on a phone is too tall to look at.
    if TAKE_SCREENSHOTS:
        page.evaluate("(document.getElementById('by-span') || document.querySelector('h1'))"
                      ".scrollIntoView({block: 'start'})")
        page.screenshot(path=str(full.with_name(f"{name}-screen.png")))
        for n, figure in enumerate(page.locator("figure.chart").all()):
            figure.screenshot(path=str(full.with_name(f"{name}-chart{n + 1}.png")))
    axe_check(page)
    problems += [f"{name}: {p}" for p in checks.small_chart_text(page)]
    if overflow := checks.horizontal_overflow(page):
        problems.append(f"{name}: {overflow} px of sideways scroll at 390 px: "
                        f"{checks.wide_elements(page)}")
    # And on the narrowest phone the pages promise to fit.
    page.set_viewport_size({"width": checks.PHONE_WIDTH, "height": 800})
    problems += [f"{name} at 360 px: {p}" for p in checks.small_chart_text(page)]
    if overflow := checks.horizontal_overflow(page):
        problems.append(f"{name}: {overflow} px of sideways scroll at 360 px")
    page.set_viewport_size({"width": 390, "height": 844})


def first_label_x(page, chart_id: str) -> list[float]:
    """The left edge of each period label of a chart, in the periods' order."""
    return page.evaluate(
        """id => [...document.querySelectorAll(`#${id} text.chart-label`)]
                .map(t => t.getBoundingClientRect().left)""", chart_id)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
@pytest.mark.parametrize("lang", ["it", "ar"])
def test_impact_charts_read_on_a_phone(live_server, browsing, shoot, lang):
    set_the_scene(live_server, lang)
    journey, problems = f"charts-{lang}", []
    page = browsing.new_page(lang)
    steps.log_in(page, live_server.reference["facilitator"])

    page.goto("/facilitator/impact")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    # Most months count fewer than 5 families: the page says so and offers quarters.
    note = page.locator(".notice")
    assert note.count() == 1
    measure(page, "01-months", shoot, journey, problems)
    labels = first_label_x(page, "chart-families")
    assert len(labels) > 1
    # Time runs the way the page reads: from the right in Arabic.
    assert labels == (sorted(labels, reverse=True) if lang == "ar" else sorted(labels))

    # A click waits for the navigation to start, not for the page to load: counting
    # what it draws right away raced the new document (and lost once under load).
    with page.expect_navigation():
        note.get_by_role("link", name=text(live_server, lang, "See them by quarter")).click()
    assert "by=quarter" in page.url
    current = page.locator(".segmented a[aria-current=page]")
    assert current.inner_text() == text(live_server, lang, "Quarters")
    # Quarters hold 5 or more families each, mostly: real columns, not a row of "<5".
    bars = page.locator("#chart-families rect.chart-bar").count()
    assert bars >= 3
    measure(page, "02-quarters", shoot, journey, problems)

    with page.expect_navigation():
        page.locator(".segmented a").last.click()
    assert "by=cumulative" in page.url
    assert page.locator("#chart-families polyline.chart-line").count() >= 1
    measure(page, "03-running-total", shoot, journey, problems)

    # The public figures, for anyone: a fresh browser, no login.
    public = browsing.new_page(lang)
    public.goto("/numbers")
    assert public.locator("h1").inner_text() == text(live_server, lang,
                                                     "The programme in numbers")
    assert public.locator("svg[role=img]").count() == 3
    measure(public, "04-public", shoot, journey, problems)

    assert not problems, "\n".join(problems)

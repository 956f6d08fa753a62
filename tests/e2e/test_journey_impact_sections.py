"""The impact pages' sections on a phone and a laptop, in Italian and Arabic (issue 14).

A facilitator opens the impact page of a Hub with fourteen months of pairings (the
scene of ``test_journey_charts``), then each tab: Who we reach, The journey of a
request, The help network, Belonging. On each page every definition sits next to its
figures, every table is there, nothing scrolls sideways (390 and 360 px), every chart
text is drawn at 12 px or more and axe-core finds nothing. Screenshots go to
tests/e2e/screenshots/impact-sections-<lang>/.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import FollowUp, Match
from tests.e2e import checks, steps
from tests.e2e.test_journey_charts import measure, set_the_scene, text

pytestmark = pytest.mark.e2e

TABS = (("Who we reach", "reach"), ("The journey of a request", "journey"),
        ("The help network", "network"), ("Belonging", "belonging"))


def add_belonging(server) -> None:
    """Each closed pairing: the family answered the belonging question 2, then 4 a week
    later; the family rated it 5, the helper 4."""
    with server.app_context():
        for match in db.session.scalars(select(Match).where(Match.status == "closed")):
            match.family_rating, match.helper_rating = 5, 4
            for days, score in ((0, 2), (7, 4)):
                db.session.add(FollowUp(match=match, due_on=match.confirmed_at.date(),
                                        done_at=match.confirmed_at + timedelta(days=days),
                                        family_belonging=score))
        db.session.commit()


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_the_impact_sections_read_on_a_phone_and_a_laptop(live_server, browsing, shoot,
                                                          viewport, lang):
    set_the_scene(live_server, lang)
    add_belonging(live_server)
    journey, problems = f"impact-sections-{lang}", []
    page = browsing.new_page(lang)
    steps.log_in(page, live_server.reference["facilitator"])
    page.goto("/facilitator/impact?by=quarter")
    tabs = page.locator("nav.impact-tabs")
    for n, (msgid, name) in enumerate(TABS, start=1):
        tabs.get_by_role("link", name=text(live_server, lang, msgid)).click()
        assert f"/facilitator/impact/{name}" in page.url and "by=quarter" in page.url
        assert (page.locator("html").get_attribute("dir") or "ltr") == (
            "rtl" if lang == "ar" else "ltr")
        blocks = page.locator("section.figure-block")
        assert blocks.count() >= 3
        # Each block: its definitions, then its table with a caption.
        for block in blocks.all():
            assert block.locator("dl.definitions dd").count() >= 1
            assert block.locator("table.figures caption").count() == 1
        # The hidden counts are "<5" (a few pairings a month: some on every page).
        assert page.locator("table.figures abbr").count() >= 1
        if viewport == "phone":
            measure(page, f"{n:02d}-{name}", shoot, journey, problems)
        else:
            shoot(page, journey, f"{n:02d}-{name}")
            from tests.e2e.conftest import axe_check

            axe_check(page)
            problems += [f"{name}: {p}" for p in checks.small_chart_text(page)]
            if overflow := checks.horizontal_overflow(page):
                problems.append(f"{name}: {overflow} px of sideways scroll at 1280 px")
    assert not problems, "\n".join(problems)

"""The impact pages' sections (issue 14): each shows the engine's figures with their
definitions, in tables ("<5" where hidden), numbers worked out by hand, and asks the
database as often with many families as with few."""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime, timedelta

import pytest

from mutuo_aiuto.models import FollowUp, Member, Proposal
from mutuo_aiuto.services.figures.indicators import BY_NAME
from mutuo_aiuto.services.figures.pages import PageFigures, page_figures
from mutuo_aiuto.services.figures.periods import Granularity
from mutuo_aiuto.services.hubtime import HubClock
from mutuo_aiuto.web.facilitator.impact_sections import SECTIONS, section
from tests import factories
from tests.web.test_query_counts import _check, _counts, hub  # noqa: F401 (a fixture)

# Everything happens yesterday: the page is asked for yesterday's month, cumulative.
YESTERDAY = datetime.now(UTC).replace(hour=10, minute=0, second=0,
                                      microsecond=0) - timedelta(days=1)
MONTH = f"{YESTERDAY:%Y-%m}"
PATHS = {name: f"/facilitator/impact/{name}?since={MONTH}&until={MONTH}&by=cumulative"
         for name in SECTIONS}
SMALL_COUNT = re.compile(r'<td><span dir="ltr">[1-4]</span></td>')


@pytest.fixture
def staff(login, make_user):
    return login(make_user(role="facilitator", locale="en"))


@pytest.fixture
def scene(session):
    """Seven families in Fontivegge (each one woman born in 1990, working), seven helpers in
    Pallotta (no one listed), one category. Each family posted a request, proposed and
    confirmed yesterday; six closed yesterday with 4 hours each, rated 5 by the family and
    4 by the helper, the family answering the belonging question 2 then 4. One more
    request in Pallotta, never proposed: a count of 1, hidden."""
    a = factories.make_neighbourhood(session, name="Fontivegge")
    b = factories.make_neighbourhood(session, name="Pallotta")
    care = factories.make_category(session, name="Cura",
                                   translations={"it": "Cura", "en": "Care"})
    from mutuo_aiuto.models import MatchingRun

    run = MatchingRun(kind="full")
    session.add(run)
    early = YESTERDAY - timedelta(hours=2)
    for n in range(7):
        family = factories.make_household(session, neighbourhood=a, created_at=early)
        member = Member(kind="adult", birth_year=1990)
        for field, answer in (("gender", "woman"), ("employment", "employed")):
            if hasattr(Member, field):
                setattr(member, field, answer)
        family.members.append(member)
        helper = factories.make_household(session, neighbourhood=b, created_at=early)
        need = factories.make_need(session, household=family, category=care, status="active",
                                   opened_at=early, created_at=early)
        offer = factories.make_offer(session, household=helper, created_at=early)
        session.add(Proposal(run=run, need=need, offer=offer, score=1, created_at=early))
        closed = n < 6
        match = factories.make_match(
            session, need=need, offer=offer, confirmed_at=YESTERDAY,
            accepted_at=YESTERDAY, status="closed" if closed else "active",
            closed_at=YESTERDAY + timedelta(hours=1) if closed else None,
            outcome="resolved" if closed else None, hours=4 if closed else None,
            family_rating=5 if closed else None, helper_rating=4 if closed else None)
        if closed:
            session.add(FollowUp(match=match, due_on=YESTERDAY.date(),
                                 done_at=YESTERDAY + timedelta(minutes=30), family_belonging=2))
            session.add(FollowUp(match=match, due_on=YESTERDAY.date(),
                                 done_at=YESTERDAY + timedelta(hours=1), family_belonging=4))
    factories.make_need(session, household=factories.make_household(session, neighbourhood=b),
                        category=care, status="open", opened_at=early, created_at=early)
    session.commit()


def table(page: str, table_id: str) -> str:
    return page.split(f'id="table-{table_id}"')[1].split("</table>")[0]


def row(page: str, table_id: str, name: str) -> list[str]:
    """The cells of the row named ``name`` ("<5" for a hidden one)."""
    found = re.search(rf'<th scope="row">{re.escape(name)}</th>(.*?)</tr>',
                      table(page, table_id), re.S)
    assert found, f"no row {name!r} in {table_id}"
    cells = re.findall(r"<td>(.*?)</td>", found.group(1), re.S)
    return [html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]


def test_every_section_shows_each_indicator_with_its_definition(client, staff, scene):
    shown = set()
    for name, path in PATHS.items():
        response = client.get(path)
        assert response.status_code == 200, name
        page = html_lib.unescape(response.text)
        blocks = page.count('class="figure-block"')
        assert blocks and page.count('<table class="figures">') == blocks
        assert page.count("<caption") == blocks
        for indicator in BY_NAME.values():
            if indicator.definition in page:
                assert indicator.label in page
                shown.add(indicator.name)
        assert 'aria-current="page"' in page and "style=" not in page
    # Every indicator of the engine is on one of the pages, with its definition.
    assert shown == set(BY_NAME)


def test_who_we_reach(client, staff, scene):
    page = client.get(PATHS["reach"]).text
    # 7 families × one person + 7 helpers listing no one (one person each, not recorded).
    assert row(page, "participants-total", "Whole period") == ["14", "<5"]
    assert "EECO11" in page and "EECO12" in page
    if hasattr(Member, "gender"):
        assert row(page, "participants", "30–54")[-1] == "7"
        assert row(page, "employment", "Working, also self-employed (EECO04)") == ["7"]
    assert SMALL_COUNT.search(table(page, "participants")) is None
    assert row(page, "active", "Fontivegge") == ["7"]


def test_the_journey_of_a_request(client, staff, scene):
    page = client.get(PATHS["journey"]).text
    # 8 posted (7 + the one in Pallotta, so the total shows), 7 proposed, confirmed and
    # accepted, 6 closed well.
    assert row(page, "funnel", "Whole period") == ["8", "7", "7", "7", "6"]
    assert row(page, "days", "Whole period") == ["0", "0", "0", "0"]
    # By neighbourhood: Pallotta's one request is hidden, and Fontivegge's 7 with it (the
    # total of 8 would give the 1 away).
    assert row(page, "posted-place", "Pallotta") == ["<5"]
    assert row(page, "posted-place", "Fontivegge") == ["<5"]
    assert row(page, "posted-place", "All") == ["8"]
    # The report names the category in Italian; the page in the reader's language.
    assert row(page, "hours-category", "Care") == ["24"]
    assert "Cura" not in table(page, "hours-category")
    assert row(page, "hours-place", "Fontivegge") == ["24"]
    for table_id in ("funnel", "hours-category", "unmatched"):
        assert SMALL_COUNT.search(table(page, table_id)) is None


def test_the_help_network(client, staff, scene):
    page = client.get(PATHS["network"]).text
    assert row(page, "ties", "Whole period") == ["14", "7", "7", "0"]
    # Every family in Fontivegge, every helper in Pallotta: 7 pairings across.
    assert row(page, "matrix", "Fontivegge") == ["7", "7"]
    assert row(page, "shape", "Whole period")[0] == "100%"
    assert row(page, "reciprocity", "Only give help") == ["7"]
    assert row(page, "reciprocity", "Only receive help") == ["7"]
    assert row(page, "reciprocity", "Both give and receive") == ["0"]
    for table_id in ("ties", "matrix", "reciprocity", "ratio"):
        assert SMALL_COUNT.search(table(page, table_id)) is None


def test_belonging_and_satisfaction(client, staff, scene):
    page = client.get(PATHS["belonging"]).text
    assert row(page, "belonging", "Rose") == ["6"]
    assert row(page, "belonging", "Fell") == ["0"]
    assert row(page, "belonging-mean", "Before (first answer)") == ["2"]
    assert row(page, "belonging-mean", "After (latest answer)") == ["4"]
    assert row(page, "satisfaction", "Families") == ["5"]
    assert row(page, "satisfaction", "Helpers") == ["4"]


def test_a_month_by_month_breakdown_mostly_hidden_offers_a_coarser_period(client, staff,
                                                                          session):
    """Five months each with one family's first pairing: every month's count is 1 (hidden),
    so is each month of the funnel; the page offers quarters."""
    place = factories.make_neighbourhood(session, name="Fontivegge")
    now = datetime.now(UTC)
    for months_ago in range(1, 6):
        day = now - timedelta(days=31 * months_ago)
        need = factories.make_need(session, household=factories.make_household(
            session, neighbourhood=place, created_at=day), opened_at=day, created_at=day,
            status="active")
        factories.make_match(session, need=need, confirmed_at=day)
    session.commit()
    first = f"{now - timedelta(days=31 * 5):%Y-%m}"
    page = client.get(f"/facilitator/impact/journey?since={first}&until={now:%Y-%m}&by=month")
    assert page.status_code == 200
    assert "Most of these figures are under 5 and hidden" in page.text
    assert "by=quarter" in page.text.split("Most of these figures")[1].split("</div>")[0]


def test_the_sections_come_from_one_call(session, scene):
    """``page_figures`` is the one door: the sections read nothing else."""
    clock = HubClock.named("Europe/Rome", lambda: datetime.now(UTC))
    found = page_figures(session, clock, Granularity.CUMULATIVE, YESTERDAY.date().replace(
        day=1), YESTERDAY.date())
    assert isinstance(found, PageFigures)
    assert found.get("requests_posted").value == 8
    assert found.get("requests_posted", None, {"neighbourhood": "Pallotta",
                                               "category": "Cura"}).suppressed


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_a_section_asks_as_often_whatever_the_data(client, login, hub, name):  # noqa: F811
    path = f"/facilitator/impact/{name}"
    _check(_counts(client, login, hub.facilitator, path, hub), path)


def test_the_section_builder_takes_any_section(app, session, scene):
    clock = HubClock.named("Europe/Rome", lambda: datetime.now(UTC))
    found = page_figures(session, clock, Granularity.MONTH, YESTERDAY.date().replace(day=1),
                         YESTERDAY.date())
    with app.test_request_context():
        for name in SECTIONS:
            built = section(name, found)
            assert built.blocks and all(block.table.rows for block in built.blocks)


@pytest.mark.parametrize("query", ["since=x&until=y&by=z", "since=2026-13&by=cumulative",
                                   "until=1900-01", "by=%00%0a", "since=" + "9" * 500,
                                   "since=2020-01&until=2019-01&by=year"])
def test_any_period_input_is_safe(client, staff, query):
    """Nonsense in the address: the default period or an error message, never a failure."""
    for name in SECTIONS:
        response = client.get(f"/facilitator/impact/{name}?{query}")
        # A NUL byte is refused app-wide (400); anything else shows the page.
        assert response.status_code in (200, 400), (name, query)
        assert "Traceback" not in response.text

"""The public figures (/numbers) and the impact page's month / quarter / year switch."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from mutuo_aiuto.services import impact

NOW = datetime.now(UTC)
# Two calendar years: last year's June, and 2 January of this one (so the test
# cannot run on 1 or 2 January without this year's pairings lying in the future).
LAST_YEAR = datetime(NOW.year - 1, 6, 10, 9, tzinfo=UTC)
THIS_YEAR = datetime(NOW.year, 1, 2, 9, tzinfo=UTC)


@pytest.fixture
def history(session, make_match, make_household, make_need, make_offer, make_neighbourhood):
    """Last year 6 families of Fontivegge helped (5 closed, 2 hours each); this year 7 of
    Fontivegge, 3 of Pallotta and 5 of Ponte Felcino (2 closed). Every helper lives in
    Fontivegge: the 8 pairings of the other two cross neighbourhoods."""
    places = {name: make_neighbourhood(name=name)
              for name in ("Fontivegge", "Pallotta", "Ponte Felcino")}
    helper = make_household(neighbourhood=places["Fontivegge"])
    plan = [(LAST_YEAR, "Fontivegge", 6, 5), (THIS_YEAR, "Fontivegge", 7, 2),
            (THIS_YEAR, "Pallotta", 3, 0), (THIS_YEAR, "Ponte Felcino", 5, 0)]
    for when, place, count, closed in plan:
        for n in range(count):
            need = make_need(household=make_household(neighbourhood=places[place]),
                             status="active", opened_at=when)
            ended = ({"status": "closed", "closed_at": when, "hours": 2} if n < closed else {})
            make_match(need=need, offer=make_offer(household=helper), confirmed_at=when,
                       **ended)
    session.commit()


def numbers_in(html: str) -> list[int]:
    """Every number in the page's table cells."""
    cells = re.findall(r"<td>([^<]*)</td>", html)
    return [int(float(c.replace(".", "").replace(",", "."))) for c in cells
            if re.fullmatch(r"[\d.,]+", c)]


def test_withhold_primary_and_secondary():
    # 3 is under 5; with the total shown, 7 (the smallest other) goes with it.
    assert impact.withhold([12, 3, 7, 0], 22) == [12, None, None, 0]
    # Two withheld already: the total minus the rest gives only their sum.
    assert impact.withhold([12, 3, 2], 17) == [12, None, None]
    assert impact.withhold([6, 3], 9) == [None, None]
    # The total itself is under 5 (withheld too): nothing to subtract from.
    assert impact.withhold([3, 0], 3) == [None, 0]
    # A cell withheld beforehand (hours of a few families) counts as withheld.
    assert impact.withhold([None, 8, 9], 20) == [None, None, 9]
    assert impact.withhold([5, 0, 10], 15) == [5, 0, 10]


def test_the_public_figures_by_year_and_in_all(session, history, app):
    with app.app_context():
        from mutuo_aiuto.web.helpers import hub_clock

        found = impact.public_impact(session, hub_clock().today(), hub_clock())
    assert found.since == LAST_YEAR.date().replace(day=1)
    assert found.total == impact.PublicRow(families=21, matches=21, hours=14.0, cross_ties=8)
    years = [(span.first.year, row) for span, row in found.by_year]
    # Hours: this year's 2 closed pairings are withheld, and so last year's 10 hours,
    # which the total (14) would otherwise give back.
    assert years == [
        (NOW.year - 1, impact.PublicRow(families=6, matches=6, hours=None, cross_ties=0)),
        (NOW.year, impact.PublicRow(families=15, matches=15, hours=None, cross_ties=8)),
    ]
    # Pallotta's 3 are withheld, and Ponte Felcino's 5 with them (21 - 13 - 5 = 3).
    assert found.by_neighbourhood == [("Fontivegge", 13), ("Pallotta", None),
                                      ("Ponte Felcino", None)]


def test_the_public_page_needs_no_login_and_shows_no_small_figure(client, history):
    page = client.get("/numbers", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.text
    assert "The programme in numbers" in html and "Fontivegge" in html
    shown = numbers_in(html)
    assert shown and all(n == 0 or n >= 5 for n in shown)
    assert "21" in html and "not shown" in html
    # No special-category data: no groups, no categories of need.
    assert "self-help" not in html.lower() and "Group activities" not in html
    assert html.count('role="img"') == 3


def test_the_public_page_may_be_kept_by_a_cache_for_visitors(client, history):
    page = client.get("/numbers")
    assert page.headers["Cache-Control"] == "public, max-age=3600"
    assert {"Accept-Language", "Cookie"} <= set(page.vary)
    assert "Set-Cookie" not in page.headers


def test_a_member_sees_it_but_their_page_is_not_cached(client, login, make_user, history):
    login(make_user())
    page = client.get("/numbers")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("lang", ["it", "en", "ar", "ro", "uk", "sq", "es", "fr"])
def test_the_public_page_in_every_language(client, history, lang):
    html = client.get(f"/numbers?lang={lang}").text
    assert f'lang="{lang}"' in html
    if lang != "en":
        assert "The programme in numbers" not in html
    assert ('dir="rtl"' in html) == (lang == "ar")


def test_the_public_page_before_any_pairing(client):
    html = client.get("/numbers?lang=en").text
    assert "No pairing has been confirmed yet" in html and "<svg" not in html


# ---- the impact page's periods ------------------------------------------------------------


@pytest.fixture
def staff(login, make_user):
    return login(make_user(role="facilitator", locale="en"))


def span_rows(html: str) -> list[str]:
    table = html.split('id="figures-span"')[1].split("</table>")[0]
    return re.findall(r'<th scope="row">([^<]*)</th>', table)


def test_the_period_switch_groups_the_rows(client, staff, history):
    since, until = f"{NOW.year - 1}-06", f"{NOW.year}-01"
    query = f"since={since}&until={until}"
    months = span_rows(client.get(f"/facilitator/impact?{query}").text)
    assert len(months) == 8
    quarters = client.get(f"/facilitator/impact?{query}&by=quarter").text
    assert span_rows(quarters) == [f"2nd quarter {NOW.year - 1}", f"3rd quarter {NOW.year - 1}",
                                   f"4th quarter {NOW.year - 1}", f"1st quarter {NOW.year}"]
    assert "Quarters and years are shown whole" in quarters
    # The group activities' table follows the same switch.
    groups = quarters.split('id="groups-span"')[1].split("</table>")[0]
    assert re.findall(r'<th scope="row">([^<]*)</th>', groups) == span_rows(quarters)
    assert 'aria-current="page">Quarters</a>' in quarters
    years = client.get(f"/facilitator/impact?{query}&by=year").text
    assert span_rows(years) == [str(NOW.year - 1), str(NOW.year)]
    running = client.get(f"/facilitator/impact?{query}&by=cumulative").text
    assert len(span_rows(running)) == 8 and span_rows(running)[0].startswith("up to")
    assert 'class="chart-svg chart-line-chart chart-families"' in running


def test_mostly_small_months_offer_quarters(client, staff, history):
    # This year's January alone has 15 families; by month from June the months in between
    # are empty, so set a period where the few families are spread: Pallotta's 3 only.
    html = client.get(f"/facilitator/impact?since={NOW.year - 1}-05&until={NOW.year - 1}-07"
                      ).text
    assert "Most of these figures are under 5" not in html  # June: 6 families, shown
    small = client.get("/facilitator/impact?since=2020-01&until=2020-03").text
    assert "Most of these figures are under 5" not in small  # nobody: nothing hidden


def test_a_bad_grouping_is_explained_and_months_are_shown(client, staff):
    html = client.get("/facilitator/impact?by=fortnight").text
    assert "Choose months, quarters, years or the running total." in html
    assert 'aria-current="page">Months</a>' in html


def test_a_year_with_few_families_is_joined_to_the_next(session, make_match, make_household,
                                                       make_need, make_offer,
                                                       make_neighbourhood, app):
    """3 families the year before last, 6 last year, 2 this year: the first joins the
    second ("2 years ago–last year", 9) and this year's 2 join them too (11 in one row)."""
    place = make_neighbourhood(name="Fontivegge")
    helper = make_household(neighbourhood=place)
    for year, count in ((NOW.year - 2, 3), (NOW.year - 1, 6), (NOW.year, 2)):
        when = datetime(year, 1, 2, 9, tzinfo=UTC)
        for _ in range(count):
            need = make_need(household=make_household(neighbourhood=place), status="active",
                             opened_at=when)
            make_match(need=need, offer=make_offer(household=helper), confirmed_at=when)
    session.commit()
    with app.app_context():
        from mutuo_aiuto.web.helpers import hub_clock

        found = impact.public_impact(session, hub_clock().today(), hub_clock())
    [(span, row)] = found.by_year
    assert (span.first.year, span.last.year) == (NOW.year - 2, NOW.year)
    assert row.families == row.matches == found.total.families == 11


def test_joined_years_are_named_as_a_range(app):
    from mutuo_aiuto.web.charts import span_label

    with app.test_request_context(), force_locale("it"):
        assert span_label(impact.Period(date(2025, 1, 1), date(2026, 12, 1)), "year") == (
            "2025–2026")
        assert span_label(impact.Period(date(2026, 1, 1), date(2026, 12, 1)), "year") == "2026"


def test_a_grouping_of_nothing_but_small_figures_draws_no_empty_chart(client, staff,
                                                                     make_match, session):
    make_match(confirmed_at=NOW)
    session.commit()
    html = client.get("/facilitator/impact?by=quarter").text
    assert "Most of these figures are under 5" in html
    assert 'id="chart-families"' not in html and 'id="chart-hours"' not in html
    table = html.split('id="figures-span"')[1].split("</table>")[0]
    assert "&lt;5" in table  # the table still says "<5"

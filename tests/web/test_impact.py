"""The impact page and its CSV: staff only, small counts suppressed, any period input safe."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from mutuo_aiuto.models import AuditEvent
from mutuo_aiuto.services import audit
from mutuo_aiuto.services.impact import HIDDEN, add_months


@pytest.fixture
def staff(login, make_user):
    return login(make_user(role="facilitator", locale="en"))


@pytest.fixture
def pairings(make_match, make_household, make_need, make_neighbourhood):
    """Six pairings confirmed yesterday for six families of one neighbourhood; hours given
    by three of them, closed yesterday."""
    place = make_neighbourhood(name="Fontivegge")
    yesterday = datetime.now(UTC) - timedelta(days=1)
    for n in range(6):
        need = make_need(household=make_household(neighbourhood=place), status="active",
                         opened_at=yesterday - timedelta(days=3))
        closed = {"status": "closed", "closed_at": yesterday, "hours": 2} if n < 3 else {}
        make_match(need=need, confirmed_at=yesterday, **closed)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_staff_see_the_figures_with_a_chart(client, staff, pairings):
    page = client.get("/facilitator/impact")
    assert page.status_code == 200
    html = page.text
    assert "The programme&#39;s impact" in html or "The programme's impact" in html
    assert "Fontivegge" in html and "Families helped" in html
    assert 'class="chart-svg chart-columns chart-families"' in html
    assert 'role="img"' in html and '<title id="chart-families-title">' in html
    assert "style=" not in html and "<script" not in html
    assert 'aria-current="page">Impact</a>' in html


def test_small_counts_are_shown_as_fewer_than_5(client, staff, pairings):
    html = client.get("/facilitator/impact").text
    # Six families in all; each request has a category of its own: one pairing in each.
    assert "<dt>Families helped</dt><dd>6</dd>" in html
    by_category = html.split('id="figures-category"')[1].split("</table>")[0]
    assert by_category.count('<abbr dir="ltr" title="fewer than 5">&lt;5</abbr>') == 6 * 3
    assert "<td>1</td>" not in by_category


def test_the_csv_has_a_header_and_suppressed_counts(client, staff, pairings, session):
    response = client.get("/facilitator/impact.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = csv_rows(response)
    assert rows[0] == ["breakdown", "group", "measure", "value"]
    period = next(r for r in rows if r[0] == "period")[1]
    assert ["period", period, "families_helped", "6"] in rows
    # Six families helped, but the hours come from three closed pairings: hidden.
    assert ["period", period, "hours_given", HIDDEN] in rows
    assert ["neighbourhood", "Fontivegge", "matches_confirmed", "6"] in rows
    assert ["period", period, "families_gave_and_received", "0"] in rows
    # Each category has one pairing: suppressed.
    assert all(r[3] == "<5" for r in rows if r[0] == "category" and r[2] == "families_helped")
    [event] = session.scalars(select(AuditEvent).filter_by(action=audit.IMPACT_EXPORTED))
    assert set(event.details) == {"since", "until"}


def test_the_period_is_read_from_the_address(client, staff, pairings):
    rows = csv_rows(client.get("/facilitator/impact.csv?since=2022-01&until=2022-03"))
    months = [r[1] for r in rows if r[0] == "month" and r[2] == "matches_confirmed"]
    assert months == ["2022-01", "2022-02", "2022-03"]
    assert ["period", "2022-01/2022-03", "matches_confirmed", "0"] in rows


@pytest.mark.parametrize("query", ["since=2026-13", "since=yesterday&until=abc",
                                   "since=1999-01", "until=2021-01",
                                   "since=2026-11&until=2025-01", "since=&until="])
def test_bad_periods_give_a_message_and_the_default(client, staff, query):
    default = client.get("/facilitator/impact").text
    response = client.get(f"/facilitator/impact?{query}")
    assert response.status_code == 200
    if query != "since=&until=":
        assert "Please correct the following" in response.text
    assert _months(response.text) == _months(default)


@pytest.mark.parametrize("path", ["/facilitator/impact", "/facilitator/impact.csv"])
def test_a_blank_month_means_the_default_not_a_server_error(client, staff, path):
    """Found by the hostile-input walk: ``since=%20`` passed Optional() and reached int()."""
    assert client.get(f"{path}?since=%20&until=%20%20").status_code == 200


def _months(html: str) -> str:
    return html.split('id="figures-span"')[1].split("</table>")[0].count("<tr>")


def test_a_reversed_period_is_explained(client, staff):
    html = client.get("/facilitator/impact?since=2026-01&until=2025-06").text
    assert "The last month cannot come before the first." in html


@pytest.mark.parametrize("path", ["/facilitator/impact", "/facilitator/impact.csv"])
def test_members_are_refused_and_visitors_sent_to_log_in(client, login, make_user, path):
    assert "/login" in client.get(path).headers["Location"]
    login(make_user())
    assert client.get(path).status_code == 403


def test_administrators_may_see_it(client, login, make_user):
    login(make_user(role="admin"))
    assert client.get("/facilitator/impact").status_code == 200


def test_the_page_reads_right_to_left_in_arabic(client, login, make_user, pairings):
    login(make_user(role="facilitator", locale="ar"))
    html = client.get("/facilitator/impact").text
    assert 'dir="rtl"' in html and "Fontivegge" in html
    assert "Families helped" not in html


def _label_positions(html: str) -> list[float]:
    """The x of each month's label in the first chart, in the months' order."""
    chart = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    return [float(x) for x in re.findall(r'<text class="chart-label" x="([\d.]+)"', chart)]


def test_the_charts_run_the_way_the_page_reads(client, login, make_user, pairings):
    login(make_user(role="facilitator", locale="it"))
    left_to_right = _label_positions(client.get("/facilitator/impact").text)
    assert left_to_right == sorted(left_to_right) and len(left_to_right) > 1
    login(make_user(role="facilitator", locale="ar"))
    right_to_left = _label_positions(client.get("/facilitator/impact").text)
    assert right_to_left == sorted(right_to_left, reverse=True)


def test_the_page_shows_the_schedulers_figures_while_they_are_fresh(client, staff, pairings,
                                                                    make_match, session):
    from mutuo_aiuto import jobs

    jobs.run_task("refresh_impact_overview")
    make_match(confirmed_at=datetime.now(UTC) - timedelta(hours=1))  # after the run
    html = client.get("/facilitator/impact").text
    # The six of the scheduler's run, and when it ran; the seventh at its next run.
    assert "<dt>Pairings confirmed</dt><dd>6</dd>" in html
    assert "data-overview-as-of" in html and "every 5 minutes" in html
    # Another period is computed by the page itself: the seventh is there.
    this_month = date.today().replace(day=1)
    since = add_months(this_month, -2)
    other = client.get(f"/facilitator/impact?since={since:%Y-%m}&until={this_month:%Y-%m}").text
    assert "data-overview-as-of" not in other
    assert "<dt>Pairings confirmed</dt><dd>7</dd>" in other

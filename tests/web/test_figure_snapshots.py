"""The figures computed by the scheduler, not in the web request (issue 15).

``snapshots.refresh`` stores the month, quarter, year and cumulative reports; ``latest``
reads them back; the downloads and the impact page read ``latest``; with none stored the
page says they are being prepared and queues a refresh, which the scheduler's minute job
does. The "Refresh the figures now" button is for facilitators, POST with CSRF, limited.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, func, select

from mutuo_aiuto import jobs
from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import AuditEvent, FigureSnapshot, Neighbourhood, QueuedFigureRefresh
from mutuo_aiuto.scheduler import SCHEDULES
from mutuo_aiuto.services import audit, hubtime
from mutuo_aiuto.services.figures import report, snapshots
from mutuo_aiuto.services.figures.periods import Granularity, ReportPeriod
from mutuo_aiuto.services.figures.rows import COLUMNS
from tests import factories
from tests.web.test_query_counts import counted

CSV = "/facilitator/impact/figures.csv"
XLSX = "/facilitator/impact/figures.xlsx"
REFRESH = "/facilitator/impact/refresh"
IMPACT = "/facilitator/impact"


def add_pairings(session, count: int, days_ago: int = 1) -> None:
    """``count`` pairings confirmed ``days_ago`` days ago, each of a new family of
    Fontivegge (the neighbourhood made once), the first half closed with 2 hours."""
    place = session.scalar(select(Neighbourhood).where(Neighbourhood.slug == "fontivegge")) \
        or factories.make_neighbourhood(session, name="Fontivegge", slug="fontivegge")
    when = datetime.now(UTC) - timedelta(days=days_ago)
    for n in range(count):
        family = factories.make_household(session, neighbourhood=place)
        need = factories.make_need(session, household=family, status="active",
                                   opened_at=when - timedelta(days=3))
        closed = {"status": "closed", "closed_at": when, "hours": 2} if n < count // 2 else {}
        factories.make_match(session, need=need, confirmed_at=when, **closed)
    session.commit()


def refreshed(session, now: datetime | None = None) -> list[FigureSnapshot]:
    clock = hubtime.clock()
    stored = snapshots.refresh(session, clock, now or clock.now())
    session.commit()
    return stored


# ---- the service ----------------------------------------------------------------------


def test_nothing_is_stored_before_the_first_refresh(session):
    assert snapshots.latest(session, Granularity.QUARTER) is None
    assert snapshots.computed_at(session) is None


def test_a_refresh_stores_every_granularity_as_the_report_gives_it(session):
    add_pairings(session, 6)
    clock = hubtime.clock()
    now = clock.now()
    stored = refreshed(session, now)
    assert sorted(s.granularity for s in stored) == sorted(g.value for g in Granularity)
    first, last = snapshots.standard_span(session, clock.today())
    for granularity in Granularity:
        found = snapshots.latest(session, granularity)
        assert found is not None and hubtime.aware(found.computed_at) == now
        # Exactly the report's rows for the standard span, suppression included (those
        # a one-period span repeats as its cumulative rows, once).
        expected = report.report(session, clock, granularity, first, last)
        assert Counter(found.rows) == Counter(list(dict.fromkeys(expected)))
    assert hubtime.aware(snapshots.computed_at(session)) == now


def test_a_refresh_replaces_the_previous_snapshots(session):
    add_pairings(session, 6)
    refreshed(session, datetime.now(UTC) - timedelta(hours=3))
    before = snapshots.latest(session, Granularity.CUMULATIVE)
    add_pairings(session, 5)
    later = datetime.now(UTC)
    refreshed(session, later)
    assert session.scalar(select(func.count()).select_from(FigureSnapshot).where(
        FigureSnapshot.cumulative)) == len(Granularity)
    assert session.scalar(select(func.count(func.distinct(FigureSnapshot.computed_at)))) == 1
    after = snapshots.latest(session, Granularity.CUMULATIVE)
    assert hubtime.aware(after.computed_at) == later

    def posted(found):
        return next(f.value for f in found.rows if f.indicator == "requests_posted"
                    and f.neighbourhood is None and f.category is None)

    assert (posted(before), posted(after)) == (6, 11)


def test_latest_keeps_the_periods_asked_for_and_the_cumulative_rows(session):
    add_pairings(session, 6, days_ago=100)
    add_pairings(session, 6, days_ago=1)
    refreshed(session)
    everything = snapshots.latest(session, Granularity.MONTH)
    months = {(f.period_start, f.period_end) for f in everything.rows}
    assert len(months) >= 3  # at least four months, and the cumulative span
    this_month = date.today().replace(day=1)
    found = snapshots.latest(session, Granularity.MONTH, this_month, date.today())
    spans = {(f.period_start, f.period_end) for f in found.rows}
    cumulative = (found.cumulative.start, found.cumulative.end)
    assert cumulative in spans
    assert all(span == cumulative or span[1] >= this_month for span in spans)
    assert len(spans) < len(months)
    assert isinstance(found.cumulative, ReportPeriod)


def test_encoding_keeps_every_column(session):
    add_pairings(session, 6)
    clock = hubtime.clock()
    first, last = snapshots.standard_span(session, clock.today())
    found = report.report(session, clock, Granularity.QUARTER, first, last)
    start, end = found[0].period_start, found[0].period_end
    figures = [f for f in found if (f.period_start, f.period_end) == (start, end)]
    assert len(figures) > 10
    assert snapshots.decode(snapshots.encode(figures), start, end) == figures


def test_a_span_of_one_period_is_stored_once(session):
    """The programme began this year: its one year is also the cumulative span."""
    add_pairings(session, 6)
    clock = hubtime.clock()
    refreshed(session)
    found = snapshots.latest(session, Granularity.YEAR)
    first, last = snapshots.standard_span(session, clock.today())
    if first.year == last.year:
        assert len(found.rows) == len(set(found.rows))
    assert session.scalar(select(func.count()).select_from(FigureSnapshot).where(
        FigureSnapshot.granularity == "year", FigureSnapshot.cumulative)) == 1


# ---- the jobs -------------------------------------------------------------------------


def test_the_jobs_are_registered_nightly_and_every_minute():
    by_id = {s.id: s for s in SCHEDULES}
    nightly = by_id["refresh-figures"]
    assert (nightly.func, nightly.trigger, nightly.options) == (
        "mutuo_aiuto.jobs:refresh_figures", "cron", {"hour": 2, "minute": 40})
    # After the night's matching run, so the morning's figures include it.
    assert (by_id["nightly-matching"].options["hour"], by_id["nightly-matching"].options[
        "minute"]) < (2, 40)
    queued = by_id["refresh-queued-figures"]
    assert (queued.func, queued.trigger, queued.options["minutes"]) == (
        "mutuo_aiuto.jobs:refresh_queued_figures", "interval", 1)
    assert {"refresh_figures", "refresh_queued_figures"} <= set(jobs.TASKS)


def test_the_nightly_job_stores_the_snapshots_once_a_night(app, session):
    add_pairings(session, 6)
    assert jobs.run_task("refresh_figures") == len(Granularity)
    assert jobs.run_task("refresh_figures") == "already fresh"
    assert snapshots.latest(db.session, Granularity.QUARTER) is not None


def test_the_minute_job_refreshes_only_when_asked(app, session):
    add_pairings(session, 6)
    assert jobs.run_task("refresh_queued_figures") == 0
    assert snapshots.latest(db.session, Granularity.QUARTER) is None
    facilitator = factories.make_user(session, role="facilitator")
    assert snapshots.queue_refresh(session, facilitator, datetime.now(UTC))
    assert not snapshots.queue_refresh(session, facilitator, datetime.now(UTC))  # once
    session.commit()
    assert jobs.run_task("refresh_queued_figures") == len(Granularity)
    assert not snapshots.pending(db.session)
    assert snapshots.latest(db.session, Granularity.QUARTER) is not None


# ---- the pages ------------------------------------------------------------------------


def test_with_no_snapshot_the_page_says_they_are_being_prepared_and_queues_one(
        client, login, make_user, session):
    login(make_user(role="facilitator", locale="en"))
    page = client.get(IMPACT).get_data(as_text=True)
    assert "data-figures-preparing" in page and "being prepared" in page
    assert f"{CSV}?" not in page
    assert session.scalar(select(func.count()).select_from(QueuedFigureRefresh)) == 1
    client.get(IMPACT)  # asked once, however often the page is opened
    assert session.scalar(select(func.count()).select_from(QueuedFigureRefresh)) == 1
    assert session.scalar(select(func.count()).select_from(FigureSnapshot)) == 0


@pytest.mark.parametrize("path", [CSV, XLSX])
def test_a_download_with_no_snapshot_computes_nothing_in_the_request(client, login,
                                                                     make_user, session,
                                                                     path):
    login(make_user(role="facilitator", locale="en"))
    response = client.get(path, query_string={"since": "x"})
    assert response.status_code == 302 and response.location.startswith(IMPACT)
    assert session.scalar(select(func.count()).select_from(FigureSnapshot)) == 0
    assert session.scalar(select(func.count()).select_from(QueuedFigureRefresh)) == 1
    page = client.get(response.location).get_data(as_text=True)
    assert "being prepared" in page


def test_the_downloads_read_the_snapshot_and_say_when(client, login, make_user, session):
    add_pairings(session, 6)
    computed = datetime(2026, 12, 5, 1, 40, tzinfo=UTC)  # 02:40 in Rome
    refreshed(session, computed)
    add_pairings(session, 5)  # after the snapshot: not in the files
    login(make_user(role="facilitator", locale="ar"))
    page = client.get(IMPACT).get_data(as_text=True)
    assert "data-figures-as-of" in page and "data-figures-preparing" not in page

    response = client.get(CSV, query_string={"by": "cumulative"})
    assert response.status_code == 200
    assert "dati-al-20261205-0240" in response.headers["Content-Disposition"]
    assert response.last_modified == computed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == COLUMNS
    posted = [r for r in rows if r["indicator"] == "requests_posted"
              and not r["neighbourhood"] and not r["category"]]
    assert posted[-1]["value"] == "6"

    response = client.get(XLSX, query_string={"by": "quarter"})
    book = load_workbook(io.BytesIO(response.data))
    header = next(book["Indicatori"].iter_rows(values_only=True))
    assert tuple(header) == COLUMNS
    said = list(book["Definizioni"].iter_rows(values_only=True))[-1][0]
    assert said == "Dati al 5 dic 2026, 02:40" == book.properties.description
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == audit.IMPACT_EXPORTED).order_by(AuditEvent.id.desc())).first()
    assert event.details["format"] == "xlsx" and event.details["computed_at"].startswith(
        "2026-12-05T01:40")


def test_the_downloads_queries_do_not_grow_with_the_data(client, login, make_user, session):
    login(make_user(role="facilitator"))
    add_pairings(session, 6)
    refreshed(session)
    counts = []
    for more in (0, 30):
        add_pairings(session, more)
        refreshed(session)
        for path in (CSV, XLSX):
            with counted() as statements:
                assert client.get(path, query_string={"by": "month"}).status_code == 200
            counts.append((path, len(statements)))
    assert counts[:2] == counts[2:], counts


def test_the_participant_export_queries_do_not_grow_with_the_data(client, login, make_user,
                                                                   session):
    """Computed on request (rare, administrators only), but not a query a household."""
    login(make_user(role="admin"))
    assert client.post("/confirm-password",
                       data={"password": factories.TEST_PASSWORD}).status_code == 302
    counts = []
    for more in (6, 30):
        add_pairings(session, more)
        with counted() as statements:
            response = client.get("/facilitator/impact/participants.csv")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# ---- the button -----------------------------------------------------------------------


def test_a_facilitator_queues_a_refresh_recorded_in_the_audit_trail(client, login,
                                                                    make_user, session):
    facilitator = login(make_user(role="facilitator", locale="en"))
    add_pairings(session, 6)
    refreshed(session)
    response = client.post(REFRESH)
    assert response.status_code == 302 and response.location == IMPACT
    queued = session.scalars(select(QueuedFigureRefresh)).one()
    assert queued.queued_by_id == facilitator.id
    assert session.scalar(select(FigureSnapshot.id).where(
        FigureSnapshot.computed_at > datetime.now(UTC))) is None  # nothing computed
    assert session.scalars(select(AuditEvent).where(
        AuditEvent.action == audit.FIGURES_REFRESH_QUEUED)).one().actor_id == facilitator.id
    page = client.get(IMPACT).get_data(as_text=True)
    assert "computed again within a few minutes" in page


@pytest.mark.parametrize("role", ["member"])
def test_members_may_not_refresh(client, login, make_user, session, role):
    login(make_user(role=role))
    assert client.post(REFRESH).status_code == 403
    assert session.scalar(select(func.count()).select_from(QueuedFigureRefresh)) == 0


def test_the_refresh_button_needs_the_csrf_token(make_app):
    app = make_app(extra={"WTF_CSRF_ENABLED": True})
    client = app.test_client()
    with app.app_context():
        user = factories.make_user(db.session, role="facilitator", locale="en")
        db.session.commit()
        with client.session_transaction() as browser:
            browser["_user_id"], browser["_fresh"] = user.get_id(), True
        assert client.post(REFRESH, data={"anything": "x"}).status_code == 400
        page = client.get(IMPACT).get_data(as_text=True)  # queues one: no snapshot yet
        db.session.execute(delete(QueuedFigureRefresh))
        db.session.commit()
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        assert client.post(REFRESH, data={"csrf_token": token}).status_code == 302
        assert db.session.scalars(select(QueuedFigureRefresh)).one().queued_by_id == user.id


def test_the_refresh_button_is_rate_limited(make_app):
    app = make_app(ratelimit_enabled=True)
    client = app.test_client()
    with app.app_context():
        user = factories.make_user(db.session, role="facilitator", locale="en")
        db.session.commit()
        email = user.email
    client.post("/login", data={"email": email, "password": factories.TEST_PASSWORD})
    for _ in range(10):
        assert client.post(REFRESH).status_code == 302
    assert client.post(REFRESH).status_code == 429


def test_the_impact_tabs_read_the_snapshot_and_compute_nothing(session, monkeypatch):
    """Once the scheduler stored the figures, the pages' one door reads them: the report
    is not run in the request (it would grow with the data)."""
    from mutuo_aiuto.services.figures import pages

    add_pairings(session, 8)
    refreshed(session)
    clock = hubtime.clock()
    today = clock.today()
    expected = snapshots.latest(session, Granularity.QUARTER, date(today.year - 1, 1, 1), today)

    def no_report(*args, **kwargs):
        raise AssertionError("the report ran in the request")

    monkeypatch.setattr(report, "report", no_report)
    found = pages.page_figures(session, clock, Granularity.QUARTER,
                               date(today.year - 1, 1, 1), today)
    assert list(found.figures) == expected.rows
    assert found.whole == expected.cumulative
    assert found.get("requests_posted") is not None

"""The funder's downloads (issue 14): long-form CSV and XLSX that open again with the
csv module and openpyxl, read from the scheduler's snapshot (issue 15); the
participant-level export for administrators, fresh login, audited."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from mutuo_aiuto.models import AuditEvent, Member
from mutuo_aiuto.services import audit, hubtime
from mutuo_aiuto.services.figures import snapshots
from mutuo_aiuto.services.figures.cube import BREAKDOWNS
from mutuo_aiuto.services.figures.indicators import INDICATORS
from mutuo_aiuto.services.figures.rows import COLUMNS, Figure
from tests.factories import TEST_PASSWORD
from tests.services.figures.test_protection import exposed_lines

CSV = "/facilitator/impact/figures.csv"
XLSX = "/facilitator/impact/figures.xlsx"
PEOPLE = "/facilitator/impact/participants.csv"


@pytest.fixture
def pairings(make_match, make_household, make_need, make_neighbourhood, session):
    """Six pairings confirmed yesterday for six families of Fontivegge, each family one
    woman born in 1985; three closed with 2 hours each."""
    place = make_neighbourhood(name="Fontivegge")
    yesterday = datetime.now(UTC) - timedelta(days=1)
    for n in range(6):
        family = make_household(neighbourhood=place)
        family.members.append(Member(kind="adult", first_name="Anna", birth_year=1985))
        session.commit()
        need = make_need(household=family, status="active",
                         opened_at=yesterday - timedelta(days=3))
        closed = {"status": "closed", "closed_at": yesterday, "hours": 2} if n < 3 else {}
        make_match(need=need, confirmed_at=yesterday, **closed)
    refreshed(session)


def refreshed(session) -> None:
    """The scheduler's job, as it runs: the downloads read what it stored."""
    clock = hubtime.clock()
    snapshots.refresh(session, clock, clock.now())
    session.commit()


def rows_of(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_csv_opens_again_in_long_form_with_every_indicator(client, login, make_user,
                                                                pairings, session):
    login(make_user(role="facilitator", locale="ar"))
    response = client.get(CSV)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    found = rows_of(response)
    assert tuple(found[0]) == COLUMNS
    assert {row["indicator"] for row in found} == {i.name for i in INDICATORS}
    # Italian labels although the reader reads Arabic.
    posted = [r for r in found if r["indicator"] == "requests_posted"]
    assert {r["label"] for r in posted} == {"Richieste pubblicate"}
    # The cumulative row of the six requests is a number; small cells are empty and flagged.
    cumulative = [r for r in posted if not r["neighbourhood"] and not r["category"]][-1]
    assert (cumulative["value"], cumulative["suppressed"]) == ("6", "false")
    for row in found:
        assert (row["value"] == "") == (row["suppressed"] == "true") or row["value"] == ""
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == audit.IMPACT_EXPORTED)).one()
    assert event.details["format"] == "csv" and event.details["by"] == "quarter"


def test_no_hidden_cell_of_the_csv_can_be_worked_out(client, login, make_user, pairings):
    """The exports carry the protection: read back, no line lets a hidden cell (or a small
    sum of hidden cells) be subtracted."""
    login(make_user(role="facilitator"))
    published = []
    for row in rows_of(client.get(CSV, query_string={"by": "month"})):
        published.append(Figure(
            date.fromisoformat(row["period_start"]), date.fromisoformat(row["period_end"]),
            row["indicator"], row["code"] or None, row["label"],
            *(row[b] or None for b in BREAKDOWNS),
            value=float(row["value"]) if row["value"] else None,
            suppressed=row["suppressed"] == "true"))
    assert published and exposed_lines(published, cumulative=_cumulative(published)) == []


def _cumulative(published):
    """The span of the cumulative rows: the longest period in the file."""
    return max(((f.period_start, f.period_end) for f in published),
               key=lambda span: span[1] - span[0])


def test_the_xlsx_opens_again_with_openpyxl(client, login, make_user, pairings):
    login(make_user(role="facilitator"))
    response = client.get(XLSX, query_string={"by": "month"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Indicatori", "Definizioni"]
    sheet = book["Indicatori"]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert tuple(header) == COLUMNS
    index = {name: n for n, name in enumerate(header)}
    participants = [r for r in rows if r[index["indicator"]] == "participants"
                    and r[index["gender"]] is None and r[index["age_band"]] is None]
    assert participants and all(r[index["code"]] == "EECO11" for r in participants)
    # Six families and six helpers' households (one person each): twelve people.
    assert participants[-1][index["value"]] == 12 and participants[-1][index["suppressed"]] is False
    definitions = list(book["Definizioni"].iter_rows(values_only=True))
    # The definitions, then a blank line and when the figures were computed.
    assert len(definitions) == len(INDICATORS) + 3
    assert definitions[-1][0].startswith("Dati al ")
    assert book.properties.description == definitions[-1][0]


def test_a_breakdown_that_is_not_in_the_list_gives_the_quarters(client, login, make_user,
                                                                session):
    login(make_user(role="facilitator"))
    refreshed(session)
    response = client.get(CSV, query_string={"by": "<script>", "since": "x"})
    assert response.status_code == 200
    assert "by=" not in response.headers["Content-Disposition"]
    assert "quarter" in response.headers["Content-Disposition"]


def test_the_impact_page_links_the_downloads(client, login, make_user, session):
    login(make_user(role="facilitator", locale="en"))
    refreshed(session)
    page = client.get("/facilitator/impact").get_data(as_text=True)
    assert f"{CSV}?" in page and f"{XLSX}?" in page
    assert PEOPLE not in page
    login(make_user(role="admin", locale="en"))
    assert PEOPLE in client.get("/facilitator/impact").get_data(as_text=True)


def test_participants_one_by_one_for_administrators_with_a_fresh_login(client, login,
                                                                        make_user, pairings,
                                                                        session):
    admin = login(make_user(role="admin"))
    response = client.get(PEOPLE)
    assert response.location.startswith("/confirm-password")
    assert session.scalars(select(AuditEvent).where(
        AuditEvent.action == audit.PARTICIPANTS_EXPORTED)).first() is None
    assert client.post("/confirm-password", data={"password": TEST_PASSWORD}).status_code == 302
    response = client.get(PEOPLE)
    assert response.status_code == 200
    found = rows_of(response)
    # Six families of one woman each, and six helpers' households listing nobody (one
    # person each, the account holder, nothing recorded).
    assert len(found) == 12
    assert sorted({(r["birth_year"], r["age_band"]) for r in found}) == [
        ("", "not_recorded"), ("1985", "30_54")]
    assert sum(r["birth_year"] == "1985" for r in found) == 6
    # Pseudonymous: no name, no contact.
    text = response.get_data(as_text=True)
    assert "Anna" not in text and "Via del Macello" not in text
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == audit.PARTICIPANTS_EXPORTED)).one()
    assert event.details["people"] == 12 and event.actor_id == admin.id


def test_facilitators_may_not_download_participants(client, login, make_user):
    login(make_user(role="facilitator"))
    assert client.post("/confirm-password", data={"password": TEST_PASSWORD}).status_code == 302
    assert client.get(PEOPLE).status_code == 403

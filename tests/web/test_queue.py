"""The facilitator's queue: a compact row per request, what needs a decision first, the
family's own urgency, scores whose parts add up, ties explained, bounded queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from mutuo_aiuto.models import MatchingRun, Proposal
from mutuo_aiuto.services import facilitator_queue, reasons
from mutuo_aiuto.web.families.forms import URGENCY_CHOICES
from tests import factories
from tests.web.test_query_counts import counted

NOW = datetime.now(UTC)


def _rows(page: str) -> list[str]:
    """The requests' public ids, in the order the queue shows them."""
    return re.findall(r'<tr role="row" class="queue-row[^"]*" data-need="([^"]+)"', page)


@pytest.fixture
def hub(session):
    place = factories.make_neighbourhood(session, slug="fontivegge", name="Fontivegge")
    category = factories.make_category(session, slug="childcare", name="Bambini",
                                       translations={"en": "Childcare"})
    run = MatchingRun(kind="full", started_at=NOW, finished_at=NOW, stats={})
    session.add(run)
    return {"place": place, "category": category, "run": run,
            "facilitator": factories.make_user(session, role="facilitator", locale="en")}


def _need(session, hub, name: str, *, urgency: int = 0, days: int = 1):
    family = factories.make_household(session, name=name, neighbourhood=hub["place"])
    return factories.make_need(session, household=family, category=hub["category"],
                               urgency=urgency, status="open",
                               opened_at=NOW - timedelta(days=days))


def _propose(session, hub, need, *, score: int = 20, rank: int = 1, days: float = 0,
             offer=None, helper: str = "Famiglia Rossi"):
    offer = offer or factories.make_offer(session, household=factories.make_household(
        session, name=helper, neighbourhood=hub["place"]))
    proposal = Proposal(run=hub["run"], need=need, offer=offer, rank=rank, score=score,
                        reasons=[{"code": "base", "points": 10},
                                 {"code": "proximity", "points": score - 10, "hops": 0}],
                        created_at=NOW - timedelta(days=days))
    need.status = "proposed"
    session.add(proposal)
    session.flush()
    return proposal


def test_a_row_shows_family_kind_when_where_waiting_urgency_and_the_top_proposal(
        client, login, session, hub):
    need = _need(session, hub, "Famiglia Hassan", urgency=2, days=3)
    _propose(session, hub, need, score=30)
    session.commit()
    login(hub["facilitator"])
    page = client.get("/facilitator").text
    row = page[page.index(f'data-need="{need.public_id}"'):]
    row = row[:row.index("</tr>")]
    for shown in ("Famiglia Hassan", "Childcare", "Tue 16:00–18:00", "Fontivegge",
                  "3 days", "Within a week", "Famiglia Rossi", "30 points",
                  f'href="/facilitator/needs/{need.public_id}"'):
        assert shown in row
    assert "Urgent" not in page


@pytest.mark.parametrize(("value", "english", "italian"), [
    (0, "Not urgent", "Non urgente"), (1, "Within a month", "Entro un mese"),
    (2, "Within a week", "Entro una settimana"), (3, "Within days", "Entro pochi giorni")])
def test_urgency_reads_as_the_family_chose_it(client, login, session, hub, value, english,
                                              italian):
    need = _need(session, hub, "Famiglia Hassan", urgency=value)
    session.commit()
    assert dict(URGENCY_CHOICES)[value] == reasons.URGENCY_LABELS[value]  # the form's words
    login(hub["facilitator"])
    page = client.get("/facilitator").text
    assert f'data-urgency="{value}"' in page
    assert f'<td role="cell" class="queue-urgency">{english}</td>' in page
    detail = client.get(f"/facilitator/needs/{need.public_id}").text
    assert english in detail
    hub["facilitator"].locale = "it"
    session.commit()
    assert f'class="queue-urgency">{italian}</td>' in client.get("/facilitator").text


def test_what_needs_a_decision_comes_first(client, login, session, hub):
    # Proposals waiting for a decision: the family's urgency, then the longest waiting family
    # (since it published the request, whenever the proposal came).
    waited_9_days = _need(session, hub, "A", days=9)
    _propose(session, hub, waited_9_days, days=5)
    waited_30_days = _need(session, hub, "B", days=30)
    _propose(session, hub, waited_30_days, days=1)
    urgent = _need(session, hub, "C", urgency=3)
    _propose(session, hub, urgent, days=0)
    # Then the requests whose helper said no or did not answer: to pair again.
    declined = _need(session, hub, "D", days=2)
    factories.make_match(session, need=declined, status="declined")
    unanswered = _need(session, hub, "E", days=1)
    factories.make_match(session, need=unanswered, status="unanswered")
    # Then the requests without a proposal.
    lonely_old = _need(session, hub, "F", days=40)
    lonely_urgent = _need(session, hub, "G", urgency=2, days=1)
    session.commit()
    login(hub["facilitator"])
    order = [urgent, waited_30_days, waited_9_days, declined, unanswered, lonely_urgent,
             lonely_old]
    assert _rows(client.get("/facilitator").text) == [n.public_id for n in order]
    page = facilitator_queue.queue(session, NOW.date())
    assert [row.group for row in page.rows] == [0, 0, 0, 1, 1, 2, 2]


def test_the_parts_listed_on_the_request_add_up_to_its_score(client, login, session, hub):
    need = _need(session, hub, "Famiglia Hassan", urgency=2)
    proposal = _propose(session, hub, need, score=30)
    proposal.reasons = [{"code": "base", "points": 10}, {"code": "urgency", "points": 10},
                        {"code": "proximity", "points": 6, "hops": 0},
                        {"code": "language", "points": 4, "shared": ["ar"]}]
    session.commit()
    login(hub["facilitator"])
    page = client.get(f"/facilitator/needs/{need.public_id}").text
    points = [int(p) for p in re.findall(r'data-points="(-?\d+)"', page)]
    assert points == [10, 10, 6, 4] and sum(points) == 30
    assert 'data-score="30"' in page and "Score: 30 points" in page
    assert "= 10 + 10 + 6 + 4" in page
    assert "Starting points of every pairing" in page
    assert "The family chose: Within a week" in page


def test_a_tie_says_how_it_was_broken(client, login, session, hub):
    need = _need(session, hub, "Famiglia Hassan")
    chosen = _propose(session, hub, need, score=30, helper="Famiglia Rossi")
    same = _propose(session, hub, need, score=30, rank=2, helper="Famiglia Bianchi")
    busy = _propose(session, hub, need, score=30, rank=3, helper="Famiglia Verdi")
    lower = _propose(session, hub, need, score=20, rank=4, helper="Famiglia Neri")
    # Famiglia Verdi's offer is the matcher's choice for another request.
    _propose(session, hub, _need(session, hub, "Famiglia Altra"), offer=busy.offer)
    session.commit()
    login(hub["facilitator"])
    page = client.get(f"/facilitator/needs/{need.public_id}").text
    with force_locale("en"):
        notes = {chosen.id: str(reasons.TIE_CHOSEN), same.id: str(reasons.TIE_ORDER),
                 busy.id: str(reasons.TIE_ELSEWHERE)}
    cards = page.split('class="card proposal"')[1:]
    assert len(cards) == 4
    for card, proposal in zip(cards, (chosen, same, busy, lower), strict=True):
        assert proposal.offer.household.name in card
        note = notes.get(proposal.id)
        if note is None:
            assert "data-tie" not in card
        else:
            assert note.replace("'", "&#39;") in card


def test_no_tie_no_note(session, hub):
    need = _need(session, hub, "Famiglia Hassan")
    found = [_propose(session, hub, need, score=30), _propose(session, hub, need, score=25,
                                                              rank=2)]
    assert reasons.tie_notes(found, set()) == {}


def _grow(session, hub, families: int) -> None:
    for n in range(families):
        need = _need(session, hub, f"Famiglia {n}", urgency=n % 4, days=n % 7)
        # Two requests in three have proposals (so each page shown has some), one was declined.
        if n % 3 == 1:
            factories.make_match(session, need=need, status="declined")
        else:
            _propose(session, hub, need)
            _propose(session, hub, need, rank=2)
        factories.make_match(session, status="awaiting", respond_by=NOW + timedelta(days=1))
    session.commit()


def _queries(client, path: str) -> int:
    from mutuo_aiuto.extensions import db

    db.session.expunge_all()
    with counted() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", ["/facilitator", "/facilitator?page=2&awaiting_page=2",
                                  "/facilitator?urgency=1&neighbourhood=fontivegge"])
def test_the_queue_asks_as_often_whatever_the_data(client, login, session, hub, path):
    facilitator = hub["facilitator"]
    login(facilitator)
    _grow(session, hub, 30)
    few = _queries(client, path)
    hub["run"], hub["place"], hub["category"] = (session.merge(hub[k])
                                                 for k in ("run", "place", "category"))
    _grow(session, hub, 60)
    assert _queries(client, path) == few


def test_the_awaiting_list_pages(client, login, session, hub, monkeypatch):
    monkeypatch.setattr(facilitator_queue, "AWAITING_PER_PAGE", 2)
    for n in range(5):
        need = _need(session, hub, f"Attesa {n}")
        need.status = "matched"  # no longer in the queue: only in the list below it
        factories.make_match(session, status="awaiting", respond_by=NOW + timedelta(days=n),
                             need=need)
    session.commit()
    login(hub["facilitator"])
    shown = [[f"Attesa {n}" for n in range(5)
              if f">Attesa {n}<" in client.get(f"/facilitator?awaiting_page={p}").text]
             for p in (1, 2, 3)]
    assert shown == [["Attesa 0", "Attesa 1"], ["Attesa 2", "Attesa 3"], ["Attesa 4"]]


def test_blank_filters_in_the_address_mean_all(client, login, make_user):
    # WTForms' Optional() lets blanks past a select's own check; " " as urgency was a 500.
    login(make_user(role="facilitator", locale="en"))
    for query in ({"urgency": [" "]}, {"urgency": ["\r\n\t", "x"]},
                  {"neighbourhood": ["  "]}, {"category": ["\t", "a"]}):
        for path in ("/facilitator", "/facilitator/unmatched"):
            assert client.get(path, query_string=query).status_code == 200, (path, query)

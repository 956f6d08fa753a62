"""Query counts of the writes (issue 15, item 1): posting or editing a request or an
offer, confirming, turning down, the helper's yes and no each ask the database as
often with many families as with few. Work that grows with the data — proposing
again for every request an offer may serve, or that a confirmation took the chosen
offer from — is queued for the scheduler's minute job, never done in the request.

Each test makes the same write on a small Hub and on a larger one (``Hub`` of the
pages' query counts: every family added brings a request, an offer with the same
skill, proposals, pairings under way and closed) and compares the counts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Match, Need, Offer, Proposal, QueuedNeed
from tests import factories
from tests.web.test_query_counts import LARGE, NOW, SMALL, Hub, counted

END = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def hub(app, session) -> Hub:
    hub = Hub(session)
    session.commit()
    return hub


def _request_form(hub: Hub) -> dict:
    return {"title": "Baby-sitting", "category": hub.category.slug, "skills": [hub.skill.slug],
            "weekly-0-days": ["1"], "weekly-0-start": "16:00", "weekly-0-end": "18:00",
            "ends_on": END, "neighbourhood": hub.place.slug, "max_hops": "1", "helpers": "1",
            "urgency": "2", "languages": ["it"], "description": "", "publish": "1"}


def _offer_form(hub: Hub) -> dict:
    return {"title": "Pomeriggi liberi", "skills": [hub.skill.slug],
            "weekly-0-days": ["1"], "weekly-0-start": "15:00", "weekly-0-end": "19:00",
            "ends_on": END, "neighbourhood": hub.place.slug, "max_hops": "2",
            "capacity": "3", "languages": ["it"], "description": ""}


def _write(client, path: str, data: dict | None = None) -> int:
    """The write's queries, from an empty identity map as a request in production."""
    db.session.expunge_all()
    with counted() as statements:
        response = client.post(path, data=data or {})
    assert response.status_code == 302, (path, response.status_code)
    return len(statements)


def _compare(hub: Hub, write: Callable[[], int]) -> None:
    """The write once to warm, once on the small Hub, once on the large one."""
    hub.grow_to(SMALL)
    write()
    hub.reattach()
    small = write()
    hub.reattach()
    hub.grow_to(LARGE)
    large = write()
    assert large == small, f"{small} queries with {SMALL} more families, {large} with {LARGE}"


def test_posting_an_offer_asks_as_often_whatever_the_data(client, login, hub):
    """Every family added brings a request the offer fits: the offer is queued."""
    login(hub.family.user)
    _compare(hub, lambda: _write(client, "/offers/new", _offer_form(hub)))


def test_editing_an_offer_asks_as_often_whatever_the_data(client, login, hub):
    login(hub.family.user)
    offer = factories.make_offer(db.session, household=hub.family, skills=[hub.skill])
    db.session.commit()
    path = f"/offers/{offer.public_id}/edit"
    _compare(hub, lambda: _write(client, path, _offer_form(hub)))


def test_editing_a_request_asks_as_often_whatever_the_data(client, login, hub):
    """Editing proposes again for the request: its part of the problem, read in a fixed
    number of queries however many offers have its skill."""
    login(hub.family.user)
    need = factories.make_need(db.session, household=hub.family, category=hub.category,
                               skills=[hub.skill])
    db.session.commit()
    path = f"/needs/{need.public_id}/edit"
    _compare(hub, lambda: _write(client, path, _request_form(hub)))


def _contested_proposal(hub: Hub) -> Proposal:
    """A proposal of a one-place offer that as many other requests as the Hub has
    families hold as their choice: confirming it takes the offer from all of them."""
    s = hub.session
    helper = factories.make_household(s, neighbourhood=hub.place)
    offer = factories.make_offer(s, household=helper, skills=[hub.skill], capacity=1)
    needs = [factories.make_need(s, household=factories.make_household(
        s, neighbourhood=hub.place), category=hub.category, skills=[hub.skill],
        status="proposed") for _ in range(hub.added + 1)]
    rows = [Proposal(run=hub.run, need=need, offer=offer, score=40, rank=1,
                     reasons=[{"code": "base", "points": 40}]) for need in needs]
    s.add_all(rows)
    s.commit()
    return rows[0]


def test_confirming_asks_as_often_whatever_the_data(client, login, hub):
    """The other requests the offer was the choice of lose that proposal at once (one
    statement) and are queued for the scheduler: none is proposed again here."""
    login(hub.facilitator)

    def confirm() -> int:
        proposal = _contested_proposal(hub)
        others = hub.added
        count = _write(client, f"/facilitator/proposals/{proposal.public_id}/confirm")
        assert db.session.query(Match).filter_by(proposal_id=proposal.id).count() == 1
        assert db.session.query(QueuedNeed).count() >= others
        return count

    _compare(hub, confirm)


def test_turning_a_proposal_down_asks_as_often_whatever_the_data(client, login, hub):
    login(hub.facilitator)

    def reject() -> int:
        proposal = _contested_proposal(hub)
        return _write(client, f"/facilitator/proposals/{proposal.public_id}/reject",
                      {"reason": "Troppo lontano per la famiglia."})

    _compare(hub, reject)


def _awaiting(hub: Hub) -> Match:
    """A pairing waiting for the logged-in family's answer, as its helper."""
    s = hub.session
    offer = factories.make_offer(s, household=hub.family, skills=[hub.skill])
    need = factories.make_need(s, household=factories.make_household(
        s, neighbourhood=hub.place), status="matched", category=hub.category,
        skills=[hub.skill])
    match = factories.make_match(s, status="awaiting", need=need, offer=offer,
                                 respond_by=NOW + timedelta(days=2))
    s.commit()
    return match


def test_the_helpers_yes_asks_as_often_whatever_the_data(client, login, hub):
    login(hub.family.user)
    _compare(hub, lambda: _write(client, f"/matches/{_awaiting(hub).public_id}/accept"))


def test_the_helpers_no_asks_as_often_whatever_the_data(client, login, hub):
    """Declining proposes again for the request (its own part of the problem)."""
    login(hub.family.user)

    def decline() -> int:
        match = _awaiting(hub)
        count = _write(client, f"/matches/{match.public_id}/decline")
        assert db.session.get(Need, match.need_id).status in ("open", "proposed")
        return count

    _compare(hub, decline)


def test_a_posted_offer_is_queued_not_proposed(client, login, hub):
    """What keeps posting an offer flat: no proposal is made in the request."""
    login(hub.family.user)
    hub.grow_to(SMALL)
    before = db.session.query(Proposal).count()
    _write(client, "/offers/new", _offer_form(hub))
    assert db.session.query(Proposal).count() == before
    assert db.session.query(Offer).filter_by(title="Pomeriggi liberi").count() == 1

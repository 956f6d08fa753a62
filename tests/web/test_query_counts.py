"""Query counts are behaviour: each main page asks the database as often with many
families as with few (issue 15). A page whose count grows with the data has an
N+1 — a query per row shown — that a busy Hub pays on every visit.

Each test loads the page on a small Hub, counts its queries, adds families with
requests, offers, proposals, pairings under way and closed, follow-ups and
notifications — and some of the logged-in family's own — and counts again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import FollowUp, MatchingRun, Need, Proposal, UnmatchedReason
from mutuo_aiuto.services import audit, notifications
from tests import factories

SMALL, LARGE = 5, 25
NOW = datetime.now(UTC)


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


class Hub:
    """The people the pages are seen by, and a way to add families around them."""

    def __init__(self, session) -> None:
        self.session = session
        self.place = factories.make_neighbourhood(session)
        self.category = factories.make_category(session)
        self.skill = factories.make_skill(session, category=self.category)
        self.family = factories.make_household(session, neighbourhood=self.place)
        self.facilitator = factories.make_user(session, role="facilitator")
        self.admin = factories.make_user(session, role="admin")
        self.run = MatchingRun(kind="full", started_at=NOW, finished_at=NOW,
                               stats={"needs": 0})
        session.add(self.run)
        self.added = 0

    def reattach(self) -> None:
        """Put the kept rows back in the session after a page emptied it."""
        for name in ("place", "category", "skill", "family", "facilitator", "admin", "run"):
            setattr(self, name, self.session.merge(getattr(self, name)))

    def grow_to(self, families: int) -> None:
        while self.added < families:
            self.add_family()
            self.added += 1
        self.session.commit()

    def add_family(self) -> None:
        s, make = self.session, factories
        other = make.make_household(s, neighbourhood=self.place)
        helper = make.make_household(s, neighbourhood=self.place)
        need = make.make_need(s, household=other, category=self.category, skills=[self.skill])
        offer = make.make_offer(s, household=helper, skills=[self.skill])
        s.add(Proposal(run=self.run, need=need, offer=offer, score=50, rank=1,
                       reasons=[{"code": "same_neighbourhood", "points": 10}]))
        # A pairing under way with a follow-up due, and one closed with its hours.
        running = make.make_match(s, need=make.make_need(s, household=other, status="active",
                                                         category=self.category,
                                                         skills=[self.skill]),
                                  offer=offer, confirmed_at=NOW - timedelta(days=20))
        s.add(FollowUp(match=running, due_on=date.today() - timedelta(days=1)))
        make.make_match(s, status="closed", need=make.make_need(
            s, household=other, status="closed", category=self.category,
            skills=[self.skill]), offer=offer, outcome="resolved", hours=6.0,
            confirmed_at=NOW - timedelta(days=60), closed_at=NOW - timedelta(days=10))
        # The logged-in family grows too: its own request (helped), offer (helping), inbox.
        own_need = make.make_need(s, household=self.family, status="active",
                                  category=self.category, skills=[self.skill])
        make.make_match(s, need=own_need, offer=make.make_offer(s, household=helper))
        own_offer = make.make_offer(s, household=self.family, skills=[self.skill])
        make.make_match(s, status="awaiting", offer=own_offer, need=make.make_need(
            s, household=other, status="matched", category=self.category, skills=[self.skill]),
            respond_by=NOW + timedelta(days=2))
        notifications.notify(s, self.family.user, "match_accepted", mail=False,
                             helper="Persona", need=need.title, match=running.public_id)
        audit.record(s, self.facilitator, audit.MATCH_CONFIRMED, target=running)


FAMILY_PAGES = ["/", "/family", "/needs", "/offers", "/week", "/inbox"]
STAFF_PAGES = ["/facilitator", "/facilitator?page=2", "/followups", "/facilitator/impact",
               "/inbox", "/vetting"]
ADMIN_PAGES = ["/admin/users", "/admin/audit", "/admin/neighbourhoods", "/admin/categories",
               "/admin/skills"]


@pytest.fixture
def hub(app, session) -> Hub:
    hub = Hub(session)
    session.commit()
    return hub


def _load(client, path: str) -> list[str]:
    """The page's queries, from an empty identity map, as a request in production starts."""
    db.session.expunge_all()
    with counted() as statements:
        assert client.get(path).status_code == 200
    return statements


def _counts(client, login, user, path: str, hub: Hub) -> tuple[int, int]:
    login(user)
    hub.grow_to(SMALL)
    _load(client, path)  # warm: first-request caches are not the page
    small = _load(client, path)
    hub.reattach()
    hub.grow_to(LARGE)
    large = _load(client, path)
    if len(large) != len(small):  # say which query repeats
        from collections import Counter

        for statement, n in Counter(large).most_common(3):
            print(n, statement[:1500].replace("\n", " "))
    return len(small), len(large)


def _check(counts: tuple[int, int], path: str) -> None:
    small, large = counts
    assert large == small, (f"{path}: {small} queries with {SMALL} more families, "
                            f"{large} with {LARGE}")


@pytest.mark.parametrize("path", FAMILY_PAGES)
def test_a_family_page_asks_as_often_whatever_the_data(client, login, hub, path):
    _check(_counts(client, login, hub.family.user, path, hub), path)


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_a_facilitator_page_asks_as_often_whatever_the_data(client, login, hub, path):
    _check(_counts(client, login, hub.facilitator, path, hub), path)


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_an_admin_list_asks_as_often_whatever_the_data(client, login, hub, path):
    _check(_counts(client, login, hub.admin, path, hub), path)


def test_the_requests_without_a_proposal_ask_as_often_whatever_the_data(client, login, hub):
    _check(_counts(client, login, hub.facilitator, "/facilitator/unmatched", hub),
           "/facilitator/unmatched")


def test_one_record_page_asks_as_often_whatever_the_data(client, login, hub):
    """A family's own request page stays flat too."""
    login(hub.family.user)
    hub.grow_to(SMALL)
    need = factories.make_need(db.session, household=hub.family, category=hub.category,
                               skills=[hub.skill])
    db.session.commit()
    path = f"/needs/{need.public_id}"
    _load(client, path)
    small = _load(client, path)
    hub.reattach()
    hub.grow_to(LARGE)
    assert len(_load(client, path)) == len(small)


def test_counting_sees_a_growing_page(hub):
    """The counter itself: code that loads each row separately is caught."""
    from sqlalchemy import select

    from mutuo_aiuto.models import Need

    def one_at_a_time() -> None:
        for need_id in db.session.scalars(select(Need.id)).all():
            db.session.get(Need, need_id)

    hub.grow_to(1)
    db.session.expunge_all()
    with counted() as small:
        one_at_a_time()
    hub.reattach()
    hub.grow_to(3)
    db.session.expunge_all()
    with counted() as large:
        one_at_a_time()
    assert len(large) > len(small)


def _post_request(client, form: dict) -> list[str]:
    db.session.expunge_all()
    with counted() as statements:
        response = client.post("/needs/new", data=form)
        assert response.status_code == 302 and "/new" not in response.location
    return statements


def test_posting_a_request_asks_as_often_whatever_the_data(client, login, hub):
    """Posting re-proposes the request inside the web request (``propose_for``): it reads
    the part of the problem it can touch in a fixed number of queries, however many
    offers fit it — every family added brings an offer with its skill."""
    login(hub.family.user)
    form = {"title": "Baby-sitting", "category": hub.category.slug, "skills": [hub.skill.slug],
            "weekly-0-days": ["1"], "weekly-0-start": "16:00", "weekly-0-end": "18:00",
            "ends_on": (date.today() + timedelta(days=30)).isoformat(),
            "neighbourhood": hub.place.slug, "max_hops": "1", "helpers": "1", "urgency": "2",
            "languages": ["it"], "description": "", "publish": "1"}
    hub.grow_to(SMALL)
    _post_request(client, form)  # warm
    small = _post_request(client, form)
    hub.reattach()
    hub.grow_to(LARGE)
    assert len(_post_request(client, form)) == len(small)
    # The matcher looked: every offer with the skill is taken by its pairing under way.
    posted = db.session.scalars(select(Need).order_by(Need.id.desc()).limit(1)).one()
    assert db.session.get(UnmatchedReason, posted.id).reason == "all_full"


# ---- the open API (issue 14): a page of up to 100 rows, in as many queries as of 5 -------

API_FAMILY = ["/api/v1/requests?limit=100", "/api/v1/offers?limit=100"]
API_STAFF = ["/api/v1/proposals?limit=100", "/api/v1/pairings?limit=100", "/api/v1/impact"]


@pytest.mark.parametrize("path", API_FAMILY + API_STAFF)
def test_an_api_list_asks_as_often_whatever_the_data(client, hub, path):
    from mutuo_aiuto.services import api_tokens, policy

    reader = hub.family.user if path in API_FAMILY else hub.facilitator
    secret = api_tokens.issue(db.session, hub.admin, reader, name="count",
                              scopes=policy.api_scopes_for(reader)).secret
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}

    def load() -> int:
        db.session.expunge_all()
        with counted() as statements:
            assert client.get(path, headers=headers).status_code == 200
        return len(statements)

    hub.grow_to(SMALL)
    load()  # warm, and the token's first use is noted
    small = load()
    hub.reattach()
    hub.grow_to(LARGE)
    _check((small, load()), path)


# ---- one request's page and the follow-ups: rows of different kinds (issue 15) -----------


def _grown(client, path: str, grow) -> tuple[int, int]:
    """The page's queries before and after ``grow()`` adds rows it shows."""
    _load(client, path)  # warm
    small = len(_load(client, path))
    grow()
    db.session.commit()
    return small, len(_load(client, path))


def test_a_request_page_asks_as_often_whatever_its_proposals(client, login, hub):
    """The facilitator's page of one request shows every proposal's offer (helper, skills,
    times, place) and every pairing's helper: loaded with them, not one at a time."""
    login(hub.facilitator)
    need = factories.make_need(db.session, household=hub.family, category=hub.category,
                               skills=[hub.skill])
    need_id = need.id
    db.session.commit()

    def propose(count: int) -> None:
        s = db.session
        for rank in range(count):
            helper = factories.make_household(s, neighbourhood=factories.make_neighbourhood(s))
            offer = factories.make_offer(s, household=helper, skills=[factories.make_skill(s)])
            s.add(Proposal(run=s.merge(hub.run), need_id=need_id, offer=offer, score=50,
                           rank=s.scalar(select(func.count(Proposal.id)).where(
                               Proposal.need_id == need_id)) + rank + 1,
                           reasons=[{"code": "same_neighbourhood", "points": 10}]))
            factories.make_match(s, status="closed", need=s.get(Need, need_id), offer=offer,
                                 outcome="resolved", confirmed_at=NOW - timedelta(days=60),
                                 closed_at=NOW - timedelta(days=10))

    propose(2)  # the choice and an alternative: the page reads what else it is chosen for
    db.session.commit()
    path = f"/facilitator/needs/{need.public_id}"
    _check(_grown(client, path, lambda: propose(4)), path)


def test_the_follow_ups_ask_as_often_whatever_kinds_of_help_they_show(client, login, hub):
    """Each follow-up names its request's kind of help: loaded with the list."""
    login(hub.facilitator)
    hub.grow_to(SMALL)

    def of_new_kinds(count: int) -> None:
        s = db.session
        for _ in range(count):
            match = factories.make_match(s, need=factories.make_need(
                s, status="active", category=factories.make_category(s)),
                confirmed_at=NOW - timedelta(days=20))
            s.add(FollowUp(match=match, due_on=date.today() - timedelta(days=1)))

    _check(_grown(client, "/followups", lambda: of_new_kinds(4)), "/followups")

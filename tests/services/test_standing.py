"""Where a request stands, in plain words: one sentence and the next step for every state."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale

from mutuo_aiuto.services import standing
from mutuo_aiuto.services.hubtime import HubClock

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)  # a Saturday
CLOCK = HubClock.named("Europe/Rome", lambda: NOW)


def where(session, need, viewer=None):
    viewer = viewer or need.household.user
    with force_locale("en"):
        return standing.standings(session, viewer, [need], CLOCK)[need.id]


@pytest.mark.parametrize(("status", "state", "sentence", "step"), [
    ("draft", "draft", "This request is a draft: nobody sees it yet.", "Publish it"),
    ("open", "seeking", "We are looking for someone to help you.", "Nothing to do for now"),
    ("proposed", "seeking", "We are looking for someone to help you.", "Nothing to do"),
    ("paused", "paused", "This request is paused", "Resume it"),
    ("cancelled", "cancelled", "You cancelled this request.", "If you need help again"),
    ("expired", "expired", "The end date passed before we found someone.", "new end date"),
])
def test_a_request_without_a_pairing_says_where_it_stands(session, make_need, status, state,
                                                          sentence, step):
    found = where(session, make_need(status=status))
    assert found.state == state
    assert found.sentence.startswith(sentence) and step in found.next_step
    assert found.match is None and found.helper_name is None and found.phone is None


def test_a_pairing_awaiting_the_helper_says_so_without_a_name(session, make_match):
    match = make_match(status="awaiting", respond_by=NOW + timedelta(days=2))
    found = where(session, match.need)
    assert found.state == "asked"
    assert found.sentence == "We asked a helper; we are waiting for their answer."
    assert "Monday, December 7, 2026" in found.next_step
    assert match.offer.household.name not in found.sentence + found.next_step
    assert found.phone is None and found.match is match


def test_an_accepted_pairing_names_the_helper_and_gives_the_phone(session, make_match, make_need,
                                                                  make_household, make_offer):
    helper = make_household(name="Giulia", phone="+39 333 123 4567")
    offer = make_offer(household=helper, ends_on=date(2027, 6, 30))
    need = make_need(status="active", ends_on=date(2027, 9, 30))
    match = make_match(need=need, offer=offer, started_on=date(2026, 12, 7))
    found = where(session, match.need)
    assert found.state == "helping"
    assert found.sentence == "Giulia can help you from Monday, December 7, 2026."
    assert found.phone == "+39 333 123 4567" and found.helper_name == "Giulia"
    assert found.ends == "Giulia will stop on Wednesday, June 30, 2027."
    assert "pairing's page" in found.next_step


def test_a_running_pairing_that_started_says_who_is_helping(session, make_match,
                                                             make_household, make_offer):
    offer = make_offer(household=make_household(name="Giulia"))
    match = make_match(offer=offer, started_on=date(2026, 11, 2))
    assert where(session, match.need).sentence == "Giulia is helping you."


def test_dates_follow_the_page_language(session, make_match, make_need, make_household,
                                       make_offer):
    offer = make_offer(household=make_household(name="Giulia"), ends_on=date(2027, 6, 30))
    need = make_need(status="active", ends_on=date(2027, 9, 30))
    match = make_match(need=need, offer=offer, started_on=date(2026, 12, 7))
    with force_locale("it"):
        found = standing.standings(session, match.need.household.user, [match.need],
                                   CLOCK)[match.need.id]
    assert found.sentence == "Giulia può aiutarti da lunedì 7 dicembre 2026."
    assert found.ends == "Giulia smetterà mercoledì 30 giugno 2027."


def test_someone_else_never_reads_the_helpers_name(session, make_match, make_user):
    """The contacts rule of services/policy decides: a stranger (were a page to ask) gets
    "a helper", never the name or the phone."""
    match = make_match()
    found = where(session, match.need, viewer=make_user())
    assert found.sentence == "A helper is helping you."
    assert found.phone is None and found.helper_name is None


def test_a_closed_request_asks_for_feedback_then_thanks(session, make_match, make_need):
    need = make_need(status="closed")
    match = make_match(need=need, status="closed", closed_at=NOW)
    found = where(session, need)
    assert (found.state, found.feedback_due, found.match) == ("closed", True, match)
    assert found.sentence == "This request is closed: the help is over."
    assert found.next_step == "Tell us how it went: it takes a minute."
    match.family_rating = 5
    found = where(session, need)
    assert found.feedback_due is False and found.next_step.startswith("Thank you")


def test_a_declined_pairing_leaves_the_request_looking_again(session, make_match, make_need):
    need = make_need(status="open")
    make_match(need=need, status="declined")
    found = where(session, need)
    assert found.state == "seeking" and found.match is None


def _queries(session, family, needs) -> int:
    from sqlalchemy import event

    from mutuo_aiuto.extensions import db

    session.expire_all()
    needs = [session.get(type(n), n.id) for n in needs]
    statements: list[str] = []

    def listener(*args) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with force_locale("en"):
            found = standing.standings(session, family.user, needs, CLOCK)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert {s.state for s in found.values()} == {"helping"}
    return len(statements)


def test_a_list_of_requests_asks_as_often_whatever_its_length(session, make_match, make_need):
    """Three requests or ten, each with a running pairing: the same number of queries."""
    family = make_need().household
    needs = [make_match(need=make_need(household=family, status="active")).need
             for _ in range(10)]
    session.commit()
    assert _queries(session, family, needs[:3]) == _queries(session, family, needs)

"""Closing a match, each side's feedback, and the reciprocity ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutuo_aiuto.models import FollowUp
from mutuo_aiuto.services import outcomes
from mutuo_aiuto.services.errors import DomainError, InvalidTransition, NotAllowed, NotFound

NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def facilitator(make_user):
    return make_user(role="facilitator")


def test_closing_records_outcome_and_hours_and_closes_the_need(session, make_match, facilitator):
    match = make_match()
    outcomes.close_match(session, facilitator, match, "resolved", 12.5, NOW)
    assert (match.status, match.outcome, match.hours, match.closed_at) == (
        "closed", "resolved", 12.5, NOW)
    assert match.need.status == "closed"


def test_closing_frees_a_full_offer(session, make_match, make_offer, facilitator):
    offer = make_offer(status="full", capacity=1)
    match = make_match(offer=offer)
    outcomes.close_match(session, facilitator, match, "partly", 3, NOW)
    assert offer.status == "open"


def test_an_offer_past_its_end_is_not_reopened(session, make_match, make_offer, facilitator):
    offer = make_offer(status="full", capacity=1, ends_on=NOW.date() - timedelta(days=1))
    outcomes.close_match(session, facilitator, make_match(offer=offer), "resolved", 3, NOW)
    assert offer.status == "full"  # the nightly expiry takes it


def test_a_paused_offer_stays_paused(session, make_match, make_offer, facilitator):
    offer = make_offer(status="paused", capacity=2)
    match = make_match(offer=offer)
    outcomes.close_match(session, facilitator, match, "resolved", 3, NOW)
    assert offer.status == "paused"


def test_a_need_with_another_helper_goes_on(session, make_match, make_need, facilitator):
    need = make_need(status="active", helpers=2)
    match = make_match(need=need)
    make_match(need=need)
    outcomes.close_match(session, facilitator, match, "stopped", 1, NOW)
    assert need.status == "active"


def test_closing_drops_the_planned_follow_ups(session, make_match, facilitator):
    match = make_match()
    session.add_all([FollowUp(match=match, due_on=NOW.date(), done_at=NOW),
                     FollowUp(match=match, due_on=NOW.date())])
    session.flush()
    outcomes.close_match(session, facilitator, match, "resolved", 2, NOW)
    assert [f.done_at for f in session.query(FollowUp)] == [NOW]


@pytest.mark.parametrize(("outcome", "hours", "field"), [
    ("wonderful", 2, "outcome"),
    ("resolved", None, "hours"),
    ("resolved", -1, "hours"),
    ("resolved", outcomes.MAX_HOURS + 1, "hours"),
    ("resolved", float("nan"), "hours"),
])
def test_invalid_closing_saves_nothing(session, make_match, facilitator, outcome, hours, field):
    match = make_match()
    with pytest.raises(DomainError) as error:
        outcomes.close_match(session, facilitator, match, outcome, hours, NOW)
    assert error.value.field == field
    session.rollback()
    session.refresh(match)
    assert (match.status, match.outcome, match.hours) == ("active", None, None)
    assert match.need.status == "active"


def test_only_facilitators_close(session, make_match, make_user):
    with pytest.raises(NotAllowed):
        outcomes.close_match(session, make_user(), make_match(), "resolved", 1, NOW)


@pytest.mark.parametrize("status", ["awaiting", "closed", "declined"])
def test_only_active_matches_close(session, make_match, facilitator, status):
    with pytest.raises(InvalidTransition):
        outcomes.close_match(session, facilitator, make_match(status=status), "resolved", 1, NOW)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hours=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                       st.integers(min_value=-10**6, max_value=10**6)))
def test_check_hours_accepts_only_sane_numbers(app, hours):
    try:
        kept = outcomes.check_hours(hours)
    except DomainError as error:
        assert error.field == "hours"
    else:
        assert 0 <= kept <= outcomes.MAX_HOURS


# ---- feedback ---------------------------------------------------------------------


def test_each_side_gives_its_own_feedback(session, make_match):
    match = make_match()
    family, helper = match.need.household.user, match.offer.household.user
    assert outcomes.give_feedback(session, family, match, 5, " Grazie! ") == "family"
    assert outcomes.give_feedback(session, helper, match, 4, "") == "helper"
    assert (match.family_rating, match.family_comment) == (5, "Grazie!")
    assert (match.helper_rating, match.helper_comment) == (4, None)


def test_strangers_cannot_give_feedback(session, make_match, make_household):
    match = make_match()
    with pytest.raises(NotFound):
        outcomes.give_feedback(session, make_household().user, match, 5, "")


@pytest.mark.parametrize(("rating", "comment", "field"), [
    (None, "", "rating"), (0, "", "rating"), (6, "", "rating"),
    (3, "x" * (outcomes.COMMENT_MAX + 1), "comment"),
])
def test_invalid_feedback_saves_nothing(session, make_match, rating, comment, field):
    match = make_match()
    with pytest.raises(DomainError) as error:
        outcomes.give_feedback(session, match.need.household.user, match, rating, comment)
    assert error.value.field == field
    session.rollback()
    session.refresh(match)
    assert match.family_rating is None and match.family_comment is None


def test_no_feedback_before_the_help_starts(session, make_match):
    match = make_match(status="awaiting")
    with pytest.raises(InvalidTransition):
        outcomes.give_feedback(session, match.need.household.user, match, 5, "")


def test_awaiting_feedback_lists_what_the_household_still_owes(session, make_match):
    match = make_match()
    family = match.need.household
    assert outcomes.awaiting_feedback(session, family) == [match]
    outcomes.give_feedback(session, family.user, match, 5, "")
    assert outcomes.awaiting_feedback(session, family) == []
    assert outcomes.awaiting_feedback(session, match.offer.household) == [match]


# ---- ledger -----------------------------------------------------------------------


def test_ledger_counts_closed_matches_both_ways(session, make_match, make_need, make_offer,
                                                make_household, facilitator):
    us, them = make_household(), make_household()
    gave = make_match(offer=make_offer(household=us), need=make_need(household=them,
                                                                     status="active"))
    received = make_match(need=make_need(household=us, status="active"),
                          offer=make_offer(household=them))
    running = make_match(offer=make_offer(household=us))
    outcomes.close_match(session, facilitator, gave, "resolved", 10, NOW)
    outcomes.close_match(session, facilitator, received, "partly", 2.5, NOW)
    assert running.status == "active"
    mine = outcomes.ledger(session, us)
    assert mine == outcomes.Ledger(hours_given=10, hours_received=2.5, matches_given=1,
                                   matches_received=1)
    assert mine.gave_and_received
    assert outcomes.ledger(session, them) == outcomes.Ledger(2.5, 10, 1, 1)


def test_empty_ledger(session, make_household):
    ledger = outcomes.ledger(session, make_household())
    assert ledger == outcomes.Ledger(0, 0, 0, 0)
    assert not ledger.gave_and_received

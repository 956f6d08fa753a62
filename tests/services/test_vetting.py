"""Vetting: recorded by a facilitator, valid between two dates, revocable, warned once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mutuo_aiuto.models import OutboxMessage, Vetting
from mutuo_aiuto.services import vetting
from mutuo_aiuto.services.errors import DomainError, NotAllowed, NotFound

TODAY = date(2026, 11, 10)
NOW = datetime(2026, 11, 10, 8, 30, tzinfo=UTC)


@pytest.fixture
def facilitator(make_user):
    return make_user(role="facilitator", locale="en")


def record(session, facilitator, household, checked_on=TODAY - timedelta(days=2),
           expires_on=TODAY + timedelta(days=180)):
    return vetting.record_vetting(session, facilitator, household, checked_on, expires_on, TODAY)


def test_recorded_vetting_counts_until_its_expiry_day(session, facilitator, make_household):
    helper = make_household()
    record(session, facilitator, helper, expires_on=TODAY + timedelta(days=30))
    assert vetting.is_vetted(session, helper, TODAY)
    assert vetting.is_vetted(session, helper.id, TODAY + timedelta(days=30))
    assert not vetting.is_vetted(session, helper, TODAY + timedelta(days=31))
    assert not vetting.is_vetted(session, helper, TODAY - timedelta(days=3))  # before the check
    assert vetting.current_vetting(session, helper, TODAY).recorded_by_id == facilitator.id


def test_unvetted_household(session, make_household):
    helper = make_household()
    assert not vetting.is_vetted(session, helper, TODAY)
    assert vetting.vetted_household_ids(session, TODAY) == set()


def test_vetted_household_ids_in_one_query(session, facilitator, make_household):
    vetted, revoked, _other = make_household(), make_household(), make_household()
    record(session, facilitator, vetted)
    record(session, facilitator, revoked)
    vetting.revoke_vetting(session, facilitator, revoked, NOW)
    assert vetting.vetted_household_ids(session, TODAY) == {vetted.id}


def test_vetted_household_ids_among_some_households(session, facilitator, make_household,
                                                     monkeypatch):
    first, second, unvetted = make_household(), make_household(), make_household()
    record(session, facilitator, first)
    record(session, facilitator, second)
    assert vetting.vetted_household_ids(session, TODAY, among=[first.id, unvetted.id]) == {
        first.id}
    assert vetting.vetted_household_ids(session, TODAY, among=[]) == set()
    # Past the longest list the query names, the same answer from reading them all.
    monkeypatch.setattr(vetting, "MAX_LISTED", 1)
    assert vetting.vetted_household_ids(session, TODAY, among={first.id, unvetted.id}) == {
        first.id}


def test_revoked_vetting_no_longer_counts(session, facilitator, make_household):
    helper = make_household()
    record(session, facilitator, helper)
    assert vetting.revoke_vetting(session, facilitator, helper, NOW) == 1
    assert not vetting.is_vetted(session, helper, TODAY)
    with pytest.raises(NotFound):
        vetting.revoke_vetting(session, facilitator, helper, NOW)


@pytest.mark.parametrize(("checked_on", "expires_on", "field"), [
    (None, TODAY + timedelta(days=10), "checked_on"),
    (TODAY + timedelta(days=1), TODAY + timedelta(days=10), "checked_on"),
    (TODAY, None, "expires_on"),
    (TODAY - timedelta(days=200), TODAY - timedelta(days=1), "expires_on"),
    (TODAY, TODAY, "expires_on"),
    (TODAY, TODAY + timedelta(days=365 * 6), "expires_on"),
])
def test_invalid_dates_save_nothing(session, facilitator, make_household, checked_on,
                                    expires_on, field):
    helper = make_household()
    with pytest.raises(DomainError) as error:
        vetting.record_vetting(session, facilitator, helper, checked_on, expires_on, TODAY)
    assert error.value.field == field
    session.rollback()
    assert session.scalar(select(func.count(Vetting.id))) == 0


def test_members_cannot_vet(session, make_user, make_household):
    with pytest.raises(NotAllowed):
        record(session, make_user(), make_household())


def test_warning_goes_once_to_the_helper_and_the_facilitator(session, facilitator,
                                                             make_household, make_user):
    helper = make_household(user=make_user(locale="en"))
    record(session, facilitator, helper, expires_on=TODAY + timedelta(days=20))
    session.commit()
    assert vetting.warn_expiring(session, TODAY, NOW, days=30) == 1
    mails = {m.recipient: m for m in session.scalars(select(OutboxMessage))}
    assert set(mails) == {helper.user.email, facilitator.email}
    assert mails[helper.user.email].subject == "Please bring a new certificate to the Family Hub"
    assert mails[facilitator.email].subject == "A helper's vetting expires soon"
    session.commit()
    assert vetting.warn_expiring(session, TODAY, NOW, days=30) == 0
    assert session.scalar(select(func.count(OutboxMessage.id))) == 2


def test_no_warning_far_from_expiry_or_when_renewed(session, facilitator, make_household):
    far, renewed = make_household(), make_household()
    record(session, facilitator, far, expires_on=TODAY + timedelta(days=90))
    record(session, facilitator, renewed, expires_on=TODAY + timedelta(days=10))
    record(session, facilitator, renewed, checked_on=TODAY, expires_on=TODAY + timedelta(days=200))
    assert vetting.warn_expiring(session, TODAY, NOW, days=30) == 0
    assert session.scalar(select(func.count(OutboxMessage.id))) == 0

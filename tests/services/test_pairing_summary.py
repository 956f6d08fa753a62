"""The printable summary shows what the family may see, whoever prints it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mutuo_aiuto.models import AuditEvent
from mutuo_aiuto.services import audit
from mutuo_aiuto.services.errors import NotFound
from mutuo_aiuto.services.pairing_summary import summary_for

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
def facilitator(make_user):
    return make_user(role="facilitator")


def test_before_the_helper_accepts_no_name_and_no_phone(session, make_match, facilitator):
    match = make_match(status="awaiting", respond_by=NOW + timedelta(hours=48))
    for reader in (facilitator, match.need.household.user):
        summary = summary_for(session, reader, match.public_id)
        assert summary.helper_name is None and summary.helper_phone is None
    assert session.scalars(select(AuditEvent)).all() == []


def test_once_accepted_the_helper_and_phone_are_shown_and_the_read_recorded(
        session, make_match, facilitator):
    match = make_match(status="active", accepted_at=NOW)
    summary = summary_for(session, facilitator, match.public_id)
    assert summary.helper_name == match.offer.household.name
    assert summary.helper_phone == match.offer.household.phone
    assert summary.locale == match.need.household.user.locale
    event = session.scalars(select(AuditEvent)).one()
    assert event.action == audit.CONTACTS_VIEWED and event.actor_id == facilitator.id


@pytest.mark.parametrize("at_home", [True, False])
def test_the_familys_address_only_where_the_help_is_at_home(session, make_match, make_need,
                                                           at_home):
    need = make_need(status="active", at_home=at_home)
    match = make_match(need=need, status="active", accepted_at=NOW)
    summary = summary_for(session, need.household.user, match.public_id)
    assert summary.at_home is at_home
    assert summary.address == (need.household.address if at_home else None)
    assert [slot.weekday for slot in summary.slots] == [1]


def test_the_helper_another_member_and_an_unknown_id_find_nothing(session, make_match,
                                                                  make_user):
    match = make_match(status="active", accepted_at=NOW)
    for reader in (match.offer.household.user, make_user()):
        with pytest.raises(NotFound):
            summary_for(session, reader, match.public_id)
    with pytest.raises(NotFound):
        summary_for(session, make_user(role="facilitator"), "nothing")

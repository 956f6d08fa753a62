"""Needs and offers past their end date expire; owners hear of it once, before."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from mutuo_aiuto.models import OutboxMessage
from mutuo_aiuto.services import expiry

TODAY = date(2026, 11, 10)
NOW = datetime(2026, 11, 10, 0, 20, tzinfo=UTC)
YESTERDAY = TODAY - timedelta(days=1)


def mails(session) -> int:
    return session.scalar(select(func.count(OutboxMessage.id)))


def test_needs_and_offers_past_their_end_expire(session, make_need, make_offer):
    needs = [make_need(status=s, ends_on=YESTERDAY) for s in ("open", "paused", "proposed")]
    offers = [make_offer(status=s, ends_on=YESTERDAY) for s in ("open", "paused", "full")]
    assert expiry.expire_ends(session, TODAY, NOW) == expiry.Expired(needs=3, offers=3)
    assert {n.status for n in needs} == {o.status for o in offers} == {"expired"}
    assert all(n.closed_at == NOW for n in needs)


def test_the_end_day_itself_still_counts(session, make_need, make_offer):
    need, offer = make_need(ends_on=TODAY), make_offer(ends_on=TODAY)
    assert expiry.expire_ends(session, TODAY, NOW) == expiry.Expired(0, 0)
    assert (need.status, offer.status) == ("open", "open")


def test_matched_drafts_and_finished_are_left_alone(session, make_need, make_offer):
    kept = [make_need(status=s, ends_on=YESTERDAY)
            for s in ("draft", "matched", "active", "closed", "cancelled")]
    cancelled = make_offer(status="cancelled", ends_on=YESTERDAY)
    expiry.expire_ends(session, TODAY, NOW)
    assert [n.status for n in kept] == ["draft", "matched", "active", "closed", "cancelled"]
    assert cancelled.status == "cancelled"


def test_expiring_twice_changes_nothing(session, make_need):
    need = make_need(ends_on=YESTERDAY)
    expiry.expire_ends(session, TODAY, NOW)
    session.commit()
    assert expiry.expire_ends(session, TODAY, NOW + timedelta(hours=1)) == expiry.Expired(0, 0)
    assert need.closed_at == NOW


def test_owner_is_told_once_before_the_end(session, make_need, make_offer, make_household,
                                           make_user):
    family = make_household(user=make_user(locale="en"))
    need = make_need(household=family, ends_on=TODAY + timedelta(days=5))
    make_offer(ends_on=TODAY + timedelta(days=7))
    make_need(ends_on=TODAY + timedelta(days=8))  # too far yet
    assert expiry.send_expiry_notices(session, TODAY, days=7) == 2
    mail = session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == family.user.email)).one()
    assert mail.subject == "Your request ends soon"
    assert need.title in mail.body
    session.commit()
    assert expiry.send_expiry_notices(session, TODAY, days=7) == 0
    assert mails(session) == 2


def test_a_new_end_date_gets_a_new_notice(session, make_need):
    need = make_need(ends_on=TODAY + timedelta(days=2))
    expiry.send_expiry_notices(session, TODAY)
    need.ends_on = TODAY + timedelta(days=6)
    assert expiry.send_expiry_notices(session, TODAY) == 1
    assert mails(session) == 2


def test_no_notice_for_matched_needs(session, make_need):
    make_need(status="active", ends_on=TODAY + timedelta(days=2))
    assert expiry.send_expiry_notices(session, TODAY) == 0

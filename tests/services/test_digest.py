"""The facilitators' daily digest: once a day each, only when there is news."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from mutuo_aiuto.models import FollowUp, OutboxMessage
from mutuo_aiuto.services import digest

NOW = datetime(2026, 11, 10, 6, 30, tzinfo=UTC)
TODAY = date(2026, 11, 10)


def mails(session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_digest_gathers_the_days_work(session, make_need, make_match):
    new = make_need(opened_at=NOW - timedelta(hours=3))
    make_need(opened_at=NOW - timedelta(days=3))
    waiting = make_match(status="awaiting", respond_by=NOW + timedelta(days=1))
    late = make_match(status="awaiting", respond_by=NOW - timedelta(hours=1))
    due = FollowUp(match=make_match(), due_on=TODAY)
    session.add(due)
    session.flush()
    found = digest.build_digest(session, NOW, TODAY)
    assert found.new_needs == [new]
    assert found.awaiting_answer == [late, waiting]
    assert found.overdue_answers == [late]
    assert found.follow_ups_due == [due]
    assert not found.empty


def test_one_digest_per_facilitator_per_day(session, make_user, make_need):
    staff = [make_user(role="facilitator", locale="en"), make_user(role="facilitator")]
    make_user(role="member")
    make_need(opened_at=NOW - timedelta(hours=1))
    assert digest.send_digests(session, NOW, TODAY) == 2
    assert sorted(m.recipient for m in mails(session)) == sorted(u.email for u in staff)
    english = next(m for m in mails(session) if m.recipient == staff[0].email)
    assert english.subject == "Family Hub: today's summary"
    assert "New requests in the last day: 1" in english.body
    session.commit()
    assert digest.send_digests(session, NOW + timedelta(hours=5), TODAY) == 0
    assert len(mails(session)) == 2
    # The next day brings the next digest, when there is news.
    make_need(opened_at=NOW + timedelta(hours=20))
    assert digest.send_digests(session, NOW + timedelta(days=1), TODAY + timedelta(days=1)) == 2


def test_digest_never_quotes_a_familys_words(session, make_user, make_need):
    make_user(role="facilitator")
    make_need(title="Mio figlio è malato", description="Dettagli privati",
              opened_at=NOW - timedelta(hours=1))
    digest.send_digests(session, NOW, TODAY)
    body = mails(session)[0].body
    assert "Mio figlio" not in body and "Dettagli" not in body


def test_no_digest_on_a_quiet_day(session, make_user):
    make_user(role="facilitator")
    assert digest.send_digests(session, NOW, TODAY) == 0
    assert mails(session) == []

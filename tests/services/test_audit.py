"""The audit trail: what is recorded, how it is searched, and that it cannot be rewritten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from mutuo_aiuto.models import AuditEvent
from mutuo_aiuto.models.audit import AuditTrailIsAppendOnly
from mutuo_aiuto.services import audit


def _count(session) -> int:
    return session.scalar(select(func.count(AuditEvent.id)))


def test_record_stores_actor_role_target_household_and_request(session, make_user,
                                                               make_household):
    facilitator = make_user(role="facilitator")
    household = make_household()
    event = audit.record(session, facilitator, audit.CONTACTS_VIEWED, target=household,
                         details={"fields": ["phone", "address"]}, request_id="abc123def")
    session.commit()
    stored = session.get(AuditEvent, event.id)
    assert stored.actor_id == facilitator.id
    assert stored.actor_role == "facilitator"
    assert stored.target_type == "household"
    assert stored.target_id == household.public_id
    assert stored.household_id == household.id
    assert stored.details == {"fields": ["phone", "address"]}
    assert stored.request_id == "abc123def"
    assert stored.at is not None


def test_the_household_of_a_need_is_found_from_the_target(session, make_user, make_need):
    need = make_need()
    event = audit.record(session, make_user(role="facilitator"), audit.SENSITIVE_VIEWED,
                         target=need)
    assert event.household_id == need.household_id
    assert event.target_type == "need"


def test_the_role_at_the_time_is_kept_after_a_role_change(session, make_user, make_household):
    user = make_user(role="facilitator")
    event = audit.record(session, user, audit.CONTACTS_VIEWED, target=make_household())
    session.commit()
    user.role = "member"
    session.commit()
    assert session.get(AuditEvent, event.id).actor_role == "facilitator"


def test_unknown_action_is_refused(session, make_user):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(session, make_user(), "peeked")
    assert _count(session) == 0


def test_details_that_cannot_be_stored_are_refused(session, make_user):
    with pytest.raises(audit.AuditError):
        audit.record(session, make_user(), audit.DATA_EXPORTED, details={"blob": "x" * 5000})
    assert _count(session) == 0


def test_an_update_through_the_orm_is_refused(session, make_user):
    event = audit.record(session, make_user(), audit.DATA_EXPORTED)
    session.commit()
    event.action = audit.CONSENT_GIVEN
    with pytest.raises(AuditTrailIsAppendOnly):
        session.commit()
    session.rollback()
    assert session.get(AuditEvent, event.id).action == audit.DATA_EXPORTED


def test_a_delete_through_the_orm_is_refused(session, make_user):
    event = audit.record(session, make_user(), audit.DATA_EXPORTED)
    session.commit()
    session.delete(event)
    with pytest.raises(AuditTrailIsAppendOnly):
        session.commit()
    session.rollback()
    assert _count(session) == 1


def test_bulk_update_and_delete_are_refused(session, make_user):
    audit.record(session, make_user(), audit.DATA_EXPORTED)
    session.commit()
    with pytest.raises(AuditTrailIsAppendOnly):
        session.execute(update(AuditEvent).values(action=audit.CONSENT_GIVEN))
    session.rollback()
    with pytest.raises(AuditTrailIsAppendOnly):
        session.execute(delete(AuditEvent))
    session.rollback()
    assert session.scalars(select(AuditEvent.action)).all() == [audit.DATA_EXPORTED]


def test_search_by_action_actor_target_and_time(session, make_user, make_household):
    anna = make_user(role="facilitator", name="Anna Bianchi", email="anna@hub.example")
    bruno = make_user(role="admin", name="Bruno Verdi", email="bruno@hub.example")
    rossi, hassan = make_household(), make_household()
    audit.record(session, anna, audit.CONTACTS_VIEWED, target=rossi,
                 at=datetime(2026, 1, 1, tzinfo=UTC))
    audit.record(session, anna, audit.CONTACTS_VIEWED, target=hassan, request_id="req-0001-x")
    audit.record(session, bruno, audit.ROLE_CHANGED, target=hassan.user)
    session.commit()

    def found(**query) -> list[tuple[str, str | None]]:
        events = audit.search(session, audit.AuditQuery(**query))
        return [(e.action, e.target_id) for e in events]

    assert found(action=audit.ROLE_CHANGED) == [(audit.ROLE_CHANGED, hassan.user.public_id)]
    assert {t for _, t in found(actor="BIANCHI")} == {rossi.public_id, hassan.public_id}
    # A household's reference finds the events about it and about its account.
    assert len(found(target_id=hassan.public_id)) == 2
    assert found(request_id="req-0001-x") == [(audit.CONTACTS_VIEWED, hassan.public_id)]
    since = datetime(2026, 1, 2, tzinfo=UTC)
    assert rossi.public_id not in {t for _, t in found(since=since)}
    assert found(until=since) == [(audit.CONTACTS_VIEWED, rossi.public_id)]


def test_search_lists_newest_first(session, make_user, make_household):
    user, household = make_user(role="facilitator"), make_household()
    now = datetime.now(UTC)
    for minutes in (30, 10, 20):
        audit.record(session, user, audit.CONTACTS_VIEWED, target=household,
                     details={"m": minutes}, at=now - timedelta(minutes=minutes))
    session.commit()
    events = audit.search(session, audit.AuditQuery())
    assert [e.details["m"] for e in events] == [10, 20, 30]


def test_search_refuses_an_unknown_action(session):
    with pytest.raises(audit.AuditError) as caught:
        audit.search(session, audit.AuditQuery(action="nothing"))
    assert caught.value.field == "action"


def test_for_household_lists_only_that_household(session, make_user, make_household):
    user = make_user(role="facilitator")
    mine, other = make_household(), make_household()
    audit.record(session, user, audit.CONTACTS_VIEWED, target=mine)
    audit.record(session, user, audit.CONTACTS_VIEWED, target=other)
    session.commit()
    assert [e.household_id for e in audit.for_household(session, mine)] == [mine.id]


def test_a_system_event_has_no_actor(session):
    event = audit.record(session, None, audit.RETENTION_PURGED, details={"needs": 2})
    assert event.actor_id is None and event.actor_role is None


def test_records_made_during_a_request_carry_its_id(app, session, make_user, make_need):
    from tests.conftest import FreshClient

    app.test_client_class = FreshClient
    client = app.test_client()
    need = make_need()
    facilitator = make_user(role="facilitator")
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = facilitator.get_id()
    response = client.get(f"/facilitator/needs/{need.public_id}")
    assert response.status_code == 200
    event = session.scalars(select(AuditEvent).filter_by(action=audit.CONTACTS_VIEWED)).one()
    assert event.request_id == response.headers["X-Request-ID"]
    assert event.household_id == need.household_id
    # Once the request is over, a record (a job's, a command's) carries no request id.
    later = audit.record(session, None, audit.KEYS_ROTATED, details={"values": 0})
    assert later.request_id is None


def test_postgresql_refuses_raw_changes_to_the_audit_trail(app, session):
    """The schema the app creates carries the same trigger as the migration."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("a database trigger on PostgreSQL; SQLite relies on the ORM guard")
    session.execute(text(
        "INSERT INTO audit_events (at, action, details) VALUES (now(), 'test', '{}')"))
    session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text("DELETE FROM audit_events"))
    session.rollback()

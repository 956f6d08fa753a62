"""GDPR rights: the export, erasure with the counts kept, consent, and the retention purge."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from mutuo_aiuto.models import (
    AuditEvent,
    ErasureRequest,
    FollowUp,
    Match,
    MatchingRun,
    Member,
    Notification,
    OutboxMessage,
    Proposal,
    User,
    Vetting,
)
from mutuo_aiuto.models.match import SessionNotice
from mutuo_aiuto.services import accounts, audit, notifications, policy
from mutuo_aiuto.services.errors import DomainError, NotAllowed, NotFound
from mutuo_aiuto.services.gdpr import consent, erasure, export, ownership, retention
from tests.factories import TEST_PASSWORD

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=800)  # more than 24 months
LATELY = NOW - timedelta(days=30)
CONSENTED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def _match(session, need, offer, **values) -> Match:
    match = Match(need=need, offer=offer, **({"status": "active"} | values))
    session.add(match)
    session.commit()
    return match


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def family(make_household, session):
    household = make_household(care_notes="Il bambino ha l'asma.")
    household.members.append(Member(kind="child", first_name="Sara", birth_year=2018,
                                    gender="woman", citizenship="third_country",
                                    foreign_background="yes", disability="yes",
                                    special_consent_at=CONSENTED,
                                    special_consent_version="2026-11"))
    session.commit()
    return household


# ---- export -------------------------------------------------------------------------


def test_export_has_the_account_without_secrets(session, family):
    data = export.export_household(session, family.user, now=NOW)
    account = data["account"]
    assert account["email"] == family.user.email
    assert account["public_id"] == family.user.public_id
    assert "password_hash" not in account and "session_version" not in account
    assert "id" not in account
    assert data["exported_at"] == NOW.isoformat()


def test_export_has_household_contacts_members_needs_offers(session, family, make_need,
                                                            make_offer):
    need = make_need(household=family, description="Mia figlia ha bisogno di aiuto.")
    offer = make_offer(household=family, description="Posso cucinare.")
    data = export.export_household(session, family.user)
    household = data["household"]
    assert household["phone"] == family.phone
    assert household["address"] == family.address
    assert household["care_notes"] == "Il bambino ha l'asma."
    assert household["neighbourhood"] == family.neighbourhood.name
    # Every ESF+ answer of the person, the special-category ones and their consent too.
    assert household["members"] == [{
        "public_id": family.members[0].public_id, "kind": "child", "first_name": "Sara",
        "birth_year": 2018, "gender": "woman", "employment": None, "education": None,
        "citizenship": "third_country", "foreign_background": "yes", "disability": "yes",
        "minority": None, "special_consent_at": CONSENTED.isoformat(),
        "special_consent_version": "2026-11"}]
    [exported_need] = data["needs"]
    assert exported_need["public_id"] == need.public_id
    assert exported_need["description"] == "Mia figlia ha bisogno di aiuto."
    assert exported_need["slots"][0]["weekday"] == 1
    assert exported_need["skills"] == [s.name for s in need.skills]
    assert data["offers"][0]["description"] == "Posso cucinare."
    assert data["offers"][0]["public_id"] == offer.public_id
    json.dumps(data)  # a plain, JSON-ready structure


def test_export_shows_own_feedback_not_the_other_sides(session, family, make_need, make_offer):
    need = make_need(household=family)
    match = _match(session, need, make_offer(), status="closed", hours=6.5,
                   family_rating=5, family_comment="Grazie!", helper_rating=4,
                   helper_comment="Famiglia gentile", closed_at=LATELY)
    session.add(FollowUp(match=match, due_on=date(2026, 11, 1), notes="Nota riservata",
                         family_belonging=2, helper_belonging=5))
    session.commit()
    [exported] = export.export_household(session, family.user)["matches"]
    assert exported["side"] == "family"
    assert exported["family_comment"] == "Grazie!" and exported["hours"] == 6.5
    assert "helper_comment" not in exported and "helper_rating" not in exported
    assert exported["follow_ups"][0]["due_on"] == "2026-11-01"
    assert "notes" not in exported["follow_ups"][0]
    # The family's own belonging answer, not the helper's.
    assert exported["follow_ups"][0]["family_belonging"] == 2
    assert "helper_belonging" not in exported["follow_ups"][0]


def test_erasure_deletes_own_belonging_answers_and_keeps_the_other_sides(session, family,
                                                                         erasure_case):
    running = erasure_case["running"]
    check = FollowUp(match=running, due_on=date(2026, 11, 1), done_at=LATELY,
                     family_belonging=3, helper_belonging=4)
    session.add(check)
    session.commit()
    erasure.confirm_erasure(session, erasure_case["facilitator"], erasure_case["request"], now=NOW)
    session.commit()
    session.expire_all()
    assert (check.family_belonging, check.helper_belonging) == (None, 4)


def test_export_leaves_out_other_households(session, family, make_need, make_household):
    make_need(household=make_household(), description="Dati di un'altra famiglia")
    data = export.export_household(session, family.user)
    assert data["needs"] == []
    assert "un'altra famiglia" not in json.dumps(data)


def test_export_lists_who_accessed_the_data(session, family, make_user):
    facilitator = make_user(role="facilitator", name="Anna Bianchi")
    audit.record(session, facilitator, audit.CONTACTS_VIEWED, target=family)
    session.commit()
    [entry] = export.export_household(session, family.user)["access_log"]
    assert entry["who"] == "Anna Bianchi" and entry["action"] == audit.CONTACTS_VIEWED


def test_every_per_account_table_is_exported(session, family):
    assert {Notification, SessionNotice} <= set(ownership.account_tables())
    session.add(Notification(user_id=family.user_id, kind="match_confirmed", params={"n": 1}))
    session.commit()
    data = export.export_household(session, family.user)
    assert data["notifications"][0]["params"] == {"n": 1}
    assert data["session_notices"] == []


def test_export_without_a_household_has_the_account(session, make_user):
    user = make_user()
    data = export.export_household(session, user)
    assert data["household"] is None and data["needs"] == []
    assert data["account"]["email"] == user.email


# ---- consent ------------------------------------------------------------------------


def test_members_with_an_older_consent_are_asked_again(make_user):
    assert consent.needs_consent(make_user(consent_version="2025-01"), "2026-11")
    assert consent.needs_consent(make_user(consent_version=None), "2026-11")
    assert not consent.needs_consent(make_user(consent_version="2026-11"), "2026-11")


def test_staff_are_not_asked_for_the_members_consent(make_user):
    assert not consent.needs_consent(make_user(role="facilitator", consent_version=None), "2026-11")


def test_give_consent_records_the_version_and_the_history(session, make_user):
    user = make_user(consent_version="2025-01")
    consent.give_consent(session, user, "2026-11", now=NOW)
    session.commit()
    assert (user.consent_version, user.consent_at) == ("2026-11", NOW)
    event = session.scalars(select(AuditEvent)).one()
    assert (event.action, event.details) == (audit.CONSENT_GIVEN, {"version": "2026-11"})


# ---- erasure ------------------------------------------------------------------------


def test_request_erasure_once(session, family):
    first = erasure.request_erasure(session, family.user)
    second = erasure.request_erasure(session, family.user)
    session.commit()
    assert first is second and first.status == "pending"
    assert _count(session, ErasureRequest) == 1
    assert session.scalars(select(AuditEvent.action)).all() == [audit.ERASURE_REQUESTED]


def test_request_erasure_without_a_household(session, make_user):
    with pytest.raises(NotFound):
        erasure.request_erasure(session, make_user())
    assert _count(session, ErasureRequest) == 0


def test_withdraw_erasure(session, family):
    erasure.request_erasure(session, family.user)
    erasure.withdraw_erasure(session, family.user)
    session.commit()
    assert erasure.pending_erasure(session, family) is None
    with pytest.raises(NotFound):
        erasure.withdraw_erasure(session, family.user)


@pytest.fixture
def erasure_case(session, family, make_need, make_offer, make_household, make_user):
    """The family asks for help and also helps another family; it has mail and history."""
    own_need = make_need(household=family, description="Separazione difficile", status="active")
    helper_offer = make_offer(household=make_household())
    running = _match(session, own_need, helper_offer, status="active",
                     family_comment="commento")
    old = _match(session, make_need(household=family, status="closed"), make_offer(),
                 status="closed", hours=12.0, outcome="resolved", closed_at=LATELY,
                 family_comment="Molto bene")
    offer = make_offer(household=family, description="Accompagno a scuola")
    other_need = make_need(status="matched")
    helping = _match(session, other_need, offer, status="awaiting")
    session.add_all([
        Notification(user_id=family.user_id, kind="match_confirmed", params={"who": "x"}),
        OutboxMessage(recipient=family.user.email, subject="Ciao", body="Dati personali"),
        Vetting(household=family, checked_on=date(2026, 1, 1), expires_on=date(2027, 1, 1)),
    ])
    session.commit()
    run = MatchingRun(kind="full")
    session.add_all([
        Proposal(run=run, need=own_need, offer=helper_offer, score=50, status="rejected",
                 rejected_reason="La madre ha detto che il figlio è violento"),
        SessionNotice(match=running, user_id=family.user_id, on_date=date(2026, 12, 1),
                      start_minute=960, end_minute=1080, answer="cannot"),
    ])
    running.override_reason = "Conosco la famiglia di persona"
    session.commit()
    request = erasure.request_erasure(session, family.user)
    session.commit()
    return {"request": request, "running": running, "old": old, "helping": helping,
            "other_need": other_need, "helper": helper_offer.household,
            "facilitator": make_user(role="facilitator")}


def test_confirm_erasure_anonymises_the_household(session, family, erasure_case):
    email = family.user.email
    erasure.confirm_erasure(session, erasure_case["facilitator"], erasure_case["request"], now=NOW)
    session.commit()
    session.expire_all()
    assert family.name == erasure.ERASED_NAME
    assert (family.phone, family.address, family.care_notes) == (None, None, None)
    assert family.languages == []
    member = family.members[0]
    assert (member.kind, member.first_name, member.birth_year) == ("child", None, None)
    # The ESF+ answers and the special-category data with its consent: all gone.
    personal = ("gender", "employment", "education", "citizenship", "foreign_background",
                "disability", "minority", "special_consent_at", "special_consent_version")
    assert {name: getattr(member, name) for name in personal} == dict.fromkeys(personal)
    raw = session.execute(text("SELECT disability FROM household_members")).scalar_one()
    assert raw is None
    user = family.user
    assert user.email != email and user.name == erasure.ERASED_NAME and not user.active
    assert accounts.authenticate(session, email, TEST_PASSWORD) is None
    assert accounts.authenticate(session, user.email, TEST_PASSWORD) is None
    assert session.scalars(select(Notification).filter_by(user_id=user.id)).first() is None
    assert _count(session, SessionNotice) == 0
    assert session.scalars(select(OutboxMessage).filter_by(recipient=email)).first() is None
    assert _count(session, Vetting) == 0
    assert erasure_case["request"].status == "done"


def test_erasure_blanks_free_text_and_cancels_what_runs(session, family, erasure_case):
    erasure.confirm_erasure(session, erasure_case["facilitator"], erasure_case["request"], now=NOW)
    session.commit()
    session.expire_all()
    for need in export.export_household(session, family.user)["needs"]:
        assert need["title"] == erasure.ERASED_NAME and need["description"] is None
        assert need["status"] in ("cancelled", "closed")
    [offer] = export.export_household(session, family.user)["offers"]
    assert offer["status"] == "cancelled" and offer["description"] is None
    assert erasure_case["running"].status == "cancelled"
    assert erasure_case["running"].family_comment is None
    assert erasure_case["running"].override_reason is None
    assert session.scalars(select(Proposal.rejected_reason)).all() == [None]
    assert erasure_case["helping"].status == "cancelled"
    # The other family's request looks for a helper again.
    assert erasure_case["other_need"].status == "open"


def test_the_other_sides_are_told_without_a_name(session, family, erasure_case):
    name = family.name
    erasure.confirm_erasure(session, erasure_case["facilitator"], erasure_case["request"], now=NOW)
    session.commit()
    helper_user = erasure_case["helper"].user
    other_family_user = erasure_case["other_need"].household.user
    told = {n.user_id: n for n in session.scalars(select(Notification))}
    assert told[helper_user.id].kind == "match_ended_family_left"
    assert told[other_family_user.id].kind == "match_ended_helper_left"
    for notification in (told[helper_user.id], told[other_family_user.id]):
        text = notifications.render_notification(notification)
        assert name not in text.title + text.body
        assert text.path is not None  # to their own offer or request
    mailed = {m.recipient for m in session.scalars(select(OutboxMessage))}
    assert {helper_user.email, other_family_user.email} <= mailed


def test_notifications_naming_the_household_leave_other_inboxes(session, family,
                                                                 erasure_case):
    helper_user = erasure_case["helper"].user
    running = erasure_case["running"]
    session.add_all([
        Notification(user_id=helper_user.id, kind="match_confirmed_helper",
                     params={"family": family.name, "need": "Separazione difficile",
                             "match_id": running.public_id}),
        Notification(user_id=erasure_case["facilitator"].id, kind="match_declined_staff",
                     params={"family": family.name, "match_id": running.public_id}),
        Notification(user_id=helper_user.id, kind="match_accepted",
                     params={"helper": "someone else", "match_id": "unrelated1"}),
    ])
    session.commit()
    erasure.confirm_erasure(session, erasure_case["facilitator"], erasure_case["request"], now=NOW)
    session.commit()
    left = session.scalars(select(Notification)).all()
    assert all(family.name not in json.dumps(n.params) for n in left)
    assert "unrelated1" in {n.params.get("match_id") for n in left}


def test_the_helpers_full_offer_takes_pairings_again(session, family, erasure_case):
    offer = erasure_case["running"].offer
    offer.status = "full"
    session.commit()
    erasure.confirm_erasure(session, erasure_case["facilitator"], erasure_case["request"], now=NOW)
    session.commit()
    session.expire_all()
    assert offer.status == "open"


def test_the_other_familys_request_gets_new_proposals_without_the_erased_offer(
        session, family, erasure_case, make_offer):
    other_need = erasure_case["other_need"]
    fitting = make_offer(skills=list(other_need.skills),
                         neighbourhood=other_need.neighbourhood)
    erased_offer = erasure_case["helping"].offer  # would fit as well, until it is withdrawn
    erased_offer.skills = list(other_need.skills)
    erased_offer.neighbourhood = other_need.neighbourhood
    session.commit()
    erasure.confirm_erasure(session, erasure_case["facilitator"], erasure_case["request"], now=NOW)
    session.commit()
    proposed = session.scalars(select(Proposal).filter_by(need_id=other_need.id,
                                                          status="proposed")).all()
    assert [p.offer_id for p in proposed if p.rank == 1] == [fitting.id]
    assert erased_offer.id not in {p.offer_id for p in proposed}


def test_erasure_keeps_the_anonymous_counts(session, family, erasure_case):
    matches_before = _count(session, Match)
    erasure.confirm_erasure(session, erasure_case["facilitator"], erasure_case["request"], now=NOW)
    session.commit()
    session.expire_all()
    assert _count(session, Match) == matches_before
    old = erasure_case["old"]
    assert (old.hours, old.outcome, old.status) == (12.0, "resolved", "closed")
    assert old.family_comment is None
    assert family.neighbourhood_id is not None


def test_the_other_side_loses_access_to_the_contacts(session, family, erasure_case):
    helper_user = erasure_case["helper"].user
    assert policy.can_see_contacts(helper_user, family)
    erasure.confirm_erasure(session, erasure_case["facilitator"], erasure_case["request"], now=NOW)
    session.commit()
    session.expire_all()
    assert not policy.can_see_contacts(helper_user, family)


def test_erasure_is_audited_without_personal_data(session, family, erasure_case):
    email = family.user.email
    erasure.confirm_erasure(session, erasure_case["facilitator"], erasure_case["request"],
                         now=NOW, request_id="req-12345678")
    session.commit()
    event = session.scalars(select(AuditEvent).filter_by(action=audit.ERASURE_CONFIRMED)).one()
    assert event.actor_id == erasure_case["facilitator"].id
    assert event.household_id == family.id and event.request_id == "req-12345678"
    assert email not in json.dumps(event.details)


def test_only_a_facilitator_confirms(session, family, erasure_case, make_user):
    with pytest.raises(NotAllowed):
        erasure.confirm_erasure(session, make_user(), erasure_case["request"])
    session.rollback()
    assert family.name != erasure.ERASED_NAME
    assert erasure_case["request"].status == "pending"


def test_a_facilitator_cannot_erase_their_own_household(session, make_household, make_user):
    facilitator = make_user(role="facilitator")
    household = make_household(user=facilitator)
    request = erasure.request_erasure(session, facilitator)
    with pytest.raises(NotAllowed):
        erasure.confirm_erasure(session, facilitator, request)
    session.rollback()
    assert household.phone is not None


def test_decline_needs_a_reason_the_family_reads(session, family, make_user):
    facilitator = make_user(role="facilitator")
    request = erasure.request_erasure(session, family.user)
    session.commit()
    with pytest.raises(DomainError) as caught:
        erasure.decline_erasure(session, facilitator, request, "  ")
    assert caught.value.field == "reason"
    assert request.status == "pending"
    erasure.decline_erasure(session, facilitator, request, "Procedimento in corso")
    session.commit()
    assert request.status == "declined"
    assert erasure.last_declined_erasure(session, family).decline_reason == "Procedimento in corso"
    assert family.phone is not None


# ---- every copy of the names, everything in the export ---------------------------------


def _named_mails(session, family, erasure_case):
    """Mail kept for other people that names the family, queued and already sent."""
    helper = erasure_case["helper"].user
    staff = erasure_case["facilitator"]
    family.members.append(Member(kind="child", first_name="Yasmine", birth_year=2016))
    queued = OutboxMessage(recipient=helper.email, subject=f"Can you help {family.name}?",
                           body="...maths homework for Yasmine, on Tuesdays.")
    sent = OutboxMessage(recipient=staff.email, subject="Today's summary",
                         body=f"{family.user.name.upper()} declined a pairing.",
                         sent_at=LATELY)
    # Another child whose name merely starts the same, and a mail naming nobody.
    other = OutboxMessage(recipient=helper.email, subject="Hello",
                          body="Yasmineh and Sarah are coming.")
    plain = OutboxMessage(recipient=staff.email, subject="Follow-ups due", body="Two are due.")
    session.add_all([queued, sent, other, plain])
    session.commit()
    return queued, sent, other, plain


def test_erasure_redacts_the_names_in_other_peoples_mail(session, family, erasure_case):
    queued, sent, other, plain = _named_mails(session, family, erasure_case)
    names = [family.name, family.user.name, "Yasmine", "Sara"]
    summary = erasure.confirm_erasure(session, erasure_case["facilitator"],
                                      erasure_case["request"], now=NOW)
    session.commit()
    session.expire_all()
    assert summary.mails_redacted == 2
    for mail in (queued, sent):
        text = (mail.subject + " " + mail.body).lower()
        assert not [name for name in names if name.lower() in text], text
    assert queued.subject == f"Can you help {erasure.ERASED_NAME}?"
    assert queued.body == f"...maths homework for {erasure.ERASED_NAME}, on Tuesdays."
    assert queued.sent_at is None  # still goes, without the names
    assert sent.body == f"{erasure.ERASED_NAME} declined a pairing."
    assert other.body == "Yasmineh and Sarah are coming."
    assert plain.body == "Two are due."


def _count_at(data: object, path: str) -> int:
    """How many items the export holds at a path such as ``needs/*/slots/*``."""
    parts = path.split("/")
    items = [data]
    for part in parts:
        if part == "*":
            items = [item for value in items for item in (value or [])]
        else:
            items = [value[part] for value in items if value.get(part) is not None]
    return len(items)


def test_the_export_holds_every_table_that_leads_to_the_person(session, family, erasure_case,
                                                                 make_user):
    """Walk every foreign-key chain from the person (found in the schema, so a new
    table is caught) and check the export has a section with all those rows."""
    running, helper = erasure_case["running"], erasure_case["helper"]
    session.add(FollowUp(match=running, due_on=date(2026, 12, 1)))
    session.add(SessionNotice(match=running, user_id=helper.user_id, on_date=date(2026, 12, 1),
                              start_minute=960, end_minute=1080))
    audit.record(session, family.user, audit.CONTACTS_VIEWED, target=helper)
    audit.record(session, make_user(role="facilitator"), audit.CONTACTS_VIEWED, target=family)
    session.commit()
    walked = ownership.person_rows(session, family.user)
    data = export.export_household(session, family.user, now=NOW)
    assert {"households", "needs", "offers", "proposals", "matches", "follow_ups",
            "session_notices", "audit_events", "notifications", "vettings",
            "erasure_requests", "household_members"} <= walked.keys()
    for table, keys in sorted(walked.items()):
        assert table in export.SECTIONS, f"{table}: the person's rows are not in the export"
        exported = sum(_count_at(data, path) for path in export.SECTIONS[table])
        assert exported >= len(keys), f"{table}: {len(keys)} rows kept, {exported} exported"


def test_the_export_holds_the_persons_mail_steps_and_proposals(session, family, erasure_case):
    audit.record(session, family.user, audit.CONTACTS_VIEWED, target=erasure_case["helper"])
    session.add(OutboxMessage(recipient=family.user.email.upper(), subject="Benvenuti",
                              body="Il vostro account"))
    session.commit()
    data = export.export_household(session, family.user, now=NOW)
    assert [m["subject"] for m in data["mails"]] == ["Ciao", "Benvenuti"]
    assert [a["action"] for a in data["actions"]][-1] == audit.CONTACTS_VIEWED
    assert data["actions"][-1]["target"] == erasure_case["helper"].public_id
    [proposal] = data["proposals"]
    assert proposal["need"] == erasure_case["running"].need.public_id
    assert proposal["rejected_reason"] == "La madre ha detto che il figlio è violento"
    json.dumps(data)


# ---- retention ----------------------------------------------------------------------


@pytest.fixture
def retention_case(session, make_need, make_offer, make_household):
    quiet = make_household()
    quiet.user.created_at = LONG_AGO
    quiet.user.last_login_at = LONG_AGO
    old_need = make_need(household=quiet, status="closed", closed_at=LONG_AGO,
                         description="Problemi familiari")
    old_match = _match(session, old_need, make_offer(), status="closed", closed_at=LONG_AGO,
                       confirmed_at=LONG_AGO, hours=3.0, family_comment="Ok",
                       helper_comment="Ok anche per me")
    session.add(FollowUp(match=old_match, due_on=date(2024, 1, 1), notes="Note vecchie"))
    recent_need = make_need(status="closed", closed_at=LATELY, description="Recente")
    recent_match = _match(session, recent_need, make_offer(), status="closed",
                          closed_at=LATELY, family_comment="Recente")
    session.commit()
    return {"quiet": quiet, "old_need": old_need, "old_match": old_match,
            "recent_need": recent_need, "recent_match": recent_match,
            "active": recent_need.household}


def test_purge_blanks_what_ended_before_the_retention_period(session, retention_case):
    summary = retention.purge_expired(session, NOW, 24)
    session.commit()
    session.expire_all()
    old_match = retention_case["old_match"]
    assert old_match.family_comment is None and old_match.helper_comment is None
    assert old_match.hours == 3.0 and old_match.status == "closed"
    assert session.scalars(select(FollowUp.notes)).all() == [None]
    assert retention_case["old_need"].description is None
    quiet = retention_case["quiet"]
    assert (quiet.phone, quiet.address) == (None, None)
    assert (summary.matches, summary.follow_ups, summary.needs, summary.households) == (
        1, 1, 1, 1)


def test_purge_keeps_what_is_recent_or_running(session, retention_case):
    retention.purge_expired(session, NOW, 24)
    session.commit()
    session.expire_all()
    assert retention_case["recent_match"].family_comment == "Recente"
    assert retention_case["recent_need"].description == "Recente"
    assert retention_case["active"].phone is not None


def test_purge_twice_changes_nothing_the_second_time(session, retention_case):
    retention.purge_expired(session, NOW, 24)
    session.commit()
    again = retention.purge_expired(session, NOW, 24)
    session.commit()
    assert again.total == 0
    # One audit record: the run that changed something.
    assert session.scalars(select(AuditEvent.action)).all() == [audit.RETENTION_PURGED]


def test_purge_removes_old_mail_copies_notices_and_reasons(session, retention_case, make_user,
                                                         make_need, make_offer):
    user = make_user()
    session.add_all([
        OutboxMessage(recipient=user.email, subject="a", body="old", sent_at=NOW - timedelta(
            days=40)),
        OutboxMessage(recipient=user.email, subject="b", body="recent",
                      sent_at=NOW - timedelta(days=5)),
        OutboxMessage(recipient=user.email, subject="c", body="unsent"),
        Notification(user_id=user.id, kind="k", created_at=LONG_AGO, read_at=LONG_AGO),
        Notification(user_id=user.id, kind="k", created_at=LONG_AGO),  # never read: kept
        Proposal(run=MatchingRun(kind="full"), need=make_need(), offer=make_offer(), score=1,
                 status="rejected", rejected_reason="vecchio motivo", created_at=LONG_AGO),
    ])
    session.commit()
    summary = retention.purge_expired(session, NOW, 24)
    session.commit()
    assert sorted(session.scalars(select(OutboxMessage.body))) == ["recent", "unsent"]
    assert _count(session, Notification) == 1
    assert session.scalars(select(Proposal.rejected_reason)).all() == [None]
    assert (summary.mails, summary.notifications, summary.proposals) == (1, 1, 1)


def test_purge_removes_sent_texts_after_the_same_days(session, retention_case, make_user):
    """Issue 16: a sent SMS holds a mobile number; kept as long as a sent mail's copy."""
    from mutuo_aiuto.models import SmsMessage

    user = make_user()
    session.add_all([
        SmsMessage(user_id=user.id, recipient="+393331234567", body="old",
                   sent_at=NOW - timedelta(days=40)),
        SmsMessage(user_id=user.id, recipient="+393331234567", body="recent",
                   sent_at=NOW - timedelta(days=5)),
        SmsMessage(user_id=user.id, recipient="+393331234567", body="unsent"),
    ])
    session.commit()
    summary = retention.purge_expired(session, NOW, 24)
    session.commit()
    assert sorted(session.scalars(select(SmsMessage.body))) == ["recent", "unsent"]
    assert summary.texts == 1


def test_a_longer_retention_keeps_more(session, retention_case):
    assert retention.purge_expired(session, NOW, 36).total == 0
    assert retention_case["old_match"].family_comment == "Ok"


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
       st.integers(min_value=1, max_value=240))
def test_months_before_goes_back_whole_months(moment, months):
    earlier = retention.months_before(moment, months)
    assert earlier < moment
    assert (moment.year * 12 + moment.month) - (earlier.year * 12 + earlier.month) == months
    assert earlier.day <= moment.day and earlier.time() == moment.time()


def test_months_before_clamps_to_the_end_of_the_month():
    assert retention.months_before(datetime(2026, 3, 31), 1) == datetime(2026, 2, 28)


def test_purge_removes_accounts_never_confirmed(session, make_user):
    month_ago = NOW - timedelta(days=retention.UNCONFIRMED_KEPT_DAYS + 1)
    stale = make_user(email_confirmed_at=None, created_at=month_ago,
                      confirmation_sent_at=month_ago)
    session.add_all([Notification(user_id=stale.id, kind="match_accepted", params={}),
                     OutboxMessage(recipient=stale.email.upper(), subject="Conferma",
                                   body="link")])
    relinked = make_user(email_confirmed_at=None, created_at=month_ago,
                         confirmation_sent_at=NOW - timedelta(days=2))
    recent = make_user(email_confirmed_at=None, created_at=NOW - timedelta(days=3))
    confirmed = make_user(created_at=month_ago)
    staff = make_user(role="facilitator", email_confirmed_at=None, created_at=month_ago)
    session.commit()
    stale_id, stale_email = stale.id, stale.email
    summary = retention.purge_expired(session, NOW, 24)
    session.commit()
    assert summary.unconfirmed_accounts == 1
    left = set(session.scalars(select(User.id)))
    assert stale_id not in left
    assert {relinked.id, recent.id, confirmed.id, staff.id} <= left
    assert session.scalars(select(Notification).filter_by(user_id=stale_id)).first() is None
    assert session.scalars(select(OutboxMessage).where(
        func.lower(OutboxMessage.recipient) == stale_email)).first() is None
    assert retention.purge_expired(session, NOW, 24).unconfirmed_accounts == 0


def test_erasure_leaves_no_address_login_time_calendar_link_or_follow_up_notes(
        session, family, erasure_case):
    """The privacy record's promises for the fields the anonymising test does not read."""
    user = family.user
    user.last_login_at, user.calendar_token = NOW, "a-secret-calendar-address"
    notes = FollowUp(match=erasure_case["running"], due_on=date(2026, 12, 1),
                     notes="La madre ha raccontato della separazione")
    session.add(notes)
    session.commit()
    erasure.confirm_erasure(session, erasure_case["facilitator"], erasure_case["request"], now=NOW)
    session.commit()
    session.expire_all()
    assert user.email == f"erased-{user.public_id}@erased.invalid"
    assert (user.last_login_at, user.calendar_token) == (None, None)
    assert not user.password_hash.startswith("$argon2")  # no password can match it
    assert notes.notes is None


def test_purge_blanks_the_override_reason_of_a_match_that_ended_long_ago(session,
                                                                        retention_case):
    retention_case["old_match"].override_reason = "Conosco la famiglia di persona"
    retention_case["recent_match"].override_reason = "Ancora recente"
    session.commit()
    retention.purge_expired(session, NOW, 24)
    session.commit()
    session.expire_all()
    assert retention_case["old_match"].override_reason is None
    assert retention_case["recent_match"].override_reason == "Ancora recente"

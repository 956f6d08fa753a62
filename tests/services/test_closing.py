"""Closing by the people: "it's done", "something is wrong", hours per month, and the
message both sides get when a facilitator closes the pairing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from mutuo_aiuto.models import AuditEvent, MatchHours, MatchReport, Notification, OutboxMessage
from mutuo_aiuto.services import closing, notifications, outcomes, policy
from mutuo_aiuto.services.errors import DomainError, InvalidTransition, NotFound

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
TODAY = date(2026, 12, 5)


@pytest.fixture
def facilitator(make_user):
    return make_user(role="facilitator", locale="en")


@pytest.fixture
def match(make_match):
    return make_match(started_on=date(2026, 10, 12))


def kinds(session, user) -> list[str]:
    return list(session.scalars(select(Notification.kind).where(Notification.user_id == user.id)))


# ---- "it's done" -----------------------------------------------------------------------


def test_its_done_reaches_the_facilitators_at_once(session, match, facilitator):
    family = match.need.household.user
    report = closing.report_done(session, family, match, NOW)
    assert (report.side, report.kind, report.text) == ("family", "done", None)
    assert kinds(session, facilitator) == ["match_done_family"]
    rendered = notifications.render_notification(session.scalars(select(Notification)).one())
    assert rendered.path == f"/matches/{match.public_id}/close"
    assert match.status == "active"  # the facilitator closes it, with an outcome
    assert closing.done_requested(session, match) == {"family"}


def test_saying_its_done_twice_tells_the_facilitators_once(session, match, facilitator):
    helper = match.offer.household.user
    first = closing.report_done(session, helper, match, NOW)
    assert closing.report_done(session, helper, match, NOW) is first
    assert kinds(session, facilitator) == ["match_done_helper"]


def test_only_the_sides_of_a_running_pairing_may_report(session, match, make_user,
                                                        facilitator, make_match):
    with pytest.raises(NotFound):
        closing.report_done(session, make_user(), match, NOW)
    with pytest.raises(NotFound):  # staff are not a side: they close it themselves
        closing.report_problem(session, facilitator, match, "x", NOW)
    awaiting = make_match(status="awaiting")
    with pytest.raises(InvalidTransition):
        closing.report_done(session, awaiting.need.household.user, awaiting, NOW)


# ---- "something is wrong" -------------------------------------------------------------


def test_something_is_wrong_reaches_only_the_facilitators(session, match, facilitator):
    family, helper = match.need.household.user, match.offer.household.user
    closing.report_problem(session, helper, match, "  La famiglia non risponde  ", NOW)
    assert kinds(session, facilitator) == ["match_problem_helper"]
    assert kinds(session, family) == []  # the other side hears nothing
    [report] = closing.reports_for(session, facilitator, match)
    assert (report.side, report.text) == ("helper", "La famiglia non risponde")
    # Nobody but a facilitator reads it, the reporter included.
    for user in (family, helper):
        with pytest.raises(NotFound):
            closing.reports_for(session, user, match)
    # The text travels in no notification and no mail.
    assert all("risponde" not in str(n.params) for n in session.scalars(select(Notification)))
    assert all("risponde" not in (m.body or "") for m in session.scalars(select(OutboxMessage)))


def test_something_is_wrong_is_on_the_reporters_trail_only(session, match):
    helper = match.offer.household
    closing.report_problem(session, helper.user, match, "Non mi sento sicura", NOW)
    [event] = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "match.problem_reported")).all()
    assert event.household_id == helper.id != match.need.household_id
    assert "sicura" not in str(event.details)


@pytest.mark.parametrize(("text", "message"), [
    ("", "Tell us in a few words what is wrong."),
    ("   ", "Tell us in a few words what is wrong."),
    ("x" * 1001, "Keep it under 1000 characters."),
])
def test_an_empty_or_long_problem_is_refused(session, match, text, message):
    with pytest.raises(DomainError) as refused:
        closing.report_problem(session, match.need.household.user, match, text, NOW)
    assert str(refused.value.message) == message and refused.value.field == "text"
    assert session.scalars(select(MatchReport)).all() == []


# ---- hours per month ---------------------------------------------------------------------


def test_the_helper_records_hours_per_month_and_the_pairing_sums_them(session, match):
    helper = match.offer.household.user
    closing.record_hours(session, helper, match, date(2026, 11, 1), Decimal("12.5"),
                         today=TODAY, now=NOW)
    closing.record_hours(session, helper, match, date(2026, 10, 15), 4, today=TODAY, now=NOW)
    assert match.hours == 16.5
    # A month recorded again is corrected, not added.
    closing.record_hours(session, helper, match, date(2026, 11, 1), Decimal("10"),
                         today=TODAY, now=NOW)
    assert match.hours == 14
    rows = closing.hours_by_month(session, helper, match)
    assert [(r.month, r.hours) for r in rows] == [(date(2026, 11, 1), 10.0),
                                                   (date(2026, 10, 1), 4.0)]


@pytest.mark.parametrize(("month", "hours", "field", "message"), [
    (date(2026, 11, 1), Decimal("-1"), "hours", "Hours in a month must be between 0 and 200."),
    (date(2026, 11, 1), Decimal("500"), "hours", "Hours in a month must be between 0 and 200."),
    (date(2026, 11, 1), None, "hours", "Give the hours of help, 0 if none."),
    (date(2027, 1, 1), Decimal("3"), "month", "Choose a month of this pairing."),
    (date(2026, 9, 1), Decimal("3"), "month", "Choose a month of this pairing."),
    (None, Decimal("3"), "month", "Choose a month of this pairing."),
])
def test_bad_hours_or_months_are_refused_and_nothing_is_saved(session, match, month, hours,
                                                              field, message):
    with pytest.raises(DomainError) as refused:
        closing.record_hours(session, match.offer.household.user, match, month, hours,
                             today=TODAY, now=NOW)
    assert (refused.value.field, str(refused.value.message)) == (field, message)
    assert session.scalars(select(MatchHours)).all() == [] and match.hours is None


def test_only_the_helper_records_and_the_family_does_not_see_hours(session, match,
                                                                   facilitator, make_match):
    family = match.need.household.user
    with pytest.raises(NotFound):
        closing.record_hours(session, family, match, date(2026, 11, 1), 3, today=TODAY,
                             now=NOW)
    with pytest.raises(NotFound):
        closing.hours_by_month(session, family, match)
    assert closing.hours_by_month(session, facilitator, match) == []
    with pytest.raises(InvalidTransition):  # the facilitator sees, the helper records
        closing.record_hours(session, facilitator, match, date(2026, 11, 1), 3,
                             today=TODAY, now=NOW)
    closed = make_match(status="closed")
    with pytest.raises(InvalidTransition):
        closing.record_hours(session, closed.offer.household.user, closed, TODAY, 3,
                             today=TODAY, now=NOW)


def test_recordable_months_run_from_the_start_to_this_month(match):
    assert closing.recordable_months(match, TODAY) == [
        date(2026, 12, 1), date(2026, 11, 1), date(2026, 10, 1)]


def test_the_ledger_counts_the_monthly_hours_once_closed(session, match, facilitator):
    helper = match.offer.household
    closing.record_hours(session, helper.user, match, date(2026, 11, 1), 12.5, today=TODAY,
                         now=NOW)
    outcomes.close_match(session, facilitator, match, "resolved", match.hours, NOW)
    assert outcomes.ledger(session, helper).hours_given == 12.5


# ---- closing: both sides asked how it went ---------------------------------------------------


def test_closing_asks_both_sides_how_it_went_in_their_language(session, match, facilitator):
    family, helper = match.need.household.user, match.offer.household.user
    family.locale, helper.locale = "ar", "it"
    outcomes.close_match(session, facilitator, match, "resolved", 3, NOW)
    for user in (family, helper):
        [notice] = session.scalars(select(Notification).where(
            Notification.user_id == user.id)).all()
        assert notice.kind == "match_closed"
        assert notifications.render_notification(notice).path == (
            f"/matches/{match.public_id}/feedback")
    mails = {m.recipient: m for m in session.scalars(select(OutboxMessage))}
    assert "com'è andata" in mails[helper.email].subject.lower() + mails[helper.email].body.lower()
    assert "كيف" in mails[family.email].subject + mails[family.email].body
    assert f"/matches/{match.public_id}/feedback" in mails[family.email].body


# ---- policy ---------------------------------------------------------------------------------


def test_policy_of_reports_and_hours(match, make_user, facilitator, make_match):
    family, helper, stranger = match.need.household.user, match.offer.household.user, make_user()
    allowed = {(who, action) for who, user in (("family", family), ("helper", helper),
                                               ("stranger", stranger), ("staff", facilitator))
               for action in (policy.REPORT, policy.RECORD_HOURS, policy.SEE_HOURS,
                              policy.READ_REPORTS)
               if policy.can_act_on_match(user, match, action)}
    assert allowed == {("family", policy.REPORT), ("helper", policy.REPORT),
                       ("helper", policy.RECORD_HOURS), ("helper", policy.SEE_HOURS),
                       ("staff", policy.SEE_HOURS), ("staff", policy.READ_REPORTS)}
    awaiting = make_match(status="awaiting")
    assert not policy.can_act_on_match(awaiting.offer.household.user, awaiting, policy.REPORT)
    assert not policy.can_act_on_match(awaiting.offer.household.user, awaiting,
                                       policy.RECORD_HOURS)
    # While deciding there are no hours to see; the facilitators see them at any time.
    assert not policy.can_act_on_match(awaiting.offer.household.user, awaiting,
                                       policy.SEE_HOURS)
    assert policy.can_act_on_match(facilitator, awaiting, policy.SEE_HOURS)
    closed = make_match(status="closed")
    assert policy.can_act_on_match(closed.offer.household.user, closed, policy.SEE_HOURS)


def test_contacts_shown_in_a_pairing_follow_the_contacts_rule(session, make_match, make_user,
                                                              facilitator):
    for status, shown in (("awaiting", False), ("active", True), ("closed", False)):
        match = make_match(status=status)
        family, helper = match.need.household, match.offer.household
        session.flush()
        assert policy.contacts_shown_in(family.user, match) is shown
        assert policy.contacts_shown_in(helper.user, match) is shown
        assert policy.can_see_contacts(family.user, helper) is shown
        assert policy.contacts_shown_in(make_user(), match) is False
        assert policy.contacts_shown_in(facilitator, match) is True


def test_each_side_exports_its_own_reports_and_the_helper_its_hours(session, match):
    from mutuo_aiuto.services.gdpr import export

    family, helper = match.need.household.user, match.offer.household.user
    closing.report_problem(session, helper, match, "Orari cambiati", NOW)
    closing.report_done(session, family, match, NOW)
    closing.record_hours(session, helper, match, date(2026, 11, 1), 3, today=TODAY, now=NOW)
    [mine] = export.export_household(session, helper)["matches"]
    assert [(r["kind"], r["text"]) for r in mine["your_reports"]] == [("problem",
                                                                      "Orari cambiati")]
    assert [h["hours"] for h in mine["hours_by_month"]] == [3.0]
    [theirs] = export.export_household(session, family)["matches"]
    assert [r["kind"] for r in theirs["your_reports"]] == ["done"]
    assert theirs["hours_by_month"] == [] and "Orari" not in str(theirs)

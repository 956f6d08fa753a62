"""Access (GDPR art. 15): everything kept about an account and its household.

``export_household`` returns plain JSON-ready data (the web layer also renders
it as a page). ``SECTIONS`` says where each table's rows land in it; a test
walks every foreign-key chain from the person (``ownership.person_rows``) and
fails when a table holding the person's rows has no section here.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, inspect, or_, select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import (
    Activity,
    ActivityMeeting,
    ActivityMembership,
    ApiToken,
    AssociationCoordinator,
    AssociationFollower,
    Attendance,
    AuditEvent,
    ErasureRequest,
    FollowUp,
    Household,
    Match,
    MeetingNotice,
    Need,
    Offer,
    OutboxMessage,
    PhoneCode,
    Proposal,
    User,
    Vetting,
)
from mutuo_aiuto.models.match import MatchHours, MatchReport, SessionNotice
from mutuo_aiuto.services import audit, hubtime
from mutuo_aiuto.services.gdpr.ownership import account_tables, household_of, matches_of

EXPORT_FORMAT = 2
# Account fields that are secrets or plumbing, not data about the person.
USER_PRIVATE = frozenset({"password_hash", "session_version", "calendar_token",
                          "phone_lookup"})
# A sign-in code's keyed hashes are secrets, not data about the person: when and how
# often a code was asked for is.
CODE_PRIVATE = ("salt", "code_hash", "phone_lookup")
# Each side of a match sees its own feedback; the other side's is theirs.
_OTHER_SIDE = {"family": ("helper_rating", "helper_comment"),
               "helper": ("family_rating", "family_comment")}
_OTHER = {"family": "helper", "helper": "family"}
# Where each table's rows are in the export: a path of keys, ``*`` for each item
# of a list. Tables of staff actions (matching runs, weights) are not a person's.
SECTIONS: dict[str, tuple[str, ...]] = {
    "users": ("account",),
    "households": ("household",),
    "household_members": ("household/members/*",),
    "needs": ("needs/*",),
    "need_slots": ("needs/*/slots/*",),
    "need_skills": ("needs/*/skills/*",),
    "offers": ("offers/*",),
    "offer_slots": ("offers/*/slots/*",),
    "offer_skills": ("offers/*/skills/*",),
    "proposals": ("proposals/*",),
    "matches": ("matches/*",),
    "follow_ups": ("matches/*/follow_ups/*",),
    "session_notices": ("matches/*/session_notices/*",),
    "match_reports": ("matches/*/your_reports/*",),
    "match_hours": ("matches/*/hours_by_month/*",),
    "vettings": ("vettings/*",),
    "erasure_requests": ("erasure_requests/*",),
    "audit_events": ("access_log/*", "actions/*"),
    "notifications": ("notifications/*",),
    "activity_memberships": ("group_memberships/*",),
    "attendances": ("group_attendance/*",),
    "meeting_notices": ("group_meeting_answers/*",),
    "association_coordinators": ("association_coordinators/*",),
    "association_followers": ("associations_followed/*",),
}


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _row(obj: Any, exclude: frozenset[str] | tuple[str, ...] = ()) -> dict[str, Any]:
    """Every column of a row but its internal keys, so a new field is exported unasked."""
    values = {}
    for attribute in inspect(obj).mapper.column_attrs:
        column = attribute.columns[0]
        if column.primary_key or column.foreign_keys or attribute.key in exclude:
            continue
        values[attribute.key] = _plain(getattr(obj, attribute.key))
    return values


def _slots(obj: Need | Offer) -> list[dict[str, Any]]:
    return [_row(slot) for slot in obj.slots]


def _need(need: Need) -> dict[str, Any]:
    return _row(need) | {"category": need.category.name,
                         "neighbourhood": need.neighbourhood.name,
                         "skills": [skill.name for skill in need.skills],
                         "slots": _slots(need)}


def _offer(offer: Offer) -> dict[str, Any]:
    return _row(offer) | {"neighbourhood": offer.neighbourhood.name,
                          "skills": [skill.name for skill in offer.skills],
                          "slots": _slots(offer)}


def _match(session: Session, match: Match, household: Household) -> dict[str, Any]:
    side = "family" if match.need.household_id == household.id else "helper"
    follow_ups = session.scalars(select(FollowUp).filter_by(match_id=match.id)
                                 .order_by(FollowUp.due_on))
    notices = session.scalars(select(SessionNotice).filter_by(match_id=match.id)
                              .order_by(SessionNotice.on_date, SessionNotice.id))
    # A facilitator's follow-up notes speak of both families: given on request,
    # after review, not in the automatic export (docs/privacy.md).
    return _row(match, exclude=_OTHER_SIDE[side]) | {
        "side": side, "need": match.need.public_id, "need_title": match.need.title,
        "offer": match.offer.public_id, "offer_title": match.offer.title,
        # Each side's belonging answer is its own: the other side's stays out.
        "follow_ups": [_row(f, exclude=("notes", f"{_OTHER[side]}_belonging"))
                       for f in follow_ups],
        # Reminders of the sessions, to either side: whose they were stays out.
        "session_notices": [_row(n) | {"yours": n.user_id == household.user_id}
                            for n in notices],
        # What this side told the Hub ("it's done", "something is wrong"): its own only.
        "your_reports": [_row(r, exclude=("user_id",)) for r in session.scalars(
            select(MatchReport).filter_by(match_id=match.id, side=side)
            .order_by(MatchReport.id))],
        # The hours per month are the helper's record.
        "hours_by_month": [_row(h) for h in session.scalars(
            select(MatchHours).filter_by(match_id=match.id).order_by(MatchHours.month))]
        if side == "helper" else [],
    }


def _proposal(proposal: Proposal) -> dict[str, Any]:
    return _row(proposal) | {"need": proposal.need.public_id,
                             "offer": proposal.offer.public_id}


def _proposals(session: Session, household: Household) -> list[dict[str, Any]]:
    """The matcher's proposals about the household's requests and offers."""
    statement = (select(Proposal)
                 .join(Need, Need.id == Proposal.need_id)
                 .join(Offer, Offer.id == Proposal.offer_id)
                 .where(or_(Need.household_id == household.id,
                            Offer.household_id == household.id))
                 .order_by(Proposal.id))
    return [_proposal(p) for p in session.scalars(statement)]


def _audit_entries(events: list[Any]) -> list[dict[str, Any]]:
    return [{"at": _plain(event.at), "action": event.action,
             "who": event.actor.name if event.actor else None,
             "role": event.actor_role, "target": event.target_id} for event in events]


def _actions(session: Session, user: User) -> list[dict[str, Any]]:
    """The person's own steps in the audit (what they read and did), oldest first."""
    events = session.scalars(select(AuditEvent).where(AuditEvent.actor_id == user.id)
                             .order_by(AuditEvent.at, AuditEvent.id))
    return [{"at": _plain(e.at), "action": e.action, "target_type": e.target_type,
             "target": e.target_id, "details": e.details} for e in events]


def mails_to(session: Session, user: User) -> list[OutboxMessage]:
    """The copies of mail kept for the person's address (mail has no foreign key); none
    for an account registered at the front desk without an address."""
    if not user.email:
        return []
    return list(session.scalars(select(OutboxMessage).where(
        func.lower(OutboxMessage.recipient) == user.email.lower()).order_by(OutboxMessage.id)))


def _groups(session: Session, household: Household) -> dict[str, list[dict[str, Any]]]:
    """The family's own places in groups and its own attendance: never the other families
    of a group, nor the leader's notes of a meeting."""
    memberships = session.execute(
        select(ActivityMembership, Activity.public_id, Activity.title)
        .join(Activity, Activity.id == ActivityMembership.activity_id)
        .where(ActivityMembership.household_id == household.id)
        .order_by(ActivityMembership.id)).all()
    attended = session.execute(
        select(Attendance, ActivityMeeting.on_date, Activity.public_id, Activity.title)
        .join(ActivityMeeting, ActivityMeeting.id == Attendance.meeting_id)
        .join(Activity, Activity.id == ActivityMeeting.activity_id)
        .where(Attendance.household_id == household.id)
        .order_by(ActivityMeeting.on_date, Attendance.id)).all()
    answers = session.execute(
        select(MeetingNotice, Activity.public_id, Activity.title)
        .join(Activity, Activity.id == MeetingNotice.activity_id)
        .where(MeetingNotice.household_id == household.id)
        .order_by(MeetingNotice.on_date, MeetingNotice.id)).all()
    return {
        "group_memberships": [_row(m) | {"activity": public_id, "activity_title": title}
                              for m, public_id, title in memberships],
        # The meetings' reminders sent to the family and its "I'm coming" / "I can't come".
        "group_meeting_answers": [_row(n) | {"activity": public_id, "activity_title": title}
                                  for n, public_id, title in answers],
        "group_attendance": [_row(a, exclude=("meeting_id",)) | {
            "on_date": _plain(day), "activity": public_id, "activity_title": title}
            for a, day, public_id, title in attended],
    }


def _household_part(session: Session, household: Household) -> dict[str, Any]:
    members = [_row(member) for member in household.members]
    return {
        "household": _row(household) | {
            "neighbourhood": household.neighbourhood.name if household.neighbourhood else None,
            "members": members},
        "needs": [_need(n) for n in session.scalars(
            select(Need).filter_by(household_id=household.id).order_by(Need.id))],
        "offers": [_offer(o) for o in session.scalars(
            select(Offer).filter_by(household_id=household.id).order_by(Offer.id))],
        "proposals": _proposals(session, household),
        "matches": [_match(session, m, household) for m in matches_of(session, household)],
        "vettings": [_row(v) for v in session.scalars(
            select(Vetting).filter_by(household_id=household.id).order_by(Vetting.id))],
        "erasure_requests": [_row(r) for r in session.scalars(
            select(ErasureRequest).filter_by(household_id=household.id)
            .order_by(ErasureRequest.id))],
        "access_log": _audit_entries(audit.for_household(session, household, limit=10_000)),
        **_groups(session, household),
        "associations_followed": [
            {"association": row.association.name, "since": _plain(row.created_at)}
            for row in session.scalars(select(AssociationFollower).filter_by(
                household_id=household.id).order_by(AssociationFollower.id))],
    }


def _account_row(row: Any) -> dict[str, Any]:
    if isinstance(row, AssociationCoordinator):  # which association, not only since when
        return {"association": row.association.name} | _row(row)
    if isinstance(row, PhoneCode):
        return _row(row, exclude=CODE_PRIVATE)
    if isinstance(row, ApiToken):  # its name, prefix, scopes and dates; not the digest
        return _row(row, exclude=("token_hash",))
    return _row(row)


def _account_rows(session: Session, user: User) -> dict[str, list[dict[str, Any]]]:
    return {model.__tablename__: [_account_row(r) for r in session.scalars(
        select(model).filter_by(user_id=user.id).order_by(*model.__table__.primary_key))]
        for model in account_tables()}


def export_household(session: Session, user: User, now: datetime | None = None) -> dict[str, Any]:
    """Everything kept about the account and its household, JSON-ready."""
    household = household_of(session, user)
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": _plain(now or hubtime.clock().now()),
        "account": _row(user, exclude=USER_PRIVATE),
        **_account_rows(session, user),
        "mails": [_row(m) for m in mails_to(session, user)],
        "actions": _actions(session, user),
        "household": None, "needs": [], "offers": [], "proposals": [], "matches": [],
        "vettings": [], "erasure_requests": [], "access_log": [], "associations_followed": [],
        "group_memberships": [], "group_attendance": [], "group_meeting_answers": [],
    }
    if household is not None:
        data |= _household_part(session, household)
    return data

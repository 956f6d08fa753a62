"""The audit trail: record who did what to whose data, and search it.

``record`` is called by the views (and a few services) when someone reads
private contacts or sensitive notes, confirms or overrides a pairing,
exports, erases or changes a role. It stores which fields were involved,
never their values. Records are append-only (see ``models/audit.py``).
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from mutuo_aiuto.models import AuditEvent, Household, User
from mutuo_aiuto.services import hubtime
from mutuo_aiuto.services.errors import DomainError

# The id of the web request being served, set by the web layer (``security.py``) for
# the request's duration: every record written meanwhile carries it, even when the
# service that writes it was not handed one. A context variable, not a Flask global.
SERVING: ContextVar[str | None] = ContextVar("audit_request_id", default=None)
# While a facilitator acts for a family registered at the front desk (``desk.acting_for``):
# (the facilitator, the family's household). Every record written meanwhile says "done by
# the facilitator for this family", whichever service writes it with the family's account.
ACTING_FOR: ContextVar[tuple[User, Household] | None] = ContextVar("audit_acting_for",
                                                                  default=None)

CONTACTS_VIEWED = "contacts.viewed"
SENSITIVE_VIEWED = "sensitive.viewed"
MATCH_CONFIRMED = "match.confirmed"
MATCH_OVERRIDDEN = "match.overridden"
MATCH_DONE_REPORTED = "match.done_reported"
MATCH_PROBLEM_REPORTED = "match.problem_reported"
MATCH_HOURS_RECORDED = "match.hours_recorded"
DATA_EXPORTED = "data.exported"
IMPACT_EXPORTED = "impact.exported"
PARTICIPANTS_EXPORTED = "participants.exported"
FIGURES_REFRESH_QUEUED = "figures.refresh_queued"
ERASURE_REQUESTED = "erasure.requested"
ERASURE_CONFIRMED = "erasure.confirmed"
ERASURE_DECLINED = "erasure.declined"
ROLE_CHANGED = "role.changed"
USER_DEACTIVATED = "user.deactivated"
USER_REACTIVATED = "user.reactivated"
SESSIONS_ENDED = "sessions.ended"
CONSENT_GIVEN = "consent.given"
KEYS_ROTATED = "keys.rotated"
RETENTION_PURGED = "retention.purged"
BACKUP_MADE = "backup.made"
BACKUP_RESTORED = "backup.restored"
ATTENDANCE_RECORDED = "attendance.recorded"
ASSOCIATION_PROPOSED = "association.proposed"
ASSOCIATION_EDITED = "association.edited"
ASSOCIATION_APPROVED = "association.approved"
ASSOCIATION_SUSPENDED = "association.suspended"
COORDINATOR_ADDED = "association.coordinator_added"
COORDINATOR_REMOVED = "association.coordinator_removed"
ACTIVITY_POSTED = "activity.posted"
ACTIVITY_EDITED = "activity.edited"
ACTIVITY_CANCELLED = "activity.cancelled"
GROUP_REQUEST_ACCEPTED = "activity.request_accepted"
GROUP_REQUEST_DECLINED = "activity.request_declined"
SPECIAL_CONSENT_GIVEN = "special_consent.given"
SPECIAL_CONSENT_WITHDRAWN = "special_consent.withdrawn"
MEETING_ANSWERED = "activity.meeting_answered"
ACTIVITY_ENDED = "activity.ended"
PHONE_SIGNED_IN = "login.phone"
ACCOUNT_CLAIMED = "account.claimed"
DESK_REGISTERED = "desk.registered"
DESK_MEMBER_ADDED = "desk.member_added"
NEED_POSTED = "need.posted"
NEED_EDITED = "need.edited"
MATCH_ACCEPTED = "match.accepted"
MATCH_DECLINED = "match.declined"
API_TOKEN_ISSUED = "api_token.issued"  # an action's name  # nosec B105
API_TOKEN_REVOKED = "api_token.revoked"  # an action's name  # nosec B105
API_DATA_READ = "api.data_read"

# Every action, with how the transparency and search pages name it.
ACTIONS: dict[str, Any] = {
    CONTACTS_VIEWED: _l("viewed the private contacts"),
    SENSITIVE_VIEWED: _l("read sensitive notes"),
    MATCH_CONFIRMED: _l("confirmed a pairing"),
    MATCH_OVERRIDDEN: _l("paired by hand, overriding a rule"),
    MATCH_DONE_REPORTED: _l("told the Hub a pairing's help is over"),
    MATCH_PROBLEM_REPORTED: _l("told the Hub something is wrong in a pairing"),
    MATCH_HOURS_RECORDED: _l("recorded a month's hours of help"),
    DATA_EXPORTED: _l("downloaded the family's data"),
    IMPACT_EXPORTED: _l("downloaded the impact figures"),
    PARTICIPANTS_EXPORTED: _l("downloaded the participants' data for the managing authority"),
    FIGURES_REFRESH_QUEUED: _l("asked for the impact figures to be computed again"),
    ERASURE_REQUESTED: _l("asked to erase the family's data"),
    ERASURE_CONFIRMED: _l("erased the family's data"),
    ERASURE_DECLINED: _l("declined to erase the family's data"),
    ROLE_CHANGED: _l("changed an account's role"),
    USER_DEACTIVATED: _l("deactivated an account"),
    USER_REACTIVATED: _l("reactivated an account"),
    SESSIONS_ENDED: _l("signed an account out everywhere"),
    CONSENT_GIVEN: _l("agreed to the privacy notice"),
    KEYS_ROTATED: _l("re-encrypted the stored data with a new key"),
    RETENTION_PURGED: _l("deleted data past the retention period"),
    BACKUP_MADE: _l("made a backup"),
    BACKUP_RESTORED: _l("restored a backup"),
    ATTENDANCE_RECORDED: _l("recorded who came to a group's meeting"),
    ASSOCIATION_PROPOSED: _l("proposed an association"),
    ASSOCIATION_EDITED: _l("edited an association's page"),
    ASSOCIATION_APPROVED: _l("approved an association"),
    ASSOCIATION_SUSPENDED: _l("suspended an association"),
    COORDINATOR_ADDED: _l("named a coordinator of an association"),
    COORDINATOR_REMOVED: _l("removed a coordinator of an association"),
    ACTIVITY_POSTED: _l("posted a group activity"),
    ACTIVITY_EDITED: _l("changed a group activity"),
    ACTIVITY_CANCELLED: _l("cancelled a group activity"),
    GROUP_REQUEST_ACCEPTED: _l("took a family into a group"),
    GROUP_REQUEST_DECLINED: _l("turned down a family's request to join a group"),
    SPECIAL_CONSENT_GIVEN: _l("agreed that the Hub keeps a person's disability or "
                              "minority answers"),
    SPECIAL_CONSENT_WITHDRAWN: _l("withdrew the consent to a person's disability or "
                                  "minority answers, which were deleted"),
    MEETING_ANSWERED: _l("said whether they come to a group's meeting"),
    ACTIVITY_ENDED: _l("marked a group activity ended: its last day passed"),
    PHONE_SIGNED_IN: _l("signed in with a code sent by SMS"),
    ACCOUNT_CLAIMED: _l("took over the account the Hub made at the front desk"),
    DESK_REGISTERED: _l("registered the family at the front desk, with its consent"),
    DESK_MEMBER_ADDED: _l("added a person to the family"),
    NEED_POSTED: _l("posted a request for help"),
    NEED_EDITED: _l("changed a request for help"),
    MATCH_ACCEPTED: _l("accepted to help"),
    MATCH_DECLINED: _l("declined to help"),
    API_TOKEN_ISSUED: _l("issued an API token"),
    API_TOKEN_REVOKED: _l("revoked an API token"),
    API_DATA_READ: _l("read personal data through the API"),
}

# A details dict is for ids, field names and counts; anything larger is a bug.
DETAILS_MAX_CHARS = 2000
SEARCH_LIMIT = 200


class AuditError(DomainError):
    """An audit record could not be written as asked."""


@dataclass(frozen=True)
class AuditQuery:
    """What an administrator searches the trail by; every part is optional."""

    action: str | None = None
    actor: str | None = None  # part of the actor's email or name
    target_id: str | None = None  # a public id: household, need, offer, match or user
    request_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def _target_type(target: Any) -> str:
    return type(target).__name__.lower()


def _household_of(target: Any) -> Household | None:
    if isinstance(target, Household):
        return target
    if isinstance(target, User):
        return target.household
    household = getattr(target, "household", None)
    return household if isinstance(household, Household) else None


def _clean_details(details: dict[str, Any] | None) -> dict[str, Any]:
    details = dict(details or {})
    try:
        encoded = json.dumps(details, default=str)
    except (TypeError, ValueError) as error:
        raise AuditError(_l("The audit details could not be stored.")) from error
    if len(encoded) > DETAILS_MAX_CHARS:
        raise AuditError(_l("The audit details could not be stored."))
    stored: dict[str, Any] = json.loads(encoded)
    return stored


def record(session: Session, actor: User | None, action: str, *, target: Any = None,
           household: Household | None = None, details: dict[str, Any] | None = None,
           request_id: str | None = None, at: datetime | None = None) -> AuditEvent:
    """Append one event; ``actor`` None means the system (a job or a command).

    ``household`` defaults to the target's household, so the family's
    transparency page lists the event.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    actor = actor if getattr(actor, "is_authenticated", False) else None
    acting = ACTING_FOR.get()
    on_behalf_of: Household | None = None
    if acting is not None:
        # The family's own service ran with the family's account: the one who did it
        # is the facilitator at the desk, for the family.
        facilitator, on_behalf_of = acting
        if actor is None or actor.id == on_behalf_of.user_id:
            actor = facilitator
    event = AuditEvent(
        at=at or hubtime.clock().now(),
        actor_id=actor.id if actor is not None else None,
        actor_role=actor.role if actor is not None else None,
        action=action,
        target_type=_target_type(target) if target is not None else None,
        target_id=getattr(target, "public_id", None),
        household=household or _household_of(target),
        on_behalf_of=on_behalf_of,
        details=_clean_details(details),
    )
    request_id = request_id or SERVING.get()
    if request_id:
        event.request_id = request_id[:64]
    session.add(event)
    session.flush()
    return event


def _filtered(query: AuditQuery) -> Select[Any]:
    statement = select(AuditEvent).outerjoin(User, User.id == AuditEvent.actor_id)
    if query.action:
        statement = statement.where(AuditEvent.action == query.action)
    if query.actor:
        pattern = f"%{query.actor.strip().lower()}%"
        statement = statement.where(
            func.lower(User.email).like(pattern) | func.lower(User.name).like(pattern))
    if query.target_id:
        target = query.target_id.strip()
        household_ids = select(Household.id).where(Household.public_id == target)
        statement = statement.where((AuditEvent.target_id == target)
                                    | AuditEvent.household_id.in_(household_ids))
    if query.request_id:
        statement = statement.where(AuditEvent.request_id == query.request_id.strip())
    if query.since:
        statement = statement.where(AuditEvent.at >= query.since)
    if query.until:
        statement = statement.where(AuditEvent.at < query.until)
    return statement


def search(session: Session, query: AuditQuery, *, limit: int = SEARCH_LIMIT) -> list[AuditEvent]:
    """The newest events matching every part of the query."""
    if query.action and query.action not in ACTIONS:
        raise AuditError(_l("Choose an action from the list."), field="action")
    statement = _filtered(query).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    return list(session.scalars(statement.limit(limit)))


def done_for(session: Session, household: Household, *,
             limit: int = SEARCH_LIMIT) -> list[AuditEvent]:
    """What the Hub did for a family registered at the desk, newest first ("Done for you
    by the Hub")."""
    statement = (select(AuditEvent).where(AuditEvent.on_behalf_of_id == household.id)
                 .options(selectinload(AuditEvent.actor))
                 .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    return list(session.scalars(statement))


def for_household(session: Session, household: Household, *,
                  limit: int = SEARCH_LIMIT) -> list[AuditEvent]:
    """What happened to a household's data, newest first (its transparency page)."""
    statement = (select(AuditEvent).where(AuditEvent.household_id == household.id)
                 .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    return list(session.scalars(statement))

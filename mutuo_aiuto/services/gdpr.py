"""The rights of the people whose data we keep (GDPR): access, erasure, consent, retention.

- ``export_household``: everything kept about an account and its household,
  as plain JSON-ready data (the web layer also renders it as a page).
- Erasure: the family asks (``request_erasure``), a facilitator confirms
  (``confirm_erasure``), and ``anonymise_household`` deletes or blanks every
  personal field while the anonymous counts (hours, matches, statuses,
  neighbourhood) stay for the programme's impact figures.
- Consent: ``needs_consent`` / ``give_consent`` against the notice's version.
- Retention: ``purge_expired`` blanks the free text of matches closed long
  ago and the contacts of households that have gone quiet.

Nothing commits here.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, inspect, or_, select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import (
    MATCH_HOLDING,
    MEMBER,
    ErasureRequest,
    FollowUp,
    Household,
    Match,
    Need,
    Notification,
    Offer,
    OutboxMessage,
    Proposal,
    User,
    Vetting,
)
from mutuo_aiuto.models.types import utcnow
from mutuo_aiuto.services import audit, matching_runs
from mutuo_aiuto.services.errors import DomainError, NotAllowed, NotFound
from mutuo_aiuto.services.followups import local_date
from mutuo_aiuto.services.lifecycle import (
    NEED_FINISHED,
    NEED_TRANSITIONS,
    OFFER_TRANSITIONS,
    move_need,
    move_offer,
)
from mutuo_aiuto.services.matches import end_for_leaving_household

EXPORT_FORMAT = 1
ERASED_NAME = "—"
ERASED_EMAIL_DOMAIN = "erased.invalid"
OFFER_FINISHED = frozenset({"cancelled", "expired"})
# A copy of each sent mail is kept this long, to look into delivery problems.
SENT_MAIL_KEPT_DAYS = 30
# An account whose address was never confirmed goes this long after its last
# confirmation link (each link is valid three days; logging in sends a new one).
UNCONFIRMED_KEPT_DAYS = 30
# Account fields that are secrets or plumbing, not data about the person.
USER_PRIVATE = frozenset({"password_hash", "session_version", "calendar_token"})
# Each side of a match sees its own feedback; the other side's is theirs.
_OTHER_SIDE = {"family": ("helper_rating", "helper_comment"),
               "helper": ("family_rating", "family_comment")}


# ---- access: the export ---------------------------------------------------------


def _plain(value: Any) -> Any:
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


def household_of(session: Session, user: User) -> Household | None:
    return session.scalars(select(Household).filter_by(user_id=user.id)).first()


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


def matches_of(session: Session, household: Household) -> list[Match]:
    """Every match in which the household asked for or gave help, oldest first."""
    statement = (select(Match)
                 .join(Need, Need.id == Match.need_id)
                 .join(Offer, Offer.id == Match.offer_id)
                 .where(or_(Need.household_id == household.id,
                            Offer.household_id == household.id))
                 .order_by(Match.id))
    return list(session.scalars(statement))


def _match(session: Session, match: Match, household: Household) -> dict[str, Any]:
    side = "family" if match.need.household_id == household.id else "helper"
    follow_ups = session.scalars(select(FollowUp).filter_by(match_id=match.id)
                                 .order_by(FollowUp.due_on))
    # A facilitator's follow-up notes speak of both families: given on request,
    # after review, not in the automatic export (docs/privacy.md).
    return _row(match, exclude=_OTHER_SIDE[side]) | {
        "side": side, "need": match.need.public_id, "need_title": match.need.title,
        "offer": match.offer.public_id, "offer_title": match.offer.title,
        "follow_ups": [_row(f, exclude=("notes",)) for f in follow_ups],
    }


def _audit_entries(events: list[Any]) -> list[dict[str, Any]]:
    return [{"at": _plain(event.at), "action": event.action,
             "who": event.actor.name if event.actor else None,
             "role": event.actor_role, "target": event.target_id} for event in events]


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
        "matches": [_match(session, m, household) for m in matches_of(session, household)],
        "vettings": [_row(v) for v in session.scalars(
            select(Vetting).filter_by(household_id=household.id).order_by(Vetting.id))],
        "erasure_requests": [_row(r) for r in session.scalars(
            select(ErasureRequest).filter_by(household_id=household.id)
            .order_by(ErasureRequest.id))],
        "access_log": _audit_entries(audit.for_household(session, household, limit=10_000)),
    }


def account_tables() -> list[type[Any]]:
    """Every model with rows that belong to one account (a ``user_id`` to ``users``).

    Found in the mappings, so a new per-account table (notifications, session
    reminders, …) is exported and erased without changing this module.
    """
    found = []
    for mapper in User.registry.mappers:
        column = mapper.columns.get("user_id")
        if column is None or mapper.class_ is Household:
            continue
        if any(fk.column.table.name == User.__tablename__ for fk in column.foreign_keys):
            found.append(mapper.class_)
    return sorted(found, key=lambda model: model.__tablename__)


def _account_rows(session: Session, user: User) -> dict[str, list[dict[str, Any]]]:
    return {model.__tablename__: [_row(r) for r in session.scalars(
        select(model).filter_by(user_id=user.id).order_by(*model.__table__.primary_key))]
        for model in account_tables()}


def export_household(session: Session, user: User, now: datetime | None = None) -> dict[str, Any]:
    """Everything kept about the account and its household, JSON-ready."""
    household = household_of(session, user)
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": _plain(now or utcnow()),
        "account": _row(user, exclude=USER_PRIVATE),
        **_account_rows(session, user),
        "household": None, "needs": [], "offers": [], "matches": [], "vettings": [],
        "erasure_requests": [], "access_log": [],
    }
    if household is not None:
        data |= _household_part(session, household)
    return data


# ---- consent ---------------------------------------------------------------------


def needs_consent(user: Any, version: str) -> bool:
    """A member whose consent is for another version of the notice (or none)."""
    if not getattr(user, "is_authenticated", False) or user.role != MEMBER:
        return False
    return user.consent_version != version


def give_consent(session: Session, user: User, version: str, *, now: datetime | None = None,
                 request_id: str | None = None) -> None:
    """Record the member's agreement to this version; the audit keeps the history."""
    user.consent_version = version
    user.consent_at = now or utcnow()
    audit.record(session, user, audit.CONSENT_GIVEN, target=user,
                 details={"version": version}, request_id=request_id)


# ---- erasure ---------------------------------------------------------------------


@dataclass
class ErasureSummary:
    """What an erasure changed, for the facilitator's message and the audit."""

    needs: int = 0
    offers: int = 0
    matches_ended: int = 0
    members: int = 0
    notifications: int = 0  # and every other row of the account (session reminders, …)
    mails: int = 0
    vettings: int = 0


def pending_erasure(session: Session, household: Household) -> ErasureRequest | None:
    return session.scalars(select(ErasureRequest)
                           .filter_by(household_id=household.id, status="pending")).first()


def last_declined_erasure(session: Session, household: Household) -> ErasureRequest | None:
    """The latest declined request, whose reason the family should read."""
    return session.scalars(select(ErasureRequest)
                           .filter_by(household_id=household.id, status="declined")
                           .order_by(ErasureRequest.id.desc())).first()


def request_erasure(session: Session, user: User, *, now: datetime | None = None,
                    request_id: str | None = None) -> ErasureRequest:
    """The family asks to be forgotten; a facilitator will confirm."""
    household = household_of(session, user)
    if household is None:
        raise NotFound(_l("There is no family profile to erase."))
    existing = pending_erasure(session, household)
    if existing is not None:
        return existing
    request = ErasureRequest(household=household, requested_by_id=user.id,
                             requested_at=now or utcnow())
    session.add(request)
    session.flush()
    audit.record(session, user, audit.ERASURE_REQUESTED, target=household,
                 details={"request": request.public_id}, request_id=request_id)
    return request


def withdraw_erasure(session: Session, user: User) -> ErasureRequest:
    """The family changes its mind before a facilitator confirms."""
    household = household_of(session, user)
    request = pending_erasure(session, household) if household else None
    if request is None:
        raise NotFound(_l("There is no pending request to withdraw."))
    request.status = "withdrawn"
    return request


def pending_erasures(session: Session) -> list[ErasureRequest]:
    """Requests waiting for a facilitator, oldest first."""
    return list(session.scalars(select(ErasureRequest).filter_by(status="pending")
                                .order_by(ErasureRequest.requested_at, ErasureRequest.id)))


def find_pending(session: Session, public_id: str) -> ErasureRequest:
    request = session.scalars(select(ErasureRequest)
                              .filter_by(public_id=public_id, status="pending")).first()
    if request is None:
        raise NotFound(_l("This request does not exist or was already handled."))
    return request


def _check_facilitator(actor: User, request: ErasureRequest) -> None:
    if not actor.is_facilitator:
        raise NotAllowed(_l("Only a facilitator can handle erasure requests."))
    if request.household.user_id == actor.id:
        # Four eyes: nobody confirms the erasure of their own data.
        raise NotAllowed(_l("Another facilitator must handle your own request."))


def confirm_erasure(session: Session, actor: User, request: ErasureRequest, *,
                    now: datetime | None = None,
                    request_id: str | None = None) -> ErasureSummary:
    """A facilitator confirms: the household is anonymised and the request closed."""
    _check_facilitator(actor, request)
    if request.status != "pending":
        raise DomainError(_l("This request was already handled."))
    now = now or utcnow()
    summary = anonymise_household(session, request.household, now=now)
    request.status = "done"
    request.decided_by_id = actor.id
    request.decided_at = now
    audit.record(session, actor, audit.ERASURE_CONFIRMED, target=request.household,
                 details={"request": request.public_id} | asdict(summary),
                 request_id=request_id)
    return summary


def decline_erasure(session: Session, actor: User, request: ErasureRequest, reason: str, *,
                    now: datetime | None = None, request_id: str | None = None) -> None:
    """A facilitator declines, with a reason the family will read (a legal hold, say)."""
    _check_facilitator(actor, request)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Tell the family why the request is declined."), field="reason")
    if len(reason) > 500:
        raise DomainError(_l("Please write at most %(count)d characters.", count=500),
                          field="reason")
    request.status = "declined"
    request.decline_reason = reason
    request.decided_by_id = actor.id
    request.decided_at = now or utcnow()
    audit.record(session, actor, audit.ERASURE_DECLINED, target=request.household,
                 details={"request": request.public_id}, request_id=request_id)


def _blank_need(need: Need, now: datetime) -> None:
    need.title = ERASED_NAME
    need.description = None
    if need.status not in NEED_FINISHED and "cancelled" in NEED_TRANSITIONS[need.status]:
        move_need(need, "cancelled", now)


def _blank_offer(offer: Offer) -> None:
    offer.title = ERASED_NAME
    offer.description = None
    if "cancelled" in OFFER_TRANSITIONS[offer.status]:
        move_offer(offer, "cancelled")


def _end_matches(session: Session, household: Household, now: datetime
                 ) -> tuple[int, list[Need | Offer]]:
    """Cancel running matches (the other side loses access and is told) and blank
    their free text. Returns how many ended, and the other sides' needs and offers
    that are free again."""
    matches = matches_of(session, household)
    _forget_in_others_inboxes(session, household, matches)
    ended: list[Need | Offer] = []
    for match in matches:
        match.family_comment = match.helper_comment = match.override_reason = None
        for follow_up in session.scalars(select(FollowUp).filter_by(match_id=match.id)):
            follow_up.notes = None
        if match.status in MATCH_HOLDING:
            ended.append(end_for_leaving_household(session, match, household.id, now=now))
    return len(ended), ended


def _forget_in_others_inboxes(session: Session, household: Household,
                              matches: list[Match]) -> None:
    """Other people's notifications about the household's matches name it ("Can you
    help the Rossi family?"): they go with it."""
    named = {match.public_id for match in matches}
    if not named:
        return
    # Only the other sides and the staff were ever told about these matches.
    told = {match.need.household.user_id for match in matches} | {
        match.offer.household.user_id for match in matches}
    told |= set(session.scalars(select(User.id).where(User.role != MEMBER)))
    told.discard(household.user_id)
    for notification in session.scalars(select(Notification).where(
            Notification.user_id.in_(told))).all():
        if (notification.params or {}).get("match_id") in named:
            session.delete(notification)


def _propose_again(session: Session, freed: list[Need | Offer], now: datetime) -> None:
    """The other sides' needs and offers look for new pairings, now that the erased
    household's own posts are withdrawn and cannot be proposed."""
    today = local_date(now)
    for post in freed:
        if isinstance(post, Need) and post.status == "open":
            matching_runs.propose_for(session, post, today=today, now=now)
        elif isinstance(post, Offer) and post.status == "open":
            matching_runs.queue_for_offer(session, post, now=now)


def _supersede_proposals(session: Session, needs: list[Need], offers: list[Offer]) -> None:
    conditions = []
    if needs:
        conditions.append(Proposal.need_id.in_([n.id for n in needs]))
    if offers:
        conditions.append(Proposal.offer_id.in_([o.id for o in offers]))
    if not conditions:
        return
    for proposal in session.scalars(select(Proposal).where(or_(*conditions))):
        # A facilitator's reason for rejecting may speak of the family.
        proposal.rejected_reason = None
        if proposal.status == "proposed":
            proposal.status = "superseded"


def _blank_members(household: Household) -> int:
    """Keep only each person's kind (adult, child, elder): every other field is personal."""
    for member in household.members:
        for attribute in inspect(member).mapper.column_attrs:
            column = attribute.columns[0]
            if column.primary_key or column.foreign_keys or attribute.key in (
                    "kind", "public_id"):
                continue
            default = column.default.arg if column.default is not None else None
            setattr(member, attribute.key, None if column.nullable else default)
    return len(household.members)


def _delete_account_rows(session: Session, user: User) -> tuple[int, int]:
    """Delete the account's own rows (notifications, session reminders, …) and the
    mail kept for its address; return how many of each."""
    rows = 0
    for model in account_tables():
        for row in session.scalars(select(model).filter_by(user_id=user.id)).all():
            session.delete(row)
            rows += 1
    mails = session.scalars(select(OutboxMessage).where(
        func.lower(OutboxMessage.recipient) == user.email.lower())).all()
    for mail in mails:
        session.delete(mail)
    return rows, len(mails)


def _blank_account(session: Session, user: User) -> tuple[int, int]:
    deleted = _delete_account_rows(session, user)
    user.email = f"erased-{user.public_id}@{ERASED_EMAIL_DOMAIN}"
    user.name = ERASED_NAME
    # Not an argon2 hash: no password can ever match it.
    user.password_hash = "!erased:" + secrets.token_hex(8)
    user.active = False
    user.session_version = (user.session_version or 1) + 1
    user.calendar_token = None
    user.last_login_at = None
    return deleted


def anonymise_household(session: Session, household: Household, *,
                        now: datetime | None = None) -> ErasureSummary:
    """Delete or blank every personal field of a household and its account.

    Kept, without a name attached: the neighbourhood, the kind of each person,
    statuses, dates, hours and outcomes of matches — the anonymous counts the
    programme reports.
    """
    now = now or utcnow()
    needs = list(session.scalars(select(Need).filter_by(household_id=household.id)))
    offers = list(session.scalars(select(Offer).filter_by(household_id=household.id)))
    summary = ErasureSummary(needs=len(needs), offers=len(offers))
    summary.matches_ended, freed = _end_matches(session, household, now)
    for need in needs:
        _blank_need(need, now)
    for offer in offers:
        _blank_offer(offer)
    _supersede_proposals(session, needs, offers)
    vettings = session.scalars(select(Vetting).filter_by(household_id=household.id)).all()
    for vetting in vettings:
        session.delete(vetting)
    summary.vettings = len(vettings)
    summary.members = _blank_members(household)
    household.name = ERASED_NAME
    household.phone = household.address = household.care_notes = None
    household.languages = []
    summary.notifications, summary.mails = _blank_account(session, household.user)
    session.flush()
    _propose_again(session, freed, now)
    return summary


# ---- retention -------------------------------------------------------------------


@dataclass
class PurgeSummary:
    matches: int = 0
    follow_ups: int = 0
    needs: int = 0
    offers: int = 0
    households: int = 0
    proposals: int = 0
    mails: int = 0
    notifications: int = 0
    unconfirmed_accounts: int = 0

    @property
    def total(self) -> int:
        return sum(asdict(self).values())


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (clamped to the month's end)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for day in range(moment.day, 0, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError("no valid day")  # pragma: no cover - day 1 always exists


def _purge_matches(session: Session, cutoff: datetime, summary: PurgeSummary) -> None:
    ended = func.coalesce(Match.closed_at, Match.confirmed_at)
    old = list(session.scalars(select(Match).where(
        Match.status.not_in(MATCH_HOLDING), ended < cutoff)))
    for match in old:
        if any(v is not None for v in (match.family_comment, match.helper_comment,
                                       match.override_reason)):
            match.family_comment = match.helper_comment = match.override_reason = None
            summary.matches += 1
    if not old:
        return
    for follow_up in session.scalars(select(FollowUp).where(
            FollowUp.match_id.in_([m.id for m in old]), FollowUp.notes.is_not(None))):
        follow_up.notes = None
        summary.follow_ups += 1


def _purge_needs_and_offers(session: Session, cutoff: datetime, summary: PurgeSummary) -> None:
    for need in session.scalars(select(Need).where(
            Need.status.in_(NEED_FINISHED), Need.closed_at < cutoff,
            Need.description.is_not(None))):
        need.description = None
        summary.needs += 1
    for offer in session.scalars(select(Offer).where(
            Offer.status.in_(OFFER_FINISHED), Offer.updated_at < cutoff,
            Offer.description.is_not(None))):
        offer.description = None
        summary.offers += 1


def _purge_messages(session: Session, now: datetime, cutoff: datetime,
                    summary: PurgeSummary) -> None:
    """Sent mail is kept only to look into delivery problems; read notices until the cut-off."""
    for proposal in session.scalars(select(Proposal).where(
            Proposal.created_at < cutoff, Proposal.rejected_reason.is_not(None))):
        proposal.rejected_reason = None
        summary.proposals += 1
    sent_before = now - timedelta(days=SENT_MAIL_KEPT_DAYS)
    for mail in session.scalars(select(OutboxMessage).where(
            OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at < sent_before)):
        session.delete(mail)
        summary.mails += 1
    for notification in session.scalars(select(Notification).where(
            Notification.read_at.is_not(None), Notification.created_at < cutoff)):
        session.delete(notification)
        summary.notifications += 1


def _purge_unconfirmed(session: Session, now: datetime, summary: PurgeSummary) -> None:
    """Accounts whose address was never confirmed, with no link sent for a month, go
    whole: nobody could log in to them, so they hold nothing but a name and an address."""
    before = now - timedelta(days=UNCONFIRMED_KEPT_DAYS)
    stale = session.scalars(select(User).where(
        User.email_confirmed_at.is_(None), User.role == MEMBER, User.created_at < before,
        or_(User.confirmation_sent_at.is_(None), User.confirmation_sent_at < before),
        ~select(Household.id).where(Household.user_id == User.id).exists())).all()
    for user in stale:
        _delete_account_rows(session, user)
        session.delete(user)
        summary.unconfirmed_accounts += 1


def _quiet_since(session: Session, household: Household, cutoff: datetime) -> bool:
    """Nothing running and nothing recent: no live need, offer or match, no login."""
    user = household.user
    if (user.last_login_at or user.created_at) >= cutoff:
        return False
    live_need = select(Need.id).where(Need.household_id == household.id,
                                      Need.status.not_in(NEED_FINISHED))
    live_offer = select(Offer.id).where(Offer.household_id == household.id,
                                        Offer.status.not_in(OFFER_FINISHED))
    if session.scalars(live_need.limit(1)).first() or session.scalars(live_offer.limit(1)).first():
        return False
    for match in matches_of(session, household):
        ended = match.closed_at or match.confirmed_at
        if match.status in MATCH_HOLDING or ended >= cutoff:
            return False
    return True


def _purge_contacts(session: Session, cutoff: datetime, summary: PurgeSummary) -> None:
    with_contacts = select(Household).where(or_(Household.phone.is_not(None),
                                                Household.address.is_not(None),
                                                Household.care_notes.is_not(None)))
    for household in session.scalars(with_contacts):
        if _quiet_since(session, household, cutoff):
            household.phone = household.address = household.care_notes = None
            summary.households += 1


def purge_expired(session: Session, now: datetime, months: int) -> PurgeSummary:
    """Blank what is older than the retention period; running it twice changes nothing more.

    - comments on matches that ended before the cut-off, and the follow-up notes;
    - the free text of needs and offers that ended before it;
    - the contacts and care notes of households with nothing running and no
      login since the cut-off;
    - facilitators' reasons for rejected proposals, read in-app notices older
      than the cut-off, and copies of mail sent more than SENT_MAIL_KEPT_DAYS ago;
    - accounts never confirmed, UNCONFIRMED_KEPT_DAYS after their last link.
    """
    if months < 1:
        raise ValueError("the retention period is at least one month")
    cutoff = months_before(now, months)
    summary = PurgeSummary()
    _purge_matches(session, cutoff, summary)
    _purge_needs_and_offers(session, cutoff, summary)
    _purge_contacts(session, cutoff, summary)
    _purge_messages(session, now, cutoff, summary)
    _purge_unconfirmed(session, now, summary)
    if summary.total:
        audit.record(session, None, audit.RETENTION_PURGED,
                     details=asdict(summary) | {"months": months})
    session.flush()
    return summary

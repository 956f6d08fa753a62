"""Erasure (GDPR art. 17): the family asks, a facilitator confirms, the household goes.

``anonymise_household`` deletes or blanks every personal field while the
anonymous counts (hours, matches, statuses, neighbourhood) stay for the
programme's impact figures. Copies of the household's names elsewhere go too:
other people's notifications about its matches, and every mail kept in the
outbox for someone else whose subject or body names the household or one of
its people (queued or already sent).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, inspect, or_, select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import (
    MATCH_HOLDING,
    MEMBER,
    Activity,
    ActivityMeeting,
    ActivityMembership,
    AssociationFollower,
    Attendance,
    ErasureRequest,
    ErasureStatus,
    FollowUp,
    Household,
    Match,
    MeetingNotice,
    MembershipStatus,
    Need,
    NeedStatus,
    Notification,
    Offer,
    OfferStatus,
    OutboxMessage,
    Proposal,
    ProposalStatus,
    User,
    Vetting,
)
from mutuo_aiuto.services import audit, hubtime, matching_runs, policy
from mutuo_aiuto.services.errors import DomainError, NotAllowed, NotFound
from mutuo_aiuto.services.gdpr.ownership import account_tables, household_of, matches_of
from mutuo_aiuto.services.groups import move_up
from mutuo_aiuto.services.hubtime import local_date
from mutuo_aiuto.services.lifecycle import (
    NEED_FINISHED,
    NEED_TRANSITIONS,
    OFFER_TRANSITIONS,
    move_need,
    move_offer,
)
from mutuo_aiuto.services.matches import end_for_leaving_household

ERASED_NAME = "—"
ERASED_EMAIL_DOMAIN = "erased.invalid"
# Shorter words would redact too much of other people's mail ("Al", "Jo").
MIN_NAME_LENGTH = 3


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
    mails_redacted: int = 0  # other people's mail that named the household
    groups: int = 0  # places in groups, requests to join and waiting-list places


# ---- the request and the decision ---------------------------------------------------


def pending_erasure(session: Session, household: Household) -> ErasureRequest | None:
    return session.scalars(select(ErasureRequest)
                           .filter_by(household_id=household.id,
                                      status=ErasureStatus.PENDING)).first()


def last_declined_erasure(session: Session, household: Household) -> ErasureRequest | None:
    """The latest declined request, whose reason the family should read."""
    return session.scalars(select(ErasureRequest)
                           .filter_by(household_id=household.id,
                                      status=ErasureStatus.DECLINED)
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
                             requested_at=now or hubtime.clock().now())
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
    request.status = ErasureStatus.WITHDRAWN
    return request


def pending_erasures(session: Session) -> list[ErasureRequest]:
    """Requests waiting for a facilitator, oldest first."""
    return list(session.scalars(select(ErasureRequest).filter_by(status=ErasureStatus.PENDING)
                                .order_by(ErasureRequest.requested_at, ErasureRequest.id)))


def find_pending(session: Session, public_id: str) -> ErasureRequest:
    request = session.scalars(select(ErasureRequest)
                              .filter_by(public_id=public_id, status=ErasureStatus.PENDING)).first()
    if request is None:
        raise NotFound(_l("This request does not exist or was already handled."))
    return request


def _check_facilitator(actor: User, request: ErasureRequest) -> None:
    policy.require_facilitator(actor, _l("Only a facilitator can handle erasure requests."))
    if request.household.user_id == actor.id:
        # Four eyes: nobody confirms the erasure of their own data.
        raise NotAllowed(_l("Another facilitator must handle your own request."))


def confirm_erasure(session: Session, actor: User, request: ErasureRequest, *,
                    now: datetime | None = None,
                    request_id: str | None = None) -> ErasureSummary:
    """A facilitator confirms: the household is anonymised and the request closed."""
    _check_facilitator(actor, request)
    if request.status != ErasureStatus.PENDING:
        raise DomainError(_l("This request was already handled."))
    now = now or hubtime.clock().now()
    summary = anonymise_household(session, request.household, now=now)
    request.status = ErasureStatus.DONE
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
    request.status = ErasureStatus.DECLINED
    request.decline_reason = reason
    request.decided_by_id = actor.id
    request.decided_at = now or hubtime.clock().now()
    audit.record(session, actor, audit.ERASURE_DECLINED, target=request.household,
                 details={"request": request.public_id}, request_id=request_id)


# ---- anonymising ---------------------------------------------------------------------


def _blank_need(need: Need, now: datetime) -> None:
    need.title = ERASED_NAME
    need.description = None
    if need.status not in NEED_FINISHED and NeedStatus.CANCELLED in NEED_TRANSITIONS[need.status]:
        move_need(need, NeedStatus.CANCELLED, now)


def _blank_offer(offer: Offer) -> None:
    offer.title = ERASED_NAME
    offer.description = None
    if OfferStatus.CANCELLED in OFFER_TRANSITIONS[offer.status]:
        move_offer(offer, OfferStatus.CANCELLED)


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
        own_side = "family" if match.need.household_id == household.id else "helper"
        for follow_up in session.scalars(select(FollowUp).filter_by(match_id=match.id)):
            follow_up.notes = None
            # The household's own belonging answers go; the other side's are theirs.
            setattr(follow_up, f"{own_side}_belonging", None)
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
        if isinstance(post, Need) and post.status == NeedStatus.OPEN:
            matching_runs.propose_for(session, post, today=today, now=now)
        elif isinstance(post, Offer) and post.status == OfferStatus.OPEN:
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
        if proposal.status == ProposalStatus.PROPOSED:
            proposal.status = ProposalStatus.SUPERSEDED


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


def delete_account_rows(session: Session, user: User) -> tuple[int, int]:
    """Delete the account's own rows (notifications, session reminders, …) and the
    mail kept for its address; return how many of each."""
    rows = 0
    for model in account_tables():
        for row in session.scalars(select(model).filter_by(user_id=user.id)).all():
            session.delete(row)
            rows += 1
    # An account registered at the front desk has no address, so no mail was kept.
    mails = session.scalars(select(OutboxMessage).where(
        func.lower(OutboxMessage.recipient) == user.email.lower())).all() if user.email else []
    for mail in mails:
        session.delete(mail)
    return rows, len(mails)


def _blank_account(session: Session, user: User) -> tuple[int, int]:
    deleted = delete_account_rows(session, user)
    user.email = f"erased-{user.public_id}@{ERASED_EMAIL_DOMAIN}"
    user.name = ERASED_NAME
    # Not an argon2 hash: no password can ever match it.
    user.password_hash = "!erased:" + secrets.token_hex(8)
    user.active = False
    user.session_version = (user.session_version or 1) + 1
    user.calendar_token = None
    user.last_login_at = None
    user.phone_lookup = None  # the number no longer opens the account (its codes went above)
    return deleted


# ---- other people's mail ---------------------------------------------------------------


def names_of(household: Household) -> list[str]:
    """Every name by which a mail to someone else can point at the household: its
    name, the account holder's name and each person's first name.

    Longest first, so "Nadia El Amrani" is redacted whole before "Nadia" is looked
    for. Titles of requests stay: "Accompagnamento a scuola" names nobody and is
    written by many families.
    """
    texts: set[str | None] = {household.name, household.user.name}
    texts |= {member.first_name for member in household.members}
    kept = {t.strip() for t in texts if t and len(t.strip()) >= MIN_NAME_LENGTH}
    kept.discard(ERASED_NAME)
    return sorted(kept, key=lambda text: (-len(text), text))


def _pattern(names: list[str]) -> re.Pattern[str]:
    # Whole words only: "Ada" must not take "Adam" of another family with it.
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)",
                      re.IGNORECASE)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def redact_mails_naming(session: Session, names: list[str]) -> int:
    """Replace, in every kept mail (queued or sent), each of ``names`` by ``ERASED_NAME``.

    The mail stays (a queued one still goes, without the names: a facilitator's
    digest also speaks of other families). Returns the mails changed.
    """
    if not names:
        return 0
    found = or_(*[column.ilike(_like(name), escape="\\")
                  for name in names for column in (OutboxMessage.subject, OutboxMessage.body)])
    query = select(OutboxMessage).where(found).order_by(OutboxMessage.id)
    pattern = _pattern(names)
    changed = 0
    for mail in session.scalars(query):
        subject, body = pattern.sub(ERASED_NAME, mail.subject), pattern.sub(ERASED_NAME, mail.body)
        if (subject, body) != (mail.subject, mail.body):
            mail.subject, mail.body = subject, body
            changed += 1
    return changed


def _leave_groups(session: Session, household: Household, now: datetime) -> int:
    """Delete the family's places in groups (what it wrote asking to join, its meeting
    reminders and answers), giving a place it held to the first family waiting, and its
    attendance at confidential groups; attendance at open groups stays, anonymous, for
    the counts."""
    memberships = list(session.scalars(
        select(ActivityMembership).filter_by(household_id=household.id)))
    freed = {m.activity for m in memberships if m.status == MembershipStatus.JOINED}
    for membership in memberships:
        session.delete(membership)
    # Its reminders and answers ("I can't come") say which groups it was in.
    for notice in session.scalars(select(MeetingNotice).filter_by(household_id=household.id)):
        session.delete(notice)
    confidential = (select(ActivityMeeting.id)
                    .join(Activity, Activity.id == ActivityMeeting.activity_id)
                    .where(Activity.confidential.is_(True)))
    for row in session.scalars(select(Attendance).where(
            Attendance.household_id == household.id,
            Attendance.meeting_id.in_(confidential))):
        session.delete(row)
    session.flush()
    for activity in sorted(freed, key=lambda a: a.id):
        move_up(session, activity, now)
    return len(memberships)


def anonymise_household(session: Session, household: Household, *,
                        now: datetime | None = None) -> ErasureSummary:
    """Delete or blank every personal field of a household and its account.

    Kept, without a name attached: the neighbourhood, the kind of each person,
    statuses, dates, hours and outcomes of matches — the anonymous counts the
    programme reports.
    """
    now = now or hubtime.clock().now()
    needs = list(session.scalars(select(Need).filter_by(household_id=household.id)))
    offers = list(session.scalars(select(Offer).filter_by(household_id=household.id)))
    # Read before they are blanked: the texts other people's mail may carry.
    names = names_of(household)
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
    # Which associations it followed (a parish group can tell a faith): forgotten.
    for follower in session.scalars(select(AssociationFollower).filter_by(
            household_id=household.id)).all():
        session.delete(follower)
    summary.members = _blank_members(household)
    summary.groups = _leave_groups(session, household, now)
    household.name = ERASED_NAME
    household.phone = household.address = household.care_notes = None
    household.languages = []
    summary.notifications, summary.mails = _blank_account(session, household.user)
    session.flush()
    summary.mails_redacted = redact_mails_naming(session, names)
    _propose_again(session, freed, now)
    return summary

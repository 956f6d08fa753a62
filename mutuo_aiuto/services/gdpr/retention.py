"""Retention: what is blanked or deleted once it is old enough.

``purge_expired`` blanks the free text of matches closed long ago and the
contacts of households that have gone quiet, deletes old copies of sent mail
and read notices, and removes accounts whose address was never confirmed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import (
    MATCH_HOLDING,
    MEMBER,
    FollowUp,
    Household,
    Match,
    Need,
    Notification,
    Offer,
    OfferStatus,
    OutboxMessage,
    Proposal,
    SmsMessage,
    User,
)
from mutuo_aiuto.services import audit
from mutuo_aiuto.services.gdpr.erasure import delete_account_rows
from mutuo_aiuto.services.gdpr.ownership import matches_of
from mutuo_aiuto.services.lifecycle import NEED_FINISHED

OFFER_FINISHED = frozenset({OfferStatus.CANCELLED, OfferStatus.EXPIRED})
# A copy of each sent mail is kept this long, to look into delivery problems.
SENT_MAIL_KEPT_DAYS = 30
# An account whose address was never confirmed goes this long after its last
# confirmation link (each link is valid three days; logging in sends a new one).
UNCONFIRMED_KEPT_DAYS = 30


@dataclass
class PurgeSummary:
    matches: int = 0
    follow_ups: int = 0
    needs: int = 0
    offers: int = 0
    households: int = 0
    proposals: int = 0
    mails: int = 0
    texts: int = 0
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
    """Sent mail and texts are kept only to look into delivery problems; read notices
    until the cut-off."""
    for proposal in session.scalars(select(Proposal).where(
            Proposal.created_at < cutoff, Proposal.rejected_reason.is_not(None))):
        proposal.rejected_reason = None
        summary.proposals += 1
    sent_before = now - timedelta(days=SENT_MAIL_KEPT_DAYS)
    for mail in session.scalars(select(OutboxMessage).where(
            OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at < sent_before)):
        session.delete(mail)
        summary.mails += 1
    # Text messages (issue 16) likewise: the row holds the member's mobile number.
    for text in session.scalars(select(SmsMessage).where(
            SmsMessage.sent_at.is_not(None), SmsMessage.sent_at < sent_before)):
        session.delete(text)
        summary.texts += 1
    for notification in session.scalars(select(Notification).where(
            Notification.read_at.is_not(None), Notification.created_at < cutoff)):
        session.delete(notification)
        summary.notifications += 1


def _purge_unconfirmed(session: Session, now: datetime, summary: PurgeSummary) -> None:
    """Accounts whose address was never confirmed, with no link sent for a month, go
    whole: nobody could log in to them, so they hold nothing but a name and an address."""
    before = now - timedelta(days=UNCONFIRMED_KEPT_DAYS)
    stale = session.scalars(select(User).where(
        # An account without an address was registered at the front desk: it has no
        # address to confirm, and its family is kept like any other.
        User.email.is_not(None),
        User.email_confirmed_at.is_(None), User.role == MEMBER, User.created_at < before,
        or_(User.confirmation_sent_at.is_(None), User.confirmation_sent_at < before),
        ~select(Household.id).where(Household.user_id == User.id).exists())).all()
    for user in stale:
        delete_account_rows(session, user)
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
            household.user.phone_lookup = None  # the number is forgotten: no sign-in by it
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

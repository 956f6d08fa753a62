"""Reminders before each session: a week before, the day before, and the morning itself.

Both sides of an active match get them, in their own language, with a link to
say "I'm coming" or "I can't come": by mail, and by SMS the day before, as each
chose (``channels.tell``). Saying "I can't come" tells the other
side and the facilitators at once. A ``SessionNotice`` per person and session
remembers which reminders went, so the hourly job never sends one twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import Match, MatchStatus, NeedSlot, User
from mutuo_aiuto.models.match import SessionNotice
from mutuo_aiuto.models.slot import format_minutes
from mutuo_aiuto.services import channels, sms_texts
from mutuo_aiuto.services.calendar_feed import session_days
from mutuo_aiuto.services.errors import DomainError, InvalidTransition, NotFound
from mutuo_aiuto.services.hubtime import HubClock
from mutuo_aiuto.services.hubtime import clock as hub_clock
from mutuo_aiuto.services.notifications import facilitators

# No reminder before this hour on the day itself.
MORNING_HOUR = 7
ANSWERS = ("coming", "cannot")


def due_kind(day: date, start_minute: int, local_now: datetime) -> str | None:
    """Which reminder a session on ``day`` is due for at ``local_now`` (Rome time)."""
    days = (day - local_now.date()).days
    if 2 <= days <= 7:
        return "week"
    if days == 1:
        return "day"
    minute = local_now.hour * 60 + local_now.minute
    if days == 0 and local_now.hour >= MORNING_HOUR and minute < start_minute:
        return "morning"
    return None


def reminder_due(notice: Any, kind: str, active: bool) -> bool:
    """Whether the ``kind`` reminder still has to go for this notice: not sent yet, the
    person did not say "I can't come", and their account is active. Shared by the
    pairings' ``SessionNotice`` and the groups' ``MeetingNotice``."""
    return active and notice.answer != "cannot" and getattr(notice, f"{kind}_sent_at") is None


def mark_sent(notice: Any, kind: str, now: datetime) -> None:
    setattr(notice, f"{kind}_sent_at", now)


def check_answer(answer: str | None) -> str:
    """"coming" or "cannot", else the form's error."""
    if answer not in ANSWERS:
        raise DomainError(_l("Say whether you are coming."), field="answer")
    return answer


def send_session_reminders(session: Session, now: datetime,
                           clock: HubClock | None = None) -> int:
    """Send every reminder that is due and not yet sent; return how many mails."""
    local_now = (clock or hub_clock()).local(now)
    today = local_now.date()
    sent = 0
    for match in session.scalars(select(Match).where(Match.status == MatchStatus.ACTIVE)
                                 .order_by(Match.id)):
        for day, slot in session_days(match, today, today + timedelta(days=7)):
            kind = due_kind(day, slot.start_minute, local_now)
            if kind is not None:
                sent += _remind_both(session, match, day, slot, kind, now)
    return sent


def _remind_both(session: Session, match: Match, day: date, slot: NeedSlot, kind: str,
                 now: datetime) -> int:
    sent = 0
    for user, other in ((match.need.household.user, match.offer.household),
                        (match.offer.household.user, match.need.household)):
        notice = _notice(session, match, user, day, slot)
        if not reminder_due(notice, kind, user.active):
            continue
        # By SMS only the day before: one text per session, not three.
        channels.tell(session, user, "session_reminder",
                      _l("Reminder of your session with the Family Hub"),
                      text=sms_texts.TOMORROW if kind == "day" else None, now=now,
                      sms_values={"time": format_minutes(slot.start_minute)},
                      notice=notice, kind=kind, other=other)
        mark_sent(notice, kind, now)
        sent += 1
    session.flush()
    return sent


def _notice(session: Session, match: Match, user: User, day: date,
            slot: NeedSlot) -> SessionNotice:
    notice = session.scalars(select(SessionNotice).where(
        SessionNotice.match_id == match.id, SessionNotice.user_id == user.id,
        SessionNotice.on_date == day, SessionNotice.start_minute == slot.start_minute)).first()
    if notice is None:
        notice = SessionNotice(match=match, user_id=user.id, on_date=day,
                               start_minute=slot.start_minute, end_minute=slot.end_minute)
        session.add(notice)
        session.flush()
    return notice


def get_notice(session: Session, user: User, public_id: str) -> SessionNotice:
    """A person's own session notice; anyone else's does not exist for them."""
    notice = session.scalars(select(SessionNotice).where(
        SessionNotice.public_id == public_id)).first()
    if notice is None or notice.user_id != user.id:
        raise NotFound(_l("This session does not exist."))
    return notice


def answer_session(session: Session, user: User, notice: SessionNotice, answer: str | None,
                   now: datetime, clock: HubClock | None = None) -> bool:
    """Record "coming" or "cannot"; return False when nothing changed.

    "I can't come" is told at once to the other side and the facilitators.
    """
    if notice.user_id != user.id:
        raise NotFound(_l("This session does not exist."))
    answer = check_answer(answer)
    if (notice.on_date < (clock or hub_clock()).date_of(now)
            or notice.match.status != MatchStatus.ACTIVE):
        raise InvalidTransition(_l("This session is over."))
    if notice.answer == answer:
        return False
    notice.answer, notice.answered_at = answer, now
    if answer == "cannot":
        _tell_cannot_come(session, notice, user)
    session.flush()
    return True


def _tell_cannot_come(session: Session, notice: SessionNotice, user: User) -> None:
    match = notice.match
    sides = (match.need.household, match.offer.household)
    absent = next(h for h in sides if h.user_id == user.id)
    other = next(h for h in sides if h.user_id != user.id)
    for person in [other.user, *facilitators(session)]:
        if person.active:
            channels.tell(session, person, "session_cancelled",
                          _l("A session cannot take place"), notice=notice, absent=absent)


def send_due_reminders(session: Session, now: datetime, clock: HubClock | None = None) -> int:
    """The hourly job's work: the pairings' session reminders, then the same three
    reminders of the meetings of the groups families joined
    (``meeting_reminders.send_meeting_reminders``)."""
    from mutuo_aiuto.services.meeting_reminders import send_meeting_reminders

    return (send_session_reminders(session, now, clock)
            + send_meeting_reminders(session, now, clock))

"""Notifications: an in-app inbox plus a mail and/or an SMS, in the recipient's language.

A notification is stored as a kind and its parameters, never as finished text:
the inbox renders it in the language of whoever reads it, when they read it,
and the mail is rendered in the recipient's language when it is queued.
``KINDS`` is the registry of every kind with its lazily translated texts.

Mails leave through the app's mailer (``ports.mailer()``), links come from
``ports.links()``: both built from ``BASE_URL`` by the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import LazyString, format_date, format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from mutuo_aiuto.models import FACILITATOR, Notification, User
from mutuo_aiuto.services import hubtime, policy, ports, sms_texts
from mutuo_aiuto.services.database import rowcount
from mutuo_aiuto.services.errors import NotFound


@dataclass(frozen=True)
class Kind:
    """The texts of one kind of notification and the page it links to.

    ``link`` is (endpoint, parameter holding the public id the endpoint takes).
    """

    title: Any
    body: Any
    link: tuple[str, str] | None = None


_MATCH_PAGE = ("inbox.match", "match_id")
_FAMILY_NEED_PAGE = ("families.need", "need_id")
_FAMILY_OFFER_PAGE = ("families.offer", "offer_id")
_STAFF_NEED_PAGE = ("facilitator.need", "need_id")
_CLOSE_PAGE = ("followups.close_match", "match_id")
_FEEDBACK_PAGE = ("followups.feedback", "match_id")
_ACTIVITY_PAGE = ("activities.detail", "activity_id")
_MEETING_ANSWER = ("activities.meeting_answer", "notice_id")
_GROUP_MEETINGS = ("groups.meetings", "activity_id")
_ASSOCIATION_PAGE = ("associations.detail", "association_id")

KINDS: dict[str, Kind] = {
    # Before the helper accepts, neither side is told the other's name (product.md):
    # the family hears of its own request, the helper of the neighbourhood and its offer.
    "match_confirmed_family": Kind(
        _l("We asked a helper for “%(need)s”"),
        _l("The Family Hub found a helper for your request “%(need)s” and asked them "
           "first. They have until %(respond_by)s to answer. As soon as they accept, you "
           "will both see each other's names and contacts; if they cannot, we will look "
           "for someone else."),
        _MATCH_PAGE),
    "match_confirmed_helper": Kind(
        _l("Can you help a family in %(neighbourhood)s?"),
        _l("The Family Hub thinks your offer “%(offer)s” fits a family's request in "
           "%(neighbourhood)s. Open it to see the kind of help, the times, the children's "
           "ages and the languages, then accept or decline by %(respond_by)s. You will see "
           "the family's name and contacts only if you accept."),
        _MATCH_PAGE),
    "match_accepted": Kind(
        _l("%(helper)s will help you"),
        _l("%(helper)s accepted to help with “%(need)s”. You can now see each other's "
           "names and contacts on the pairing's page."),
        _MATCH_PAGE),
    "match_declined": Kind(
        _l("Looking for another helper"),
        _l("The helper proposed for “%(need)s” cannot help after all. The Family Hub is "
           "looking for someone else."),
        _FAMILY_NEED_PAGE),
    "match_unanswered": Kind(
        _l("Looking for another helper"),
        _l("The helper proposed for “%(need)s” did not answer in time. The Family Hub is "
           "looking for someone else."),
        _FAMILY_NEED_PAGE),
    "match_unanswered_helper": Kind(
        _l("Pairing withdrawn"),
        _l("You did not answer in time, so the Family Hub withdrew the request it had "
           "proposed for your offer “%(offer)s”."),
        _FAMILY_OFFER_PAGE),
    "match_declined_staff": Kind(
        _l("A helper declined"),
        _l("%(helper)s declined the pairing with %(family)s for “%(need)s”. The request is "
           "open again."),
        _STAFF_NEED_PAGE),
    "match_unanswered_staff": Kind(
        _l("A pairing was not answered"),
        _l("%(helper)s did not answer the pairing with %(family)s for “%(need)s” in time. "
           "The request is open again."),
        _STAFF_NEED_PAGE),
    # One side left the Hub and its data were erased: the other side is not told who.
    "match_ended_helper_left": Kind(
        _l("Looking for another helper"),
        _l("The helper paired with your request “%(need)s” has left the Family Hub, so "
           "the pairing has ended. The Family Hub is looking for someone else."),
        _FAMILY_NEED_PAGE),
    "match_ended_family_left": Kind(
        _l("A pairing has ended"),
        _l("The family paired with your offer “%(offer)s” has left the Family Hub, so the "
           "pairing has ended. Thank you for your help."),
        _FAMILY_OFFER_PAGE),
    # A side's "it's done" and "something is wrong" reach the facilitators (issue 11);
    # what was wrong is read on the closing page, never in a mail.
    "match_done_family": Kind(
        _l("The family says the help is over"),
        _l("%(family)s says the help of %(helper)s with “%(need)s” is over. Close the "
           "pairing with its outcome and hours."),
        _CLOSE_PAGE),
    "match_done_helper": Kind(
        _l("The helper says the help is over"),
        _l("%(helper)s says the help for %(family)s with “%(need)s” is over. Close the "
           "pairing with its outcome and hours."),
        _CLOSE_PAGE),
    "match_problem_family": Kind(
        _l("Something is wrong in a pairing"),
        _l("%(family)s, the family, says something is wrong in the pairing with %(helper)s "
           "for “%(need)s”. Read what they wrote on the pairing's closing page."),
        _CLOSE_PAGE),
    "match_problem_helper": Kind(
        _l("Something is wrong in a pairing"),
        _l("%(helper)s, the helper, says something is wrong in the pairing with %(family)s "
           "for “%(need)s”. Read what they wrote on the pairing's closing page."),
        _CLOSE_PAGE),
    "match_closed": Kind(
        _l("How did it go?"),
        _l("The Family Hub closed the pairing for “%(need)s”. Thank you! Tell us how it "
           "went: it takes a minute."),
        _FEEDBACK_PAGE),
    # Signing out everywhere (or a new password) also replaces the calendar's secret address.
    "calendar_link_changed": Kind(
        _l("Your calendar has a new address"),
        _l("Your sessions were ended on every device, so your private calendar address was "
           "changed too: the old one no longer works, on any phone. Open the Calendar page "
           "and add the new address to your calendar app again."),
        None),
    # Group activities (issue 12): joining, the waiting list, the day before a meeting.
    "activity_moved_up": Kind(
        _l("A place is free for you in “%(activity)s”"),
        _l("A place became free in “%(activity)s” and your family was first on the waiting "
           "list: you are in. If you cannot come after all, leave the group on its page so "
           "that the next family can take the place."),
        _ACTIVITY_PAGE),
    "activity_accepted": Kind(
        _l("You are in “%(activity)s”"),
        _l("The leader accepted your family in “%(activity)s”. The times and the place are "
           "on the activity's page and in your week."),
        _ACTIVITY_PAGE),
    "activity_accepted_waiting": Kind(
        _l("On the waiting list of “%(activity)s”"),
        _l("The leader accepted your family in “%(activity)s”, but it is full for now: you "
           "are on the waiting list and will be told as soon as a place is free."),
        _ACTIVITY_PAGE),
    "activity_declined": Kind(
        _l("About “%(activity)s”"),
        _l("The leader cannot take your family in “%(activity)s”. The Family Hub can suggest "
           "other groups."),
        _ACTIVITY_PAGE),
    "activity_request": Kind(
        _l("A family asks to join “%(activity)s”"),
        _l("A family asks to join “%(activity)s”. Accept or decline on the activity's page."),
        _ACTIVITY_PAGE),
    "activity_cancelled": Kind(
        _l("“%(activity)s” is cancelled"),
        _l("“%(activity)s” will not meet any more: it was cancelled."),
        _ACTIVITY_PAGE),
    # Kept to show the day-before notices stored before the three reminders below.
    "activity_reminder": Kind(
        _l("Tomorrow: “%(activity)s”"),
        _l("“%(activity)s” meets tomorrow, %(day)s, at %(time)s, at %(place)s."),
        _ACTIVITY_PAGE),
    # A week before, the day before and the morning of each meeting, as for the sessions.
    "meeting_reminder_week": Kind(
        _l("In a few days: “%(activity)s”"),
        _l("“%(activity)s” meets on %(day)s at %(time)s, at %(place)s. Tell us whether "
           "you are coming, or if you can't come."),
        _MEETING_ANSWER),
    "meeting_reminder_day": Kind(
        _l("Tomorrow: “%(activity)s”"),
        _l("“%(activity)s” meets tomorrow, %(day)s, at %(time)s, at %(place)s. Tell us "
           "whether you are coming, or if you can't come."),
        _MEETING_ANSWER),
    "meeting_reminder_morning": Kind(
        _l("Today: “%(activity)s”"),
        _l("“%(activity)s” meets today at %(time)s, at %(place)s. If you can't come, "
           "please tell us."),
        _MEETING_ANSWER),
    # A self-help group's: neither its name nor what it is about, in case someone else
    # reads the mail's subject or the phone's screen.
    "group_reminder_week": Kind(
        _l("In a few days: your group meets"),
        _l("Your group meets on %(day)s at %(time)s, at %(place)s. Tell us whether you "
           "are coming, or if you can't come."),
        _MEETING_ANSWER),
    "group_reminder_day": Kind(
        _l("Tomorrow: your group meets"),
        _l("Your group meets tomorrow, %(day)s, at %(time)s, at %(place)s. Tell us "
           "whether you are coming, or if you can't come."),
        _MEETING_ANSWER),
    "group_reminder_morning": Kind(
        _l("Today: your group meets"),
        _l("Your group meets today at %(time)s, at %(place)s. If you can't come, please "
           "tell us."),
        _MEETING_ANSWER),
    "meeting_cannot_come": Kind(
        _l("%(family)s can't come to “%(activity)s”"),
        _l("%(family)s said they can't come to the meeting of “%(activity)s” on %(day)s "
           "at %(time)s. It shows on that meeting's attendance sheet."),
        _GROUP_MEETINGS),
    # A group welcoming children whose leader's check by the Hub lapsed (the daily check).
    "activity_leader_check": Kind(
        _l("“%(activity)s” waits for your check by the Family Hub"),
        _l("Children come to “%(activity)s”, so its leader needs a valid check by the "
           "Family Hub, and yours is no longer valid. Please bring a new certificate to the "
           "Hub. Until then the families are not reminded of its meetings."),
        _ACTIVITY_PAGE),
    "activity_leader_check_staff": Kind(
        _l("“%(activity)s” waits for its leader's check"),
        _l("Children come to “%(activity)s”, but its leader, %(leader)s, no longer has a "
           "valid check by the Family Hub. Record a new check, or choose another checked "
           "leader on the activity's page. Until then the families are not reminded of its "
           "meetings."),
        _ACTIVITY_PAGE),
    # An administrator's decision on an association, to its coordinators.
    "association_approved": Kind(
        _l("“%(association)s” is approved"),
        _l("An administrator of the Family Hub approved “%(association)s”: its page is "
           "public, families can follow it, and you can post its group activities."),
        _ASSOCIATION_PAGE),
    "association_suspended": Kind(
        _l("“%(association)s” is suspended"),
        _l("An administrator of the Family Hub suspended “%(association)s”: its page and "
           "activities are hidden and its coordinators cannot act for now. The "
           "administrator's note: %(note)s"),
        _ASSOCIATION_PAGE),
    "group_cannot_come": Kind(
        _l("A family can't come to your group"),
        _l("A family said they can't come to your group's meeting on %(day)s at "
           "%(time)s. Open the group's meetings to see who."),
        _GROUP_MEETINGS),
}

# The text message of a kind, and the parameters it shows: the time of tomorrow's
# meeting, never its name or place; every other kind only says there is news.
SMS_TEXTS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "activity_reminder": (sms_texts.TOMORROW, ("time",)),
    # A group meeting is texted the day before only (as a session is): one SMS per
    # meeting, not three; None sends no SMS for the week-before and morning notices.
    **{f"{prefix}_{kind}": ((sms_texts.TOMORROW, ("time",)) if kind == "day" else (None, ()))
       for prefix in ("meeting_reminder", "group_reminder")
       for kind in ("week", "day", "morning")},
}

# Parameters kept as ISO timestamps and shown as dates in the reader's language.
DATETIME_PARAMS = frozenset({"respond_by"})
# Parameters kept as ISO dates and shown as dates in the reader's language.
DATE_PARAMS = frozenset({"day"})


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    path: str | None


def _stored(params: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in params.items()}


def moment(value: datetime) -> str:
    """A deadline as people say it, in the reader's language and the Hub's time zone
    (Flask-Babel's, the ``TIMEZONE`` setting): "martedì 1 dicembre 2026, 10:00"."""
    return f"{format_date(value, 'full')}, {format_datetime(value, 'HH:mm')}"


class _Shown(dict[str, Any]):
    """The parameters a text is filled with. A notice stored before its text changed may
    lack one a newer text names (the neighbourhood, say): it reads "…", never fails."""

    def __missing__(self, key: str) -> str:
        return "…"


def _shown(params: dict[str, Any]) -> dict[str, Any]:
    shown = _Shown(params)
    for key in DATETIME_PARAMS & shown.keys():
        shown[key] = moment(datetime.fromisoformat(shown[key]))
    for key in DATE_PARAMS & shown.keys():
        shown[key] = format_date(date.fromisoformat(shown[key]), "full")
    return shown


def _path(kind: Kind, params: dict[str, Any]) -> str | None:
    """The page's path, or None when that page does not exist (yet) in this app."""
    if kind.link is None or kind.link[1] not in params:
        return None
    endpoint, key = kind.link
    return ports.links().path(endpoint, public_id=params[key])


def render(kind_name: str, params: dict[str, Any]) -> Rendered:
    """The texts of a notification in the current language."""
    kind = KINDS[kind_name]
    shown = _shown(params)
    return Rendered(str(kind.title) % shown, str(kind.body) % shown, _path(kind, params))


def render_notification(notification: Notification) -> Rendered:
    return render(notification.kind, notification.params or {})


def notify(session: Session, user: User, kind: str, *, mail: bool = True,
           now: datetime | None = None, **params: Any) -> Notification:
    """Put a notification in ``user``'s inbox and queue the same by mail in their language.

    ``now`` stamps it: the moment of the change it tells of, as the caller knows it.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    notification = Notification(user_id=user.id, kind=kind, params=_stored(params),
                                created_at=now or hubtime.clock().now())
    session.add(notification)
    if mail and user.active:
        _send(session, user, notification)
    session.flush()
    return notification


def _send(session: Session, user: User, notification: Notification) -> None:
    """By mail, SMS or both, as the member chose (``channels.tell``): the mail says it all,
    the text only that there is news (or, for a meeting, at what time)."""
    from mutuo_aiuto.services import channels

    params = notification.params or {}
    text, shown = SMS_TEXTS.get(notification.kind, (sms_texts.NEWS, ()))
    # Lazy: the mailer renders them in the recipient's language, not the reader's.
    channels.tell(session, user, notification.kind,
                  LazyString(lambda: render_notification(notification).title),
                  text=text, now=notification.created_at,
                  sms_values={key: params[key] for key in shown if key in params},
                  body=LazyString(lambda: render_notification(notification).body),
                  page=_address(KINDS[notification.kind], params))


def _address(kind: Kind, params: dict[str, Any]) -> str | None:
    """The page's absolute address (from ``BASE_URL``) for a mail, or None."""
    if kind.link is None or _path(kind, params) is None:
        return None
    endpoint, key = kind.link
    return ports.links().url(endpoint, public_id=params[key])


def facilitators(session: Session) -> list[User]:
    """Who hears about the Hub's daily work: active facilitators (administrators when
    there is no facilitator at all, so nothing goes unheard)."""
    query = select(User).where(User.active.is_(True)).order_by(User.id)
    staff = list(session.scalars(query.where(User.role == FACILITATOR)))
    return staff or list(session.scalars(query.where(User.role == "admin")))


def notify_facilitators(session: Session, kind: str, *, now: datetime | None = None,
                        **params: Any) -> list[Notification]:
    return [notify(session, user, kind, now=now, **params) for user in facilitators(session)]


def list_notifications(session: Session, user: User, limit: int = 50) -> list[Notification]:
    query = (select(Notification).where(Notification.user_id == user.id)
             .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit))
    return list(session.scalars(query))


def _unread(user: User) -> Select[Any]:
    return select(func.count(Notification.id)).where(Notification.user_id == user.id,
                                                     Notification.read_at.is_(None))


def unread_count(session: Session, user: User) -> int:
    return int(session.execute(_unread(user)).scalar_one())


def unread_and_coordinating(session: Session, user: User) -> tuple[int, bool]:
    """The unread count and whether the account coordinates an association, in one round
    trip: every page's menu asks both."""
    unread, coordinates = session.execute(select(
        _unread(user).scalar_subquery(), policy.coordinator_clause(user))).one()
    return int(unread), bool(coordinates)


def mark_read(session: Session, user: User, public_id: str,
              now: datetime | None = None) -> Notification:
    """Mark one of the user's notifications read; someone else's is NotFound."""
    notification = session.execute(
        select(Notification).filter_by(public_id=public_id, user_id=user.id)
    ).scalar_one_or_none()
    if notification is None:
        raise NotFound(_l("This message does not exist."))
    if notification.read_at is None:
        notification.read_at = now or hubtime.clock().now()
    return notification


def mark_all_read(session: Session, user: User, now: datetime | None = None) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now or hubtime.clock().now()))
    return rowcount(result)

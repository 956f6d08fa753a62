"""Notifications: stored as kind + parameters, shown and mailed in the recipient's language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from mutuo_aiuto.models import Notification, OutboxMessage
from mutuo_aiuto.services import notifications
from mutuo_aiuto.services.errors import NotFound

RESPOND_BY = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PARAMS = {"need": "Uscita da scuola", "offer": "Pomeriggi", "family": "Famiglia Hassan",
          "helper": "Famiglia Rossi", "match_id": "abc123", "need_id": "n123",
          "neighbourhood": "Fontivegge", "offer_id": "o123", "respond_by": RESPOND_BY}


def count(session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_notify_stores_the_kind_and_queues_a_mail(session, make_user):
    user = make_user(locale="en")
    notification = notifications.notify(session, user, "match_confirmed_helper", **PARAMS)
    assert notification.kind == "match_confirmed_helper"
    assert notification.params["respond_by"] == RESPOND_BY.isoformat()
    mail = session.scalars(select(OutboxMessage)).one()
    assert mail.recipient == user.email
    # Before the helper accepts, the family is not named (product.md).
    assert mail.subject == "Can you help a family in Fontivegge?"
    assert "Famiglia Hassan" not in mail.subject + mail.body
    # By when, in the Hub's time zone (09:00 UTC is 10:00 in Rome), as Babel says it.
    assert "accept or decline by Tuesday, December 1, 2026, 10:00" in mail.body
    assert "/matches/abc123" in mail.body


def test_mail_is_rendered_in_the_recipients_language(session, make_user):
    italian = make_user(locale="it")
    with force_locale("en"):  # whoever triggers it reads English: the mail still is Italian
        notifications.notify(session, italian, "match_confirmed_helper", **PARAMS)
    mail = session.scalars(select(OutboxMessage)).one()
    assert "martedì 1 dicembre 2026, 10:00" in mail.body


def test_inbox_text_follows_the_readers_language(session, make_user):
    notification = notifications.notify(session, make_user(), "match_confirmed_family",
                                        mail=False, **PARAMS)
    with force_locale("en"):
        english = notifications.render_notification(notification)
    with force_locale("it"):
        italian = notifications.render_notification(notification)
    assert english.title == "We asked a helper for “Uscita da scuola”"
    assert "December 1, 2026, 10:00" in english.body
    assert "1 dicembre 2026, 10:00" in italian.body
    # Waiting for the helper: no name, and no promise of contacts yet.
    assert "Famiglia Rossi" not in english.title + english.body
    assert "As soon as they accept" in english.body
    assert english.path == "/matches/abc123"


def test_no_mail_when_asked_or_for_an_inactive_account(session, make_user):
    notifications.notify(session, make_user(), "match_accepted", mail=False, **PARAMS)
    notifications.notify(session, make_user(active=False), "match_accepted", **PARAMS)
    assert count(session, Notification) == 2
    assert count(session, OutboxMessage) == 0


def test_unknown_kind_is_refused(session, make_user):
    with pytest.raises(ValueError):
        notifications.notify(session, make_user(), "nonsense")
    assert count(session, Notification) == 0


def test_a_notice_stored_before_its_text_changed_still_renders(app):
    old = {key: value for key, value in notifications._stored(PARAMS).items()
           if key != "neighbourhood"}
    with force_locale("en"):
        rendered = notifications.render("match_confirmed_helper", old)
    assert rendered.title == "Can you help a family in …?"


def test_every_kind_renders_with_the_match_parameters(app):
    with force_locale("en"):
        for kind in notifications.KINDS:
            rendered = notifications.render(kind, notifications._stored(PARAMS))
            assert rendered.title and "%(" not in rendered.title + rendered.body


def test_mark_read_and_unread_count(session, make_user):
    user, other = make_user(), make_user()
    first = notifications.notify(session, user, "match_accepted", mail=False, **PARAMS)
    notifications.notify(session, user, "match_accepted", mail=False, **PARAMS)
    theirs = notifications.notify(session, other, "match_accepted", mail=False, **PARAMS)
    assert notifications.unread_count(session, user) == 2
    notifications.mark_read(session, user, first.public_id)
    assert notifications.unread_count(session, user) == 1
    with pytest.raises(NotFound):
        notifications.mark_read(session, user, theirs.public_id)
    assert theirs.read_at is None
    assert notifications.mark_all_read(session, user) == 1
    assert notifications.unread_count(session, user) == 0
    assert notifications.unread_count(session, other) == 1


def test_list_is_the_users_own_newest_first(session, make_user):
    user, other = make_user(), make_user()
    old = notifications.notify(session, user, "match_accepted", mail=False, **PARAMS)
    old.created_at = datetime(2026, 1, 1, tzinfo=UTC)
    new = notifications.notify(session, user, "match_declined", mail=False, **PARAMS)
    notifications.notify(session, other, "match_accepted", mail=False, **PARAMS)
    assert notifications.list_notifications(session, user) == [new, old]


def test_facilitators_are_told_and_admins_only_when_there_is_none(session, make_user):
    admin = make_user(role="admin")
    assert notifications.facilitators(session) == [admin]
    staff = make_user(role="facilitator")
    make_user(role="facilitator", active=False)
    assert notifications.facilitators(session) == [staff]
    sent = notifications.notify_facilitators(session, "match_declined_staff", **PARAMS)
    assert [n.user_id for n in sent] == [staff.id]

"""The app's mail and link port: mails rendered in the recipient's language, links from BASE_URL."""

from __future__ import annotations

import pytest
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from mutuo_aiuto import mail_rendering
from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import OutboxMessage
from mutuo_aiuto.services import notifications, ports
from tests import factories


class LocaleProbe:
    """A subject that says which language was active when it was turned into text."""

    def __str__(self) -> str:
        return f"subject in {get_locale()}"


@pytest.mark.parametrize("locale", ["en", "it"])
def test_a_mail_is_rendered_in_the_recipients_language(session, make_user, monkeypatch, locale):
    user = make_user(locale=locale, email="r@example.org")
    monkeypatch.setattr(mail_rendering, "render_template",
                        lambda name, **context: f"{name} in {get_locale()} for "
                                                f"{context['user'].name}, {context['link']}")
    message = ports.mailer().send(session, user, "reset_password", LocaleProbe(),
                                  link="https://x/y")
    assert message.recipient == "r@example.org"
    assert message.subject == f"subject in {locale}"
    assert message.kind == "reset_password"
    assert message.body == (f"['mail/reset_password.txt', 'followups/mail/reset_password.txt'] "
                            f"in {locale} for {user.name}, https://x/y")
    assert str(get_locale()) == "en"  # the caller's language (English in tests) is back


def test_a_mail_uses_the_real_template(session, make_user):
    user = make_user(locale="en", name="Amina D'Amico")
    message = ports.mailer().send(session, user, "reset_password",
                                  _l("Reset your Mutuo Aiuto password"),
                                  link="https://example.org/reset/TOKEN")
    assert message.subject == "Reset your Mutuo Aiuto password"
    # Plain text: the apostrophe is not HTML-escaped.
    assert "Hello Amina D'Amico," in message.body
    assert "https://example.org/reset/TOKEN" in message.body


def test_a_template_value_may_be_called_kind(session, make_user, monkeypatch):
    # The session reminder's template takes a ``kind`` of its own (the day before, the hour).
    user = make_user(locale="en")
    monkeypatch.setattr(mail_rendering, "render_template",
                        lambda name, **context: f"kind {context['kind']}")
    message = ports.mailer().send(session, user, "session_reminder", _l("Subject"), kind="day")
    assert (message.kind, message.body) == ("session_reminder", "kind day")


def test_links_are_built_from_base_url_with_its_path(make_app):
    app = make_app(base_url="https://hub.example.org/aiuto")
    with app.app_context():
        links = ports.links()
        assert links.url("followups.index") == "https://hub.example.org/aiuto/followups"
        assert links.path("followups.index") == "/aiuto/followups"
        assert links.path("no.such_page") is None
        assert links.url("no.such_page") == "https://hub.example.org/aiuto/"


def test_a_notification_mail_links_to_base_url_not_localhost(make_app):
    app = make_app(base_url="https://hub.example.org/aiuto")
    with app.app_context():
        user = factories.make_user(db.session, locale="en")
        notifications.notify(db.session, user, "match_accepted", helper="Luca", need="Shopping",
                             match_id="abc123")
        mail = db.session.query(OutboxMessage).one()
        assert "https://hub.example.org/aiuto/matches/abc123" in mail.body
        assert "localhost" not in mail.body

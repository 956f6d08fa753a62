"""The app's side of the services' mail, SMS and link port (``services/ports.py``).

Every mail is rendered here, from the Jinja templates, in the recipient's
language; every link in a mail or a notification is built here, from
``BASE_URL`` (never from a request's Host header or a placeholder host), so
the scheduler's mails and a web request's mails carry the same addresses.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, has_app_context, render_template
from flask_babel import force_locale
from jinja2 import Template
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError, MapAdapter

from mutuo_aiuto.languages import DEFAULT_LOCALE
from mutuo_aiuto.models import OutboxMessage, SmsMessage, User
from mutuo_aiuto.services import sms_texts
from mutuo_aiuto.services.notifications import KINDS
from mutuo_aiuto.services.outbox import queue_mail
from mutuo_aiuto.services.phones import display_phone
from mutuo_aiuto.services.sms_outbox import queue_sms

logger = logging.getLogger("mutuo_aiuto.mail")

EXTENSION = "mutuo_aiuto.mail"
# Where a kind's template is: the account mails, then the scheduler's notices.
TEMPLATES = ("mail/{kind}.txt", "followups/mail/{kind}.txt")
# Every notification kind shares one mail: its text comes from ``notifications.KINDS``.
NOTIFICATION_TEMPLATE = "inbox/notification_mail.txt"


class SiteLinks:
    """Addresses of the app's pages under ``BASE_URL``."""

    def __init__(self, app: Flask, base_url: str) -> None:
        base = urlsplit(base_url)
        self._adapter: MapAdapter = app.url_map.bind(
            base.netloc or "localhost", script_name=base.path or "/",
            url_scheme=base.scheme or "https")

    def url(self, endpoint: str, **values: Any) -> str:
        try:
            return self._adapter.build(endpoint, values, force_external=True)
        except BuildError:
            # A page not (yet) in this app must not stop a mail: point to the home page.
            logger.warning("no address for %s in a mail", endpoint)
            return self._adapter.build("main.home", {}, force_external=True)

    def path(self, endpoint: str, **values: Any) -> str | None:
        try:
            return self._adapter.build(endpoint, values)
        except BuildError:
            return None


class TemplateMailer:
    """Renders a kind of mail from its template in the recipient's language and queues it."""

    def __init__(self, app: Flask, links: SiteLinks) -> None:
        self._app = app
        self._links = links

    def send(self, session: Session, user: User, kind: str, subject: object, /,
             **values: Any) -> OutboxMessage | None:
        if not user.email:
            # A family registered at the front desk has no address: nothing is queued
            # (its messages stay in its inbox; SMS reaches it where set up).
            return None
        # Outside any app context (a bare script) the templates need this app's.
        context: AbstractContextManager[Any] = (
            nullcontext() if has_app_context() else self._app.app_context())
        with context, force_locale(user.locale or DEFAULT_LOCALE):
            rendered_subject = str(subject)
            body = render_template(self._template(kind), user=user,
                                   **{"link": self._links.url, **values})
        return queue_mail(session, user.email, rendered_subject, body, kind=kind)

    @staticmethod
    def _template(kind: str) -> str | list[str | Template]:
        if kind in KINDS:
            return NOTIFICATION_TEMPLATE
        return [pattern.format(kind=kind) for pattern in TEMPLATES]


class Texter:
    """Fills a text message in the recipient's language and queues it (issue 16).

    Every text points to the inbox (the page that lists the news, whatever it is)
    and gives the Hub's phone in the local format: nothing else is said by SMS.
    """

    def __init__(self, app: Flask, links: SiteLinks, hub_phone: str) -> None:
        self._app = app
        self._links = links
        self._phone = display_phone(hub_phone)

    def send(self, session: Session, user: User, kind: str, text: object, /, *,
             now: datetime | None = None, **values: Any) -> SmsMessage | None:
        context: AbstractContextManager[Any] = (
            nullcontext() if has_app_context() else self._app.app_context())
        with context, force_locale(user.locale or DEFAULT_LOCALE):
            body = sms_texts.render(text, **values, url=self._links.url("inbox.index"),
                                    phone=self._phone)
        return queue_sms(session, user, body, kind, now)


def init_app(app: Flask, base_url: str) -> None:
    """Wire the port for the services; again whenever this app's context is pushed, so
    that several apps in one process (the tests) each mail with their own settings."""
    from flask import appcontext_pushed

    links = SiteLinks(app, base_url)
    texter = Texter(app, links, app.config["SETTINGS"].hub_phone)
    app.extensions[EXTENSION] = (TemplateMailer(app, links), links, texter)
    _install(app)
    appcontext_pushed.connect(_install, app)


def _install(app: Flask, **_: Any) -> None:
    from mutuo_aiuto.services import ports

    ports.install(*app.extensions[EXTENSION])

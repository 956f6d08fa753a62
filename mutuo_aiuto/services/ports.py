"""The services' one way out to mail, SMS and links: small protocols the app wires at start.

Services say *what* to send ("this kind of mail to this person with these
values") and *which page* they mean (an endpoint and its values); how a mail
is rendered (the Jinja templates, in the recipient's language) and what the
page's address is (always from ``BASE_URL``) is the app's business:
``mutuo_aiuto/mail_rendering.py`` implements both and ``create_app`` installs
it here.

A registry rather than one more argument on every service: mails leave from
a dozen services (accounts, notifications and the scheduler's notices) whose
callers (views, jobs, other services) would all have to carry the port
through; the app installs exactly one, and a test may install a fake.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from mutuo_aiuto.models import OutboxMessage, SmsMessage, User


class Mailer(Protocol):
    def send(self, session: Session, user: User, kind: str, subject: object, /,
             **values: Any) -> OutboxMessage | None:
        """Queue mail ``kind`` to ``user`` in their language; None (nothing queued) for
        an account without an email address (registered at the front desk).

        ``subject`` is a lazy string (``_l("…")``), translated in the recipient's
        language; ``values`` are what the mail's template shows.
        """
        ...


class Texter(Protocol):
    def send(self, session: Session, user: User, kind: str, text: object, /, *,
             now: datetime | None = None, **values: Any) -> SmsMessage | None:
        """Queue the SMS ``text`` (one of ``services/sms_texts.py``) to ``user``'s mobile
        in their language, filled with the inbox's address, the Hub's phone and
        ``values``; None when the account has no mobile number."""
        ...


class Links(Protocol):
    def url(self, endpoint: str, **values: Any) -> str:
        """The absolute address of a page, built from ``BASE_URL`` (the home page if
        this app has no such page, so a mail is never held up by a link)."""
        ...

    def path(self, endpoint: str, **values: Any) -> str | None:
        """The page's path on the site, or None when this app has no such page."""
        ...


class _Wired:
    mailer: Mailer | None = None
    links: Links | None = None
    texter: Texter | None = None


def install(mailer: Mailer, links: Links, texter: Texter | None = None) -> None:
    """Wire the app's mailer, links and texter (``create_app`` does)."""
    _Wired.mailer, _Wired.links, _Wired.texter = mailer, links, texter


def mailer() -> Mailer:
    if _Wired.mailer is None:
        raise RuntimeError("no mailer installed: create_app installs one")
    return _Wired.mailer


def texter() -> Texter:
    if _Wired.texter is None:
        raise RuntimeError("no texter installed: create_app installs one")
    return _Wired.texter


def links() -> Links:
    if _Wired.links is None:
        raise RuntimeError("no links installed: create_app installs them")
    return _Wired.links

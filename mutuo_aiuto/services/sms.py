"""The SMS gateway: one function that sends one text, chosen by ``SMS_BACKEND``.

Three backends, each a plain function ``(Sms) -> provider id``:

- ``log`` (development, and the default): the text is written to the log, where
  a developer reads it; outside development the number is masked there.
- ``test``: the text is kept in ``CAPTURED``, where tests read what was sent.
- ``twilio``: Twilio Programmable Messaging, over its documented REST API
  (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource):
  ``POST https://api.twilio.com/2010-04-01/Accounts/{AccountSid}/Messages.json``,
  form-encoded ``To`` (E.164), ``From`` (or ``MessagingServiceSid`` for an "MG…"
  sender) and ``Body``, HTTP basic authentication with the Account SID and the
  Auth Token (https://www.twilio.com/docs/usage/requests-to-twilio). It answers
  201 with the message's JSON (its ``sid``), or an error JSON with ``code`` and
  ``message`` (https://www.twilio.com/docs/usage/twilios-response).

The HTTP call goes through a ``Transport``: the standard library's in
production, a fake in tests, which check the request without calling Twilio.
A gateway raises ``SmsFailed``; the outbox (``services/sms_outbox.py``) retries
it with backoff, or gives the text up at once when it is ``permanent`` (a number
the provider refuses will not start working).
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from mutuo_aiuto.config import Settings

logger = logging.getLogger("mutuo_aiuto.sms")

TWILIO_API = "https://api.twilio.com/2010-04-01"


@dataclass(frozen=True)
class Sms:
    """One text to send: to an E.164 number, with the outbox row's public id for the logs.

    ``secret``: the body holds a live code, never written to a log outside development.
    """

    to: str
    body: str
    reference: str
    secret: bool = False


class SmsFailed(Exception):
    """The gateway did not take the text; ``permanent`` when trying again cannot help."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


Send = Callable[[Sms], str]


@dataclass(frozen=True)
class HttpRequest:
    url: str
    data: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes


Transport = Callable[[HttpRequest, float], HttpResponse]


def urllib_transport(request: HttpRequest, timeout: float) -> HttpResponse:
    """POST with the standard library; an HTTP error status is an answer, not an exception."""
    outgoing = urllib.request.Request(request.url, data=request.data,
                                      headers=request.headers, method="POST")
    try:
        # The address is TWILIO_API's, https by construction: no file:// or other scheme.
        with urllib.request.urlopen(outgoing, timeout=timeout) as answer:  # nosec B310
            return HttpResponse(answer.status, answer.read())
    except urllib.error.HTTPError as error:
        return HttpResponse(error.code, error.read())


def gateway(settings: Settings, transport: Transport = urllib_transport) -> Send:
    """The send function ``SMS_BACKEND`` names (Settings checked the name and credentials)."""
    if settings.sms_backend == "twilio":
        return partial(send_with_twilio, settings, transport)
    if settings.sms_backend == "test":
        return capture
    return partial(write_to_log, settings)


# ---- log and test ---------------------------------------------------------------------


def mask_number(number: str) -> str:
    """``+393331234567`` → ``+39•••••4567``: enough to tell texts apart in a log or a list."""
    return f"{number[:3]}•••••{number[-4:]}" if len(number) > 7 else "•••"


def write_to_log(settings: Settings, sms: Sms) -> str:
    to = sms.to if settings.is_development else mask_number(sms.to)
    body = "[a secret code, not logged]" if sms.secret and not settings.is_development else (
        sms.body)
    # WARNING, as for mail: a plain `flask run` shows only warnings.
    logger.warning("SMS_BACKEND is log: this text is written here instead of sent.\n"
                   "To: %s\n\n%s", to, body)
    return f"log-{sms.reference}"


# What the test backend was given, oldest first; tests empty it (the ``sms_sent`` fixture).
CAPTURED: list[Sms] = []


def capture(sms: Sms) -> str:
    CAPTURED.append(sms)
    return f"test-{len(CAPTURED)}"


# ---- Twilio ---------------------------------------------------------------------------


def twilio_request(settings: Settings, sms: Sms) -> HttpRequest:
    """The Messages API request for one text (built here, sent by a transport)."""
    sender_field = "MessagingServiceSid" if settings.sms_sender.startswith("MG") else "From"
    form = {"To": sms.to, sender_field: settings.sms_sender, "Body": sms.body}
    credentials = f"{settings.twilio_account_sid}:{settings.twilio_auth_token}".encode()
    account = urllib.parse.quote(settings.twilio_account_sid, safe="")
    return HttpRequest(
        url=f"{TWILIO_API}/Accounts/{account}/Messages.json",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Authorization": "Basic " + base64.b64encode(credentials).decode(),
                 "Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/json"})


def send_with_twilio(settings: Settings, transport: Transport, sms: Sms) -> str:
    """Send one text; Twilio's message sid, or ``SmsFailed``."""
    try:
        response = transport(twilio_request(settings, sms), settings.sms_timeout_seconds)
    except OSError as error:  # no connection, a timeout: the next try may work
        raise SmsFailed(f"{type(error).__name__}: {error}") from error
    answer = _json(response.body)
    if response.status in (200, 201) and isinstance(answer.get("sid"), str):
        return str(answer["sid"])
    reason = f"HTTP {response.status}: Twilio {answer.get('code', '?')} {answer.get('message', '')}"
    # 400 is this text refused (a number that cannot receive SMS, one that sent STOP);
    # 401, 429 and 5xx are the account or Twilio, and pass.
    raise SmsFailed(reason.strip(), permanent=response.status == 400)


def _json(body: bytes) -> dict[str, object]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}

"""The SMS gateway (issue 16): the Twilio request built against its documented API, never
sent; the log and test backends; the settings that choose them."""

from __future__ import annotations

import base64
import json
import logging
from urllib.parse import parse_qs

import pytest

from mutuo_aiuto.config import Settings, SettingsError
from mutuo_aiuto.services import sms
from mutuo_aiuto.services.sms import HttpRequest, HttpResponse, Sms, SmsFailed

TWILIO = Settings(sms_backend="twilio", twilio_account_sid="AC0123456789abcdef",
                  twilio_auth_token="token-xyz", sms_sender="+390755550100")
TEXT = Sms(to="+393331234567", body="Hai notizie: apri https://x.org", reference="ref1")


class FakeTransport:
    """Answers like Twilio would, and keeps each request (Twilio is never called)."""

    def __init__(self, status: int = 201, answer: object = None,
                 raises: BaseException | None = None) -> None:
        self.status, self.raises = status, raises
        self.answer = {"sid": "SM0123", "status": "queued"} if answer is None else answer
        self.requests: list[tuple[HttpRequest, float]] = []

    def __call__(self, request: HttpRequest, timeout: float) -> HttpResponse:
        self.requests.append((request, timeout))
        if self.raises is not None:
            raise self.raises
        return HttpResponse(self.status, json.dumps(self.answer).encode())


def test_the_twilio_request_follows_the_messages_api():
    request = sms.twilio_request(TWILIO, TEXT)
    assert request.url == ("https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef"
                           "/Messages.json")
    assert parse_qs(request.data.decode()) == {
        "To": ["+393331234567"], "From": ["+390755550100"],
        "Body": ["Hai notizie: apri https://x.org"]}
    scheme, _, credentials = request.headers["Authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(credentials).decode() == "AC0123456789abcdef:token-xyz"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_a_messaging_service_sender_is_sent_as_its_sid():
    service = TWILIO.with_overrides(sms_sender="MG0123456789")
    form = parse_qs(sms.twilio_request(service, TEXT).data.decode())
    assert form["MessagingServiceSid"] == ["MG0123456789"] and "From" not in form


def test_an_arabic_body_is_form_encoded_as_utf8():
    arabic = Sms(to=TEXT.to, body="لديك أخبار", reference="r")
    assert parse_qs(sms.twilio_request(TWILIO, arabic).data.decode())["Body"] == ["لديك أخبار"]


def test_twilio_answers_with_the_message_sid_within_the_timeout():
    transport = FakeTransport()
    assert sms.send_with_twilio(TWILIO.with_overrides(sms_timeout_seconds=7), transport,
                                TEXT) == "SM0123"
    assert transport.requests[0][1] == 7


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (401, False), (429, False),
                                                   (500, False), (503, False)])
def test_a_refusal_is_permanent_only_for_the_message_itself(status, permanent):
    transport = FakeTransport(status, {"code": 21211, "message": "Invalid 'To' Phone Number",
                                       "status": status})
    with pytest.raises(SmsFailed) as failed:
        sms.send_with_twilio(TWILIO, transport, TEXT)
    assert failed.value.permanent is permanent
    assert f"HTTP {status}" in str(failed.value) and "21211" in str(failed.value)


def test_no_connection_is_a_failure_to_retry():
    with pytest.raises(SmsFailed) as failed:
        sms.send_with_twilio(TWILIO, FakeTransport(raises=TimeoutError("timed out")), TEXT)
    assert not failed.value.permanent and "timed out" in str(failed.value)


def test_an_answer_that_is_not_json_is_a_failure():
    class Garbled(FakeTransport):
        def __call__(self, request: HttpRequest, timeout: float) -> HttpResponse:
            return HttpResponse(502, b"<html>Bad gateway</html>")

    with pytest.raises(SmsFailed, match="HTTP 502"):
        sms.send_with_twilio(TWILIO, Garbled(), TEXT)


def test_the_log_backend_masks_the_number_outside_development(caplog):
    caplog.set_level(logging.WARNING, logger="mutuo_aiuto.sms")
    sms.write_to_log(Settings(environment="testing"), TEXT)
    assert "+39•••••4567" in caplog.text and "+393331234567" not in caplog.text
    assert TEXT.body in caplog.text
    caplog.clear()
    sms.write_to_log(Settings(environment="development"), TEXT)
    assert "+393331234567" in caplog.text


def test_a_secret_code_never_reaches_the_log_outside_development(caplog):
    caplog.set_level(logging.WARNING, logger="mutuo_aiuto.sms")
    code = Sms(to=TEXT.to, body="Il tuo codice: 482913", reference="r", secret=True)
    sms.write_to_log(Settings(environment="production"), code)
    assert "482913" not in caplog.text and "secret code" in caplog.text
    sms.write_to_log(Settings(environment="development"), code)
    assert "482913" in caplog.text  # a developer signs in with it


def test_the_gateway_is_the_one_the_settings_name(sms_sent):
    assert sms.gateway(Settings(sms_backend="test"))(TEXT) == "test-1"
    assert sms_sent == [TEXT]
    transport = FakeTransport()
    assert sms.gateway(TWILIO, transport)(TEXT) == "SM0123" and transport.requests
    assert sms.gateway(Settings()).func is sms.write_to_log  # type: ignore[attr-defined]


@pytest.mark.parametrize(("env", "problem"), [
    ({"SMS_BACKEND": "carrier-pigeon"}, "SMS_BACKEND"),
    ({"SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": "AC1"}, "TWILIO_AUTH_TOKEN"),
    ({"HUB_PHONE": "call the hub"}, "HUB_PHONE"),
])
def test_settings_refuse_an_unusable_sms_configuration(env, problem):
    with pytest.raises(SettingsError, match=problem):
        Settings.from_env(env)


def test_settings_read_the_twilio_credentials():
    settings = Settings.from_env({"SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": "AC1",
                                  "TWILIO_AUTH_TOKEN": "t", "SMS_SENDER": "FamilyHub",
                                  "HUB_PHONE": "075 123 4567"})
    assert (settings.sms_backend, settings.sms_sender, settings.hub_phone) == (
        "twilio", "FamilyHub", "075 123 4567")

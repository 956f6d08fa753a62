"""The SMS a test sends, captured: the codes of phone sign-in are read from them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from mutuo_aiuto.services import phone_signin

CODE = re.compile(r"\b(\d{6})\b")


@dataclass
class SentSms:
    """Every SMS queued for a code, in order: (number in E.164, text)."""

    messages: list[tuple[str, str]] = field(default_factory=list)

    def last_code(self) -> str:
        found = CODE.search(self.messages[-1][1])
        assert found is not None, self.messages[-1]
        return found.group(1)


def capture(monkeypatch: pytest.MonkeyPatch) -> SentSms:
    sent = SentSms()
    monkeypatch.setattr(phone_signin, "queue_code_sms",
                        lambda _session, e164, text, _now: sent.messages.append((e164, text)))
    return sent

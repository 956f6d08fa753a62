"""The sign-in codes a test sent, read from the SMS outbox (the rows the scheduler delivers)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import SmsMessage
from mutuo_aiuto.services.phone_signin import SMS_KIND

CODE = re.compile(r"\b(\d{6})\b")


@dataclass
class SentCodes:
    """Every code SMS queued, in order, as (number in E.164, text)."""

    session: Session

    @property
    def messages(self) -> list[tuple[str, str]]:
        rows = self.session.scalars(select(SmsMessage).filter_by(kind=SMS_KIND)
                                    .order_by(SmsMessage.id))
        return [(row.recipient, row.body) for row in rows]

    def last_code(self) -> str:
        found = CODE.search(self.messages[-1][1])
        assert found is not None, self.messages[-1]
        return found.group(1)


def code_in(text: str) -> str:
    found = CODE.search(text)
    assert found is not None, text
    return found.group(1)

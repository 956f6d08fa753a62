"""The outbox: every mail the service sends is kept here first, then delivered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mutuo_aiuto.extensions import Model
from mutuo_aiuto.models.types import UTCDateTime, new_public_id, utcnow


class OutboxMessage(Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Also the mail's Message-ID: a resend after a crash carries the same one.
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    # What the mail is (a template or notification kind), for the undelivered list.
    kind: Mapped[str] = mapped_column(String(40), default="mail")
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # Not tried before this time: the backoff after a failure, or a delivery's claim.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Set at the first failure: after this time a failure gives the mail up.
    retry_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Given up: listed for the facilitators, retried only by ``flask outbox-retry``.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

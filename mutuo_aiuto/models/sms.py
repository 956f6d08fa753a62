"""The SMS outbox: every text message is kept here first, then delivered by the scheduler."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mutuo_aiuto.extensions import Model
from mutuo_aiuto.models.types import EncryptedText, UTCDateTime, new_public_id, utcnow


class SmsMessage(Model):
    """One text message, with the same delivery state as a mail (models/mail.py)."""

    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The reference the gateway gets: a resend after a crash carries the same one.
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    # The account it is for, when there is one (a sign-in code may go to a bare number).
    # Found by the GDPR export and erasure through this column.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                index=True)
    # What the message is (a notification kind), for the undelivered list.
    kind: Mapped[str] = mapped_column(String(40), default="sms")
    # E.164; a private contact like the household's phone, so encrypted the same way.
    recipient: Mapped[str] = mapped_column(EncryptedText())
    body: Mapped[str] = mapped_column(Text)
    # A body holding a live secret (a sign-in code) is blanked once delivered.
    forget_body: Mapped[bool] = mapped_column(default=False)
    segments: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The gateway's id for the message (Twilio's "SM…" sid), for support.
    provider_id: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # Not tried before this time: the backoff after a failure, or a delivery's claim.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Set at the first failure: after this time a failure gives the message up.
    retry_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Given up: listed for the facilitators with the undelivered mail.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

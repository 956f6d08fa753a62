"""One-time sign-in codes sent by SMS: only a keyed hash of each code is stored.

A row is written for every code asked for, whether the number has an account
or not (``user_id`` is then None and nothing is sent): counting the rows of a
number is the per-number rate limit, and it holds across every web worker.
Neither the number nor the code is stored in clear: ``phone_lookup`` is the
same keyed hash as ``users.phone_lookup``, ``code_hash`` a keyed hash of the
code with a salt of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mutuo_aiuto.extensions import Model
from mutuo_aiuto.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from mutuo_aiuto.models.user import User


class PhoneCode(Model):
    __tablename__ = "phone_codes"
    __table_args__ = (Index("ix_phone_codes_lookup_created", "phone_lookup", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_lookup: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                index=True)
    salt: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # Indexed alone too: each new code deletes the rows older than a day, for every number.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when the code opened a session, or when a newer code did (single use).
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<PhoneCode {self.id}>"

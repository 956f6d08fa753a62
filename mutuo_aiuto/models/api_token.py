"""API tokens: an administrator issues one for an account, with scopes, and revokes it.

Only a digest of the secret is kept (``token_hash``) and the first characters
(``prefix``) to tell tokens apart in a list; the secret itself is shown once,
when the token is issued. A token acts as its account: what it may read is the
intersection of its scopes and what the account's role may see today
(``services/policy.py``), so a role taken away takes the API away with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mutuo_aiuto.extensions import Model
from mutuo_aiuto.models.types import UTCDateTime, new_public_id, utcnow
from mutuo_aiuto.models.user import User


class ApiToken(Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    # What the administrator calls it ("the city's dashboard").
    name: Mapped[str] = mapped_column(String(80))
    # The start of the secret, shown in lists; never enough to use it.
    prefix: Mapped[str] = mapped_column(String(16))
    # SHA-256 of the whole secret, hex: the secret has 256 random bits, so a fast digest
    # is as safe as a slow one and keeps every API call to one indexed lookup.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… of user {self.user_id}>"

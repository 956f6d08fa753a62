"""API tokens: issue one for an account, list them, revoke one, and check one on a call.

An administrator issues a token for an account with some scopes (those the
account's role allows: ``policy.api_scopes_for``) and, optionally, the last day
it works. The secret is returned once, to be shown once; only its SHA-256 digest
and its first characters are stored. Issuing and revoking are audited.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from mutuo_aiuto.models import ApiToken, User
from mutuo_aiuto.services import accounts, audit, hubtime, policy
from mutuo_aiuto.services.errors import DomainError, NotFound

# "ma_" tells a leaked secret apart in a log or a repository (secret scanners key on it).
SECRET_MARK = "ma_"  # the tokens' visible prefix, not a secret  # nosec B105
PREFIX_LENGTH = len(SECRET_MARK) + 8
NAME_MAX = 80
# The last-used time is written at most this often, not on every call.
LAST_USED_GRANULARITY = timedelta(minutes=1)


class TokenRefused(DomainError):
    """The secret names no usable token: unknown, revoked, expired, or its account is off."""


@dataclass(frozen=True)
class Issued:
    """A token just issued, with its secret: the only time the secret exists outside the
    caller who sends it."""

    token: ApiToken
    secret: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _check_request(user: User, name: str, scopes: Iterable[str], expires_on: date | None,
                   today: date) -> tuple[str, list[str]]:
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise DomainError(_l("Give the token a name of up to 80 characters."), field="name")
    wanted = sorted(set(scopes))
    if not wanted:
        raise DomainError(_l("Choose at least one scope."), field="scopes")
    allowed = policy.api_scopes_for(user)
    if any(scope not in allowed for scope in wanted):
        raise DomainError(_l("This account's role does not allow one of these scopes."),
                          field="scopes")
    if expires_on is not None and expires_on <= today:
        raise DomainError(_l("The last day must be after today."), field="expires_on")
    return name, wanted


def issue(session: Session, actor: User, user: User, *, name: str, scopes: Iterable[str],
          expires_on: date | None = None) -> Issued:
    """Issue a token for ``user``; it works until the end of ``expires_on`` (Hub time)."""
    policy.require_api_token_admin(actor)
    clock = hubtime.clock()
    name, wanted = _check_request(user, name, scopes, expires_on, clock.today())
    secret = SECRET_MARK + secrets.token_urlsafe(32)
    expires_at = (clock.start_of(expires_on + timedelta(days=1))
                  if expires_on is not None else None)
    token = ApiToken(user=user, name=name, prefix=secret[:PREFIX_LENGTH],
                     token_hash=digest(secret), scopes=wanted, created_by_id=actor.id,
                     created_at=clock.now(), expires_at=expires_at)
    session.add(token)
    session.flush()
    audit.record(session, actor, audit.API_TOKEN_ISSUED, target=user,
                 details={"token": token.public_id, "scopes": wanted,
                          "expires_on": expires_on.isoformat() if expires_on else None})
    return Issued(token, secret)


def last_day(token: ApiToken, clock: hubtime.HubClock) -> date | None:
    """The last day (Hub time) a token works, or None: it works until revoked."""
    if token.expires_at is None:
        return None
    return clock.date_of(token.expires_at - timedelta(seconds=1))


def revoke(session: Session, actor: User, token: ApiToken) -> None:
    """Stop a token from working, for good; revoking twice changes nothing."""
    policy.require_api_token_admin(actor)
    if token.revoked_at is not None:
        return
    token.revoked_at = hubtime.clock().now()
    token.revoked_by_id = actor.id
    audit.record(session, actor, audit.API_TOKEN_REVOKED, target=token.user,
                 details={"token": token.public_id})


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, the newest first, with its account."""
    query = (select(ApiToken).options(joinedload(ApiToken.user))
             .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
    return list(session.scalars(query))


def get_token(session: Session, public_id: str) -> ApiToken:
    token = session.scalars(select(ApiToken).where(ApiToken.public_id == public_id)).first()
    if token is None:
        raise NotFound(_l("This token does not exist."))
    return token


def authenticate(session: Session, secret: str) -> ApiToken:
    """The token a secret names, if it may be used now; its last use is noted."""
    if not secret.startswith(SECRET_MARK) or len(secret) > 200:
        raise TokenRefused(_l("The API token is not valid."))
    token = session.scalars(select(ApiToken).options(joinedload(ApiToken.user))
                            .where(ApiToken.token_hash == digest(secret))).first()
    now = hubtime.clock().now()
    if token is None or not policy.can_use_api_token(token, now):
        raise TokenRefused(_l("The API token is not valid, was revoked or has expired."))
    last = token.last_used_at
    if last is None or now - hubtime.aware(last) >= LAST_USED_GRANULARITY:
        token.last_used_at = now
    return token


def account_for(session: Session, email: str) -> User:
    """The account a token is issued for, found by its email address."""
    user = accounts.find_user(session, email or "")
    if user is None:
        raise DomainError(_l("No account has this email address."), field="account")
    return user

"""Column types shared by the models: UTC timestamps, encrypted text, public ids.

The keys of ``EncryptedText`` are held here, in a key ring that the app fills
when it starts (``install_keys``): the type reads no Flask global.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import DateTime, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

CRYPTO_EXTENSION = "mutuo_aiuto.crypto"
# The app's logger (Flask names it after the package), so the message lands where it did.
logger = logging.getLogger("mutuo_aiuto")


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_public_id() -> str:
    """A random, URL-safe id, so that ids in addresses cannot be guessed or counted."""
    return secrets.token_urlsafe(9)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a timezone")
        value = value.astimezone(UTC)
        # SQLite keeps no offset: store naive UTC there.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def make_fernet(keys: tuple[str, ...]) -> MultiFernet:
    """The first key encrypts; every key decrypts, so keys can be rotated."""
    return MultiFernet([Fernet(key.encode()) for key in keys])


class KeyRing:
    """The keys encrypted columns use now: one holder, filled by the app at start.

    ``create_app`` installs its keys, and again whenever one of its app contexts
    is pushed, so that tests running several apps each read with their own keys.
    """

    fernet: MultiFernet | None = None
    # The key of the keyed hashes that find a row by a value stored only encrypted
    # (an account by its phone number: ``users.phone_lookup``).
    lookup_key: bytes | None = None


LOOKUP_KEY_EXTENSION = "mutuo_aiuto.lookup_key"


def install_keys(fernet: MultiFernet, lookup_key: bytes | None = None) -> None:
    KeyRing.fernet = fernet
    if lookup_key is not None:
        KeyRing.lookup_key = lookup_key


def lookup_key_from(secret_key: str) -> bytes:
    """The lookup hashes' key, derived from the secret key (never the key itself).

    Not from the encryption keys: those are rotated (``services/keys.py``) and a
    lookup hash must stay the same for as long as the number does. Changing the
    secret key means recomputing the hashes (``phone_lookup.refresh_all``).
    """
    return hashlib.sha256(("mutuo-aiuto.phone-lookup:" + secret_key).encode()).digest()


def installed_lookup_key() -> bytes:
    if KeyRing.lookup_key is None:
        raise RuntimeError("no lookup key installed: create_app installs it")
    return KeyRing.lookup_key


def _fernet() -> MultiFernet:
    if KeyRing.fernet is None:
        raise RuntimeError("no encryption keys installed: create_app installs them")
    return KeyRing.fernet


def installed_fernet() -> MultiFernet:
    """The keys installed now, for code that encrypts outside a column."""
    return _fernet()


class EncryptedText(TypeDecorator[str]):
    """Text encrypted at rest with the app's MultiFernet keys.

    Used for special-category data (health notes, the free text of relational
    and conflict-support needs) and private contacts: a copied database or a
    backup shows only ciphertext.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None or value == "":
            return value
        return _fernet().encrypt(str(value).encode()).decode()

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or value == "":
            return value
        try:
            return _fernet().decrypt(value.encode()).decode()
        except InvalidToken:
            logger.error("a stored value could not be decrypted with the current keys")
            return None

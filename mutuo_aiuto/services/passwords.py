"""Password hashing with argon2 (argon2-cffi), the OWASP-recommended algorithm."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Stored for an account that has no password yet (a family registered at the front
# desk): not an argon2 hash, so no password ever matches it.
UNUSABLE = "!unusable"
_dummy_hash: str | None = None


def use_test_parameters() -> None:
    """Cheap argon2 parameters for the test suite only (the defaults take ~0.1 s a hash)."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    _dummy_hash = None


def _dummy() -> str:
    # Compared against when no account matches, so a wrong email takes as long
    # as a wrong password and response times do not tell which emails exist.
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("not a real password")
    return _dummy_hash


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)

"""Key rotation: re-encrypt every encrypted column with the newest key.

The columns are found in the metadata (every column whose type is
``EncryptedText``), so a new encrypted field is rotated without touching this
module. Values are read and written as ciphertext and passed through
``MultiFernet.rotate``: a value no configured key can open stops the rotation
with an error instead of being silently replaced by nothing.

Rotation is safe while the service runs: each row is re-read under a row lock
(``SELECT … FOR UPDATE`` on PostgreSQL), re-encrypted and written in its own
short transaction, and the write only lands if the stored ciphertext is still
the one read (SQLite has no row locks; a changed row is read again). An edit
made during the rotation is therefore never put back to its old value. A
rotation stopped halfway leaves rows under the old and the new key, all
readable while both keys are configured: run it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import InvalidToken, MultiFernet
from sqlalchemy import Column, MetaData, Table, Text, and_, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TypeCoerce

from mutuo_aiuto.models.types import EncryptedText
from mutuo_aiuto.services.database import rowcount


class UnreadableValue(RuntimeError):
    """A stored value is encrypted with a key that is not configured."""


@dataclass
class RotationSummary:
    """How many values were re-encrypted, per ``table.column``."""

    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def encrypted_columns(metadata: MetaData) -> list[tuple[Table, list[Column[Any]]]]:
    """Every table with encrypted columns, and those columns, in a stable order."""
    found = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        columns = [c for c in table.columns if isinstance(c.type, EncryptedText)]
        if columns:
            found.append((table, columns))
    return found


def _raw(column: Column[Any]) -> TypeCoerce[str]:
    # Read and write the stored ciphertext, bypassing EncryptedText's decryption.
    return type_coerce(column, Text())


def _rotate_value(fernet: MultiFernet, token: str, where: str) -> str:
    try:
        return fernet.rotate(token.encode()).decode()
    except InvalidToken as error:
        raise UnreadableValue(f"a value in {where} cannot be read with the configured keys; "
                              "add the key it was written with") from error


# Attempts at one row that keeps changing under the rotation before giving up.
ROW_ATTEMPTS = 5


class RowKeepsChanging(RuntimeError):
    """A row changed every time the rotation re-read it."""


def _rotate_table(session: Session, fernet: MultiFernet, table: Table,
                  columns: list[Column[Any]], summary: RotationSummary) -> None:
    keys = list(table.primary_key.columns)
    ids = session.execute(select(*keys).order_by(*keys)).all()
    session.commit()  # no transaction stays open across the table
    for row_id in ids:
        condition = and_(*[key == value for key, value in zip(keys, row_id, strict=True)])
        for _ in range(ROW_ATTEMPTS):
            rotated = _rotate_row(session, fernet, table, columns, condition)
            session.commit()
            if rotated is not None:
                for name in rotated:
                    label = f"{table.name}.{name}"
                    summary.counts[label] = summary.counts.get(label, 0) + 1
                break
        else:
            raise RowKeepsChanging(f"a row of {table.name} changed {ROW_ATTEMPTS} times "
                                   "during the rotation; run it again")


def _rotate_row(session: Session, fernet: MultiFernet, table: Table, columns: list[Column[Any]],
                condition: Any) -> list[str] | None:
    """Re-encrypt one row: the names of the rotated columns, or None when the row changed
    between reading and writing (read it again)."""
    row = session.execute(select(*[_raw(c).label(c.name) for c in columns])
                          .where(condition).with_for_update()).one_or_none()
    if row is None:  # deleted meanwhile: nothing to rotate
        return []
    changes = {}
    for column in columns:
        token = getattr(row, column.name)
        if token:  # None and "" are stored as they are
            changes[column.name] = _rotate_value(fernet, token, f"{table.name}.{column.name}")
    if not changes:
        return []
    # Written only if every value is still the one read and rotated.
    unchanged = [_raw(c) == getattr(row, c.name) for c in columns if c.name in changes]
    values: dict[str, Any] = {name: type_coerce(value, Text())
                              for name, value in changes.items()}
    # Keep "updated_at" as it was: a new key is not a change of the data, and
    # the retention rules read that date.
    values |= {c.name: c for c in table.columns
               if c.onupdate is not None and c.name not in values}
    written = session.execute(table.update().where(condition, *unchanged).values(**values))
    return list(changes) if rowcount(written) == 1 else None


def decrypts(fernet: MultiFernet, token: str) -> bool:
    """Whether one of the configured keys opens this stored value."""
    try:
        fernet.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def sample_unreadable(session: Session, metadata: MetaData, fernet: MultiFernet) -> list[str]:
    """The encrypted columns (``table.column``) whose oldest stored value no configured
    key opens: one small query per column, cheap enough for ``/healthz``. The oldest
    value is the one written with the oldest key, the first to be dropped too soon."""
    unreadable = []
    for table, columns in encrypted_columns(metadata):
        order = list(table.primary_key.columns)
        for column in columns:
            token = session.execute(
                select(_raw(column)).where(_raw(column).is_not(None), _raw(column) != "")
                .order_by(*order).limit(1)).scalar()
            if token and not decrypts(fernet, token):
                unreadable.append(f"{table.name}.{column.name}")
    return unreadable


def rotate(session: Session, metadata: MetaData, fernet: MultiFernet) -> RotationSummary:
    """Re-encrypt every stored value with ``fernet``'s first key, committing row by row."""
    summary = RotationSummary()
    for table, columns in encrypted_columns(metadata):
        _rotate_table(session, fernet, table, columns, summary)
    return summary

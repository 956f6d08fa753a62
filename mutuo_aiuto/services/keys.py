"""Key rotation: re-encrypt every encrypted column with the newest key.

The columns are found in the metadata (every column whose type is
``EncryptedText``), so a new encrypted field is rotated without touching this
module. Values are read and written as ciphertext and passed through
``MultiFernet.rotate``: a value no configured key can open stops the rotation
with an error instead of being silently replaced by nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import InvalidToken, MultiFernet
from sqlalchemy import Column, MetaData, Table, Text, and_, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TypeCoerce

from mutuo_aiuto.models.types import EncryptedText


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


def _rotate_table(session: Session, fernet: MultiFernet, table: Table,
                  columns: list[Column[Any]], summary: RotationSummary) -> None:
    keys = list(table.primary_key.columns)
    rows = session.execute(select(*keys, *[_raw(c).label(c.name) for c in columns])).all()
    for row in rows:
        changes = {}
        for column in columns:
            token = getattr(row, column.name)
            if token:  # None and "" are stored as they are
                changes[column.name] = _rotate_value(fernet, token, f"{table.name}.{column.name}")
        if not changes:
            continue
        condition = and_(*[key == getattr(row, key.name) for key in keys])
        values: dict[str, Any] = {name: type_coerce(value, Text())
                                  for name, value in changes.items()}
        # Keep "updated_at" as it was: a new key is not a change of the data, and
        # the retention rules read that date.
        values |= {c.name: c for c in table.columns
                   if c.onupdate is not None and c.name not in values}
        session.execute(table.update().where(condition).values(**values))
        for name in changes:
            label = f"{table.name}.{name}"
            summary.counts[label] = summary.counts.get(label, 0) + 1


def rotate(session: Session, metadata: MetaData, fernet: MultiFernet) -> RotationSummary:
    """Re-encrypt every stored value with ``fernet``'s first key. Nothing commits here."""
    summary = RotationSummary()
    for table, columns in encrypted_columns(metadata):
        _rotate_table(session, fernet, table, columns, summary)
    return summary

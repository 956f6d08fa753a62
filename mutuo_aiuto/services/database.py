"""The database itself: create it when it does not exist yet (``flask create-database``),
and how many rows a bulk statement touched.

``make serve-prod`` points the app at a local PostgreSQL database that may not
exist on a fresh machine: this creates it (an SQLite file is created by its
first connection, so only its folder is made here).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Result, create_engine, make_url, text


def ensure_database(url: str) -> bool:
    """Create the database at ``url`` if it is missing; True when it was created."""
    target = make_url(url)
    if target.get_backend_name() == "sqlite":
        if not target.database or target.database == ":memory:":
            return False
        path = Path(target.database)
        created = not path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        return created
    # CREATE DATABASE cannot run in a transaction, nor while connected to the
    # database itself: ask the server's maintenance database.
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": target.database}).scalar()
            if found:
                return False
            quoted = connection.dialect.identifier_preparer.quote(target.database or "")
            connection.execute(text(f"CREATE DATABASE {quoted}"))
            return True
    finally:
        server.dispose()


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE matched. ``Session.execute`` is typed as returning a
    plain ``Result``; for those statements it is a ``CursorResult``, which counts them."""
    return cast(CursorResult[Any], result).rowcount

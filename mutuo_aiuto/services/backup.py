"""Backups: a consistent copy of the database and its restoration.

- SQLite: Python's ``sqlite3.Connection.backup`` (SQLite's online backup
  API), safe while the app is running; the backup is itself an SQLite file.
- PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean
  --if-exists --single-transaction``, run with the parts of the database URL
  as options and the password in ``PGPASSWORD`` (never on the command line,
  where ``ps`` would show it). The client tools must be installed, of the
  server's major version or newer.

Encrypted fields stay encrypted in the backup: keep the encryption keys
(``ENCRYPTION_KEYS``) apart from the backups, and both safe. ``restore`` reads
every encrypted value of the backup first and refuses, changing nothing, when
the configured keys cannot open them all: restored anyway, phones and
addresses would show as "not given" and only the log would say why.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # only for pg_dump and pg_restore  # nosec B404
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(RuntimeError):
    """The backup or restore could not be done; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    kind: str  # "sqlite" or "postgresql"


def _kind(url: URL) -> str:
    backend = url.get_backend_name()
    if backend in ("sqlite", "postgresql"):
        return backend
    raise BackupError(f"backups of {backend} databases are not supported")


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def backup(database_url: str, path: str | Path) -> BackupResult:
    """Copy the database to ``path`` (which must not exist yet)."""
    url, target = make_url(database_url), Path(path)
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    kind = _kind(url)
    if kind == "sqlite":
        _sqlite_copy(_sqlite_path(url), target, must_exist=True)
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              "--file", str(target), *_pg_options(url)], url)
    return BackupResult(target, target.stat().st_size, kind)


def restore(database_url: str, path: str | Path, *,
            encrypted: Mapping[str, Sequence[str]] | None = None,
            keys_open: Callable[[str], bool] | None = None) -> BackupResult:
    """Replace the database's content with the backup at ``path``.

    ``encrypted`` names the encrypted columns (table → columns) and
    ``keys_open`` tells whether the configured keys open one stored value:
    given both, a backup holding a value they cannot open is refused first.

    Stop the web workers and the scheduler first: their open connections
    would otherwise keep writing into the database being replaced.
    """
    url, source = make_url(database_url), Path(path)
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    kind = _kind(url)
    if kind == "sqlite":
        _check_sqlite_backup(source)
    if encrypted and keys_open is not None:
        _check_keys(encrypted_values(kind, url, source, encrypted), keys_open)
    if kind == "sqlite":
        _sqlite_copy(source, _sqlite_path(url), must_exist=False)
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", *_pg_options(url), str(source)], url)
    return BackupResult(source, source.stat().st_size, kind)


def encrypted_values(kind: str, url: URL, source: Path, columns: Mapping[str, Sequence[str]]
                     ) -> Iterator[tuple[str, str]]:
    """Every non-empty stored value of ``columns`` in the backup, as (table.column, token)."""
    rows = _sqlite_rows(source, columns) if kind == "sqlite" else _pg_rows(url, source, columns)
    for table, row in rows:
        for column in columns[table]:
            token = row.get(column)
            if token:
                yield f"{table}.{column}", token


def _check_keys(values: Iterator[tuple[str, str]], keys_open: Callable[[str], bool]) -> None:
    unreadable = Counter(label for label, token in values if not keys_open(token))
    if unreadable:
        where = ", ".join(f"{label}: {count}" for label, count in sorted(unreadable.items()))
        raise BackupError(
            f"the configured ENCRYPTION_KEYS cannot open {unreadable.total()} encrypted "
            f"values of this backup ({where}); restored, they would show as not given. "
            "Add the key the backup was written with to ENCRYPTION_KEYS. Nothing was restored.")


# ---- SQLite ------------------------------------------------------------------------


def _sqlite_copy(source: Path, target: Path, *, must_exist: bool) -> None:
    if must_exist and not source.is_file():
        raise BackupError(f"the database file {source} does not exist")
    # Opened read-only, the source is never created or changed by mistake.
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    except sqlite3.Error as error:
        raise BackupError(f"the SQLite backup failed: {error}") from error
    finally:
        src.close()
        dst.close()


def _check_sqlite_backup(source: Path) -> None:
    """Refuse to restore a file that is not a sound SQLite database of ours."""
    try:
        connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            (result,) = connection.execute("PRAGMA integrity_check").fetchone()
            tables = {name for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is not an SQLite database: {error}") from error
    if result != "ok":
        raise BackupError(f"{source} is damaged: {result}")
    if "users" not in tables:
        raise BackupError(f"{source} is not a Mutuo Aiuto backup (no users table)")


def _sqlite_rows(source: Path, columns: Mapping[str, Sequence[str]]
                 ) -> Iterator[tuple[str, dict[str, str]]]:
    connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        for table, names in columns.items():
            present = {row["name"] for row in connection.execute(
                "SELECT name FROM pragma_table_info(?)", (table,))}
            wanted = [name for name in names if name in present]
            if not wanted:
                continue
            # Table and column names come from our own metadata, never from input.
            listed = ", ".join(f'"{name}"' for name in wanted)
            query = f'SELECT {listed} FROM "{table}"'  # nosec B608
            for row in connection.execute(query):
                yield table, dict(row)
    finally:
        connection.close()


# ---- PostgreSQL --------------------------------------------------------------------


def _pg_options(url: URL) -> list[str]:
    options = []
    if url.host:
        options += ["--host", url.host]
    if url.port:
        options += ["--port", str(url.port)]
    if url.username:
        options += ["--username", url.username]
    if not url.database:
        raise BackupError("the database URL names no database")
    return [*options, "--no-password", "--dbname", url.database]


def _pg_environment(url: URL) -> dict[str, str]:
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    sslmode = url.query.get("sslmode")
    if isinstance(sslmode, str):
        environment["PGSSLMODE"] = sslmode
    return environment


def _pg_rows(url: URL, source: Path, columns: Mapping[str, Sequence[str]]
             ) -> Iterator[tuple[str, dict[str, str]]]:
    """The rows of ``columns``' tables in a custom-format dump, read from the COPY
    blocks ``pg_restore --data-only`` writes out (nothing is restored)."""
    tables = [option for table in columns for option in ("--table", table)]
    script = _run(["pg_restore", "--data-only", *tables, "--file", "-", str(source)], url)
    table, names = None, []
    for line in script.splitlines():
        if table is None:
            if line.startswith("COPY ") and line.endswith("FROM stdin;"):
                head, _, rest = line[5:].partition(" (")
                table = head.rsplit(".", 1)[-1].strip('"')
                names = [name.strip().strip('"') for name in rest.split(")")[0].split(",")]
        elif line == "\\.":
            table = None
        elif table in columns:
            fields = line.split("\t")
            yield table, {name: value for name, value in zip(names, fields, strict=False)
                          if value != "\\N"}


def _run(arguments: list[str], url: URL) -> str:
    program = shutil.which(arguments[0])
    if program is None:
        raise BackupError(f"{arguments[0]} is not installed (the PostgreSQL client tools)")
    # No shell, a fixed program found on PATH, arguments as a list: nothing is interpolated.
    completed = subprocess.run(  # nosec B603
        [program, *arguments[1:]], env=_pg_environment(url), capture_output=True, text=True,
        check=False, timeout=3600)
    if completed.returncode != 0:
        raise BackupError(f"{arguments[0]} failed: {completed.stderr.strip()[-2000:]}")
    return completed.stdout

"""Flask extensions, created unbound here and bound to an app in ``create_app``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from flask import appcontext_pushed
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.orm import DeclarativeBase, Session

if TYPE_CHECKING:
    from flask import Flask

    from mutuo_aiuto.config import Settings

# migrations/ sits at the top of the repository, beside the package (an
# editable install, as `make run` and the deployment guide do it).
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# Named constraints, so that Alembic can alter and drop them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class _Database(SQLAlchemy):
    """What the type checker is told ``db`` is. ``db.session`` is a scoped session that
    hands every call to the current context's Session, so services are typed with the
    plain ``Session`` they use and the web passes ``db.session`` to them."""

    session: Session  # type: ignore[assignment]


db = cast(_Database, SQLAlchemy(model_class=Base))

# The models' base class, named so the type checker sees the typed declarative base
# (``db.Model`` is built at run time from it).
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def init_app(app: Flask, settings: Settings) -> None:
    """Bind every extension to the app; Babel is bound in ``i18n``."""
    from mutuo_aiuto import models  # noqa: F401  (registers the tables)
    from mutuo_aiuto.models.types import (
        CRYPTO_EXTENSION,
        LOOKUP_KEY_EXTENSION,
        lookup_key_from,
        make_fernet,
    )

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True,
                     compare_type=True, include_object=include_in_migrations,
                     render_item=render_migration_type)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    # Flask-Limiter keeps "the storage is down, count in memory" on the extension
    # object, not per app: a new app (in tests, several per process) starts trusting
    # its own storage again.
    limiter._storage_dead = False
    app.extensions[CRYPTO_EXTENSION] = make_fernet(settings.encryption_keys)
    app.extensions[LOOKUP_KEY_EXTENSION] = lookup_key_from(settings.secret_key)
    _install_keys(app)
    appcontext_pushed.connect(_install_keys, app)
    with app.app_context():
        if db.engine.url.get_backend_name() == "sqlite":
            fast = settings.environment == "testing"
            event.listen(db.engine, "connect",
                         lambda connection, _record: _sqlite_pragmas(connection, fast))


def _install_keys(app: Flask, **_: Any) -> None:
    """This app's keys for the encrypted columns (see ``models.types.KeyRing``)."""
    from mutuo_aiuto.models.types import CRYPTO_EXTENSION, LOOKUP_KEY_EXTENSION, install_keys

    install_keys(app.extensions[CRYPTO_EXTENSION], app.extensions[LOOKUP_KEY_EXTENSION])


def _sqlite_pragmas(connection: Any, testing: bool) -> None:
    """Foreign keys on (SQLite leaves them off); WAL so readers never block the writer.

    Tests skip the disk syncs: their databases are thrown away.
    """
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 5000")
    if testing:
        cursor.execute("PRAGMA synchronous = OFF")
    else:
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def include_in_migrations(obj: Any, name: str | None, type_: str, reflected: bool,
                          compare_to: Any) -> bool:
    """Leave out tables that are not ours (APScheduler keeps its jobs beside ours)."""
    return not (type_ == "table" and reflected and compare_to is None)


def render_migration_type(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our column types as their plain SQL types, so migrations import no app code."""
    from mutuo_aiuto.models.types import EncryptedText, UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, EncryptedText):
        return "sa.Text()"
    return False

"""Fixtures: a fresh app and database per test, clients, factories and service guards.

The database is SQLite in the test's temporary folder, or the PostgreSQL at
``TEST_DATABASE_URL`` when that is set (CI runs the suite both ways).
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jinja2
import jinja2.bccache
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_babel import force_locale
from hypothesis import settings
from sqlalchemy import create_engine, inspect, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.util import LRUCache

from mutuo_aiuto import create_app
from mutuo_aiuto.config import Settings
from mutuo_aiuto.extensions import db
from mutuo_aiuto.services import passwords
from tests import factories
from tests.security import counts

# The tests name today with ``date.today()``, the process's own calendar day; the app
# names it with its clock, in the Hub's zone (Europe/Rome). From 23:00 to midnight UTC
# the two differ, and the suite failed for that hour: the tests' process lives in the
# Hub's zone. (No code of the app reads the process's zone: it is held to ``hubtime``.)
os.environ["TZ"] = Settings.timezone
time.tzset()

# argon2 at production strength costs seconds per test on a small machine.
passwords.use_test_parameters()

IN_CI = os.environ.get("CI", "").lower() == "true"


class SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates kept in memory for every app the tests' process builds.

    Each test builds its own app, and with it a Jinja environment that would compile
    every template it renders again (tens of milliseconds for a page). Jinja checks
    each entry against its template's source, so a changed template is compiled anew.
    """

    def __init__(self) -> None:
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.codes:
            bucket.bytecode_from_string(self.codes[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


class SharedStatements(LRUCache):  # type: ignore[type-arg]
    """SQL compiled once per process for every engine of the same kind.

    SQLAlchemy caches a compiled statement per engine (and per mapper) under a key
    that starts with the engine's dialect object; each test builds its own engine,
    so every test compiled anew each statement it ran: a seventh of a web test's
    time. Dialects configured alike compile alike, so the key is told by what the
    compiled text and its parameter handling depend on instead of the object.
    """

    @staticmethod
    def _kind(key: tuple[Any, ...]) -> tuple[Any, ...]:
        dialect = key[0]
        return ((type(dialect), dialect.paramstyle, dialect.server_version_info,
                 dialect.label_length, dialect.max_identifier_length,
                 dialect.use_insertmanyvalues, dialect.insertmanyvalues_page_size,
                 id(getattr(dialect, "_json_serializer", None)),
                 id(getattr(dialect, "_json_deserializer", None))), *key[1:])

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(self._kind(key), default)

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(self._kind(key), value)


class _SharedOnEngine:
    """``Engine._compiled_cache`` answering the shared cache (``None`` stays ``None``:
    an engine built without a cache keeps none)."""

    def __init__(self, shared: SharedStatements) -> None:
        self.shared = shared

    def __get__(self, engine: Any, owner: Any = None) -> Any:
        if engine is None:
            return self
        return None if engine.__dict__.get("_own_compiled_cache") is None else self.shared

    def __set__(self, engine: Any, value: Any) -> None:
        engine.__dict__["_own_compiled_cache"] = value


def _share_compiled_statements() -> None:
    """Every engine and mapper of the tests' process keeps its SQL in one cache."""
    from sqlalchemy.engine.base import Engine
    from sqlalchemy.orm import Mapper

    shared = SharedStatements(20_000)
    Engine._compiled_cache = _SharedOnEngine(shared)  # type: ignore[assignment]
    Mapper._compiled_cache = property(lambda _mapper: shared)  # type: ignore[assignment]


def _share_compiled_work() -> None:
    """What every app of the suite compiles the same way, compiled once per process.

    ``create_app`` took ~70 ms, 95 % of it werkzeug writing and compiling two Python
    functions per URL rule (``Rule._compile_builder``, ~170 rules): about a sixth of
    the suite's time, since every test builds an app. A builder depends only on the
    rule's parts (``_trace``) and its defaults, so one compiled for an equal rule is
    reused (werkzeug binds it to each rule); so are the parts parsed from an equal
    rule (``Rule.compile``, which then was a sixth of a web test's time). Templates
    likewise (``SharedBytecode``).
    Production builds one app per process and is untouched.
    """
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    compile_rule = Rule.compile
    builders: dict[tuple[Any, ...], Any] = {}
    parsed: dict[tuple[Any, ...], Any] = {}

    @functools.wraps(compile_builder)
    def shared_builder(self: Rule, append_unknown: bool = True) -> Any:
        defaults = tuple(sorted((name, repr(value))
                                for name, value in (self.defaults or {}).items()))
        key = (tuple(self._trace), defaults, append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    @functools.wraps(compile_rule)
    def shared_compile(self: Rule) -> None:
        # Parsing the rule into its parts (and its converters, which keep nothing of
        # their map but the reference) was the other half of ``create_app``: the parts
        # are only read once compiled, so equal rules share them.
        assert self.map is not None
        key = (self.rule, self.subdomain, self.host, self.merge_slashes,
               self.map.host_matching, tuple(self.map.converters.items()))
        if key not in parsed:
            before = set(self.arguments)
            compile_rule(self)
            parsed[key] = (self._parts, self._trace, self._converters,
                           self.arguments - before)
            return
        self._parts, self._trace, self._converters, arguments = parsed[key]
        self.arguments |= arguments
        self._build = self._compile_builder(False).__get__(self, None)
        self._build_unknown = self._compile_builder(True).__get__(self, None)

    Rule._compile_builder = shared_builder  # type: ignore[method-assign]
    Rule.compile = shared_compile  # type: ignore[method-assign]
    Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": SharedBytecode()}


_share_compiled_work()
_share_compiled_statements()

# On a laptop hypothesis explores anew on each run; in CI it is derandomized, so a
# run that passed once passes again and a failure found there can be replayed.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if IN_CI:
    settings.load_profile("ci")

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL",
                              TEST_DATABASE_URL or "postgresql://postgres@127.0.0.1:5432/test")


def skip_or_fail(reason: str) -> None:
    """A missing service skips on a laptop and fails in CI."""
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def port_open(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1",
                                       parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


@functools.cache
def worker_database(url: str) -> str:
    """The PostgreSQL database of this pytest-xdist worker (``test_gw0``…), created
    on first use, so that parallel workers never empty each other's tables; the
    URL itself when the suite runs in one process."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not url.startswith("postgresql"):
        return url
    server = make_url(url)
    name = f"{server.database}_{worker}"
    admin = create_engine(server.set(drivername="postgresql+psycopg", database="postgres"),
                          isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": name}).scalar()
            if not exists:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def build_settings(tmp_path: Any, **overrides: Any) -> Settings:
    database_url = (worker_database(TEST_DATABASE_URL) if TEST_DATABASE_URL
                    else f"sqlite:///{tmp_path / 'test.sqlite3'}")
    extra = {"WTF_CSRF_ENABLED": False, **overrides.pop("extra", {})}
    values: dict[str, Any] = {
        "environment": "testing",
        "secret_key": "test-secret-key-that-is-long-enough-0123456789",
        "database_url": database_url,
        "instance_path": str(tmp_path / "instance"),
        "ratelimit_enabled": False,
        # Texts are kept in memory (services/sms.py CAPTURED): the ``sms_sent`` fixture.
        "sms_backend": "test",
        "testing": True,
        "extra": extra,
    }
    return Settings(**(values | overrides))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file with the whole schema, built once and copied for each test.

    Creating two dozen tables costs a disk sync each; a file copy costs none.
    """
    path = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    db.metadata.create_all(engine)
    engine.dispose()
    return path


def _empty_postgresql(names: list[str]) -> None:
    """Delete every row and start the ids at 1 again.

    A test leaves a few rows: DELETE on each table costs ~15 ms in all, where TRUNCATE
    (which rewrites every table's files) cost ~150 ms per test — most of the PostgreSQL
    pass. The replica role skips the foreign-key and append-only triggers for the sweep;
    it needs a superuser (CI's), so any other account falls back to TRUNCATE.
    """
    try:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for name in names:
                connection.exec_driver_sql(f'DELETE FROM "{name}"')
            connection.exec_driver_sql(
                "SELECT setval(c.oid, 1, false) FROM pg_class c "
                "WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace")
    except DBAPIError:
        listed = ", ".join(f'"{name}"' for name in names)
        with db.engine.begin() as connection:
            connection.exec_driver_sql(f"TRUNCATE {listed} RESTART IDENTITY CASCADE")


def _empty_database(template: Path) -> None:
    """Give the app of the current context an empty database with the full schema."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        shutil.copyfile(template, url.database)
        return
    tables = set(inspect(db.engine).get_table_names())
    if url.get_backend_name() == "postgresql" and set(db.metadata.tables) <= tables:
        # The schema is there from an earlier test: empty it.
        _empty_postgresql(sorted(tables - {"alembic_version"}))
        return
    db.drop_all()
    db.create_all()


@pytest.fixture
def make_app(tmp_path: Any, sqlite_template: Path) -> Iterator[Callable[..., Flask]]:
    """Build an app with overridden settings and an empty database with the full schema."""
    built: list[Flask] = []

    def build(create_schema: bool = True, **overrides: Any) -> Flask:
        """``create_schema=False`` leaves the database alone (it may not even exist)."""
        app = create_app(build_settings(tmp_path, **overrides))
        app.test_client_class = FreshClient
        built.append(app)
        if create_schema:
            with app.app_context():
                _empty_database(sqlite_template)
        return app

    yield build
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """The app with its context pushed; outside requests, messages are in English.

    Requests choose their language as in production (Italian by default);
    code a test runs directly, such as a service raising a domain error,
    speaks English, so tests can assert the msgids.
    """
    app = make_app()
    with app.app_context(), force_locale("en"):
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class FreshClient(FlaskClient):
    """A test client whose every request starts with empty per-request caches.

    The ``app`` fixture keeps one app context pushed for the whole test and
    requests reuse it, so ``g`` would carry the logged-in user (Flask-Login)
    and the language (Flask-Babel) from one request to the next, hiding
    whether a cookie still opens a session. Every app built by ``make_app``
    uses it.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        from flask import g, has_app_context

        if not has_app_context():
            return super().open(*args, **kwargs)
        for cached in ("_login_user", "lang_override"):
            g.pop(cached, None)
        # The request picks its own language; the test's own (English, see
        # ``app``) comes back afterwards.
        outside = g.pop("_flask_babel", None)
        try:
            return super().open(*args, **kwargs)
        finally:
            g.pop("_flask_babel", None)
            if outside is not None:
                g._flask_babel = outside


@pytest.fixture
def sms_sent() -> Iterator[list[Any]]:
    """The texts the test SMS backend was given during the test, oldest first."""
    from mutuo_aiuto.services.sms import CAPTURED

    CAPTURED.clear()
    yield CAPTURED
    CAPTURED.clear()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask):
    return db.session


@pytest.fixture
def login(client: FlaskClient) -> Callable[..., Any]:
    """Log a user in on the test client without going through the form."""

    def do_login(user: Any, fresh: bool = True) -> Any:
        with client.session_transaction() as flask_session:
            flask_session["_user_id"] = user.get_id()
            flask_session["_fresh"] = fresh
        return user

    return do_login


def _factory(name: str) -> Callable[..., Any]:
    make = getattr(factories, name)

    @pytest.fixture(name=name)
    def fixture(app: Flask) -> Callable[..., Any]:
        def build(**overrides: Any) -> Any:
            obj = make(db.session, **overrides)
            db.session.commit()
            return obj

        return build

    return fixture


make_user = _factory("make_user")
make_household = _factory("make_household")
make_neighbourhood = _factory("make_neighbourhood")
make_category = _factory("make_category")
make_skill = _factory("make_skill")
make_need = _factory("make_need")
make_offer = _factory("make_offer")
make_match = _factory("make_match")
make_association = _factory("make_association")


@pytest.fixture
def postgres_url() -> str:
    """The PostgreSQL URL for tests that need PostgreSQL itself."""
    if not port_open(POSTGRES_URL, 5432):
        skip_or_fail(f"PostgreSQL is not reachable at {POSTGRES_URL}")
    return worker_database(POSTGRES_URL)


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    if not port_open(url, 6379):
        skip_or_fail(f"Redis is not reachable at {url}")
    return url


# ---- the security proofs' counts, printed at the end of the run ------------------


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the counts to the controller
        workeroutput["security_counts"] = dict(counts.COUNTS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    counts.add(getattr(node, "workeroutput", {}).get("security_counts", {}))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if counts.COUNTS:
        terminalreporter.section("security proofs: counts")
        for name, n in sorted(counts.COUNTS.items()):
            terminalreporter.write_line(f"{name}: {n}")

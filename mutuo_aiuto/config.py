"""Settings: one frozen dataclass, read from the environment when the app is built."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

DEVELOPMENT = "development"
PRODUCTION = "production"
TESTING = "testing"

_TRUE = {"1", "true", "yes", "on"}
# Where ``flask run`` serves when told nothing: the development BASE_URL's defaults.
DEVELOPMENT_HOST = "127.0.0.1"
DEVELOPMENT_PORT = "5000"


class SettingsError(RuntimeError):
    """The environment does not describe a usable configuration."""


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment, typed and checked once."""

    environment: str = DEVELOPMENT
    secret_key: str = ""
    database_url: str = ""
    instance_path: str = ""
    # Keys for data encrypted at rest, newest first (Fernet keys, urlsafe base64).
    encryption_keys: tuple[str, ...] = ()
    mail_server: str = ""
    mail_port: int = 587
    mail_username: str = ""
    mail_password: str = ""
    mail_use_tls: bool = True
    mail_sender: str = "Mutuo Aiuto <noreply@localhost>"
    # "smtp" or "log"; empty: SMTP when MAIL_SERVER is set, the log otherwise.
    # Production refuses to start without MAIL_SERVER unless MAIL_BACKEND=log.
    mail_backend: str = ""
    # Delivery (issue 13): the scheduler's SMTP connection gives up after this
    # many seconds; a failed mail is tried again after MAIL_RETRY_FIRST_SECONDS,
    # doubling up to MAIL_RETRY_MAX_SECONDS, and given up MAIL_GIVE_UP_HOURS
    # after its first failure.
    mail_timeout_seconds: int = 10
    mail_retry_first_seconds: int = 60
    mail_retry_max_seconds: int = 6 * 3600
    mail_give_up_hours: int = 72
    # SMS (issue 16): "log" writes each text to the log (development), "test" keeps it
    # in memory for the tests, "twilio" sends it with Twilio's Messages API. Empty: log.
    sms_backend: str = ""
    # Twilio's "From": the Hub's number in E.164, an approved alphanumeric sender id
    # ("FamilyHub"), or a Messaging Service sid ("MG…").
    sms_sender: str = ""
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    sms_timeout_seconds: int = 10
    # A text about a pairing or a session is useless days late: given up sooner than mail.
    sms_give_up_hours: int = 24
    base_url: str = "http://127.0.0.1:5000"
    default_locale: str = "it"
    timezone: str = "Europe/Rome"
    privacy_notice_version: str = "2026-11"
    password_reset_max_age: int = 3600
    idle_timeout_minutes: int = 30
    member_idle_timeout_minutes: int = 240
    retention_months: int = 24
    # Connections each web process keeps open to PostgreSQL, and how many more it
    # may open at a peak: one per gunicorn thread (gunicorn.conf.py sets it so).
    database_pool_size: int = 5
    database_max_overflow: int = 2
    ratelimit_storage_uri: str = "memory://"
    ratelimit_enabled: bool = True
    # Calls each API token may make (issue 14), in Flask-Limiter's notation; counted in
    # RATELIMIT_STORAGE_URI like the login limits (Redis in production).
    api_rate_limit: str = "60/minute;1000/hour"
    proxy_fix_hops: int = 0
    max_content_length: int = 512 * 1024
    # Hours a helper has to accept or decline a confirmed pairing (product.md: 48).
    helper_response_hours: int = 48
    # Scheduler (issue 5): follow-ups, notices and the single-scheduler lease.
    follow_up_first_days: int = 7
    follow_up_every_days: int = 28
    vetting_warn_days: int = 30
    # The Hub's front desk, where helpers bring the criminal-record certificate for the
    # Hub's check (issue 11): its address as people write it, and its opening hours in
    # the short form of ``services.hub_desk`` (shown in the page's language).
    hub_address: str = "Centro per le Famiglie, Piazza del Bacio, 06128 Perugia (Fontivegge)"
    hub_hours: str = "mon-fri 09:00-13:00; tue,thu 15:00-18:00"
    # The front desk's phone, given in every SMS ("call 075 …") and printed on the pairing
    # summary a family takes home: a made-up number until the deployment sets HUB_PHONE.
    # Checked with the phonenumbers library.
    hub_phone: str = "+39 075 555 0100"
    expiry_notice_days: int = 7
    scheduler_lease_seconds: int = 60
    # How much the scheduler process lowers its CPU priority (os.nice) when it starts:
    # on a machine it shares with gunicorn, the nightly run and the figures take the
    # cores only when no page is waiting for them. 0 leaves it as started.
    scheduler_nice: int = 10
    # Security (issue 6): how long a typed password counts as a "fresh" login for
    # exports, erasure and role changes; how long "remember me" lasts.
    fresh_login_minutes: int = 15
    remember_days: int = 14
    testing: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_development(self) -> bool:
        return self.environment == DEVELOPMENT

    @property
    def mail_logged(self) -> bool:
        """Whether mail is written to the log instead of sent."""
        return self.mail_backend == "log" or (not self.mail_backend and not self.mail_server)

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields changed (tests build apps this way)."""
        return replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read ``MUTUO_*``-free plain variables (SECRET_KEY, DATABASE_URL, …)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f.name.upper())
            if raw is None or f.name == "extra":
                continue
            values[f.name] = _parse(f.name, f.type, raw)
        settings = cls(**values).checked()
        return settings.with_base_url(env.get("BASE_URL", "").strip(), env)

    def with_base_url(self, given: str, env: Mapping[str, str]) -> Settings:
        """The public address mails link to: BASE_URL when given (always in production);
        in development, where the app is served (FLASK_RUN_HOST and FLASK_RUN_PORT,
        which ``flask run`` and ``make run`` use), so ``make run PORT=5101`` mails
        links to port 5101, not 5000."""
        if given:
            if not given.startswith(("http://", "https://")):
                raise SettingsError(f"BASE_URL must start with https:// or http://, "
                                    f"not {given!r}")
            return replace(self, base_url=given.rstrip("/"))
        if self.environment == PRODUCTION:
            raise SettingsError("BASE_URL (the public address, for links in mails, such as "
                                "https://aiuto.example.org) is required in production")
        return replace(self, base_url=development_base_url(env))

    def __post_init__(self) -> None:
        # psycopg 3 is the PostgreSQL driver: accept the plain URL forms too.
        url = self.database_url
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                object.__setattr__(self, "database_url",
                                   "postgresql+psycopg://" + url[len(prefix):])

    def checked(self) -> Settings:
        """Fill development defaults and refuse what is unsafe outside development."""
        environment = self.environment
        if environment not in (DEVELOPMENT, PRODUCTION, TESTING):
            raise SettingsError(f"ENVIRONMENT must be development, production or testing, "
                                f"not {environment!r}")
        if self.timezone not in available_timezones():
            raise SettingsError(f"TIMEZONE must be a time zone such as Europe/Rome, "
                                f"not {self.timezone!r}")
        if not 0 <= self.scheduler_nice <= 19:
            raise SettingsError("SCHEDULER_NICE must be from 0 (as started) to 19 (lowest "
                                f"priority), not {self.scheduler_nice}")
        if self.database_pool_size < 1 or self.database_max_overflow < 0:
            raise SettingsError("DATABASE_POOL_SIZE must be at least 1 and "
                                "DATABASE_MAX_OVERFLOW at least 0")
        if environment == PRODUCTION:
            if len(self.secret_key) < 32:
                raise SettingsError("SECRET_KEY (at least 32 characters) is required in production")
            if not self.encryption_keys:
                raise SettingsError("ENCRYPTION_KEYS is required in production")
        _check_mail(self)
        _check_sms(self)
        _check_hub_hours(self.hub_hours)
        return self

    def with_instance(self, instance_path: str) -> Settings:
        """Complete the settings that depend on the instance folder.

        Outside production a missing secret key is generated once and kept in
        the instance folder, so sessions and encrypted data survive a restart.
        """
        secret_key = self.secret_key or _instance_secret(Path(instance_path))
        keys = self.encryption_keys or (_development_key(secret_key),)
        database_url = self.database_url or default_database_url(instance_path)
        return replace(self, secret_key=secret_key, encryption_keys=keys,
                       database_url=database_url, instance_path=instance_path)


def _check_hub_hours(text: str) -> None:
    from mutuo_aiuto.services.hub_desk import HoursError, parse_hours

    try:
        parse_hours(text)
    except HoursError as exc:
        raise SettingsError(f"HUB_HOURS: {exc}") from exc


def _check_mail(settings: Settings) -> None:
    if settings.mail_backend not in ("", "smtp", "log"):
        raise SettingsError(f"MAIL_BACKEND must be smtp or log, not {settings.mail_backend!r}")
    if settings.mail_backend == "smtp" and not settings.mail_server:
        raise SettingsError("MAIL_BACKEND=smtp needs MAIL_SERVER")
    # Mail only logged in production loses every mail, and the log is not the
    # place for a family's messages: only an explicit choice allows it.
    if (settings.environment == PRODUCTION and not settings.mail_server
            and settings.mail_backend != "log"):
        raise SettingsError("MAIL_SERVER is required in production "
                            "(or MAIL_BACKEND=log to only log mail, with links redacted)")


SMS_BACKENDS = ("", "log", "test", "twilio")


def _check_sms(settings: Settings) -> None:
    from mutuo_aiuto.services.phones import normalised

    if settings.sms_backend not in SMS_BACKENDS:
        raise SettingsError(f"SMS_BACKEND must be log, test or twilio, "
                            f"not {settings.sms_backend!r}")
    if settings.sms_backend == "twilio" and not (
            settings.twilio_account_sid and settings.twilio_auth_token and settings.sms_sender):
        raise SettingsError("SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN "
                            "and SMS_SENDER")
    if settings.sms_backend == "test" and settings.environment == PRODUCTION:
        raise SettingsError("SMS_BACKEND=test keeps texts in memory: not in production")
    if normalised(settings.hub_phone) is None:
        raise SettingsError(f"HUB_PHONE must be a phone number such as +39 075 123 4567, "
                            f"not {settings.hub_phone!r}")


def _instance_secret(instance: Path) -> str:
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret


def _development_key(secret_key: str) -> str:
    """A Fernet key derived from the secret key, so development data stays readable."""
    import base64
    import hashlib

    digest = hashlib.sha256(("mutuo-aiuto-encryption:" + secret_key).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def _parse(name: str, annotation: Any, raw: str) -> Any:
    kind = str(annotation)
    try:
        if kind == "int":
            return int(raw)
        if kind == "bool":
            return raw.strip().lower() in _TRUE
        if kind.startswith("tuple"):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise SettingsError(f"{name.upper()}: {raw!r} is not a valid value") from exc
    return raw


def development_base_url(env: Mapping[str, str]) -> str:
    """``http://host:port`` of the development server: ``flask run``'s own variables,
    127.0.0.1:5000 (its defaults) when they are not set."""
    host = env.get("FLASK_RUN_HOST", "").strip() or DEVELOPMENT_HOST
    if _every_interface(host):  # served on all of them: this machine answers on 127.0.0.1
        host = DEVELOPMENT_HOST
    port = env.get("FLASK_RUN_PORT", "").strip() or DEVELOPMENT_PORT
    if not port.isdigit():
        raise SettingsError(f"FLASK_RUN_PORT must be a port number, not {port!r}")
    return f"http://{host}:{port}"


def _every_interface(host: str) -> bool:
    """Whether ``host`` is the "any address" of IPv4 or IPv6 (not a place to link to)."""
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:  # a name, such as localhost
        return False


def default_database_url(instance_path: str) -> str:
    """The embedded default: an SQLite file in the instance folder."""
    return f"sqlite:///{Path(instance_path) / 'mutuo_aiuto.sqlite3'}"


def engine_options(settings: Settings) -> dict[str, Any]:
    """SQLAlchemy's engine options: a connection pool sized to the web process's threads."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    if not settings.database_url.startswith("sqlite"):
        # Recycled before PostgreSQL's or a proxy's idle timeouts cut them.
        options |= {"pool_size": settings.database_pool_size,
                    "max_overflow": settings.database_max_overflow, "pool_recycle": 1800}
    return options


# Seconds a request waits for the rate-limit store before counting in the process.
RATELIMIT_TIMEOUT = 0.5


def ratelimit_storage_options(uri: str) -> dict[str, Any]:
    """Short timeouts and no retries for Redis: a hung Redis must not hold a worker."""
    if not uri.startswith(("redis", "rediss", "valkey")):
        return {}
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {"socket_connect_timeout": RATELIMIT_TIMEOUT, "socket_timeout": RATELIMIT_TIMEOUT,
            "retry": Retry(NoBackoff(), 0)}


def flask_config(settings: Settings) -> dict[str, Any]:
    """The Flask and extension configuration keys derived from the settings."""
    production = settings.environment == PRODUCTION
    return {
        "SETTINGS": settings,
        "SECRET_KEY": settings.secret_key,
        "TESTING": settings.testing or settings.environment == TESTING,
        "SQLALCHEMY_DATABASE_URI": settings.database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(settings),
        "MAX_CONTENT_LENGTH": settings.max_content_length,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "BABEL_DEFAULT_LOCALE": settings.default_locale,
        "BABEL_DEFAULT_TIMEZONE": settings.timezone,
        "RATELIMIT_STORAGE_URI": settings.ratelimit_storage_uri,
        "RATELIMIT_ENABLED": settings.ratelimit_enabled,
        # Redis down or hung must not lock everybody out of logging in: each worker
        # then counts on its own (Flask-Limiter logs a warning, /healthz says
        # "degraded") and goes back to Redis when it answers again.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": ratelimit_storage_options(settings.ratelimit_storage_uri),
        "RATELIMIT_HEADERS_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        **dict(settings.extra),
    }

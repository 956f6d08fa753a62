"""Issue 13's penetration checks, run again from outside against the production shape.

    python benchmarks/probe_security.py            # under two minutes
    python benchmarks/probe_security.py --pairs 60 --port 8771

It empties and migrates its own PostgreSQL database (``--database-url``,
default ``probe_prod``), clears its own Redis database (``--redis-url``,
default db 15: only the keys of that database), checks that production
refuses ``flask seed-demo`` and a start without a mail server, creates the
accounts it needs with ``flask create-user``, and starts gunicorn with the
repository's ``gunicorn.conf.py`` on a loopback port with
``ENVIRONMENT=production``, new keys, Redis rate limits and
``MAIL_BACKEND=log``. Then, over plain HTTP as any client would, one check
per item of the penetration test: text fields sent as multipart file parts,
a 309-digit number, CR/LF and ``/\\t/evil.example`` in ``next``, the time of
a reset for a known and an unknown address, the login response's cookie
replayed after the idle timeout, weak passwords, ``?lang=uk``, a chunked body
over the limit, look-alike addresses, a staff "remember me", the calendar
feed after a password change and its page under a forged Host. After the
server stops it runs the scheduler's ``deliver_mail`` job once and reads the
outbox: no delivered mail, and no line the job logged, holds a live token.

The production shape on loopback, two settings chosen for the probe and said
here: production cookies are ``Secure``, so this client keeps its own cookies
and sends them back over http itself (there is no development override);
``IDLE_TIMEOUT_MINUTES`` and ``MEMBER_IDLE_TIMEOUT_MINUTES`` are 1 so the
replay waits one minute, and ``PROXY_FIX_HOPS=1`` with an
``X-Forwarded-For`` address of each client's own stands for a proxy in front
of many clients, so the rate limits (5 sign-ups an hour per address) do not end
the probe. Everything binds to 127.0.0.1; the server is stopped at the end,
and the whole run is cut off after ``--limit`` seconds.

One line per check, PASS or FAIL with its figures; the exit status is 1 when
any check failed.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# A signed token as itsdangerous writes it (the outbox's own pattern).
TOKEN = re.compile(r"\.?[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}")
DEMO_PASSWORD = "mutuo-aiuto-demo"  # published in the README  # nosec B105
HUGE = "9" * 309
EVIL_NEXTS = ("/\t/evil.example", "/\r\nSet-Cookie: probe=1", "//evil.example",
              "/\\evil.example", "https://evil.example/", "/%0d%0aX-Probe:%201")
RESULTS: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: str) -> None:
    RESULTS.append((name, ok, detail))
    print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)


# ---- a client that keeps its own cookies (production's are Secure) ----------------------

_addresses = (f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}" for n in itertools.count(1))


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: str
    seconds: float

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass
class Client:
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    # One address per client, as behind a proxy: Flask-Login's session protection
    # ties a session's freshness to it.
    address: str = field(default_factory=lambda: next(_addresses))

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, chunks: list[bytes] | None = None,
                keep_cookies: bool = True) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"X-Forwarded-For": self.address, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        if chunks is not None:
            conn.putrequest(method, path)
            for key, value in {**sent, "Transfer-Encoding": "chunked"}.items():
                conn.putheader(key, value)
            conn.endheaders()
            try:
                for chunk in chunks:
                    conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                conn.send(b"0\r\n\r\n")
            except OSError:
                pass  # the server may answer and close before reading it all
        else:
            conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        seconds = time.perf_counter() - started
        conn.close()
        answer = Answer(response.status, response.getheaders(), text, seconds)
        if keep_cookies:
            self.take_cookies(answer)
        return answer

    def take_cookies(self, answer: Answer) -> dict[str, str]:
        """Keep what Set-Cookie says, Secure or not; return the cookies it set."""
        got: dict[str, str] = {}
        for key, value in answer.headers:
            if key.lower() != "set-cookie":
                continue
            for name, morsel in SimpleCookie(value).items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = got[name] = morsel.value
        return got

    def get(self, path: str, **kw: object) -> Answer:
        return self.request("GET", path, **kw)  # type: ignore[arg-type]

    def post(self, path: str, data: dict[str, str], **kw: object) -> Answer:
        return self.request("POST", path, body=urlencode(data).encode(), headers={
            "Content-Type": "application/x-www-form-urlencoded", **kw.pop("headers", {})},
            **kw)  # type: ignore[arg-type]

    def multipart(self, path: str, data: dict[str, str], as_file: str) -> Answer:
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in data.items():
            filename = f'; filename="{key}.txt"' if key == as_file else ""
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"'
                         f'{filename}\r\n\r\n{value}\r\n')
        body = ("".join(parts) + f"--{boundary}--\r\n").encode()
        return self.request("POST", path, body=body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}"})

    def csrf(self, path: str) -> str:
        page = self.get(path)
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.body) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', page.body)
        if not found:
            raise RuntimeError(f"no CSRF token on {path} ({page.status})")
        return found.group(1)

    def login(self, email: str, password: str, next_url: str | None = None,
              remember: bool = False) -> Answer:
        token = self.csrf("/login")
        path = "/login" + (f"?{urlencode({'next': next_url})}" if next_url else "")
        form = {"csrf_token": token, "email": email, "password": password}
        if remember:
            form["remember"] = "y"
        return self.post(path, form)


# ---- the server and the database ------------------------------------------------------------


def server_env(args: argparse.Namespace) -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {**os.environ, "FLASK_APP": "mutuo_aiuto", "ENVIRONMENT": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "DATABASE_URL": args.database_url, "RATELIMIT_STORAGE_URI": args.redis_url,
            "MAIL_BACKEND": "log", "BASE_URL": "https://hub.probe.invalid",
            "IDLE_TIMEOUT_MINUTES": "1", "MEMBER_IDLE_TIMEOUT_MINUTES": "1",
            "PROXY_FIX_HOPS": "1", "WEB_BIND": f"127.0.0.1:{args.port}",
            "WEB_WORKERS": str(args.workers), "WEB_ACCESS_LOG": "-"}


def flask(env: dict[str, str], *command: str, check_ok: bool = True
          ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(BIN / "flask"), *command], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    if check_ok and done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(command)}: {done.stderr[-2000:]}")
    return done


def query(url: str, sql: str, *params: object) -> list[tuple]:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def reset_stores(args: argparse.Namespace) -> None:
    """An empty database and an empty Redis database, both the probe's own."""
    import psycopg
    import redis

    with psycopg.connect(args.database_url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    store = redis.Redis.from_url(args.redis_url)
    for key in store.scan_iter(count=500):
        store.delete(key)


def serve(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py")],
                            env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Client(port).get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not answer /healthz")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# ---- the checks ------------------------------------------------------------------------------


@dataclass
class Accounts:
    password: str
    members: list[str]
    admin: str


def before_start(env: dict[str, str], args: argparse.Namespace) -> None:
    """Item 8 and item 1's start-up rule, asked of the command line."""
    seeded = flask(env, "seed-demo", check_ok=False)
    users = query(args.database_url, "SELECT count(*) FROM users")[0][0]
    check("seed-demo refused in production", seeded.returncode != 0 and users == 0,
          f"exit {seeded.returncode}, {users} accounts created")
    unmailed = {k: v for k, v in env.items() if k != "MAIL_BACKEND"}
    started = flask(unmailed, "run-job", "expire_ends", check_ok=False)
    said = "MAIL_SERVER" in started.stderr
    check("production without MAIL_SERVER refuses to start", started.returncode != 0 and said,
          f"exit {started.returncode}, MAIL_SERVER named: {said}")


def create_accounts(env: dict[str, str]) -> Accounts:
    password = "Probe-" + secrets.token_urlsafe(12)
    members = [f"member{n}@probe.example" for n in range(1, 4)]
    for email in members:
        flask(env, "create-user", email, "--name", email.split("@")[0], "--password", password)
    admin = "admin@probe.example"
    flask(env, "create-user", admin, "--role", "admin", "--name", "Probe Admin",
          "--password", password)
    return Accounts(password, members, admin)


def _filled(page: str, overrides: dict[str, str]) -> dict[str, str]:
    """The form's inputs as the page fills them in, with ``overrides``."""
    form: dict[str, str] = {}
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        form[name.group(1)] = value.group(1) if value else ""
    return {**form, **overrides}


def check_file_parts(port: int) -> None:
    forms = {"/login": {"email": "someone@probe.example", "password": "whatever-it-is",
                        "remember": "y"},
             "/register": {"name": "Probe", "email": "new@probe.example",
                           "password": "correct horse battery staple 42",
                           "confirm": "correct horse battery staple 42", "locale": "it",
                           "consent": "y"}}
    statuses: list[int] = []
    for path, fields in forms.items():
        client = Client(port)
        data = {"csrf_token": client.csrf(path), **fields}
        statuses += [client.multipart(path, data, as_file=key).status for key in data]
    errors = sum(status >= 500 for status in statuses)
    check("text fields as multipart file parts on /login and /register", errors == 0,
          f"{len(statuses)} posts, statuses {sorted(set(statuses))}, {errors} server errors")


def check_huge_number(port: int, accounts: Accounts) -> None:
    client = Client(port)
    client.login(accounts.admin, accounts.password)
    page = client.get("/facilitator/weights")
    answer = client.post("/facilitator/weights", _filled(page.body, {"base": HUGE}))
    check("a 309-digit number in the weights form's base", answer.status == 400,
          f"page {page.status}, post {answer.status} (400 expected)")


def _location_is_local(answer: Answer) -> tuple[bool, str]:
    location = answer.header("Location") or ""
    parts = urlsplit(location)
    local = (answer.status < 500 and not any(c in location for c in "\r\n\t\\")
             and parts.netloc in ("", "hub.probe.invalid", "127.0.0.1")
             and not parts.path.startswith("//"))
    return local, f"{answer.status} {location!r}"


def check_next(port: int, accounts: Accounts) -> None:
    seen: list[str] = []
    bad = 0
    for target in EVIL_NEXTS:
        answer = Client(port).login(accounts.members[2], accounts.password, next_url=target)
        ok, said = _location_is_local(answer)
        bad += not ok
        seen.append(said)
    check("CR/LF, tab and off-site `next` at /login", bad == 0,
          f"{len(EVIL_NEXTS)} targets, {bad} off-site or broken; e.g. {seen[0]}")
    client = Client(port)
    client.login(accounts.admin, accounts.password)
    bad, seen = 0, []
    for target in EVIL_NEXTS:
        token = client.csrf("/facilitator")
        answer = client.post("/facilitator/run", {"csrf_token": token, "next": target})
        ok, said = _location_is_local(answer)
        bad += not ok
        seen.append(said)
    check("CR/LF, tab and off-site `next` in the facilitator's form", bad == 0,
          f"{len(EVIL_NEXTS)} targets, {bad} off-site or broken; e.g. {seen[0]}")


def _reset_round(port: int, known_email: str, pairs: int, round_: int
                 ) -> tuple[float, float, float, float]:
    """Medians of (known, unknown, known − unknown, every request) over ``pairs`` pairs."""
    known, unknown, differences = [], [], []
    for n in range(pairs + 3):
        order = [("k", known_email), ("u", f"nobody{round_}-{n}@probe.example")]
        if n % 2:
            order.reverse()
        times = {}
        for kind, email in order:
            client = Client(port)  # a new address each time: 5 resets an hour per address
            token = client.csrf("/reset")
            answer = client.post("/reset", {"csrf_token": token, "email": email})
            if answer.status != 302:  # the one answer: back to the login page
                raise RuntimeError(f"/reset answered {answer.status}")
            times[kind] = answer.seconds
        if n >= 3:  # the first pairs warm the workers up
            known.append(times["k"])
            unknown.append(times["u"])
            differences.append(times["k"] - times["u"])
    return (statistics.median(known), statistics.median(unknown),
            statistics.median(differences), statistics.median(known + unknown))


def check_reset_timing(port: int, accounts: Accounts, pairs: int) -> None:
    """As tests/security/test_timing.py: a busy machine may push one round of pairs
    off by chance, a path that skips work is off in every round (at most three)."""
    rounds = []
    for round_ in range(3):
        known, unknown, gap, typical = _reset_round(port, accounts.members[0], pairs, round_)
        rounds.append(f"known {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms, "
                      f"paired difference {gap * 1000:+.1f} ms = {gap / typical:+.0%}")
        if abs(gap) <= 0.15 * typical:
            break
    check("/reset takes the same time for a known and an unknown address",
          abs(gap) <= 0.15 * typical,
          f"{pairs} pairs a round, medians: " + "; ".join(rounds) + " (limit ±15% of a "
          f"request, load average {os.getloadavg()[0]:.1f})")


def login_cookie(port: int, email: str, password: str) -> Client:
    """A client holding only the cookies the login response set (and its address)."""
    client = Client(port)
    answer = client.login(email, password)
    if answer.status != 302:
        raise RuntimeError(f"login as {email} answered {answer.status}")
    return Client(port, cookies=client.take_cookies(answer), address=client.address)


def check_idle_replay(captured: Client, at: float) -> None:
    wait = at + 65 - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    replay = captured.get("/family/data.json", keep_cookies=False)
    location = replay.header("Location") or ""
    check("the login response's cookie replayed after the idle timeout",
          replay.status == 302 and "/login" in location,
          f"{time.monotonic() - at:.0f} s after login (limit 60 s): export answered "
          f"{replay.status} {location!r}")


def check_weak_passwords(port: int, database_url: str) -> None:
    refused = 0
    weak = ("aaaaaaaaaa", "3141592653", DEMO_PASSWORD, "password123")
    for n, password in enumerate(weak):
        client = Client(port)
        email = f"weak{n}@probe.example"
        answer = client.post("/register", {
            "csrf_token": client.csrf("/register"), "name": "Weak Probe", "email": email,
            "password": password, "confirm": password, "locale": "it", "consent": "y"})
        stored = query(database_url, "SELECT count(*) FROM users WHERE email = %s", email)[0][0]
        refused += answer.status == 400 and stored == 0
    check("weak passwords refused at /register", refused == len(weak),
          f"{refused} of {len(weak)} refused ({', '.join(weak)})")


def _consent(client: Client) -> None:
    token = client.csrf("/consent")
    client.post("/consent", {"csrf_token": token, "agree": "y"})


def check_lang_not_stored(port: int, accounts: Accounts, database_url: str) -> None:
    client = Client(port)
    client.login(accounts.members[2], accounts.password)
    _consent(client)
    page = client.get("/?lang=uk")
    stored = query(database_url, "SELECT locale FROM users WHERE email = %s",
                   accounts.members[2])[0][0]
    again = Client(port)
    again.login(accounts.members[2], accounts.password)
    later = again.get("/")
    html_lang = re.search(r'<html[^>]*lang="([^"]+)"', later.body)
    check("`?lang=uk` is not stored on the account", stored == "it" and bool(
        html_lang) and html_lang.group(1) != "uk",
          f"page {page.status}; users.locale {stored!r}; next login's page in "
          f"{html_lang.group(1) if html_lang else '?'!r}")


def check_chunked_limit(port: int) -> None:
    client = Client(port)
    token = client.csrf("/login")
    body = urlencode({"csrf_token": token, "email": "x@probe.example",
                      "password": "p" * (700 * 1024)}).encode()
    chunks = [body[i:i + 65536] for i in range(0, len(body), 65536)]
    answer = client.request("POST", "/login", chunks=chunks, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    title = re.search(r"<title>\s*([^<]*?)\s*</title>", answer.body)
    check("a chunked body over the limit", answer.status == 413,
          f"{len(body) // 1024} KiB in {len(chunks)} chunks, no Content-Length: "
          f"{answer.status} (413 expected), page {title.group(1) if title else answer.body[:60]!r}")


def check_look_alikes(port: int, accounts: Accounts, database_url: str) -> None:
    taken = accounts.members[0]
    local, _at, domain = taken.partition("@")
    cyrillic = local.replace("e", "\u0435", 1) + "@" + domain  # Cyrillic "е"
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in local) + "@" + domain
    statuses = []
    for email in (cyrillic, full_width):
        client = Client(port)
        password = "Look-alike " + secrets.token_urlsafe(10)
        statuses.append(client.post("/register", {
            "csrf_token": client.csrf("/register"), "name": "Look Alike", "email": email,
            "password": password, "confirm": password, "locale": "it", "consent": "y"}).status)
    rows = [row[0] for row in query(database_url, "SELECT email FROM users")]
    same = [e for e in rows if unicodedata.normalize("NFKC", e).lower().replace(
        "\u0435", "e") == taken]
    check("look-alike addresses (Cyrillic letter, full-width letters) are not new accounts",
          len(same) == 1 and all(e.isascii() for e in rows) and max(statuses) < 500,
          f"statuses {statuses}; accounts that look like {taken}: {len(same)}")


def check_staff_remember(port: int, accounts: Accounts) -> None:
    client = Client(port)
    answer = client.login(accounts.admin, accounts.password, remember=True)
    set_cookies = client.take_cookies(answer)
    check("staff are never remembered on a device", "remember_token" not in set_cookies,
          f"login {answer.status}, cookies set: {sorted(set_cookies)}")


def check_calendar(port: int, accounts: Accounts) -> None:
    client = Client(port)
    email = accounts.members[1]
    client.login(email, accounts.password)
    _consent(client)
    client.post("/calendar/new-link", {"csrf_token": client.csrf("/calendar")})
    forged = client.get("/calendar", headers={"Host": "evil.example"})
    found = re.search(r"https?://[^\s\"<]+/calendar/[A-Za-z0-9_-]+\.ics", forged.body)
    check("the calendar page's address comes from BASE_URL, not the Host header",
          bool(found) and "evil.example" not in forged.body,
          f"page {forged.status}, feed address {found.group(0)[:45] + '…' if found else None}")
    if not found:
        return
    feed = urlsplit(found.group(0)).path
    before = Client(port).get(feed).status
    token = client.csrf("/account/password")
    new_password = "Changed-" + secrets.token_urlsafe(12)
    changed = client.post("/account/password", {
        "csrf_token": token, "current_password": accounts.password,
        "password": new_password, "confirm": new_password}).status
    after = Client(port).get(feed).status
    check("the calendar feed stops after a password change",
          before == 200 and changed == 302 and after == 404,
          f"feed {before} before, password change {changed}, feed {after} after (404 expected)")


def check_outbox(env: dict[str, str], database_url: str) -> None:
    def with_token(where: str) -> tuple[int, int]:
        rows = query(database_url, f"SELECT body FROM outbox_messages WHERE {where}")  # nosec B608
        return len(rows), sum(bool(TOKEN.search(body)) for (body,) in rows)

    pending, pending_tokens = with_token("sent_at IS NULL")
    runs, logged, failed = 0, 0, 0
    # The job sends a batch at a time (50): run it until the queue is empty.
    while runs < 10 and with_token("sent_at IS NULL")[0]:
        delivered = flask(env, "run-job", "deliver_mail", check_ok=False)
        runs, failed = runs + 1, failed + (delivered.returncode != 0)
        logged += len(TOKEN.findall(delivered.stdout + delivered.stderr))
    left = with_token("sent_at IS NULL")[0]
    sent, sent_tokens = with_token("sent_at IS NOT NULL")
    check("no live token in outbox_messages.body after delivery, nor in the log",
          failed == 0 and pending_tokens > 0 and left == 0 and sent_tokens == 0
          and logged == 0,
          f"before: {pending} queued, {pending_tokens} with a token; deliver_mail run "
          f"{runs} times ({failed} failed); after: {sent} sent, {left} left, "
          f"{sent_tokens} with a token; {logged} tokens in the jobs' log")


# ---- the run -------------------------------------------------------------------------------


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url",
                        default="postgresql://postgres@127.0.0.1:5432/probe_prod",
                        help="emptied at the start: a database of the probe's own")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15",
                        help="its keys are deleted at the start: a database of the probe's own")
    parser.add_argument("--port", type=int, default=8769)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pairs", type=int, default=60, help="reset timing pairs")
    parser.add_argument("--limit", type=int, default=600, help="seconds before giving up")
    parser.add_argument("--only", action="append", default=[], metavar="CHECK",
                        help="run only this check of the served app (repeatable): "
                             "file-parts, huge-number, next, weak-passwords, lang, chunked, "
                             "look-alikes, staff-remember, calendar, reset-timing, idle-replay")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("--limit")))
    signal.alarm(args.limit)
    env = server_env(args)
    reset_stores(args)
    flask(env, "db", "upgrade")
    before_start(env, args)
    accounts = create_accounts(env)
    log = Path(tempfile.mkdtemp(prefix="probe-security-")) / "gunicorn.log"
    server = serve(env, log)
    try:
        wait_for(args.port)
        captured = login_cookie(args.port, accounts.members[0], accounts.password)
        at = time.monotonic()
        # The control: the same cookie, sent at once, opens the export.
        control = captured.get("/family/data.json", keep_cookies=False)
        if control.status != 200:
            raise RuntimeError(f"the login cookie did not open the export ({control.status} "
                               f"{control.header('Location')})")
        steps = [("file-parts", lambda: check_file_parts(args.port)),
                 ("huge-number", lambda: check_huge_number(args.port, accounts)),
                 ("next", lambda: check_next(args.port, accounts)),
                 ("weak-passwords", lambda: check_weak_passwords(args.port, args.database_url)),
                 ("lang", lambda: check_lang_not_stored(args.port, accounts, args.database_url)),
                 ("chunked", lambda: check_chunked_limit(args.port)),
                 ("look-alikes", lambda: check_look_alikes(args.port, accounts,
                                                           args.database_url)),
                 ("staff-remember", lambda: check_staff_remember(args.port, accounts)),
                 ("calendar", lambda: check_calendar(args.port, accounts)),
                 ("reset-timing", lambda: check_reset_timing(args.port, accounts, args.pairs)),
                 ("idle-replay", lambda: check_idle_replay(captured, at))]
        for name, step in steps:
            if args.only and name.replace(" ", "-") not in args.only:
                continue
            try:
                step()
            except Exception as error:  # one broken check must not hide the others
                check(name, False, f"raised {error!r}")
    finally:
        stop(server)
    server_errors = log.read_text().count('" 500 ')
    check("no 500 in the server's access log", server_errors == 0,
          f"{server_errors} answers 500 (log {log})")
    check_outbox(env, args.database_url)
    signal.alarm(0)
    failed = [name for name, ok, _detail in RESULTS if not ok]
    print(f"{len(RESULTS) - len(failed)} of {len(RESULTS)} checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

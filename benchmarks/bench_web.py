"""The served app under load, against a bare Flask endpoint served the same way.

    python benchmarks/bench_web.py --households 2000 --workers 2 --users 50 --seconds 60
    python benchmarks/bench_web.py --database-url postgresql://…/other --explain --mix pages

It prepares the database (created and migrated if needed; ``seed-scale
--households N`` if it holds no scale data yet; the nightly matching run if
there are no proposals), starts gunicorn with the repository's
``gunicorn.conf.py`` on a loopback port (``--workers``, ``--threads``), and
beside it, with the same settings, a bare Flask app that answers ``ok``. Then
locust, headless, runs the day's mix (``locust_web.py``: families, helpers,
facilitators) against the app for ``--seconds`` with ``--users``, and the
same number of users against the bare endpoint for as long. It prints, per
page and action, the requests, errors and p50/p95/p99 in milliseconds with
the targets of issue 15 (pages p95 < 100 ms, writes p95 < 300 ms, exports
excepted), the throughput of both runs and the ratios to the baseline; then,
from gunicorn's access logs, the time each address took inside the server
(on a busy machine the client's times are mostly the queue).
``--wait`` is each user's mean think time (0: as fast as they can, which
measures capacity); ``--steady`` counts only once every user has started and
logged in (argon2, slow by design, fifty at once in the first seconds), the
ramp added to the run, the logins still timed in the access-log table;
``--mix pages`` leaves out the writes and the two pages that still do work
growing with the data (impact, unmatched), to see what the pages cost by
themselves. ``--explain`` prints PostgreSQL's plan of each query the
main pages make. Everything binds to 127.0.0.1, and both servers stop at the
end (or on Ctrl-C). Rate limits count in Redis (``--redis-url``). The
scheduler process (``flask scheduler``) runs beside gunicorn, as in
production, unless ``--no-scheduler``: a new offer's re-proposals and the
impact page's figures are its work, on the same two cores.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOCUSTFILE = Path(__file__).resolve().parent / "locust_web.py"
APP_CLASSES = ("FamilyUser", "HelperUser", "FacilitatorUser")
# Exports may be slow (issue 15 leaves them out of the page target).
EXPORTS = ("impact.csv",)
PAGE_TARGET_MS, WRITE_TARGET_MS = 100, 300


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    env = _server_env(args)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
          f"{args.workers} workers x {args.threads} threads; {args.users} users for "
          f"{args.seconds} s each run, think time {args.wait} s, mix {args.mix!r}"
          + (f"; counted after the {_ramp(args)} s ramp (--steady)" if args.steady else ""))
    prepare(env, args.households)
    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    accounts = folder / "accounts.json"
    accounts.write_text(json.dumps(_accounts(env)))
    if args.explain:
        explain(env)
    servers = [_serve(env, args.port, "mutuo_aiuto:create_app()", folder / "app.log"),
               _serve(env, args.port + 1, "benchmarks.bare_app:app", folder / "bare.log")]
    if not args.no_scheduler:
        # The production shape: the scheduler process beside gunicorn, on the same
        # cores, runs the queued re-proposals and keeps the impact figures fresh.
        servers.append(subprocess.Popen(
            [str(BIN / "flask"), "scheduler"], env=env, cwd=ROOT,
            stdout=(folder / "scheduler.log").open("w"), stderr=subprocess.STDOUT))
    try:
        _wait_for(f"http://127.0.0.1:{args.port}/healthz")
        _wait_for(f"http://127.0.0.1:{args.port + 1}/")
        app = _locust(args, args.port, APP_CLASSES, folder / "app", accounts)
        bare = _locust(args, args.port + 1, ("BareUser",), folder / "bare", accounts)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=60)
    report(app, bare)
    server_times(folder / "app.access")
    server_times(folder / "bare.access", heading="the bare endpoint, inside the server")
    print(f"(locust's CSV files and the servers' logs are in {folder})")
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url",
                        default="postgresql://postgres@127.0.0.1:5432/mutuo_aiuto_bench",
                        help="created, migrated and filled if needed (default: %(default)s)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--households", type=int, default=2000,
                        help="seed-scale this many when the database has no scale data")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--users", type=int, default=50)
    # Two people a second arrive: each login hashes a password with argon2 (about
    # 0.45 s of the two cores here, on purpose), and fifty at once fill the machine
    # for a quarter of a minute, which is the logins' figure, not the day's.
    parser.add_argument("--spawn-rate", type=float, default=2.0)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--wait", type=float, default=1.0,
                        help="mean think time of a user between requests, in seconds")
    parser.add_argument("--mix", choices=("day", "pages"), default="day",
                        help="day: the whole mix; pages: only the pages (no writes, no "
                             "impact or unmatched pages)")
    parser.add_argument("--port", type=int, default=8150,
                        help="the app's port; the bare endpoint takes the next one")
    parser.add_argument("--steady", action="store_true",
                        help="count from when every user has logged in (locust's "
                             "--reset-stats after the ramp, which is added to --seconds): "
                             "the day's steady state; the logins stay in the access-log table")
    parser.add_argument("--no-scheduler", action="store_true",
                        help="do not start the scheduler process beside gunicorn (the "
                             "impact figures are then computed by the page)")
    parser.add_argument("--explain", action="store_true",
                        help="print the query plans of the main pages' queries")
    args = parser.parse_args(argv)
    if not (1 <= args.users <= 500 and 5 <= args.seconds <= 1800 and 1 <= args.workers <= 16):
        parser.error("keep it bounded: 1-500 users, 5-1800 seconds, 1-16 workers")
    return args


def _server_env(args: argparse.Namespace) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": args.database_url,
            "RATELIMIT_STORAGE_URI": args.redis_url, "PROXY_FIX_HOPS": "1",
            # The development environment's secret key (instance/secret_key), as
            # seed-scale used it: the encrypted contacts must stay readable.
            "ENVIRONMENT": "development",
            "WEB_WORKERS": str(args.workers), "WEB_THREADS": str(args.threads),
            "DATABASE_POOL_SIZE": str(args.threads), "BENCH_WAIT": str(args.wait),
            "FLASK_APP": "mutuo_aiuto"}


def _flask(env: dict[str, str], *command: str) -> str:
    done = subprocess.run([str(BIN / "flask"), *command], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return done.stdout


def prepare(env: dict[str, str], households: int) -> None:
    """Create, migrate and fill the database as needed; the timings of each step."""
    _flask(env, "create-database")
    _flask(env, "db", "upgrade")
    from sqlalchemy import create_engine, text

    engine = create_engine(env["DATABASE_URL"].replace("postgresql://",
                                                       "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        scale = connection.execute(text(
            "SELECT count(*) FROM users WHERE email LIKE '%@scale.mutuoaiuto.example'")).scalar()
        proposals = connection.execute(text(
            "SELECT count(*) FROM proposals WHERE status = 'proposed'")).scalar()
    if not scale:
        started = time.perf_counter()
        print(_flask(env, "seed-scale", "--households", str(households)).strip().splitlines()[-1])
        print(f"  seed-scale took {time.perf_counter() - started:.1f} s with the command's start")
        proposals = 0
    if not proposals:
        started = time.perf_counter()
        _flask(env, "run-job", "nightly_matching")
        print(f"The nightly matching run took {time.perf_counter() - started:.1f} s")
    # What the scheduler keeps fresh, as it would be on a running Hub (its first
    # interval run comes only minutes after it starts; the funder's figures are the
    # night's, and without them the impact page asks the scheduler for them at once).
    _flask(env, "run-job", "refresh_impact_overview")
    _flask(env, "run-job", "refresh_figures")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # Bulk-loaded tables have no planner statistics and no visibility map until
        # autovacuum comes by, and this machine's PostgreSQL runs without it: the
        # planner then scans tables an index would answer (a running Hub's are vacuumed).
        connection.execute(text("VACUUM ANALYZE"))
        counts = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                  for table in ("households", "needs", "offers", "matches", "proposals")}
    engine.dispose()
    print("Rows: " + ", ".join(f"{table} {count}" for table, count in counts.items()))


def _accounts(env: dict[str, str]) -> dict[str, object]:
    """Who the simulated people log in as: families with open requests, helpers with a
    pairing waiting for their answer (and the match to answer), the demo facilitator."""
    from sqlalchemy import create_engine, text

    engine = create_engine(env["DATABASE_URL"].replace("postgresql://",
                                                       "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        families = connection.execute(text(
            "SELECT DISTINCT u.email FROM users u JOIN households h ON h.user_id = u.id "
            "JOIN needs n ON n.household_id = h.id WHERE n.status = 'open' "
            "AND u.email LIKE '%@scale.mutuoaiuto.example' ORDER BY u.email LIMIT 2000"))
        helpers = connection.execute(text(
            "SELECT u.email, m.public_id FROM matches m JOIN offers o ON o.id = m.offer_id "
            "JOIN households h ON h.id = o.household_id JOIN users u ON u.id = h.user_id "
            "WHERE m.status = 'awaiting' AND u.email LIKE '%@scale.mutuoaiuto.example' "
            "ORDER BY m.id"))
        places = connection.execute(text("SELECT slug FROM neighbourhoods ORDER BY id"))
        accounts = {"families": [row[0] for row in families],
                    "helpers": [list(row) for row in helpers],
                    "facilitator": "facilitatore@mutuoaiuto.example",
                    "neighbourhoods": [row[0] for row in places]}
    engine.dispose()
    return accounts


def _serve(env: dict[str, str], port: int, app: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--access-logfile", str(log.with_suffix(".access")),
         app], env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT)


def _wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # nosec B310 (loopback)
                if answer.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def _locust(args: argparse.Namespace, port: int, classes: tuple[str, ...], prefix: Path,
            accounts: Path) -> dict[str, dict[str, str]]:
    env = {**os.environ, "BENCH_ACCOUNTS": str(accounts), "BENCH_WAIT": str(args.wait),
           "BENCH_MIX": args.mix}
    with Path(f"{prefix}.locust.log").open("w") as log:
        subprocess.run(
            [str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "--users",
             str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time",
             f"{args.seconds + _ramp(args)}s", *(["--reset-stats"] if args.steady else []),
             "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix),
             "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING", *classes],
            env=env, cwd=ROOT, check=False, stdout=log, stderr=subprocess.STDOUT)
    with open(f"{prefix}_stats.csv", newline="") as stats:
        return {row["Name"]: row for row in csv.DictReader(stats)}


def _ramp(args: argparse.Namespace) -> int:
    """The seconds locust takes to start every user (each logs in as it starts): with
    ``--steady`` they are added to the run, and the figures counted after them."""
    return math.ceil(args.users / args.spawn_rate) + 3 if args.steady else 0


def report(app: dict[str, dict[str, str]], bare: dict[str, dict[str, str]]) -> None:
    base = bare["Aggregated"]
    base_p50, base_p95 = float(base["50%"]), float(base["95%"])
    print(f"\n{'page or action':44} {'reqs':>6} {'errs':>5} {'p50':>6} {'p95':>6} {'p99':>6} "
          f"{'p95/bare':>8}  target")
    for name, row in sorted(app.items(), key=lambda item: (item[0] == "Aggregated", item[0])):
        p95 = float(row["95%"])
        write = name.startswith("POST")
        target = ("-" if name == "Aggregated" or "login" in name or any(
            e in name for e in EXPORTS) else WRITE_TARGET_MS if write else PAGE_TARGET_MS)
        verdict = "" if target == "-" else ("ok" if p95 < target else f"over {target}")
        print(f"{name[:44]:44} {row['Request Count']:>6} {row['Failure Count']:>5} "
              f"{row['50%']:>6} {row['95%']:>6} {row['99%']:>6} "
              f"{p95 / max(base_p95, 1):>8.1f}  {verdict}")
    print(f"{'bare Flask endpoint (baseline)':44} {base['Request Count']:>6} "
          f"{base['Failure Count']:>5} {base['50%']:>6} {base['95%']:>6} {base['99%']:>6}")
    ours, theirs = float(app["Aggregated"]["Requests/s"]), float(base["Requests/s"])
    print(f"\nthroughput: the app {ours:.1f} requests/s, the bare endpoint {theirs:.1f} "
          f"(ratio {ours / max(theirs, 0.001):.2f}); p50 {app['Aggregated']['50%']} ms against "
          f"{base_p50:.0f} ms; errors {app['Aggregated']['Failure Count']} of "
          f"{app['Aggregated']['Request Count']}")


ACCESS_LINE = re.compile(r'"(GET|POST) (\S+) HTTP/[\d.]+" \d+ \S+ (\d+)ms')
AN_ID = re.compile(r"/[A-Za-z0-9_-]{12}(?=/|$)")


def server_times(access_log: Path, heading: str = "inside the server (access log)") -> None:
    """The time each address took inside gunicorn (its access log): on a busy machine
    the client's times are mostly the queue, these are the work."""
    times: dict[str, list[int]] = {}
    for line in access_log.read_text().splitlines():
        found = ACCESS_LINE.search(line)
        if found:
            method, path, ms = found.groups()
            name = f"{method} {AN_ID.sub('/[id]', path.split('?')[0])}"
            times.setdefault(name, []).append(int(ms))
    print(f"\n{heading:44} {'reqs':>6} {'mean':>6} {'p95':>6} {'max':>6}")
    for name, found in sorted(times.items(), key=lambda item: -sum(item[1]) / len(item[1])):
        ordered = sorted(found)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        print(f"{name[:44]:44} {len(found):>6} {sum(found) / len(found):>6.0f} {p95:>6} "
              f"{ordered[-1]:>6}")


# ---- the plans of the main pages' queries -------------------------------------------------

EXPLAINED = (
    ("facilitatore@mutuoaiuto.example", ("/facilitator", "/facilitator?page=2", "/followups",
                                         "/facilitator/impact", "/inbox", "/admin/users")),
)


def explain(env: dict[str, str]) -> None:
    """PostgreSQL's plan for every SELECT the main pages make (a family's and the staff's)."""
    from sqlalchemy import event, select

    from mutuo_aiuto import create_app
    from mutuo_aiuto.config import Settings
    from mutuo_aiuto.extensions import db
    from mutuo_aiuto.models import Household, Need, User

    os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    app = create_app(Settings.from_env().with_overrides(ratelimit_enabled=False))
    seen: list[tuple[str, str, object]] = []
    current = {"page": ""}

    def remember(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and current["page"]:
            seen.append((current["page"], statement, parameters))

    with app.app_context():
        family = db.session.scalar(
            select(User).join(Household, Household.user_id == User.id)
            .join(Need, Need.household_id == Household.id)
            .where(Need.status == "open", User.email.like("%@scale.mutuoaiuto.example"))
            .limit(1))
        pages = [(family.email, ("/", "/needs", "/offers", "/family", "/week", "/inbox"))]
        pages += list(EXPLAINED)
        users = {email: db.session.scalar(select(User).where(User.email == email)).get_id()
                 for email, _ in pages}
        engine = db.engine
    event.listen(engine, "before_cursor_execute", remember)
    for email, paths in pages:
        client = app.test_client()
        with client.session_transaction() as cookie:
            cookie["_user_id"], cookie["_fresh"] = users[email], True
        for path in paths:
            current["page"] = path
            client.get(path)
    current["page"] = ""
    event.remove(engine, "before_cursor_execute", remember)
    print("\nQuery plans of the main pages (EXPLAIN; Seq Scan on a big table is the thing to fix):")
    with app.app_context(), engine.connect() as connection:
        for page, statement, parameters in seen:
            plan = [row[0] for row in connection.exec_driver_sql(
                "EXPLAIN " + statement, parameters)]
            tables = ", ".join(dict.fromkeys(re.findall(r"(?:FROM|JOIN)\s+(\w+)", statement)))
            where = " ".join(statement.partition("WHERE")[2].split())[:90]
            print(f"-- {page}: {tables}" + (f" WHERE {where}" if where else ""))
            for line in plan:
                print(f"     {line}")
    engine.dispose()


if __name__ == "__main__":
    sys.exit(main())

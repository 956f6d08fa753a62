"""How long posting a request and posting a broad offer take on a busy Hub, and in how many queries.

    python benchmarks/bench_posting.py --families 2000
    python benchmarks/bench_posting.py --families 2000 --database-url postgresql://...

It builds the same busy Hub as ``bench_pages.py`` (the Perugia demo plus
``--families`` households with a request and an offer each, one full matching
run), then posts through the test client, as a family would: a new request,
and a broad offer (every skill, every day 8–20, any distance, five families
at once) that fits many open requests. Each line gives the milliseconds and
SQL queries of the web request itself; when offers queue their re-proposals
for the scheduler, the queued job is timed on its own line.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import event, select

from benchmarks.bench_pages import FAMILY, _add_families
from mutuo_aiuto import create_app
from mutuo_aiuto.config import Settings
from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Proposal, Skill, User
from mutuo_aiuto.services import demo, matching_runs, passwords

HELPER = "volontario@mutuoaiuto.example"


def _need_form(ends: date) -> dict:
    return {"title": "Baby-sitting il martedì", "category": "childcare",
            "skills": ["baby-sitting"], "weekly-0-days": ["1"], "weekly-0-start": "16:00",
            "weekly-0-end": "18:00", "ends_on": ends.isoformat(),
            "neighbourhood": "fontivegge", "max_hops": "1", "helpers": "1", "urgency": "2",
            "languages": ["it"], "description": "", "publish": "1"}


def _offer_form(ends: date, skills: list[str]) -> dict:
    return {"title": "Aiuto in tutto", "skills": skills,
            "weekly-0-days": [str(day) for day in range(7)], "weekly-0-start": "08:00",
            "weekly-0-end": "20:00", "ends_on": ends.isoformat(),
            "neighbourhood": "fontivegge", "max_hops": "2", "capacity": "5",
            "languages": ["it", "ar", "ro", "uk", "en"], "description": ""}


def _build(families: int, seed: int, today: date, consent: str) -> None:
    """The busy Hub of ``bench_pages.py``, after one full matching run."""
    db.drop_all()
    db.create_all()
    demo.seed_demo(db.session, today, consent)
    _add_families(families, random.Random(seed), today)
    db.session.commit()
    matching_runs.run_full(db.session, today=today)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=1,
                        help="post the request this many times: p50/p95 of them")
    parser.add_argument("--writes", type=int, default=0, metavar="N",
                        help="also confirm N proposals (those of the offers most proposed) and N "
                             "alternatives (offers another request has as its choice), "
                             "and as helpers accept N and decline N pairings "
                             "waiting for an answer: p50/p95 ms and queries of each")
    parser.add_argument("--existing", action="store_true",
                        help="post into the database the environment names (DATABASE_URL, "
                             "ENVIRONMENT: say, seed-scale's city after its nightly run) "
                             "as it is, instead of building one")
    args = parser.parse_args()

    passwords.use_test_parameters()
    folder = Path(tempfile.mkdtemp(prefix="bench-posting-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    if args.existing:
        app = create_app()
        app.config["WTF_CSRF_ENABLED"] = False
    else:
        app = create_app(Settings(environment="testing", database_url=url,
                                  secret_key="bench-secret-key-long-enough-0123456789",
                                  instance_path=str(folder), ratelimit_enabled=False,
                                  extra={"WTF_CSRF_ENABLED": False}))
    today = date.today()
    with app.app_context():
        if not args.existing:
            _build(args.families, args.seed, today,
                   app.config["SETTINGS"].privacy_notice_version)
        users = {email: db.session.scalar(select(User).where(User.email == email)).get_id()
                 for email in (FAMILY, HELPER)}
        skills = sorted(db.session.scalars(select(Skill.slug)))
        queries = {"n": 0}
        event.listen(db.engine, "before_cursor_execute",
                     lambda *_: queries.__setitem__("n", queries["n"] + 1))
        engine = db.engine

    def post(email: str, path: str, data: dict) -> tuple[int, float, int]:
        client = app.test_client()
        with client.session_transaction() as cookie:
            cookie["_user_id"], cookie["_fresh"] = users[email], True
        queries["n"] = 0
        started = time.perf_counter()
        response = client.post(path, data=data)
        if response.status_code == 302 and "/new" in response.location:
            raise SystemExit(f"{path} refused: {response.location}")
        return response.status_code, (time.perf_counter() - started) * 1000, queries["n"]

    ends = today + timedelta(days=60)
    print(f"{args.families} generated families")
    print(f"{'action':40} {'status':>6} {'ms':>10} {'queries':>8}")
    for label, email, path, data in (
            ("post a request", FAMILY, "/needs/new", _need_form(ends)),
            ("post a broad offer", HELPER, "/offers/new", _offer_form(ends, skills))):
        status, ms, count = post(email, path, data)
        print(f"{label:40} {status:>6} {ms:>10.1f} {count:>8}")
    if args.repeat > 1:
        times, counts = [], set()
        for _ in range(args.repeat):
            status, ms, count = post(FAMILY, "/needs/new", _need_form(ends))
            times.append(ms)
            counts.add(count)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"{'post a request, ' + str(args.repeat) + ' times':40} {status:>6} "
              f"p50 {statistics.median(times):.1f} p95 {p95:.1f} max {times[-1]:.1f} ms; "
              f"queries {min(counts)}-{max(counts)}")
    if args.writes:
        _writes(app, args.writes, queries)
    queued = getattr(matching_runs, "run_queued", None)
    if queued is not None:
        with app.app_context():
            queries["n"] = 0
            started = time.perf_counter()
            done = queued(db.session, today=today)
            db.session.commit()
            ms = (time.perf_counter() - started) * 1000
            print(f"{'  the queued re-proposals (scheduler)':40} {done!s:>6} {ms:>10.1f} "
                  f"{queries['n']:>8}")
    with app.app_context():
        waiting = db.session.query(Proposal).filter_by(status="proposed").count()
    print(f"{waiting} proposals waiting at the end")
    engine.dispose()


def _writes(app, count: int, queries: dict[str, int]) -> None:
    """Confirm, accept and decline ``count`` of each, one at a time."""
    from sqlalchemy import func

    from mutuo_aiuto.models import Household, Match, Offer, Role

    with app.app_context():
        s = db.session
        staff = s.scalar(select(User).where(User.role == Role.FACILITATOR).limit(1)).get_id()
        per_offer = (select(Proposal.offer_id, func.count().label("n"))
                     .where(Proposal.status == "proposed").group_by(Proposal.offer_id)
                     .order_by(func.count().desc(), Proposal.offer_id).limit(count * 4)
                     .subquery())
        contested = list(s.execute(
            select(Proposal.public_id, per_offer.c.n).join(
                per_offer, per_offer.c.offer_id == Proposal.offer_id)
            .where(Proposal.status == "proposed", Proposal.rank == 1)
            .order_by(per_offer.c.n.desc(), Proposal.id)))
        seen, confirm = set(), []
        for public_id, n in contested:
            if public_id not in seen and len(confirm) < count:
                seen.add(public_id)
                confirm.append((public_id, n))
        chosen = select(Proposal.offer_id).where(Proposal.status == "proposed",
                                                 Proposal.rank == 1)
        alternatives = list(s.scalars(select(Proposal.public_id).where(
            Proposal.status == "proposed", Proposal.rank == 2,
            Proposal.offer_id.in_(chosen), Proposal.public_id.notin_(seen))
            .order_by(Proposal.id).limit(count)))
        awaiting = list(s.execute(
            select(Match.public_id, User).join(Offer, Offer.id == Match.offer_id)
            .join(Household, Household.id == Offer.household_id)
            .join(User, User.id == Household.user_id)
            .where(Match.status == "awaiting").order_by(Match.id).limit(2 * count)))
        awaiting = [(match, user.get_id()) for match, user in awaiting]

    def act(user_id: str, path: str, data: dict | None = None) -> tuple[float, int, float]:
        client = app.test_client()
        with client.session_transaction() as cookie:
            cookie["_user_id"], cookie["_fresh"] = user_id, True
        queries["n"] = 0
        started, cpu = time.perf_counter(), time.process_time()
        response = client.post(path, data=data or {})
        if response.status_code != 302:
            import re

            errors = re.findall(r'class="[^"]*(?:error|flash)[^"]*"[^>]*>\s*([^<]+)', response.text)
            raise SystemExit(f"{path}: {response.status_code} {errors[:3]}")
        return ((time.perf_counter() - started) * 1000, queries["n"],
                (time.process_time() - cpu) * 1000)

    def p50_p95(values: list[float]) -> str:
        values = sorted(values)
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        return f"p50 {statistics.median(values):.0f} p95 {p95:.0f} max {values[-1]:.0f}"

    def line(label: str, results: list[tuple[float, int, float]]) -> None:
        if not results:
            print(f"{label:40} none to do")
            return
        counts = [n for _, n, _ in results]
        print(f"{label + f', {len(results)} times':34} wall {p50_p95([r[0] for r in results])} "
              f"ms; CPU {p50_p95([r[2] for r in results])} ms; "
              f"queries {min(counts)}-{max(counts)}")

    print(f"confirming proposals of offers with {min(n for _, n in confirm)}-"
          f"{max(n for _, n in confirm)} waiting proposals" if confirm else "")
    line("confirm a proposal", [act(staff, f"/facilitator/proposals/{p}/confirm")
                                for p, _ in confirm])
    # An alternative whose offer is another request's choice: that choice is withdrawn
    # and its request proposed again (queued for the scheduler).
    line("confirm an alternative", [act(staff, f"/facilitator/proposals/{p}/confirm")
                                    for p in alternatives])
    line("the helper accepts", [act(u, f"/matches/{m}/accept")
                                for m, u in awaiting[:count]])
    line("the helper declines", [act(u, f"/matches/{m}/decline")
                                 for m, u in awaiting[count:]])


if __name__ == "__main__":
    sys.exit(main())

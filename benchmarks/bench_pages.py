"""How fast the main pages answer on a busy Hub, and how many queries and bytes they take.

    python benchmarks/bench_pages.py                 # the demo data plus 600 families
    python benchmarks/bench_pages.py --families 2000 --repeat 9
    python benchmarks/bench_pages.py --families 2000 --city   # seed-scale's generated city

It builds a throwaway SQLite database (or uses ``--database-url``, which it
empties first), loads the Perugia demo data, adds ``--families`` households
with a request and an offer each (copied from the demo's, in random
neighbourhoods; with ``--city``, the generated city of ``flask seed-scale``
instead, with its year of history), runs the matcher in full, and then asks each page of the
facilitator's and the family's daily work ``--repeat`` times through the test
client: the median milliseconds, the SQL queries of one request, and the
page's size. The matcher's own speed is measured by ``bench_matching.py``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, select

from mutuo_aiuto import create_app
from mutuo_aiuto.config import Settings
from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Household, Need, NeedSlot, Offer, OfferSlot, Proposal, User
from mutuo_aiuto.services import demo, matching_runs, passwords, scale_data

FACILITATOR = "facilitatore@mutuoaiuto.example"
FAMILY = "famiglia@mutuoaiuto.example"
PAGES = (
    (FACILITATOR, "/facilitator"),
    (FACILITATOR, "/facilitator?page=3"),
    (FACILITATOR, "/facilitator/unmatched"),
    (FACILITATOR, "/followups"),
    (FACILITATOR, "/inbox"),
    (FAMILY, "/"),
    (FAMILY, "/needs"),
    (FAMILY, "/offers"),
    (FAMILY, "/family"),
    (FAMILY, "/inbox"),
    (FAMILY, "/week"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--city", action="store_true",
                        help="seed-scale's generated city instead of copies of demo posts")
    parser.add_argument("--only", default="",
                        help="only the pages whose address starts with this (say /facilitator)")
    args = parser.parse_args()

    passwords.use_test_parameters()  # the accounts are made here, not logged into
    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app(Settings(environment="testing", database_url=url,
                              secret_key="bench-secret-key-long-enough-0123456789",
                              instance_path=str(folder), ratelimit_enabled=False))
    with app.app_context():
        db.drop_all()
        db.create_all()
        today = date.today()
        if args.city:
            scale_data.seed_scale(db.session, args.families, today, seed=args.seed)
        else:
            demo.seed_demo(db.session, today, app.config["SETTINGS"].privacy_notice_version)
            _add_families(args.families, random.Random(args.seed), today)
        db.session.commit()
        started = time.perf_counter()
        run = matching_runs.run_full(db.session, today=today)
        db.session.commit()
        seconds = time.perf_counter() - started
        needs = db.session.query(Need).count()
        offers = db.session.query(Offer).count()
        users = {email: db.session.scalar(select(User).where(User.email == email)).get_id()
                 for email in (FACILITATOR, FAMILY)}
        proposals = db.session.query(Proposal).filter_by(status="proposed").count()
        print(f"{needs} requests, {offers} offers; the full matching run "
              f"({run.stats.get('allowed_pairs')} allowed pairs) stored {proposals} "
              f"proposals in {seconds:.2f} s, matcher and database together")
        queries = {"n": 0}
        event.listen(db.engine, "before_cursor_execute",
                     lambda *_: queries.__setitem__("n", queries["n"] + 1))
        engine = db.engine

    # Each request pushes its own app context, as in production: one kept open
    # here would carry the logged-in user from one request to the next.
    print(f"{'as':12} {'page':28} {'status':>6} {'median ms':>10} {'p95 ms':>8} {'queries':>8} "
          f"{'KB':>6}")
    for email, path in PAGES:
        if not path.startswith(args.only):
            continue
        client = app.test_client()
        with client.session_transaction() as cookie:
            cookie["_user_id"], cookie["_fresh"] = users[email], True
        times = []
        for _ in range(args.repeat):
            queries["n"] = 0
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{email.split('@')[0]:12} {path:28} {response.status_code:>6} "
              f"{statistics.median(times):>10.1f} {_p95(times):>8.1f} {queries['n']:>8} "
              f"{len(response.data) / 1024:>6.1f}")
    engine.dispose()


def _p95(times: list[float]) -> float:
    """The 95th percentile of the times (the slowest when there are fewer than 20)."""
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _add_families(count: int, rng: random.Random, today: date) -> None:
    """``count`` more households, each with a copy of a demo request and of a demo offer."""
    needs = list(db.session.scalars(select(Need).where(Need.status == "open")))
    offers = list(db.session.scalars(select(Offer).where(Offer.status == "open")))
    places = sorted({n.neighbourhood for n in needs}, key=lambda p: p.id)
    owner = db.session.scalar(select(User).where(User.email == FAMILY))
    opened = datetime.now(UTC) - timedelta(days=20)
    for n in range(count):
        user = User(email=f"bench{n}@example.org", name=f"Famiglia Prova {n}", role="member",
                    locale=rng.choice(("it", "ar", "ro", "uk", "en")),
                    password_hash=owner.password_hash, consent_version="bench",
                    email_confirmed_at=opened)
        household = Household(user=user, name=f"Famiglia Prova {n}",
                              neighbourhood=rng.choice(places), languages=["it"])
        need, offer = rng.choice(needs), rng.choice(offers)
        db.session.add_all([
            household,
            Need(household=household, category=need.category,
                 neighbourhood=household.neighbourhood, title=need.title, status="open",
                 skills=list(need.skills), urgency=rng.randint(0, 3), max_hops=need.max_hops,
                 languages=list(need.languages), ends_on=today + timedelta(days=90),
                 opened_at=opened + timedelta(minutes=n),
                 slots=[NeedSlot(weekday=s.weekday, on_date=s.on_date,
                                 start_minute=s.start_minute, end_minute=s.end_minute)
                        for s in need.slots]),
            Offer(household=household, neighbourhood=household.neighbourhood,
                  title=offer.title, status="open", skills=list(offer.skills),
                  capacity=offer.capacity, max_hops=offer.max_hops,
                  languages=list(offer.languages), ends_on=today + timedelta(days=120),
                  slots=[OfferSlot(weekday=s.weekday, start_minute=s.start_minute,
                                   end_minute=s.end_minute) for s in offer.slots]),
        ])


if __name__ == "__main__":
    sys.exit(main())

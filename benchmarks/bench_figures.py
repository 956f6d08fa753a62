"""The funder's figures before and after the snapshots (issue 15): what a download cost in
the web request, what the scheduler's refresh costs, what a download costs now.

    python benchmarks/bench_figures.py --households 2000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/test_snapshots

The database is emptied and filled with ``seed-scale``'s city (demo data, the generated
families, a year of history) unless it already holds it (``--keep``: measure again
without seeding). Then it prints:

- *before*: the report computed as the old request did (``report.report`` for the impact
  page's default year, by quarter and by month) and the CSV and XLSX made from it;
- *refresh*: ``snapshots.refresh`` (the four granularities over the standard span), its
  time, the peak of Python's allocations (tracemalloc, a second run), the process's peak
  resident memory, and each snapshot's rows and stored JSON size;
- *after*: ``GET /facilitator/impact/figures.csv|.xlsx`` through the test client, read
  from the snapshot: median and slowest milliseconds, queries, KB;
- the administrators' participant export, still computed on request.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import event, select

from mutuo_aiuto import create_app
from mutuo_aiuto.config import Settings
from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import FigureSnapshot, Household, User
from mutuo_aiuto.services import demo, hubtime, impact, passwords, scale_data
from mutuo_aiuto.services.figures import exports, report, snapshots
from mutuo_aiuto.services.figures.periods import Granularity, add_months
from mutuo_aiuto.services.figures.rows import COLUMNS

FACILITATOR = "facilitatore@mutuoaiuto.example"
ADMIN = "admin@mutuoaiuto.example"


def timed(function: Callable[[], Any], repeat: int) -> tuple[Any, list[float]]:
    """The last result and each run's milliseconds."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return result, times


def _openpyxl(rows: list[Any]) -> bytes:
    """The workbook as ``exports.to_xlsx`` made it before, with openpyxl's write-only
    writer (without lxml), for comparison."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Indicatori")
    sheet.append(list(COLUMNS))
    for figure in rows:
        sheet.append([getattr(figure, column) for column in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--keep", action="store_true",
                        help="measure the city already in the database (no seeding)")
    parser.add_argument("--no-before", action="store_true",
                        help="skip computing the report the old way (slow at 10,000)")
    args = parser.parse_args()

    passwords.use_test_parameters()
    folder = Path(tempfile.mkdtemp(prefix="bench-figures-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app(Settings(environment="testing", database_url=url,
                              secret_key="bench-secret-key-long-enough-0123456789",
                              instance_path=str(folder), ratelimit_enabled=False))
    app.config["WTF_CSRF_ENABLED"] = False  # the password form, posted by this script
    clock = app.extensions[hubtime.EXTENSION]
    with app.app_context():
        today = clock.today()
        db.create_all()  # the tables this branch adds, on a kept database
        if not (args.keep and scale_data.has_scale_data(db.session)):
            db.drop_all()
            db.create_all()
            summary = scale_data.seed_scale(db.session, args.households, today)
            db.session.commit()
            print(f"seeded {args.households} households in {summary.seconds:.1f} s")
        homes = db.session.query(Household).count()
        print(f"{homes} households in {url.split('@')[-1]}")
        users = {email: db.session.scalar(select(User).where(User.email == email)).get_id()
                 for email in (FACILITATOR, ADMIN)}
        period = impact.default_period(today)
        last = add_months(period.last, 1) - timedelta(days=1)

        if not args.no_before:
            print("\nbefore: computed in the request (the impact page's default year)")
            for by in (Granularity.QUARTER, Granularity.MONTH):
                rows, times = timed(lambda by=by: report.report(
                    db.session, clock, by, period.first, last), 1)
                _, csv_ms = timed(lambda rows=rows: exports.to_csv(rows), 1)
                _, xlsx_ms = timed(lambda rows=rows: exports.to_xlsx(rows), 1)
                _, openpyxl_ms = timed(lambda rows=rows: _openpyxl(rows), 1)
                print(f"  {by.value:10} report {times[0]:8.0f} ms, {len(rows):6} rows; "
                      f"+ CSV {csv_ms[0]:6.0f} ms, + XLSX {xlsx_ms[0]:6.0f} ms "
                      f"(openpyxl's writer, as before: {openpyxl_ms[0]:6.0f} ms)")
            db.session.rollback()

        print("\nrefresh: the scheduler's job (four granularities, the standard span)")
        first, end = snapshots.standard_span(db.session, today)
        print(f"  span {first} .. {end}")
        _, times = timed(lambda: snapshots.refresh(db.session, clock, clock.now()), 1)
        db.session.commit()
        each = {s.granularity: s.seconds for s in db.session.scalars(select(FigureSnapshot))}
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        tracemalloc.start()
        snapshots.refresh(db.session, clock, clock.now())
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
        db.session.commit()
        print(f"  {times[0] / 1000:.1f} s; peak Python allocations {peak:.0f} MB "
              f"(tracemalloc); process peak RSS {rss_mb:.0f} MB")
        sizes: dict[str, list[tuple[int, float]]] = {}
        for stored in db.session.scalars(select(FigureSnapshot).order_by(FigureSnapshot.id)):
            size = len(json.dumps(stored.rows, separators=(",", ":"))) / 1024
            sizes.setdefault(stored.granularity, []).append((stored.row_count, size))
        for granularity, parts in sizes.items():
            print(f"  {granularity:10} {each[granularity]:6.1f} s: {len(parts):3} stored periods, "
                  f"{sum(n for n, _kb in parts):7} rows, "
                  f"{sum(kb for _n, kb in parts):7.0f} KB of JSON "
                  f"(the largest period {max(kb for _n, kb in parts):5.0f} KB)")
        engine = db.engine

    queries = {"n": 0}
    event.listen(engine, "before_cursor_execute",
                 lambda *_: queries.__setitem__("n", queries["n"] + 1))
    span = {"since": f"{period.first:%Y-%m}", "until": f"{period.last:%Y-%m}"}
    print("\nafter: the downloads read the snapshot (test client)")
    print(f"  {'download':34} {'status':>6} {'median ms':>10} {'max ms':>8} {'queries':>8} "
          f"{'KB':>7}")
    cases = [(FACILITATOR, f"/facilitator/impact/figures.{kind}", {**span, "by": by})
             for by in ("quarter", "month", "cumulative") for kind in ("csv", "xlsx")]
    cases.append((FACILITATOR, "/facilitator/impact", span))
    cases.append((ADMIN, "/facilitator/impact/participants.csv", span))
    for email, path, query in cases:
        client = app.test_client()
        with client.session_transaction() as cookie:
            cookie["_user_id"], cookie["_fresh"] = users[email], True
        if email == ADMIN:  # the participant export asks for the password again
            client.post("/confirm-password", data={"password": demo.DEMO_PASSWORD})
        times = []
        for _ in range(args.repeat):
            queries["n"] = 0
            started = time.perf_counter()
            response = client.get(path, query_string=query)
            times.append((time.perf_counter() - started) * 1000)
        name = f"{path.rsplit('/', 1)[-1]} by={query.get('by', '-')}"
        print(f"  {name:34} {response.status_code:>6} {statistics.median(times):>10.0f} "
              f"{max(times):>8.0f} {queries['n']:>8} {len(response.data) / 1024:>7.0f}")
    engine.dispose()
    sys.stdout.flush()


if __name__ == "__main__":
    main()

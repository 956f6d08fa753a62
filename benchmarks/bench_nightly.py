"""The nightly matching run on a database, from rows to stored proposals: wall time,
CPU time and peak memory, each phase on its own line.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/perf_10k ENVIRONMENT=development \\
        python benchmarks/bench_nightly.py            # once, rolled back
    python benchmarks/bench_nightly.py --commit       # keep the proposals
    python benchmarks/bench_nightly.py --profile 25   # cProfile's 25 costliest functions

The database is one ``flask seed-scale --households N`` filled (and migrated).
It runs ``matching_runs.run_full`` as the scheduler's job does, in one
transaction, then rolls it back unless ``--commit``: the same database can be
measured again. The CPU time is the process's own (user + system): on a shared
machine the wall time also counts the waiting for the cores, the CPU time does
not (PostgreSQL's own work runs in its processes and is in neither). Peak
memory is the process's maximum resident set (VmHWM), the app's start
included; the line "before the run" gives that start alone.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager

from mutuo_aiuto import create_app
from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Need, Offer, Proposal
from mutuo_aiuto.services import hubtime, matching_problem, matching_runs


def peak_mb() -> float:
    """The process's peak resident memory so far, in MB (VmHWM; ru_maxrss elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timed(label: str, lines: list[str]) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    lines.append(f"  {label:<34} {time.perf_counter() - wall:7.2f} s wall "
                 f"{time.process_time() - cpu:7.2f} s CPU  peak {peak_mb():6.0f} MB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", action="store_true", help="keep what the run stored")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile the run and print its N costliest functions")
    parser.add_argument("--phases", action="store_true",
                        help="also time reading the rows and solving on their own first")
    args = parser.parse_args(argv)
    app = create_app()
    with app.app_context():
        session = db.session
        now = hubtime.clock().now()
        today = hubtime.local_date(now)
        needs = session.query(Need).count()
        offers = session.query(Offer).count()
        print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
              f"{needs} needs, {offers} offers in the database; "
              f"before the run: peak {peak_mb():.0f} MB")
        lines: list[str] = []
        if args.phases:
            from mutuo_aiuto import matching

            with timed("reading the rows (build_problem)", lines):
                built = matching_problem.build_problem(session, today)
            with timed("the matcher (solve)", lines):
                answer = matching.solve(built.problem)
            print(f"  {answer.stats.needs} needs, {answer.stats.offers} offers, "
                  f"{answer.stats.allowed_pairs} allowed pairs")
            del built, answer
            session.rollback()
            session.expunge_all()
        profiler = cProfile.Profile() if args.profile else None
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        run = matching_runs.run_full(session, now=now, today=today)
        if args.commit:
            session.commit()
        if profiler:
            profiler.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        stored = session.query(Proposal).filter(Proposal.run_id == run.id).count()
        if not args.commit:
            session.rollback()
        for line in lines:
            print(line)
        print(f"the nightly run, rows to stored proposals: {wall:.1f} s wall, {cpu:.1f} s CPU, "
              f"peak {peak_mb():.0f} MB; {stored} proposals; stats {run.stats}"
              f"{'' if args.commit else ' (rolled back)'}")
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()

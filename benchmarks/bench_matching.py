"""How good and how fast the matcher is, against the exact optimum of an integer programme.

    python benchmarks/bench_matching.py     # 300, 2,000, 10,000 (seeds 1-3); 30,000 (seed 1)
    python benchmarks/bench_matching.py --sizes 300 --seeds 1,2,3,4,5
    python benchmarks/bench_matching.py --milp-limit 120 --milp-max 2000

For each size (needs x as many offers) and seed it prints the allowed pairs,
the seconds ``solve`` took (wall, then its CPU time: on a shared machine
the wall time also counts the waiting for a core), the seconds and the peak memory of a
separate process running the command on the file (``python -m
mutuo_aiuto.matching``: reading, solving, writing; peak = its maximum resident
set size, VmHWM of /proc/self/status), the total score, and the exact optimum
from ``scipy.optimize.milp`` (HiGHS) with the ratio. The integer programme is
built from the contract's rules and the reference scoring, not from the
optimiser's code. It can be slow at 10,000: ``--milp-max`` skips it above a
size, ``--milp-limit`` caps its seconds (it then reports its best bound).
Above ``--milp-max`` the total is compared with the bound of the linear
relaxation of the same programme (``scipy.optimize.linprog``, HiGHS, without
integrality), which is at least the optimum: the ratio shown is then a floor
of the true one, and the table says so (off by default: ``--lp-max 30000``
asks for it at 30,000, which takes over 20 minutes). Above both, the bound is
a Lagrangian one (``lagrangian_bound``, ``--bound-iterations`` steps): the
needs' rows priced, each offer's best set of needs found exactly; it is
tighter than the LP's (at 10,000: 0.02 % above the optimum, the LP 0.27 %).
Sizes above 10,000 run only
``--large-seeds`` (the first seed by default), to keep the run bounded.
``--bound-file F`` keeps the optimums and bounds computed (by size, map, seed
and a digest of the generated problem) in the JSON file F and reads them back
on the next run, which then only solves and compares. By default that is
``benchmarks/bounds.json``, kept in the repository: the bound at 30,000 took
about 25 minutes, the integer programmes at 10,000 one to three each. Give
another file (``--bound-file /tmp/new.json``) to compute them again. The note
column says when a figure came from the file, and how it was computed.
Last, the incremental timing: one need against 10,000 open offers, median
and 95th percentile over ``--incremental-runs`` calls.

scipy is only needed here (the ``bench`` extra); the matcher never imports it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from mutuo_aiuto.matching import Problem, check_answer, load_problem, prepare, propose_for_need
from mutuo_aiuto.matching.candidates import OfferIndex
from mutuo_aiuto.matching.scoring import pair_score
from mutuo_aiuto.matching.solver import solve
from mutuo_aiuto.matching.timeslots import any_overlap

try:  # run as ``python benchmarks/bench_matching.py`` or as ``-m benchmarks.bench_matching``
    from benchmarks.generate_problem import generate
except ImportError:
    from generate_problem import generate  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
# The optimums and bounds computed so far, by case (see ``--bound-file``).
BOUNDS = ROOT / "benchmarks" / "bounds.json"
# Subgradient steps without a better bound before the step is halved.
STALE = 20


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300,2000,10000,30000")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--large-seeds", default="1",
                        help="seeds for sizes above 10000 (default 1)")
    parser.add_argument("--milp-limit", type=float, default=600.0,
                        help="seconds for the integer programme (default 600)")
    parser.add_argument("--milp-max", type=int, default=10_000,
                        help="no integer programme above this many needs (default 10000)")
    # Off by default: at 30,000 building and solving the relaxation took over
    # 20 minutes and 2.4 GB on this 2-core machine, which no default run should.
    parser.add_argument("--lp-max", type=int, default=10_000,
                        help="above --milp-max, the LP relaxation's bound up to this many "
                             "needs (default 10000: none; --lp-max 30000 to bound 30,000)")
    parser.add_argument("--bound-iterations", type=int, default=2000,
                        help="above --milp-max and --lp-max, the Lagrangian bound's "
                             "subgradient steps at most (default 2000; it stops once its "
                             "steps are too small to matter: about 1,000 at 30,000, 12 "
                             "minutes; 0: no bound)")
    parser.add_argument("--bound-file", type=Path, default=BOUNDS,
                        help="a JSON file of optimums and bounds already computed, by size, "
                             "map, seed and the problem's digest: read when it has the case, "
                             "else written to (default benchmarks/bounds.json; the bound at "
                             "30,000 costs many minutes)")
    parser.add_argument("--no-cli", action="store_true",
                        help="skip the separate process running the command (no peak memory)")
    parser.add_argument("--incremental-runs", type=int, default=200)
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}; maps: 'hub' = the seven neighbourhoods, 'city' = 80")
    print(f"{'needs':>6} {'map':>4} {'seed':>4} {'pairs':>7} {'solve s':>7} {'cpu s':>7} "
          f"{'cli s':>6} "
          f"{'peak MB':>7} {'total':>7} {'optimum':>12} {'ratio':>8}  milp")
    ratios: dict[int, list[float]] = defaultdict(list)
    for size in (int(s) for s in args.sizes.split(",")):
        seeds = args.large_seeds if size > 10_000 else args.seeds
        for seed in (int(s) for s in seeds.split(",")):
            ratio = bench_one(size, seed, args)
            if ratio is not None:
                ratios[size].append(ratio)
    for size, found in ratios.items():
        print(f"{size} needs: ratio min {min(found):.4%}, mean {statistics.mean(found):.4%}")
    if args.incremental_runs:
        bench_incremental(args.incremental_runs)


def bench_one(size: int, seed: int, args: argparse.Namespace) -> float | None:
    city = size > 2000
    data = generate(size, size, seed=seed, city=city)
    problem = load_problem(data)
    started, cpu = time.perf_counter(), time.process_time()
    answer = solve(problem)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    faults = check_answer(problem, answer)
    if faults:
        raise SystemExit(f"rule broken at size {size}, seed {seed}: {faults[:3]}")
    cli_seconds, peak_mb = (float("nan"), float("nan")) if args.no_cli else run_cli(data)
    total = sum(p.score for p in answer.proposals)
    # The digest ties a kept figure to the very problem: a changed generator
    # makes new keys instead of reading another problem's optimum.
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]
    key = f"{size} {'city' if city else 'hub'} {seed} {digest}"
    cached = read_bounds(args.bound_file).get(key)
    if cached is not None:
        optimum, note = cached["value"], f"{cached['note']} [cached in {args.bound_file}]"
    else:
        optimum, note = None, "skipped (--milp-max, --lp-max)"
        if size <= args.milp_max and args.milp_limit > 0:
            optimum, note = milp_optimum(problem, args.milp_limit)
        elif size <= args.lp_max:
            optimum, note = milp_optimum(problem, args.milp_limit, relaxed=True)
        elif args.bound_iterations > 0:
            optimum, note = lagrangian_bound(problem, total, args.bound_iterations)
        # Each is a bound of the problem's optimum whatever the matcher answered
        # (the Lagrangian only aims its steps at ``total``), so it can be kept.
        if optimum is not None and args.bound_file:
            write_bound(args.bound_file, key, optimum, note)
    ratio = total / optimum if optimum else None
    shown = f"{optimum:12.1f}" if optimum is not None else f"{'-':>12}"
    print(f"{size:6d} {'city' if city else 'hub':>4} {seed:4d} {answer.stats.allowed_pairs:7d} "
          f"{seconds:7.2f} {cpu:7.2f} {cli_seconds:6.2f} {peak_mb:7.0f} {total:7d} {shown} "
          f"{(f'{ratio:.4%}' if ratio else '-'):>8}  {note}", flush=True)
    return ratio


def read_bounds(path: Path | None) -> dict[str, dict]:
    """The optimums and bounds cached in ``path``, by "size map seed"."""
    if path is None or not path.exists():
        return {}
    found: dict[str, dict] = json.loads(path.read_text(encoding="utf-8"))
    return found


def write_bound(path: Path, key: str, value: float, note: str) -> None:
    bounds = read_bounds(path)
    bounds[key] = {"value": value, "note": note}
    path.write_text(json.dumps(bounds, indent=1, sort_keys=True) + "\n", encoding="utf-8")


# The command, then its own peak resident set size. /proc/self/status VmHWM
# belongs to the process image after exec; ru_maxrss would also count the
# benchmark process it was forked from.
_CHILD = """
import sys
from mutuo_aiuto.matching.__main__ import main
code = main(sys.argv[1:])
with open("/proc/self/status") as status:
    peak = next(line.split()[1] for line in status if line.startswith("VmHWM"))
print(peak, file=sys.stderr)
sys.exit(code)
"""


def run_cli(data: dict) -> tuple[float, float]:
    """Wall seconds and peak resident MB of the command on this problem, in a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "problem.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _CHILD, str(path), "-o",
                               str(Path(folder) / "answer.json")], cwd=ROOT,
                              capture_output=True, text=True, check=True)
        return time.perf_counter() - started, int(done.stderr.split()[-1]) / 1024


def milp_optimum(problem: Problem, limit: float,
                 relaxed: bool = False) -> tuple[float | None, str]:
    """The best total by integer programming, from the rules (HiGHS via scipy);
    ``relaxed``: the bound of its linear relaxation instead (no integrality)."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp
    from scipy.sparse import coo_matrix

    started = time.perf_counter()
    pairs, rows = exact_model(problem)
    if not pairs:
        return 0.0, "no pairs"
    cols, lines, upper = [], [], []
    for line, (members, bound) in enumerate(rows):
        cols += members
        lines += [line] * len(members)
        upper.append(bound)
    matrix = coo_matrix((np.ones(len(cols)), (lines, cols)), shape=(len(rows), len(pairs)))
    del cols, lines, rows
    if relaxed:
        found = linprog(-np.array([score for _, _, score in pairs], dtype=float),
                        A_ub=matrix.tocsr(), b_ub=np.array(upper, dtype=float), bounds=(0, 1),
                        method="highs", options={"time_limit": limit, "disp": False})
        spent = time.perf_counter() - started
        if found.status != 0:
            return None, f"LP relaxation unsolved in {spent:.0f} s ({found.message})"
        return -found.fun, f"LP relaxation bound ({spent:.0f} s): ratio against the bound"
    result = milp(-np.array([score for _, _, score in pairs], dtype=float),
                  constraints=[LinearConstraint(matrix.tocsr(), -np.inf, np.array(upper))],
                  integrality=np.ones(len(pairs)), bounds=Bounds(0, 1),
                  options={"time_limit": limit, "disp": False})
    spent = time.perf_counter() - started
    if result.x is None:
        return None, f"no solution in {spent:.0f} s"
    best = -result.fun
    if result.status == 0:
        return best, f"optimal ({spent:.0f} s)"
    bound = -getattr(result, "mip_dual_bound", float("nan"))
    return bound, f"time limit ({spent:.0f} s): best {best:.0f}, ratio against the bound"


def exact_model(problem: Problem) -> tuple[list[tuple[str, str, int]], list[tuple[list[int], int]]]:
    """Variables (need, offer, score) and rows (variables, at most): helpers, capacity,
    and for each offer one row per moment of its needs' time (all needs covering it clash)."""
    index = OfferIndex(problem)
    needs = {n.id: n for n in problem.needs}
    fixed_of_offer: dict[str, list[str]] = defaultdict(list)
    fixed_of_need: dict[str, int] = defaultdict(int)
    for pair in problem.fixed:
        fixed_of_offer[pair.offer].append(pair.need)
        fixed_of_need[pair.need] += 1
    fixed = {(p.need, p.offer) for p in problem.fixed}
    pairs: list[tuple[str, str, int]] = []
    for need in problem.needs:
        if need.helpers - fixed_of_need[need.id] <= 0:
            continue
        for j in index.allowed_offers(need):
            offer = problem.offers[j]
            taken = fixed_of_offer[offer.id]
            if (need.id, offer.id) in fixed or offer.capacity - len(taken) <= 0:
                continue
            if any(any_overlap(need.slots, needs[other].slots) for other in taken):
                continue
            score = pair_score(need, offer, index.hops(need, offer), problem.weights, len(taken))
            if score > 0:
                pairs.append((need.id, offer.id, score))
    by_need: dict[str, list[int]] = defaultdict(list)
    by_offer: dict[str, list[int]] = defaultdict(list)
    for k, (need_id, offer_id, _) in enumerate(pairs):
        by_need[need_id].append(k)
        by_offer[offer_id].append(k)
    rows = [(ks, needs[n].helpers - fixed_of_need[n]) for n, ks in by_need.items()]
    capacity = {o.id: o.capacity for o in problem.offers}
    for offer_id, ks in by_offer.items():
        rows.append((ks, capacity[offer_id] - len(fixed_of_offer[offer_id])))
        rows += [(clique, 1) for clique in moments(problem, pairs, ks, needs)]
    return pairs, rows


def moments(problem: Problem, pairs: list[tuple[str, str, int]], ks: list[int],
            needs: dict) -> list[list[int]]:
    """Sets of an offer's variables whose needs all take place at one moment.

    For every slot start on a weekday, the needs covering that minute there -
    the weekly ones together with the dated ones of one date - pairwise clash,
    and every clashing pair meets at the later of its two starts. Slots are
    grouped by weekday first: only those of one day can cover a start on it.
    """
    found: set[tuple[int, ...]] = set()
    by_day: dict[int, list[tuple[int, object]]] = defaultdict(list)
    for k in ks:
        for slot in needs[pairs[k][0]].slots:
            by_day[slot.day].append((k, slot))
    for day_slots in by_day.values():
        if len({k for k, _ in day_slots}) < 2:
            continue
        for _, slot in day_slots:
            covering = [(m, s.date) for m, s in day_slots if s.start <= slot.start < s.end]
            weekly = {m for m, date in covering if date is None}
            dates = {slot.date} if slot.date else {d for _, d in covering if d} | {None}
            for date in dates:
                members = weekly | {m for m, d in covering if d is not None and d == date}
                if len(members) > 1:
                    found.add(tuple(sorted(members)))
    return [list(members) for members in sorted(found)]


def lagrangian_bound(problem: Problem, total: int, iterations: int
                     ) -> tuple[float | None, str]:
    """An upper bound of the optimum: the needs' rows priced, each offer packed exactly.

    The needs' rows of ``exact_model`` (each need takes at most ``helpers``
    pairs) are moved into the objective with prices (Lagrange multipliers);
    what is left falls apart offer by offer: each offer takes the best set of
    its needs at their reduced scores (score less the need's price) within its
    capacity and without two needs whose times overlap, solved here exactly by
    search (``best_packing``). For any prices >= 0 the sum of those bests plus
    the prices times the helpers is at least the optimum (weak duality); the
    prices are then moved by subgradient steps (Polyak's, aiming at ``total``)
    and the best bound found is returned. Packing each offer exactly is what
    makes it tighter than the LP relaxation, whose offers may take fractions
    of clashing needs: at 10,000 the LP is 0.27 % above the optimum, this
    bound 0.04 % after 300 steps and 0.02 % once its steps are spent (778).
    Nothing here uses the matcher's search: the
    pairs and times are the contract's (``exact_model``, ``any_overlap``).
    """
    started = time.perf_counter()
    pairs, _ = exact_model(problem)
    if not pairs:
        return 0.0, "no pairs"
    needs = {need.id: need for need in problem.needs}
    ids = sorted({need_id for need_id, _, _ in pairs})
    position = {need_id: k for k, need_id in enumerate(ids)}
    fixed_of_need: dict[str, int] = defaultdict(int)
    for pair in problem.fixed:
        fixed_of_need[pair.need] += 1
    helpers = [needs[n].helpers - fixed_of_need[n] for n in ids]
    capacity = {offer.id: offer.capacity for offer in problem.offers}
    for pair in problem.fixed:
        capacity[pair.offer] -= 1
    by_offer: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for need_id, offer_id, score in pairs:
        by_offer[offer_id].append((position[need_id], score))
    timetable = {need_id: tuple(sorted((s.day, str(s.date), s.start, s.end)
                                       for s in needs[need_id].slots)) for need_id in ids}
    slots_of = {timetable[need_id]: needs[need_id].slots for need_id in ids}
    overlap: dict[tuple[tuple, tuple], bool] = {}

    def clash(one: tuple, other: tuple) -> bool:
        if (one, other) not in overlap:
            overlap[one, other] = any_overlap(slots_of[one], slots_of[other])
        return overlap[one, other]

    # Each offer: its needs, their scores, and for each the others it clashes with
    # (bits), worked out once per timetable: an offer's needs share a few of them.
    offers = []
    for offer_id in sorted(by_offer):
        members = by_offer[offer_id]
        times = [timetable[ids[need]] for need, _ in members]
        holding: dict[tuple, int] = defaultdict(int)
        for x, key in enumerate(times):
            holding[key] |= 1 << x
        meets = {key: sum(bits for other, bits in holding.items() if clash(key, other))
                 for key in holding}
        masks = [meets[key] & ~(1 << x) for x, key in enumerate(times)]
        offers.append((members, masks, capacity[offer_id]))
    built = time.perf_counter() - started
    prices = [0.0] * len(helpers)
    best, theta, stale, steps = float("inf"), 1.0, 0, 0
    while steps < iterations:
        steps += 1
        taken = [0] * len(helpers)
        bound = sum(h * p for h, p in zip(helpers, prices, strict=True))
        for members, masks, room in offers:
            values = [score - prices[need] for need, score in members]
            value, chosen = best_packing(values, masks, room)
            bound += value
            for x in chosen:
                taken[members[x][0]] += 1
        if bound < best - 1e-9:
            best, stale = bound, 0
        else:
            stale += 1
            if stale >= STALE:
                theta, stale = theta / 2, 0
        if os.environ.get("BOUND_TRACE") and steps % 25 == 0:
            print(f"  step {steps}: {bound:.1f}, best {best:.1f}, theta {theta:.4f}", flush=True)
        slope = [0 if (p <= 0 and h > t) else h - t
                 for h, t, p in zip(helpers, taken, prices, strict=True)]
        norm = sum(g * g for g in slope)
        if norm == 0 or best - total <= 0.5 or theta < 1e-4:
            break
        step = theta * (bound - total) / norm
        prices = [max(0.0, p - step * g) for p, g in zip(prices, slope, strict=True)]
    spent = time.perf_counter() - started
    return best, (f"Lagrangian bound, offers packed exactly ({steps} steps; {built:.0f} s to "
                  f"build, {spent:.0f} s in all): ratio against the bound, a floor of the true one")


def best_packing(values: list[float], clashes: list[int], room: int) -> tuple[float, list[int]]:
    """The most valuable set of at most ``room`` items, no two clashing, and its
    items (positions); ``clashes[x]`` has bit y set when items x and y clash.
    Depth-first in decreasing value, cut when the best values left cannot win."""
    order = sorted((x for x, v in enumerate(values) if v > 0), key=lambda x: -values[x])
    running = [0.0]
    for x in order:
        running.append(running[-1] + values[x])
    best: list = [0.0, []]

    def search(start: int, total: float, banned: int, chosen: list[int]) -> None:
        if total > best[0]:
            best[0], best[1] = total, list(chosen)
        left = room - len(chosen)
        if not left:
            return
        for m in range(start, len(order)):
            if total + running[min(m + left, len(order))] - running[m] <= best[0]:
                return
            x = order[m]
            if not banned >> x & 1:
                chosen.append(x)
                search(m + 1, total + values[x], banned | clashes[x], chosen)
                chosen.pop()

    search(0, 0.0, 0, [])
    return best[0], best[1]


def bench_incremental(runs: int) -> None:
    """One need against 10,000 open offers, with a prepared state (the current proposals)."""
    data = generate(10_000, 10_000, seed=1, city=True)
    problem = load_problem(data)
    answer = solve(problem)
    started = time.perf_counter()
    prepared = prepare(problem, answer.proposals)
    prepare_seconds = time.perf_counter() - started
    step = max(1, len(problem.needs) // runs)
    timings = []
    for need in problem.needs[::step][:runs]:
        started = time.perf_counter()
        propose_for_need(prepared, need)
        timings.append(time.perf_counter() - started)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(0.95 * len(timings)))]
    print(f"incremental, one need against {len(problem.offers)} offers and "
          f"{len(answer.proposals)} current proposals, {len(timings)} runs: median "
          f"{statistics.median(timings) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms, max "
          f"{timings[-1] * 1000:.2f} ms (prepare once: {prepare_seconds:.2f} s)")
    started = time.perf_counter()
    propose_for_need(problem, problem.needs[0], answer.proposals)
    print(f"incremental from a bare problem (prepares itself): "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()

"""Benchmark of the person facts in column form: member_columns + judgement_dates +
judge_columns (levyrules.engine.members) over a synthetic population, persons/s and households/s.

    python benchmarks/facts.py                 # 1,000,000 households, mixed and full-year
    python benchmarks/facts.py --n 100000 --only mixed
    python benchmarks/facts.py --cache /tmp/facts   # keep the built populations (pickle)

The population is generated (levyrules.population.synth, ``city=True`` for the mixed one:
mid-year changes, 75th birthdays, special statuses), read by Household.from_json and turned
into columns by levyrules.batch.from_households once, outside the timing; only the column
functions are timed. Each figure is the median of three runs in one process, on one core
(numpy does not thread these operations); CPU seconds are reported beside wall seconds,
since CPU time holds up better than wall time when other work shares the machine.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import time
from pathlib import Path


def build(n: int, fy: int, seed: int, full_year: bool):
    import levyrules
    from levyrules.batch.population import from_households
    from levyrules.population.synth import households
    rows = households(n, fy, seed, full_year_only=full_year, city=not full_year)
    return from_households([levyrules.Household.from_json(d) for d in rows])


def cached(folder: str | None, name: str, a) -> tuple:
    """(population, seconds to build it): read from `folder` when built there before."""
    t = time.perf_counter()
    path = Path(folder, f"{name}-{a.n}-{a.fiscal_year}-{a.seed}.pickle") if folder else None
    if path is not None and path.exists():
        with path.open("rb") as f:
            return pickle.load(f), time.perf_counter() - t
    pop = build(a.n, a.fiscal_year, a.seed, name == "full-year")
    pop.households = None                     # the columns only
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            pickle.dump(pop, f, protocol=pickle.HIGHEST_PROTOCOL)
    return pop, time.perf_counter() - t


def facts(pop):
    from levyrules.engine.members import judge_columns, judgement_dates, member_columns
    f = member_columns(pop)
    judged = judgement_dates(pop, f)
    return f, judged, judge_columns(pop, f, judged)


def measure(pop, runs: int = 3) -> dict:
    facts(pop)                                          # warm-up: the calendar table
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        facts(pop)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    w, c = statistics.median(wall), statistics.median(cpu)
    persons, households = len(pop.birth), pop.size
    return {"households": households, "persons": persons, "periods": len(pop.periods["person"]),
            "wall_s": w, "cpu_s": c, "persons_per_s": persons / w, "households_per_s":
            households / w, "households_per_cpu_s": households / c}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--fiscal-year", type=int, default=2025)
    ap.add_argument("--seed", type=int, default=20250401)
    ap.add_argument("--only", choices=("mixed", "full-year"))
    ap.add_argument("--cache", metavar="FOLDER", help="keep the built populations there")
    a = ap.parse_args()
    for name in ("mixed", "full-year"):
        if a.only and a.only != name:
            continue
        pop, built = cached(a.cache, name, a)
        r = measure(pop)
        print(f"{name}: {r['households']:,} households, {r['persons']:,} persons, "
              f"{r['periods']:,} insured periods (built or read in {built:.0f} s, not timed)")
        print(f"  member_columns + judgement_dates + judge_columns: median of 3 "
              f"{r['wall_s'] * 1000:.0f} ms wall ({r['cpu_s'] * 1000:.0f} ms CPU)")
        print(f"  {r['persons_per_s']:,.0f} persons/s, {r['households_per_s']:,.0f} households/s"
              f" ({r['households_per_cpu_s']:,.0f} households per CPU-second)")
        del pop


if __name__ == "__main__":
    main()

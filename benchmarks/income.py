"""Benchmark of the column form of the income rules (`levyrules.engine.income.income_columns`).

    python benchmarks/income.py                   # 1,000,000 households, fiscal year 2025
    python benchmarks/income.py --n 100000 --city # a smaller, mixed city

The population is generated once (benchmarks/population.py's generator), read with
``Household.from_json`` and turned into columns with ``from_households``, all outside the
timing; then ``income_columns`` over every person row is timed (median of ``--repeat``
runs, wall and CPU seconds of this process; numpy runs these on one core). Printed as
persons/s and households/s of wall time, and persons per CPU-second (which holds up
better when other work shares the machine); nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import sys
import time
from fractions import Fraction


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--fiscal-year", type=int, default=2025)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--city", action="store_true",
                    help="the mixed city (special statuses, 世帯主変更)")
    ap.add_argument("--cache", help="keep the built columns in this pickle file and reuse "
                                    "them on the next run with the same arguments")
    a = ap.parse_args()
    from levyrules import Household
    from levyrules.batch.population import from_households
    from levyrules.engine.income import income_columns
    from levyrules.population.synth import DEFAULT_SEED, households
    from levyrules.tariff import national

    seed = DEFAULT_SEED if a.seed is None else a.seed
    key = (a.n, a.fiscal_year, seed, a.city)
    t = time.perf_counter()
    pop = None
    if a.cache and os.path.exists(a.cache):
        with open(a.cache, "rb") as f:
            cached_key, pop = pickle.load(f)
        pop = pop if cached_key == key else None
    if pop is None:
        pop = from_households([Household.from_json(d) for d in households(
            a.n, a.fiscal_year, seed, city=a.city)])
        pop.households = None           # only the columns are timed
        if a.cache:
            with open(a.cache, "wb") as f:
                pickle.dump((key, pop), f, protocol=pickle.HIGHEST_PROTOCOL)
    built = time.perf_counter() - t
    nat = national(a.fiscal_year)
    persons = len(pop.person_ids)
    print(f"# {a.n:,} households, {persons:,} persons, fiscal year {a.fiscal_year}, "
          f"built in {built:.0f} s; {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    rows = []
    for label, kw in (("income_columns", {}),
                      ("income_columns, 非自発的失業 30/100", {"salary_share": Fraction(30, 100)})):
        walls, cpus = [], []
        for _ in range(a.repeat):
            w, c = time.perf_counter(), time.process_time()
            income_columns(pop, nat, a.fiscal_year, **kw)
            walls.append(time.perf_counter() - w)
            cpus.append(time.process_time() - c)
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        row = {"run": label, "households": a.n, "persons": persons,
               "seconds": round(wall, 4), "cpu_seconds": round(cpu, 4),
               "persons_per_s": round(persons / wall),
               "households_per_s": round(a.n / wall),
               "persons_per_cpu_s": round(persons / cpu)}
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

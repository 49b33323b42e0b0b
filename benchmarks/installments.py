"""Benchmark of `installment_columns`, the column form of 期割 (普通徴収の納期ごとの税額).

    python benchmarks/installments.py                       # 1,000,000 households, iwaki/2025
    python benchmarks/installments.py --n 200000 --tariff iwaki/2024 --json

Households/s of `levyrules.collection.installment_columns` on random (annual tax, 判定日)
pairs, median of three runs (wall and CPU time), one process (NumPy runs these steps on
one core). Two
populations: every household liable from 1 April (the common 本算定 case: one case of open
納期), and 判定日 spread over the whole year (every case, 随時 included). The arrays are
made outside the timing; before timing, a sample is checked against the scalar path
(`population.rows._installments` over `installments_json`), so the figure is of a correct
result. Nothing here is a test: figures are printed, never asserted.

The tariff must have 納期 (`installments`): among the shipped tariffs only いわき市's do
(koriyama/2025, the other benchmarks' tariff, publishes none).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from types import SimpleNamespace

import numpy as np

import levyrules
from levyrules.engine.calendar import fy_end, fy_start
from levyrules.collection import installment_columns, installments_json
from levyrules.population import rows


def population(n: int, fy: int, seed: int, spread_year: bool):
    """n (total, 判定日 ordinal) pairs: totals 0–1,100,000 yen to the 100円 (the caps'
    range, with a tenth of them any yen amount up to 10^7), 判定日 1 April or any day."""
    rng = np.random.default_rng(seed)
    totals = rng.integers(0, 11_001, n, dtype=np.int64) * 100
    odd = rng.random(n) < 0.1
    totals[odd] = rng.integers(0, 10 ** 7, int(odd.sum()), dtype=np.int64)
    start, end = fy_start(fy).toordinal(), fy_end(fy).toordinal()
    if spread_year:
        judged = rng.integers(start, end + 1, n, dtype=np.int64)
    else:
        judged = np.full(n, start, dtype=np.int64)
    return totals, judged


def check(totals, judged, plan, fy: int, sample: int = 2_000) -> None:
    """The column form equals the scalar path on the first `sample` households."""
    out, at_once = installment_columns(totals[:sample], judged[:sample], plan, fy)
    nums = tuple(p.period for p in plan.periods)
    for k in range(min(sample, len(totals))):
        t, j = int(totals[k]), int(judged[k])
        res = SimpleNamespace(total=t, installments=installments_json(t, plan, date.fromordinal(j)))
        if rows._installments(res, nums) != out[k].tolist() + [int(at_once[k])]:
            sys.exit(f"installment_columns differs from the scalar path at household {k}")


def measure(totals, judged, plan, fy: int, runs: int) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds of this process over `runs` calls (CPU
    time holds up better than wall time when other work shares the machine)."""
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        installment_columns(totals, judged, plan, fy)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--tariff", default="iwaki/2025")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    tariff = levyrules.load_tariff(args.tariff)
    plan, fy = tariff.installments, tariff.fiscal_year
    if plan is None:
        sys.exit(f"{args.tariff} has no 納期 (installments): choose a tariff that has")
    figures = {"tariff": args.tariff, "households": args.n, "periods": len(plan.periods),
               "unit": plan.unit, "runs": args.runs}
    for name, spread_year in (("from_1_april", False), ("judged_over_the_year", True)):
        totals, judged = population(args.n, fy, args.seed, spread_year)
        check(totals, judged, plan, fy)
        installment_columns(totals[:1000], judged[:1000], plan, fy)   # warm the case table
        wall, cpu = measure(totals, judged, plan, fy, args.runs)
        figures[name] = {"seconds": round(wall, 4), "households_per_s": round(args.n / wall),
                         "cpu_seconds": round(cpu, 4),
                         "households_per_cpu_s": round(args.n / cpu)}
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        print(f"installment_columns, {args.tariff} ({len(plan.periods)} 納期, unit {plan.unit}), "
              f"{args.n:,} households, median of {args.runs}")
        for name in ("from_1_april", "judged_over_the_year"):
            f = figures[name]
            print(f"  {name:22} {f['seconds']:.4f} s  {f['households_per_s']:>11,} households/s"
                  f"   (CPU {f['cpu_seconds']:.4f} s: {f['households_per_cpu_s']:>11,} /CPU-s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark of the rate simulation (Program C) on a synthetic city (nothing is asserted).

    python benchmarks/simulate.py [--n 60000] [--plan docs/examples/simulation/plan-a.yaml]

Phases, timed with time.perf_counter:

  generate   the household dicts (benchmarks/population.py; not levyrules)
  parse      Household.from_json, once: every pass reuses the parsed households
  bases      Program A's measuring pass (one assess per household)
  solve      Program C: Program B passes (one assess per household each) until the
             targets are met; the tariff of each pass is built in memory from the plan
             (no file round-trip). Printed: passes, seconds per pass, households/s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from population import DEFAULT_SEED, generate  # noqa: E402

from levyrules import Household  # noqa: E402
from levyrules.simulate import load_plan, measure_bases, solve  # noqa: E402
from levyrules.simulate.plan import base_data, build_tariff  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=60_000)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--plan", default=str(HERE.parent / "docs/examples/simulation/plan-a.yaml"))
    a = ap.parse_args(argv)
    plan = load_plan(a.plan)
    t0 = time.perf_counter()
    raw = generate(a.n, plan_fy(plan), a.seed)
    t1 = time.perf_counter()
    households = [Household.from_json(h) for h in raw]
    del raw
    t2 = time.perf_counter()
    bases = measure_bases(households, build_tariff(base_data(plan), plan.base))
    t3 = time.perf_counter()
    sol = solve(plan, households, bases=bases)
    t4 = time.perf_counter()
    per_pass = (t4 - t3) / sol.passes
    print(f"households                 {a.n:,}")
    print(f"generate (not levyrules)   {t1 - t0:.2f} s")
    print(f"parse once                 {t2 - t1:.2f} s")
    print(f"bases pass                 {t3 - t2:.2f} s")
    print(f"solve (Program C)          {t4 - t3:.2f} s: {sol.passes} Program B passes, "
          f"{per_pass:.2f} s a pass, {a.n / per_pass:,.0f} households/s")
    print(f"bases + solve              {t4 - t2:.2f} s")
    for name, ok in sol.converged.items():
        c = sol.recheck.components[name]
        print(f"  {name:8s} target {plan.components[name].target:,} → "
              f"{c.measure(plan.basis):,} ({'within' if ok else 'outside'} tolerance)")
    return 0


def plan_fy(plan) -> int:
    return build_tariff(base_data(plan), plan.base).fiscal_year


if __name__ == "__main__":
    sys.exit(main())

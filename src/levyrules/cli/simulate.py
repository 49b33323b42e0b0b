"""`levyrules simulate POPULATION --plan A.yaml [--plan B.yaml] [--baseline TARIFF] --out DIR`:
solve each rate plan over the population and write the 運営協議会 report. Registered
by cli.build_parser."""

from __future__ import annotations

import sys

from ..simulate.solve import MAX_PASSES


def cmd_simulate(args) -> int:
    from ..simulate.report import run
    w = run(args.population, args.plan, args.out, args.baseline, max_passes=args.max_passes)
    for sc in w.scenarios:
        sol = sc.solution
        status = "" if sol is None or not sol.converged else " (" + ", ".join(
            f"{n}: {'within tolerance' if ok else 'nearest rounded plan, outside tolerance'}"
            for n, ok in sol.converged.items()) + f"; {sol.passes} passes)"
        print(f"{sc.name}: {sc.recheck.households} households, total {sc.recheck.total:,} yen"
              f"{status}")
    print(f"report: {w.report}")
    for p in w.tariffs:
        print(f"tariff: {p}")
    sys.stdout.flush()
    return 0


def add_parser(sub) -> None:
    s = sub.add_parser("simulate", help="rate simulation (税率シミュレーション): solve rate plans "
                                        "over a population and write the comparison report")
    s.add_argument("population", help="households, JSON Lines (one contract household a line)")
    s.add_argument("--plan", action="append", required=True, metavar="PLAN.yaml",
                   help="a rate plan (docs/simulation.md); repeat for A案, B案 …")
    s.add_argument("--baseline", metavar="TARIFF",
                   help="the current tariff (id slug/FY or path) to compare with")
    s.add_argument("--out", required=True, metavar="DIR", help="output folder")
    s.add_argument("--max-passes", type=int, default=MAX_PASSES,
                   help=f"Program B passes per plan at most (default {MAX_PASSES})")
    s.set_defaults(func=cmd_simulate)

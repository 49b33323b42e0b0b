"""税率シミュレーション (rate simulation): set next year's rates and show their effect.

    from levyrules.simulate import load_plan, read_population, split, recheck, solve
    households = read_population("city.jsonl")          # parsed once, reused by every pass
    plan = load_plan("plan-a.yaml")
    solution = solve(plan, households)                   # Program C (A and B repeated)
    solution.rates, solution.recheck.components["medical"].amount

Program A (:func:`split`) divides a 賦課総額 over the levies and the population's bases;
Program B (:func:`recheck`) re-assesses every household and totals the levy, the 軽減
and the 限度超過; Program C (:func:`solve`) repeats them until the target is met.
The report (`levyrules simulate`) compares plans: docs/simulation.md.
"""

from .plan import Plan, PlanError, load_plan
from .recheck import Recheck, read_population, recheck
from .solve import Solution, solve
from .split import Bases, measure_bases, split

__all__ = ["Bases", "Plan", "PlanError", "Recheck", "Solution", "load_plan", "measure_bases",
           "read_population", "recheck", "solve", "split"]

"""Program C (ループ計算): repeat Program A and Program B until what the population is
levied meets each component's target within the plan's tolerance.

Each component is searched on one number, the 賦課総額 G fed into Program A: the
rounded rates A(G) only grow with G and the levy only grows with the rates, so the
levied amount M(A(G)) is a non-decreasing step function of G. The search keeps the
best plan below and above the target, proposes the secant point between them (or the
mid point, or the first plan after the lower one) among plans not yet measured, and
stops when a plan is within the tolerance or no rounded plan lies between the two: the
nearer of the two is then the best rounded plan on the line. Components are
independent (their own rates, 軽減 and caps), so one Program B pass serves them all.
"""

from __future__ import annotations

from typing import Sequence

import attrs

from ..engine.household import Household
from ..tariff.model import Tariff
from .plan import Plan, base_data, build_tariff, plan_tariff, tariff_data
from .recheck import Recheck, _levy_population
from .split import Bases, measure_bases, split_component

MAX_PASSES = 30


@attrs.frozen(slots=True)
class Iteration:
    """One Program B pass: per solved component the 賦課総額 fed to A, the rates, the measure."""
    number: int
    gross: dict
    rates: dict
    measures: dict


@attrs.define(slots=True)
class Solution:
    plan: Plan
    rates: dict               # component -> tariff keys (solved and fixed)
    data: dict                # the tariff file content
    tariff: Tariff
    recheck: Recheck
    iterations: list
    converged: dict           # solved component -> within tolerance
    passes: int               # Program B passes over the population
    bases_pass: bool = False  # whether solve measured the bases itself (one more pass)


class _Search:
    """The 1-D search of one component (see the module docstring)."""

    def __init__(self, target: int, tolerance: int, rates_of):
        self.target, self.tolerance, self.rates_of = target, tolerance, rates_of
        self.seen: dict = {}          # rates key -> (G, M)
        self.lo = self.hi = None      # (G, M, key)
        self.final = None             # (G, key)

    @staticmethod
    def key(rates: dict) -> tuple:
        return tuple(sorted(rates.items()))

    def observe(self, g: int, m: int) -> None:
        k = self.key(self.rates_of(g))
        self.seen[k] = (g, m)
        if m <= self.target and (self.lo is None or m > self.lo[1] or
                                 (m == self.lo[1] and g > self.lo[0])):
            self.lo = (g, m, k)
        if m >= self.target and (self.hi is None or m < self.hi[1] or
                                 (m == self.hi[1] and g < self.hi[0])):
            self.hi = (g, m, k)
        if abs(m - self.target) <= self.tolerance:
            self.final = (g, k)

    def propose(self, g: int, m: int) -> int | None:
        """The next G to measure, or None when done (self.final is then set)."""
        if self.final is not None:
            return None
        lo, hi = self.lo, self.hi
        if lo is None or hi is None:
            return self._extrapolate(g, m)
        cands = []
        if hi[1] > lo[1]:
            cands.append(lo[0] + (self.target - lo[1]) * (hi[0] - lo[0]) // (hi[1] - lo[1]))
        cands.append((lo[0] + hi[0]) // 2)
        first = self._first_new(lo[0], hi[0], lo[2])
        if first is not None:
            cands.append(first)
        for c in cands:
            if lo[0] < c < hi[0] and self.key(self.rates_of(c)) not in self.seen:
                return c
        # no rounded plan between the two: the nearer one (a tie meets the target)
        best = lo if self.target - lo[1] < hi[1] - self.target else hi
        self.final = (best[0], best[2])
        return None

    def _first_new(self, a: int, b: int, ka: tuple) -> int | None:
        """The smallest G in (a, b) whose rates differ from `ka` (rates only grow with G)."""
        while b - a > 1:
            mid = (a + b) // 2
            if self.key(self.rates_of(mid)) == ka:
                a = mid
            else:
                b = mid
        return b if self.key(self.rates_of(b)) not in self.seen else None

    def _extrapolate(self, g: int, m: int) -> int:
        """All measured plans on one side: scale G by target/M until the rates change."""
        g_new = g * self.target // m if m else 2 * g
        if g_new == g:
            g_new = g + (1 if m < self.target else -1)
        step = g_new - g
        for _ in range(64):
            if g_new > 0 and self.key(self.rates_of(g_new)) not in self.seen:
                return g_new
            step *= 2
            g_new = max(1, g + step)
        raise AssertionError("the rates do not change with the 賦課総額")


def solve(plan: Plan, households: Sequence[Household], *, max_passes: int = MAX_PASSES,
          bases: dict[str, Bases] | None = None) -> Solution:
    """Program C: the plan's rates, rounded, meeting each target (see the module docstring).

    `households` is read several times (parse it once: a list). Give `bases` from
    :func:`measure_bases` to share that pass between plans of the same base tariff."""
    base = base_data(plan)
    base_tariff = build_tariff(base, plan.base)
    caps = base_tariff.national.caps
    passes = 0
    bases_pass = bases is None and any(c.target is not None for c in plan.components.values())
    if bases_pass:
        bases = measure_bases(households, base_tariff)
    fixed = {n: _fixed(cp) for n, cp in plan.components.items() if cp.target is None}
    rates_of = {n: _rates_of(cp, bases[n], plan, caps[n])
                for n, cp in plan.components.items() if cp.target is not None}
    searches = {n: _Search(plan.components[n].target, plan.tolerance, f)
                for n, f in rates_of.items()}
    gross = {n: plan.components[n].target for n in searches}
    iterations: list[Iteration] = []
    done: dict = {}             # rates of every component -> its Program B (one pass each)
    last = None
    while True:
        rates = dict(fixed)
        rates.update({n: rates_of[n](g) for n, g in gross.items()})
        key = _key(rates)
        if key in done:         # the searches settled on rates already measured
            last = (rates, done[key])
            break
        if passes >= max(1, max_passes):
            break               # keep the last pass measured
        result = _levy_population(households, plan_tariff(plan, tariff_data(plan, base,
                                                                             rates)))
        passes += 1
        done[key] = result
        last = (rates, result)
        ms = {n: result.components[n].measure(plan.basis) for n in gross}
        iterations.append(Iteration(len(iterations) + 1, dict(gross),
                                    {n: rates[n] for n in gross}, ms))
        for n, s in searches.items():
            s.observe(gross[n], ms[n])
            g = s.propose(gross[n], ms[n])
            gross[n] = g if g is not None else s.final[0]
    rates, result = last
    data = tariff_data(plan, base, rates)
    converged = {n: abs(result.components[n].measure(plan.basis) - s.target) <= plan.tolerance
                 for n, s in searches.items()}
    return Solution(plan, rates, data, plan_tariff(plan, data), result,
                    iterations, converged, passes, bases_pass)


def _key(rates: dict) -> tuple:
    return tuple(sorted((n, tuple(sorted(r.items()))) for n, r in rates.items()))


def _rates_of(cp, bases: Bases, plan: Plan, statutory_cap: int):
    cap = cp.cap if cp.cap is not None else statutory_cap
    return lambda g: split_component(cp, bases, g, plan.steps, cap, plan.file or None)


def _fixed(cp) -> dict:
    out = dict(cp.rates)
    if cp.cap is not None:
        out["cap"] = cp.cap
    if cp.per_capita_adult is not None:
        out["per_capita_adult"] = cp.per_capita_adult
    return out

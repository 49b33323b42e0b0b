"""Program A (あん分率算定): split a component's 賦課総額 over its levies and divide each
share by the population's base, rounding each rate to the plan's step.

    所得割率 = 賦課総額 × 所得割の割合 ÷ Σ(所得割の算定基礎 × 月数/12)
    資産割率 = 賦課総額 × 資産割の割合 ÷ Σ(固定資産税額 × 月数/12)
    均等割額 = 賦課総額 × 均等割の割合 ÷ 被保険者数 (月数/12 で按分)
    平等割額 = 賦課総額 × 平等割の割合 ÷ 世帯数 (月数/12 で按分)

The bases are measured by the engine itself: one pass of :func:`levyrules.assess` under a
tariff whose rates are 12 (1200%, 12円) gives every element as an exact integer count
(base × months), so 月割, 介護分の年齢, 擬制世帯主 and the 所得割 base follow the law
without a second implementation. All arithmetic is in Fractions; the only rounding is
the stated step, half up.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable

import attrs

from ..engine.household import Household
from ..tariff.model import ComponentRates, Tariff
from ..tariff.loader import national
from ..engine.money import format_rate
from .plan import TARIFF_KEY, ComponentPlan, Plan, PlanError, Steps, base_data
from .recheck import _levy_population

_UNIT = 12     # the measuring rate: 12 × months/12 = months, exact


@attrs.frozen(slots=True)
class Bases:
    """One component's bases over the population (per year: months/12)."""
    income: Fraction          # Σ 所得割の算定基礎 × 月数/12
    asset: Fraction           # Σ 固定資産税額 × 月数/12
    per_capita: Fraction      # 被保険者数 × 月数/12
    per_household: Fraction   # 世帯数 × 月数/12

    def of(self, element: str) -> Fraction:
        return getattr(self, element)


def measure_bases(households: Iterable[Household], tariff: Tariff) -> dict[str, Bases]:
    """The bases of every component of `tariff`'s year, from one assess pass."""
    unit = {name: ComponentRates.make(name, income_rate=Fraction(_UNIT),
                                      asset_rate=Fraction(_UNIT), per_capita=_UNIT,
                                      per_household=_UNIT, cap=rates.cap)
            for name, rates in tariff.components.items()}
    measuring = attrs.evolve(tariff, components=unit, missing={}, relief=())
    totals = _levy_population(households, measuring).components
    return {name: Bases(Fraction(t.income_levy, _UNIT), Fraction(t.asset_levy, _UNIT),
                        Fraction(t.per_capita, _UNIT), Fraction(t.per_household, _UNIT))
            for name, t in totals.items()}


def round_half_up(value: Fraction, step: Fraction | int) -> Fraction:
    """The multiple of `step` nearest to `value` (halves go up)."""
    n = value / step
    return (n.numerator * 2 + n.denominator) // (2 * n.denominator) * Fraction(step)


def split_component(cp: ComponentPlan, bases: Bases, gross: int | Fraction, steps: Steps,
                    cap: int, file: str | None = None) -> dict:
    """The rounded rates (tariff keys) that raise `gross` from `bases` by `cp`'s shares;
    PlanError (at the plan `file`) when a rate would be 100% or more."""
    out: dict = {}
    for element, share in cp.shares.items():
        base = bases.of(element)
        if not base:
            raise PlanError(f"the population has no base for the {element} levy "
                            f"(nothing to divide its share by)", file,
                            path=f"components.{cp.name}.split")
        exact = Fraction(gross) * share / base
        if element in ("income", "asset"):
            rate = round_half_up(
                exact, steps.income_rate if element == "income" else steps.asset_rate)
            if rate >= 1:
                raise PlanError(_too_large(cp, bases, gross, element, rate), file,
                                path=f"components.{cp.name}.target")
            out[TARIFF_KEY[element]] = rate
        else:
            out[TARIFF_KEY[element]] = int(round_half_up(exact, steps.amount))
    if cp.per_capita_adult is not None:
        out["per_capita_adult"] = cp.per_capita_adult
    out["cap"] = cap
    return out


def _too_large(cp: ComponentPlan, bases: Bases, gross: int | Fraction, element: str,
               rate: Fraction) -> str:
    """Why a solved 所得割率・資産割率 of 100% or more is refused: the target (from the
    納付金) is too large for the population given; its size and base (totals only)."""
    what = "所得割の算定基礎" if element == "income" else "固定資産税額"
    levied = (f"the target {cp.target:,}円" if gross == cp.target else
              f"the 賦課総額 {int(gross):,}円 needed to levy the target {cp.target:,}円 "
              "(after the caps)")
    return (f"the target (from the 納付金) is too large for the population given: {levied} "
            f"would need an {TARIFF_KEY[element]} of {format_rate(rate)}, 100% or more of "
            f"the population's base ({what} {int(bases.of(element)):,}円 a year; "
            f"{int(bases.per_household):,} households, {int(bases.per_capita):,} insured, "
            "counted by months insured): give the 納付金 of the population you simulate")


def split(plan: Plan, bases: dict[str, Bases], gross: dict | None = None,
          caps: dict | None = None) -> dict[str, dict]:
    """Program A for every solved component of `plan`: gross (default: the targets) → rates.

    A cap the plan does not give is the statutory maximum of the base tariff's year
    (or `caps[component]` when given)."""
    gross = gross or {}
    if caps is None:
        caps = national(base_data(plan)["fiscal_year"]).caps
    out = {}
    for name, cp in plan.components.items():
        if cp.target is None:
            continue
        cap = cp.cap if cp.cap is not None else caps[name]
        out[name] = split_component(cp, bases[name], gross.get(name, cp.target), plan.steps,
                                    cap, plan.file or None)
    return out

"""The computed levy of a component: floor(elements − the reductions inside the levy),
one floor to the yen (地方税法20条の4の2第3項: 1円未満切捨て, per component by default,
per element by `rounding.yen: per_element`); then each reduction taken from the levy
before the cap (産前産後, 条例減免, 旧被扶養者 by timing) floored on its own and never
more than what is left (rulebook §11.2, defaults §5)."""

from __future__ import annotations

from ..rules import ROUNDING
from . import Step
from .ledger import Component, Ledger, ReductionKey

INSIDE = (ReductionKey.STATUTORY, ReductionKey.PRESCHOOL, ReductionKey.CHILD_UNDER18,
          ReductionKey.SPECIFIED_HOUSEHOLD, ReductionKey.INVOLUNTARY_UNEMPLOYMENT)


def take(reductions: dict, amount: int, unit: int) -> tuple[dict, int]:
    """Subtract each reduction (in 1/unit yen), floored to the yen on its own and never
    more than what is left of `amount` (yen): ({key: yen}, what is left)."""
    out = {}
    for k, v in reductions.items():
        cut = min(amount, v // unit)
        if cut > 0:
            out[k] = cut
            amount -= cut
    return out, amount


def before_cap(c: Component, ledger: Ledger) -> dict:
    """The reductions subtracted from the computed levy, in the order they are taken."""
    reds = ledger.reductions
    out = {ReductionKey.CHILDBIRTH.value: reds.get(ReductionKey.CHILDBIRTH, 0),
           **ledger.relief_keys(False)}
    if c.options.former_dependent_timing != "after_cap":
        out[ReductionKey.FORMER_DEPENDENT.value] = reds.get(ReductionKey.FORMER_DEPENDENT, 0)
    return out


def levy(c: Component, ledger: Ledger) -> None:
    U = ledger.unit
    gross = (ledger.income, ledger.asset, ledger.per_capita, ledger.per_household)
    ledger.levy_lines = lines = tuple(v // U for v in gross)
    reds = ledger.reductions
    inside = {k.value: reds[k] for k in INSIDE if reds.get(k)}
    shown_inside = {k: v // U for k, v in inside.items()}
    shown = sum(lines) - sum(shown_inside.values())
    if c.rounding.yen == "per_element":
        computed = shown
    else:
        computed = (sum(gross) - sum(inside.values())) // U
    taken, ledger.levy = take(before_cap(c, ledger), computed, U)
    ledger.computed = computed
    ledger.fraction = computed - shown
    ledger.shown = {**shown_inside, **taken}


STEP = Step(ROUNDING, levy, ("rounding.yen",))

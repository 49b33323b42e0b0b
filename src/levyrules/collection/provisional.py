"""仮算定 (暫定賦課) and 本算定: the early 納期 from last year's tax, then the rest.

Cities whose first 納期 fall before incomes are known (April–June; the 住民税 所得 is fixed
in June) levy those periods provisionally on last year's tax and settle the year in the
本算定 (July) over the periods left (南伊勢町, 能美市; rulebook §11.4). The split of the rest
follows 地方税法20条の4の2第6項 as in :mod:`.ordinary` (the plan's unit and remainder
period).
"""

from __future__ import annotations

from typing import Sequence

from ..engine.money import floor_unit
from ..tariff.model import InstallmentPlan
from .installment import Installment, Schedule
from .ordinary import _remainder_index, spread


def provisional_installments(last_year_total: int | None, plan: InstallmentPlan, *,
                             periods: int | None = None) -> list[Installment]:
    """仮算定 (暫定賦課) for the early periods (April–June) before incomes are known.

    Each of the first `plan.provisional_periods` periods (or `periods`) is last year's
    annual tax × 1/12, 100円未満切捨て; their sum never exceeds ½ of last year's tax
    (a later period gets only what is left under that cap). No last year's tax → 0.
    """
    k = plan.provisional_periods if periods is None else periods
    if k < 0 or k > len(plan.periods):
        raise ValueError(f"{k} provisional periods in a plan of {len(plan.periods)}")
    last = last_year_total or 0
    if last < 0:
        raise ValueError("last year's tax cannot be negative")
    each = floor_unit(last // 12, 100)
    room = last // 2                         # 暫定 total ≤ ½ of last year's tax
    out = []
    for p in plan.periods[:k]:
        a = min(each, room)
        room -= a
        out.append(Installment(p.period, p.due, a))
    return out


def final_installments(total: int, plan: InstallmentPlan,
                       provisional: Sequence[Installment]) -> Schedule:
    """本算定: the annual tax less the 仮算定 amounts, over the remaining periods.

    南伊勢町's rule (rulebook §11.4): each remaining period gets floor(rest ÷ n) to the
    plan's unit and the first 本算定 period takes the remainder (with the default
    `remainder: first`; `last` or a period number move it). When the 仮算定 already
    exceeds the annual tax the remaining periods are 0 and the excess is `overpaid`.
    """
    k = len(provisional)
    rest = total - sum(i.amount for i in provisional)
    later = plan.periods[k:]
    if not later:
        raise ValueError("the plan has no period after the provisional ones")
    if rest < 0:
        return Schedule(tuple(provisional) + tuple(Installment(p.period, p.due, 0)
                                                   for p in later), -rest)
    nums = [p.period for p in later]
    amounts = spread(rest, len(later), plan.unit, _remainder_index(plan, nums))
    return Schedule(tuple(provisional) + tuple(Installment(p.period, p.due, a)
                                               for p, a in zip(later, amounts)))

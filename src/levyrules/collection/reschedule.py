"""更正's 期割: a changed annual tax spread over the 納期 not yet due (rulebook §11.4, §12.2).

After a 更正 (異動, a late 申告, a 遡及), what has fallen due keeps its amount, the rest of
the new tax goes over the 普通徴収 納期 still to come, split as 地方税法20条の4の2第6項 and
the 条例 say (the plan's unit and remainder period; none left → due at once, 随時), and
what was paid beyond the new tax is refunded (過誤納). 特別徴収 continues after an increase
and stops after a decrease (the plan's `special.on_change`). Used by
:mod:`levyrules.collection.revision`.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable, Sequence

import attrs

from ..errors import InputError
from ..tariff.model import DuePeriod, InstallmentPlan
from .installment import AT_ONCE, KINDS, ORDINARY, Installment
from .ordinary import _remainder_index, spread


@attrs.frozen(slots=True)
class Respread:
    """The installments after a change of the annual tax, as of a date."""
    installments: tuple[Installment, ...]   # after; Σ = the new annual tax
    fallen_due: int                          # Σ of the earlier amounts due on or before as_of
    paid: int                                # taken as paid (default: fallen_due)
    refund: int                              # 過誤納: paid beyond the new annual tax
    at_once: int                             # due at once (no 納期 left)
    special_stopped: bool                    # 特別徴収 stopped (§12.2)


def reschedule(before: Sequence[Installment], old_total: int, new_total: int, as_of: date,
               plan: InstallmentPlan | None, *, paid: int | None = None) -> Respread:
    """Spread a changed annual tax over what is not yet due (rulebook §11.4, §12.2).

    - Installments due on or before `as_of` have fallen due and keep their amounts.
    - An unchanged annual tax changes nothing (so revising twice is idempotent).
    - 特別徴収 payments not yet due continue after an increase (the plan's
      `special.on_change: continue_increase`, default) and stop after a decrease (or after
      any change with `stop_any`).
    - The rest (new tax − what stays) is spread over the 普通徴収 periods of the plan not
      yet due: floor to the unit, the remainder to the period the plan names (the first
      remaining one by default); none left → one installment due at once on `as_of`.
    - When what has fallen due already exceeds the new tax, the periods not yet due
      become 0 and the fallen-due ones are reduced from the latest back; what was paid
      beyond the new tax is the refund (過誤納). `paid` defaults to what has fallen due.
    """
    if new_total < 0 or old_total < 0:
        raise ValueError("an annual tax cannot be negative")
    before = sorted(before, key=lambda i: (i.due, KINDS.index(i.kind), i.period))
    fallen = sum(i.amount for i in before if i.due <= as_of)
    paid_amount = fallen if paid is None else paid
    if paid_amount < 0:
        raise InputError("paid", "must not be negative")
    if new_total == old_total:
        return Respread(tuple(before), fallen, paid_amount, max(0, paid_amount - new_total),
                        0, False)
    on_change = plan.special.on_change if plan is not None and plan.special else \
        "continue_increase"
    keep_special = new_total > old_total and on_change == "continue_increase"
    fixed, stopped = _fixed(before, as_of, keep_special)
    # the 普通徴収 periods not yet due: the plan's, else the earlier ones
    if plan is not None:
        open_periods = [p for p in plan.periods if p.due > as_of]
    else:
        open_periods = [DuePeriod(i.period, i.due) for i in before
                        if i.kind == ORDINARY and i.due > as_of]
    rest = new_total - sum(i.amount for i in fixed)
    at_once = 0
    if rest >= 0:
        opened, at_once = _spread_rest(rest, before, open_periods, plan, as_of)
        after = fixed + opened
    else:
        after = _cut_back(fixed, -rest) + [Installment(p.period, p.due, 0) for p in open_periods]
    after.sort(key=lambda i: (i.due, KINDS.index(i.kind), i.period))
    refund = max(0, paid_amount - new_total)
    return Respread(tuple(after), fallen, paid_amount, refund, at_once, stopped)


def _fixed(before: list, as_of: date, keep_special: bool) -> tuple[list, bool]:
    """What stays as it was: the installments fallen due (and any due at once), and the
    特別徴収 ones not yet due when they continue (else they become 0); and whether a
    特別徴収 payment was stopped."""
    fixed: list[Installment] = []
    stopped = False
    for i in before:
        if i.due <= as_of or i.kind == AT_ONCE:
            fixed.append(i)
        elif i.special:
            if keep_special:
                fixed.append(i)
            else:
                stopped = stopped or i.amount > 0
                fixed.append(attrs.evolve(i, amount=0))
    return fixed, stopped


def _spread_rest(rest: int, before: list, open_periods: list, plan, as_of: date) -> tuple:
    """The new 普通徴収 installments for `rest` yen: spread over the periods not yet due
    (floored to the unit, the remainder to the plan's period), or, with none left, one
    installment due at once on `as_of`; and the amount due at once."""
    if open_periods:
        unit = plan.unit if plan is not None else 100
        nums = [p.period for p in open_periods]
        return [Installment(p.period, p.due, a) for p, a in
                zip(open_periods, spread(rest, len(open_periods), unit,
                                         _remainder_index(plan, nums)))], 0
    if not rest:
        return [], 0
    nums = [i.period for i in before if i.kind in (ORDINARY, AT_ONCE)]
    if plan is not None:
        nums += [p.period for p in plan.periods]
    return [Installment(max(nums, default=0) + 1, as_of, rest, AT_ONCE)], rest


def _cut_back(fixed: list, cut: int) -> list:
    """The installments that stay, reduced by `cut` yen from the latest back (what has
    fallen due exceeds the new tax)."""
    reduced = []
    for i in reversed(fixed):
        take = min(cut, i.amount)
        cut -= take
        reduced.append(attrs.evolve(i, amount=i.amount - take))
    return list(reversed(reduced))


def match_installments(before: Iterable[Installment], after: Iterable[Installment]):
    """Pairs (key, before amount, after amount, due) over the union of both lists,
    keyed by (kind, period), in due-date order."""
    rows: dict[tuple, list] = {}
    for i in before:
        rows[(i.kind, i.period)] = [i.due, i.amount, 0]
    for i in after:
        row = rows.setdefault((i.kind, i.period), [i.due, 0, 0])
        row[0] = i.due
        row[2] = i.amount
    return sorted(((k, v[1], v[2], v[0]) for k, v in rows.items()),
                  key=lambda r: (r[3], KINDS.index(r[0][0]), r[0][1]))

"""期割 (普通徴収の納期ごとの税額): the annual tax split over the 条例's 納期.

The law: 地方税法20条の4の2第6項 — when a tax is paid in installments, each installment is
cut to 1,000円 and the cut-off remainder goes to the first installment, unless the 条例
says otherwise (many cities cut to 100円; some name another period for the remainder).
The 納期 themselves (第1期〜第8期, …) are set by each city's 国民健康保険税条例. A household
whose liability starts during the year (納税義務の発生: joining mid-year) pays over the
納期 still to come (その後に到来する納期); when none is left, the whole amount is due at
once (随時, 直ちに徴収). Rulebook §11.4.

Two forms of one rule, side by side: :func:`ordinary_installments` for one household,
:func:`installment_columns` for a whole population as NumPy int64 columns (numpy is
imported inside it; ``import levyrules`` does not need it). Both take the periods still
open from :func:`_open_periods` and the remainder period from :func:`_remainder_index`.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Sequence

from ..engine.calendar import fy_end, fy_start
from ..engine.money import floor_unit
from ..tariff.model import DuePeriod, InstallmentPlan
from .installment import AT_ONCE, ORDINARY, Installment


def _remainder_index(plan: InstallmentPlan | None, periods: Sequence[int]) -> int:
    """Index (into `periods`) of the period that takes the remainder.

    "first"/"last" are the first/last of the periods being split; a period number
    names that period, or the first of them when it is already past (a 更正)."""
    rule = "first" if plan is None else plan.remainder
    if rule == "last":
        return len(periods) - 1
    if isinstance(rule, int) and rule in periods:
        return list(periods).index(rule)
    return 0


def _open_periods(plan: InstallmentPlan, not_before: date | None) -> list[DuePeriod]:
    """The 納期 due on or after `not_before` (the day liability starts), in plan order:
    the periods a household joining on that day pays over (その後に到来する納期)."""
    return [p for p in plan.periods if not_before is None or p.due >= not_before]


def spread(total: int, n: int, unit: int, at: int = 0) -> list[int]:
    """Split `total` into n shares of floor(total ÷ n) to `unit`; share `at` takes the
    remainder. Σ = total, every share ≥ 0."""
    if n <= 0:
        raise ValueError("nothing to spread over")
    if total < 0:
        raise ValueError("a negative amount cannot be spread")
    each = floor_unit(total // n, unit)
    out = [each] * n
    out[at] += total - each * n
    return out


def ordinary_installments(total: int, plan: InstallmentPlan, *,
                          not_before: date | None = None) -> list[Installment]:
    """期割 (普通徴収): the annual tax over the plan's periods (rulebook §11.4).

    Each period gets floor(total ÷ n) to the plan's unit (the tariff's `unit`, which it
    must state: the law's 1,000円 unless the 条例 sets another, often 100円), the
    remainder goes to the period the plan names (default 第1期). With `not_before`
    only the periods due on or after that day are used (a household whose liability
    starts mid-year); when none is left the whole amount is one installment due at
    once on that day.
    """
    if total is None or total < 0:
        raise ValueError("ordinary_installments needs a known, non-negative annual tax")
    periods = _open_periods(plan, not_before)
    if not periods:
        last = max(p.period for p in plan.periods)
        return [Installment(last + 1, not_before, total, AT_ONCE)]
    nums = [p.period for p in periods]
    amounts = spread(total, len(periods), plan.unit, _remainder_index(plan, nums))
    return [Installment(p.period, p.due, a) for p, a in zip(periods, amounts)]


def installments_json(total: int | None, plan: InstallmentPlan | None,
                      not_before: date | None = None) -> tuple:
    """What `Assessment.installments` holds: contract §4 dicts, or () when the tariff has
    no plan or the total is unknown. `not_before`: the day liability starts (the
    periods due before it are not used)."""
    if plan is None or total is None:
        return ()
    return tuple(i.to_json() for i in ordinary_installments(total, plan, not_before=not_before))


@functools.lru_cache(maxsize=64)
def _open_table(plan: InstallmentPlan):
    """The cases of open periods (few: one per distinct 納期限, plus none left) and, for
    each, what :func:`ordinary_installments` uses, built with its own helpers.

    A 判定日 d falls in case g = the number of distinct 納期限 before d. Returns the cut
    dates (int64 ordinals), for each plan period the last case in which it is open (a
    period open in case g is open in every earlier case: period j is open exactly when
    g ≤ rank[j]), the count of open periods per case, and the column of the remainder
    period per case (-1 in the last case: none open, 随時)."""
    import numpy as np
    nums = [p.period for p in plan.periods]
    if len(set(nums)) != len(nums):
        raise ValueError("installment_columns needs distinct period numbers")
    cuts = sorted({p.due.toordinal() for p in plan.periods})
    rank = [-1] * len(nums)           # open in cases 0..rank (a later 納期限 stays open longer)
    count = np.zeros(len(cuts) + 1, dtype=np.int64)
    remainder = np.full(len(cuts) + 1, -1, dtype=np.int16)
    for g, cut in enumerate(cuts):
        periods = _open_periods(plan, date.fromordinal(cut))
        cols = [nums.index(p.period) for p in periods]
        for j in cols:
            rank[j] = g
        count[g] = len(cols)
        remainder[g] = cols[_remainder_index(plan, [p.period for p in periods])]
    return np.array(cuts, dtype=np.int64), rank, count, remainder


def _cases(cuts, judged):
    """The case (see :func:`_open_table`) of each 判定日: a look-up table over the days
    spanned when they are few (a fiscal year), else a binary search."""
    import numpy as np
    if not len(judged):
        return np.zeros(0, dtype=np.int16)
    lo, hi = int(judged.min()), int(judged.max())
    if hi - lo > max(1 << 16, len(judged)):
        return np.searchsorted(cuts, judged, side="left").astype(np.int16)
    table = np.searchsorted(cuts, np.arange(lo, hi + 1, dtype=np.int64), side="left")
    return table.astype(np.int16)[judged - lo]


def _int64_column(values, name: str):
    import numpy as np
    a = np.asarray(values)
    if a.ndim != 1 or (a.size and a.dtype.kind not in "iu"):
        raise ValueError(f"{name} must be a one-dimensional column of integers")
    if a.dtype.kind == "u" and a.size and a.max() > np.iinfo(np.int64).max:
        raise ValueError(f"{name} does not fit in int64")
    return a.astype(np.int64, copy=False)


def installment_columns(totals, judged_on, plan: InstallmentPlan | None,
                        fiscal_year: int | None = None):
    """期割 (普通徴収) of a whole population: the column form of :func:`installments_json`.

    `totals` int64[H] (each household's annual tax, known and ≥ 0), `judged_on` int64[H]
    (the day its liability starts, as ``date.toordinal()``; with `fiscal_year`, each must
    lie in that year). Returns (int64[H, n], int64[H]): the amount of each 納期 in the
    order of ``plan.periods`` (0 for a 納期 before the household joined), and what is due
    at once (随時) when no 納期 is left — household by household the values that
    ``population.rows._installments`` reads from :func:`installments_json`. The first
    array is column-major (each 納期 a contiguous column). No plan: (int64[H, 0], zeros).
    Exact: each share is at most the total, so nothing exceeds the int64 totals given.
    """
    import numpy as np
    totals = _int64_column(totals, "totals")
    judged = _int64_column(judged_on, "judged_on")
    h = len(totals)
    if len(judged) != h:
        raise ValueError("totals and judged_on must have the same length")
    if plan is None:
        return np.zeros((h, 0), dtype=np.int64), np.zeros(h, dtype=np.int64)
    if h and totals.min() < 0:
        raise ValueError("a negative amount cannot be spread")
    if fiscal_year is not None and h and (judged.min() < fy_start(fiscal_year).toordinal()
                                          or judged.max() > fy_end(fiscal_year).toordinal()):
        raise ValueError(f"judged_on must lie in fiscal year {fiscal_year}")
    table = _open_table(plan)
    case = _cases(table[0], judged)
    out = np.empty((len(table[1]), h), dtype=np.int64)    # one contiguous row per 納期
    later = np.flatnonzero(case)
    if len(later) * 2 > h or table[3][0] < 0:       # case 0 not the common, all-open one
        return _spread_columns(np, table, plan.unit, totals, case, out)
    # case 0 (liability from 4月1日, the common one): every 納期 open, one remainder period
    n = len(table[1])
    each = totals // (n * plan.unit) * plan.unit      # floor(total ÷ n) to the unit
    out[:] = each
    out[table[3][0]] += totals - each * n
    if len(later):                                    # the few later cases, as the general form
        out[:, later] = _spread_columns(np, table, plan.unit, totals[later], case[later],
                                        np.empty((n, len(later)), dtype=np.int64))[0].T
    return out.T, totals * (table[2][case] == 0)      # 随時: no 納期 left


def _spread_columns(np, table, unit: int, totals, case, out) -> tuple:
    """installment_columns' 期割 for any mix of cases (see :func:`_open_table`) into `out`
    (int64[n, H], one row per 納期): (out.T, what is due at once)."""
    _, rank, count, remainder = table
    n = count[case]                                   # periods open; 0: 随時
    each = totals // np.maximum(n, 1)
    each -= each % unit                               # floor(total ÷ n) to the unit
    rest = totals - each * n                          # to the remainder period
    at = remainder[case]
    share = np.empty(len(totals), dtype=np.int64)     # reused: no 8 MB temporaries
    for j, r in enumerate(rank):
        np.multiply(each, case <= r, out=out[j])
        np.add(out[j], np.multiply(rest, at == j, out=share), out=out[j])
    return out.T, totals * (n == 0)


def installments_text(installments: Sequence, plan: InstallmentPlan | None) -> list[str]:
    """The 期別 lines of a 納税通知書 (for `assess --explain`)."""
    derived = {p.period for p in plan.periods if p.derived} if plan is not None else set()
    unit = plan.unit if plan is not None else 100
    rule = plan.remainder if plan is not None else "first"
    where = {"first": "第1期", "last": "最終期"}.get(rule, f"第{rule}期")
    out = ["", f"■ 期別税額（普通徴収）: 各期 年税額÷期数 の{unit:,}円未満切捨て、端数は{where}"
               "［地方税法20条の4の2第6項・条例の納期］"]
    for i in installments:
        d = i if isinstance(i, dict) else i.to_json()
        label = "随時" if d.get("kind") == AT_ONCE else f"第{d['period']}期"
        note = "（納期限は未公表: 例年の日程から推定）" if d["period"] in derived and \
            d.get("kind", ORDINARY) == ORDINARY else ""
        out.append(f"　{label}　納期限 {d['due']}　{d['amount']:,}円{note}")
    return out

"""The 軽減判定 and 特定世帯 of every household at once: the column form of
`assess._judge` (who counts on the 判定日, the 軽減判定所得, the 給与所得者等, the tier by
the 判定基準額 of 地方税法施行令56条の89, and 特定世帯・特定継続世帯 by the months since
the 特定月, 地方税法703条の4・施行令56条の88の2).

Every input is a column: persons (P) carry their household row `hh`; households (H) the
judgement date. Integers only."""

from __future__ import annotations

import attrs

from ..engine.calendar import month_key_columns
from ..rules.specified_household import CONTINUING_MONTHS, SPECIFIED_MONTHS
from .population import NONE

SPECIFIED = ("", "specified", "continuing")     # the code of `Judgement.specified`


@attrs.frozen(slots=True)
class Judgement:
    tier: object              # int64[H]: 70, 50, 20 or 0
    judgement_income: object  # int64[H]
    persons: object           # int64[H]: 被保険者 + 特定同一世帯所属者 counted
    earners: object           # int64[H]
    declared: object          # bool[H]
    specified: object         # int8[H]: 0, 1 特定世帯, 2 特定継続世帯 (SPECIFIED)
    fictitious: object        # bool[H]: the 世帯主 is neither insured nor 特定同一世帯所属者


def judge(np, fy: int, groups, head, facts, income, income_u, judged, on, late, counted,
          nat, count_fictitious: bool) -> Judgement:
    """The column form of `assess._judge` for households without a 世帯主変更: persons
    (P) grouped by household (`groups`, batch/groups.py), `head` the person row of each
    世帯主."""
    hh = groups.hh
    fy_key = fy * 12 + 3
    judged_key = month_key_columns(judged)
    judged_bit = np.left_shift(1, judged_key - fy_key)
    use_u = (facts.unemployment_period & judged_bit[hh]) != 0
    inc = np.where(use_u, income_u.judgement_income, income.judgement_income)
    earner = np.where(use_u, income_u.is_earner, income.is_earner)
    undeclared = ~np.where(use_u, income_u.declared, income.declared)
    fictitious = ~(on[head] | late[head])
    is_head = np.zeros(len(hh), bool)
    is_head[head] = True
    counts_earner = earner & counted & (count_fictitious | ~is_head | ~fictitious[hh])

    total = groups.sum
    judgement_income = total(inc * counted)
    earners = total(counts_earner)
    declared = total(undeclared & counted) == 0
    n_insured = total(counted & on)
    is_late = counted & late
    persons = n_insured + total(is_late)
    base = nat.reduction_base + nat.reduction_per_earner * np.maximum(0, earners - 1)
    tier = np.where(judgement_income <= base, 70,
                    np.where(judgement_income <= base + nat.reduction_per_person_50 * persons,
                             50,
                             np.where(judgement_income <= base
                                      + nat.reduction_per_person_20 * persons, 20, 0)))
    tier = np.where(declared, tier, 0).astype(np.int64)
    late_rows = np.flatnonzero(is_late)             # 特定同一世帯所属者: few
    latest = groups.max_of(late_rows, facts.late_date.take(late_rows), NONE)
    elapsed = judged_key - month_key_columns(latest, absent=0)
    one = (n_insured == 1) & (latest != NONE)
    specified = np.where(one & (elapsed < SPECIFIED_MONTHS), 1,
                         np.where(one & (elapsed < CONTINUING_MONTHS), 2, 0)).astype(np.int8)
    return Judgement(tier, judgement_income, persons, earners, declared, specified,
                     fictitious)

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
    inc, earner, declared_p = income.judgement_income, income.is_earner, income.declared
    if income_u is not income:                      # someone has the 非自発的失業 特例
        rows = np.flatnonzero(facts.unemployment_period)        # (few)
        judged_bit = np.left_shift(1, month_key_columns(judged.take(hh.take(rows)))
                                   - (fy * 12 + 3))
        rows = rows[(facts.unemployment_period.take(rows) & judged_bit) != 0]
        inc, earner, declared_p = inc.copy(), earner.copy(), declared_p.copy()
        inc[rows] = income_u.judgement_income.take(rows)
        earner[rows] = income_u.is_earner.take(rows)
        declared_p[rows] = income_u.declared.take(rows)
    fictitious = ~(on[head] | late[head])
    counts_earner = earner & counted
    if not count_fictitious:                        # the 擬制世帯主 not counted as earner
        counts_earner[head[fictitious]] = False

    judgement_income = groups.sum(inc * counted)
    is_late = counted & late
    earners, undeclared, n_insured, n_late = groups.counts(
        [counts_earner, ~declared_p & counted, counted & on, is_late])
    declared = undeclared == 0
    persons = n_insured + n_late
    tier = _tier(np, nat, judgement_income, earners, persons, declared)
    late_rows = np.flatnonzero(is_late)             # 特定同一世帯所属者: few
    specified = np.zeros(len(judgement_income), np.int8)
    if len(late_rows):
        latest = groups.max_of(late_rows, facts.late_date.take(late_rows), NONE)
        elapsed = month_key_columns(judged) - month_key_columns(latest, absent=0)
        one = (n_insured == 1) & (latest != NONE)
        first = one & (elapsed < SPECIFIED_MONTHS)
        specified += first.view(np.int8)
        specified += (one & ~first & (elapsed < CONTINUING_MONTHS)).view(np.int8) * np.int8(2)
    return Judgement(tier, judgement_income, persons, earners, declared, specified,
                     fictitious)


def _tier(np, nat, judgement_income, earners, persons, declared):
    """int64[H]: 70, 50, 20 or 0 by the 判定基準額 (施行令56条の89), the first bound the
    判定所得 does not pass, in that order (0 when an income is undeclared)."""
    base = nat.reduction_base + nat.reduction_per_earner * np.maximum(0, earners - 1)
    c70 = judgement_income <= base
    c50 = (judgement_income <= base + nat.reduction_per_person_50 * persons) & ~c70
    c20 = (judgement_income <= base + nat.reduction_per_person_20 * persons) & ~(c70 | c50)
    tier = c70.view(np.int8) * np.int8(70)
    tier += c50.view(np.int8) * np.int8(50)
    tier += c20.view(np.int8) * np.int8(20)
    tier *= declared.view(np.int8)
    return tier.astype(np.int64)

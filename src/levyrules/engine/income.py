"""Income (所得): 収入→所得, the 所得割 base per person, and each person's share of
the household's 軽減判定所得 and 給与所得者等 status.

All of it is the previous calendar year's income (前年所得), judged with the
national tables of that income year (examples.md §C, rulebook §1.3, §3.2, §3.4).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

import attrs

from .calendar import is_65_at_income_year_end
from .household import LAND_KINDS, NO_INCOME, SEPARATE_KINDS, STOCK_KINDS, Income, Person
from .income_tables import (basic_deduction, basic_deduction_column,
                            pension_income_column, pension_income_from_revenue,
                            salary_income_column, salary_income_from_revenue)
from .money import ceil_yen
from ..tariff.national import National, need_numpy, scale_column


@attrs.define(slots=True)
class PersonIncome:
    """One person's derived income figures for one fiscal year (an internal value: not
    frozen, since a frozen attrs class sets each field through object.__setattr__)."""
    salary_income: int        # 給与所得 (after 所得金額調整控除)
    pension_income: int       # 公的年金等に係る雑所得
    total_income: int         # 総所得金額等 (所得割): 分離譲渡 after 特別控除, after 繰越控除
    aggregate_income: int     # 合計所得金額 (基礎控除, 年金控除): 分離譲渡 before 特別控除
    basic_deduction: int      # 基礎控除 (地方税法314条の2第2項)
    levy_base: int            # 所得割 base = max(0, 総所得金額等 − 基礎控除) (旧ただし書き)
    judgement_income: int     # this person's part of the 軽減判定所得
    pension_deduction_65: int # 65歳以上 公的年金所得 特別控除 taken in the 軽減判定 (≤ 15万)
    is_earner: bool           # 給与所得者等 (施行令56条の89)
    declared: bool            # 所得申告 (False = 未申告)


def person_income(person: Person, nat: National, fiscal_year: int,
                  salary_share: Fraction | None = None,
                  share_before_adjustment: bool = False, *,
                  over65: bool | None = None) -> PersonIncome:
    """Derive a person's income figures from the input (収入 or 所得 as given).

    `salary_share` (非自発的失業: 30/100) takes only that share of the 給与所得, after
    the 所得金額調整控除 (default) or before it (`share_before_adjustment`). `over65`:
    65 or over at the end of the income year, when the caller knows it already.
    """
    if over65 is None:
        over65 = is_65_at_income_year_end(fiscal_year, person.birth_date)
    return income_figures(person.income, nat, over65, salary_share, share_before_adjustment)


def income_figures(inc: Income, nat: National, over65: bool,
                   salary_share: Fraction | None = None,
                   share_before_adjustment: bool = False) -> PersonIncome:
    """person_income of an Income, 65 or over at the end of the income year or not (the
    engine's call: its Member knows `over65` already)."""
    if inc is NO_INCOME and salary_share is None:      # a pure function of (nat, over65)
        known = _NO_INCOME_FIGURES.get((id(nat), over65))
        if known is not None and known[0] is nat:
            return known[1]
        if len(_NO_INCOME_FIGURES) > 256:
            _NO_INCOME_FIGURES.clear()
        figures = _person_income(inc, nat, over65, None, False)
        _NO_INCOME_FIGURES[(id(nat), over65)] = (nat, figures)
        return figures
    return _person_income(inc, nat, over65, salary_share, share_before_adjustment)


# the figures of a person with no income (household.NO_INCOME), by national table
# (checked by identity) and 65歳以上: shared, as nothing changes a PersonIncome once made
_NO_INCOME_FIGURES: dict[tuple, tuple] = {}


def _person_income(inc: Income, nat: National, over65: bool, salary_share: Fraction | None,
                   share_before_adjustment: bool) -> PersonIncome:
    """person_income of an Income (see there)."""

    if inc.salary_revenue is not None:
        unadjusted, adjustment = _salary(inc, nat)
        salary_given = False
    else:
        unadjusted, adjustment = inc.salary_income or 0, 0
        salary_given = True       # a given 給与所得 is taken as final (after 調整控除)
    salary = unadjusted - adjustment

    halves = inc.comprehensive_capital_gains_long + inc.occasional_income
    other_comprehensive = (inc.business_income + inc.agriculture_income + inc.real_estate_income
                           + inc.interest_income + inc.dividend_income + inc.misc_income
                           + inc.comprehensive_capital_gains_short + halves // 2)
    land_before, land_after, stocks, futures = _separate(inc) if inc.separate else (0, 0, 0, 0)
    stocks_net = stocks - inc.stock_loss_carryover
    if stocks_net < 0:
        stocks_net = 0

    # 公的年金等に係る雑所得 (its 控除 depends on the other 合計所得金額, which counts the
    # 分離譲渡 before its 特別控除: 国税庁 No.1200 「合計所得金額」)
    if inc.pension_revenue is not None:
        other = salary + other_comprehensive + inc.forestry_income + land_before + stocks + futures
        pension = pension_income_from_revenue(nat, inc.pension_revenue, over65, other)
    else:
        pension = inc.pension_income or 0

    # 所得金額調整控除 (b): both 給与所得 and 年金所得
    if not salary_given and salary > 0 and pension > 0:
        lim = nat.adjustment_pension_limit
        b = max(0, min(salary, lim) + min(pension, lim) - lim)
        adjustment += b
        salary = max(0, salary - b)
    if salary_share is not None:     # 非自発的失業者: 給与所得 × 30/100 (1円未満切捨て)
        if share_before_adjustment:
            salary = max(0, unadjusted * salary_share.numerator // salary_share.denominator
                         - adjustment)
        else:
            salary = salary * salary_share.numerator // salary_share.denominator

    comprehensive = salary + pension + other_comprehensive
    # 合計所得金額: 分離課税の土地建物等の譲渡所得 before the 特別控除, losses before their
    # 繰越控除 (国税庁の用語: 「…の合計額（特別控除前の金額）」; rulebook §1.3)
    aggregate = comprehensive + inc.forestry_income + land_before + stocks + futures
    total = (comprehensive + inc.forestry_income + land_after + stocks_net + futures
             - inc.net_loss_carryover)
    if total < 0:
        total = 0
    deduction = basic_deduction(nat, aggregate)
    base = total - deduction if total > deduction else 0

    pension_ded = 0
    if over65:
        pension_ded = pension if pension < nat.pension_deduction_65 else nat.pension_deduction_65
    judgement = _judgement_income(inc, salary, pension - pension_ded, other_comprehensive
                                  + inc.forestry_income + land_before + stocks_net + futures)
    return PersonIncome(salary, pension, total, aggregate, deduction, base, judgement,
                        pension_ded, _is_earner(inc, nat, over65), inc.declared)


def _judgement_income(inc: Income, salary: int, pension: int, rest: int) -> int:
    """軽減判定所得 (地方税法703条の5, 施行令56条の89): the 専従者給与 back to the 事業主
    and none for the 専従者, 分離譲渡 before the 特別控除, the 65歳以上 年金所得 less 15万
    (`pension` comes net of it); `rest`: the other 総合・分離 incomes."""
    judged_salary = 0 if inc.is_family_employee else salary
    judgement = (judged_salary + pension + rest + inc.family_employee_salary_paid
                 - inc.net_loss_carryover)
    return judgement if judgement > 0 else 0


def _salary(inc: Income, nat: National) -> tuple[int, int]:
    """給与所得 from the 給与収入 (所得税法28条, 別表第五) and the 所得金額調整控除 (a) taken
    from it (租税特別措置法41条の3の3第1項: 給与収入 over 850万, 特別障害者 or a child
    under 23 or such a dependant): (給与所得 before it, the 控除)."""
    salary = salary_income_from_revenue(nat, inc.salary_revenue)
    if inc.income_adjustment_eligible and inc.salary_revenue > nat.adjustment_floor:
        top = min(inc.salary_revenue, nat.adjustment_ceiling)
        return salary, min(salary, ceil_yen((top - nat.adjustment_floor) * nat.adjustment_rate))
    return salary, 0


def _separate(inc: Income) -> tuple[int, int, int, int]:
    """分離課税の所得: 土地建物等の譲渡所得 before and after its 特別控除, 株式等 and 先物取引:
    (land before, land after, stocks, futures)."""
    land_after = land_before = stocks = futures = 0
    for s in inc.separate:
        if s.kind in LAND_KINDS:
            land_before += s.income
            land_after += max(0, s.income - s.special_deduction)
        elif s.kind in STOCK_KINDS:
            stocks += s.income
        else:
            futures += s.income
    return land_before, land_after, stocks, futures


def _is_earner(inc: Income, nat: National, over65: bool) -> bool:
    """給与所得者等: 給与収入 > 55万 (専従者給与 excluded) or 公的年金等収入 > 60万 / 125万 (65+).

    When only 所得 is given, the revenue test is read back through the same table:
    a 所得 above the table's value at the threshold means a 収入 above it.
    """
    if not inc.is_family_employee:
        if inc.salary_revenue is not None:
            if inc.salary_revenue > nat.earner_salary_over:
                return True
        elif (inc.salary_income or 0) > nat.earner_salary_income_over:
            return True
    if inc.pension_revenue is not None:
        return inc.pension_revenue > (nat.earner_pension_over_65 if over65
                                      else nat.earner_pension_over_under65)
    if not inc.pension_income:
        return False
    return inc.pension_income > (nat.earner_pension_income_over_65 if over65
                                 else nat.earner_pension_income_over_under65)


# ---------------------------------------------------------------- column form (numpy)

@attrs.frozen(slots=True)
class IncomeColumns:
    """:class:`PersonIncome` as columns: one int64 (bool for the flags) entry per person."""
    salary_income: Any
    pension_income: Any
    total_income: Any
    aggregate_income: Any
    basic_deduction: Any
    levy_base: Any
    judgement_income: Any
    pension_deduction_65: Any
    is_earner: Any
    declared: Any


def income_columns(pop, nat: National, fiscal_year: int, salary_share: Fraction | None = None,
                   share_before_adjustment: bool = False, rows=None) -> IncomeColumns:
    """Column form of :func:`person_income`: every person row of the population `pop`
    (:class:`levyrules.batch.population.Population`), or only the distinct person rows
    `rows` (an index array: the 非自発的失業 variant is wanted for a few persons only).

    Entry i equals ``person_income(person_i, nat, fiscal_year, salary_share,
    share_before_adjustment)`` field by field, in int64 without a per-person loop; the
    tables looked up only on the rows that give a 収入 (both 公的年金等 tables at once),
    the 分離課税 summed only for the persons who have one. Overflow: every amount is
    0 ≤ x < 10^15 yen (the input limit, checked when read), a person has at most 20
    amounts and 100 分離課税 items, so every sum or difference here is under 2 × 10^17;
    the only products are an amount × a rate numerator (the tables' rates on their common
    denominator, the 所得金額調整控除 rate, the 30/100 share), all taken by
    :func:`~levyrules.tariff.national.scale_column`: in int64 where it provably fits
    (numerators ≤ 32 in the shipped tables: under 4 × 10^16), on Python ints else.
    """
    from ..batch.population import NONE
    np = need_numpy()
    inc, birth, sep = pop.income, pop.birth, pop.separate
    if rows is not None:
        rows = np.asarray(rows, dtype=np.int64)
        inc = {k: v[rows] for k, v in inc.items()}
        birth = birth[rows]
        sep = _separate_of_rows(np, sep, rows, len(pop.birth))
    over65 = birth <= date(fiscal_year - 65, 1, 1).toordinal()
    s_rows = np.flatnonzero(inc["salary_revenue"] != NONE)      # 給与収入 given
    p_rows = np.flatnonzero(inc["pension_revenue"] != NONE)     # 公的年金等収入 given
    salary, takes, adjustment_a = _salary_and_adjustment(np, nat, inc, s_rows)
    salary[takes] -= adjustment_a
    other = _other_comprehensive(np, inc)
    sep_rows, land_before, land_after, stocks, futures = _separate_sums(np, sep)
    stocks_net = np.maximum(stocks - inc["stock_loss_carryover"][sep_rows], 0)
    # the 公的年金等控除 looks at the other 合計所得金額 (分離譲渡 before 特別控除)
    other_p = salary[p_rows] + other[p_rows] + inc["forestry_income"][p_rows]
    _add_to_rows(np, other_p, p_rows, sep_rows, land_before + stocks + futures)
    pension = np.maximum(inc["pension_income"], 0)           # as given (NONE, absent: 0)
    pension[p_rows] = pension_income_column(nat, inc["pension_revenue"][p_rows], over65[p_rows],
                                            other_p)
    # 所得金額調整控除 (b): both 給与所得 (from 収入) and 年金所得
    lim = nat.adjustment_pension_limit
    sal, pen = salary[s_rows], pension[s_rows]
    adjustment_b = np.where((sal > 0) & (pen > 0),
                            np.maximum(np.minimum(sal, lim) + np.minimum(pen, lim) - lim, 0), 0)
    salary[s_rows] = np.maximum(sal - adjustment_b, 0)
    if salary_share is not None:     # 非自発的失業者: 給与所得 × 30/100 (1円未満切捨て)
        salary = _salary_share_column(np, salary, salary_share, share_before_adjustment,
                                      (s_rows, sal, adjustment_b), (takes, adjustment_a))
    return _totals(np, nat, inc, over65, salary, pension, other,
                   (sep_rows, land_after + stocks_net + futures, land_before + stocks + futures,
                    land_before + stocks_net + futures),
                   _earner_columns(np, nat, inc, over65, s_rows, p_rows))


def _salary_share_column(np, salary, share: Fraction, before_adjustment: bool,
                         adjusted_b: tuple, adjusted_a: tuple):
    """The 非自発的失業 給与所得 × `share` (1円未満切捨て), after the 所得金額調整控除
    (default) or before it: `adjusted_b` = (the rows with a 給与収入, their 給与所得 before
    the 調整控除 (b), that 控除), `adjusted_a` = (the rows that take the 調整控除 (a), it)."""
    num, den = share.numerator, share.denominator
    if not before_adjustment:
        return scale_column(salary, num, den)
    s_rows, sal, adjustment_b = adjusted_b
    takes, adjustment_a = adjusted_a
    unadjusted = salary.copy()
    unadjusted[s_rows] = sal
    unadjusted[takes] += adjustment_a
    salary = scale_column(unadjusted, num, den)
    salary[takes] -= adjustment_a
    salary[s_rows] -= adjustment_b
    np.maximum(salary, 0, out=salary)
    return salary


def _add_to_rows(np, target, target_rows, rows, values) -> None:
    """target[i] += values[j] where target_rows[i] == rows[j] (both ascend, no repeats)."""
    if len(rows) and len(target_rows):
        pos = np.minimum(np.searchsorted(target_rows, rows), len(target_rows) - 1)
        hit = target_rows[pos] == rows
        target[pos[hit]] += values[hit]


def _totals(np, nat: National, inc: dict, over65, salary, pension, other,
            separate: tuple, earner) -> IncomeColumns:
    """総所得金額等, 合計所得金額, 基礎控除, the 所得割 base and the 軽減判定所得, as
    :func:`person_income` sums them; `separate` = (the persons with 分離課税, theirs in
    総所得金額等, in 合計所得金額, in the 軽減判定所得)."""
    sep_rows, in_total, in_aggregate, in_judgement = separate
    aggregate = salary + pension
    aggregate += other
    _add_any(np, aggregate, inc["forestry_income"])     # 総合課税 + 山林 (分離課税 below)
    total = aggregate - inc["net_loss_carryover"]
    pension_ded = np.minimum(pension, nat.pension_deduction_65)
    pension_ded *= over65
    # 軽減判定所得 (地方税法703条の5, 施行令56条の89) from `total` before 分離課税: 専従者給与
    # to the 事業主, none for the 専従者, 65歳以上 年金所得 − 15万, 分離譲渡 before 特別控除
    judgement = total - pension_ded
    _add_any(np, judgement, inc["family_employee_salary_paid"])
    family = np.flatnonzero(inc["is_family_employee"])
    judgement[family] -= salary[family]
    judgement[sep_rows] += in_judgement
    np.maximum(judgement, 0, out=judgement)
    total[sep_rows] += in_total
    np.maximum(total, 0, out=total)
    aggregate[sep_rows] += in_aggregate
    deduction = basic_deduction_column(nat, aggregate)
    base = total - deduction
    np.maximum(base, 0, out=base)
    return IncomeColumns(salary, pension, total, aggregate, deduction, base, judgement,
                         pension_ded, earner, inc["declared"].copy())


def _add_any(np, target, column) -> None:
    """target += column, unless it is all 0 (a count is cheaper than the sum)."""
    if np.count_nonzero(column):
        target += column


def _salary_and_adjustment(np, nat: National, inc: dict, s_rows):
    """給与所得 (from 収入 on the rows `s_rows`, else as given), and its 所得金額調整控除
    (a) on the rows `takes`: (min(収入, 1,000万) − 850万) × 10%, 1円未満切上げ, at most the
    給与所得 (租税特別措置法41条の3の11)."""
    salary = np.maximum(inc["salary_income"], 0)             # as given (NONE, absent: 0)
    revenue = inc["salary_revenue"][s_rows]
    salary[s_rows] = salary_income_column(nat, revenue)
    floor, rate = nat.adjustment_floor, nat.adjustment_rate
    takes = s_rows[inc["income_adjustment_eligible"][s_rows] & (revenue > floor)]
    span = np.minimum(inc["salary_revenue"][takes], nat.adjustment_ceiling) - floor
    ceiled = -scale_column(-span, rate.numerator, rate.denominator)     # ceil_yen
    return salary, takes, np.minimum(salary[takes], ceiled)


def _other_comprehensive(np, inc: dict):
    """総合課税 besides 給与 and 年金; 総合長期譲渡 and 一時所得 count by half."""
    halves = inc["comprehensive_capital_gains_long"] + inc["occasional_income"]
    halves //= 2
    for name in ("business_income", "agriculture_income", "real_estate_income",
                 "interest_income", "dividend_income", "misc_income",
                 "comprehensive_capital_gains_short"):
        _add_any(np, halves, inc[name])
    return halves


def _separate_sums(np, sep: dict):
    """分離課税 of the persons who have one: (those persons, 土地建物等 before and after
    特別控除, 株式等, 先物取引), summed by np.add.at on int64 (exact)."""
    persons, at = np.unique(sep["person"], return_inverse=True)
    out = np.zeros((4, len(persons)), dtype=np.int64)
    if len(persons):
        group_of = np.array([0 if k in LAND_KINDS else 2 if k in STOCK_KINDS else 3
                             for k in SEPARATE_KINDS], dtype=np.int64)
        group, amount = group_of[sep["kind"]], sep["income"]
        np.add.at(out, (group, at), amount)
        land = group == 0
        np.add.at(out[1], at[land], np.maximum(amount[land] - sep["special_deduction"][land], 0))
    return persons, out[0], out[1], out[2], out[3]


def _separate_of_rows(np, sep: dict, rows, n_persons: int) -> dict:
    """The 分離課税 rows of the persons `rows`, their person renumbered to the position."""
    position = np.full(n_persons, -1, dtype=np.int64)
    position[rows] = np.arange(len(rows), dtype=np.int64)
    at = position[sep["person"]]
    keep = at >= 0
    out = {k: v[keep] for k, v in sep.items()}
    out["person"] = at[keep]
    return out


def _earner_columns(np, nat: National, inc: dict, over65, s_rows, p_rows):
    """Column form of :func:`_is_earner`. An absent 所得 (NONE) or 0 is above no threshold
    (the thresholds read back as 所得 are table values, floored at 0)."""
    by_salary = inc["salary_income"] > nat.earner_salary_income_over
    by_salary[s_rows] = inc["salary_revenue"][s_rows] > nat.earner_salary_over
    by_pension = _over_by_age(np, inc["pension_income"], over65, nat.earner_pension_income_over_65,
                              nat.earner_pension_income_over_under65)
    by_pension[p_rows] = _over_by_age(np, inc["pension_revenue"][p_rows], over65[p_rows],
                                      nat.earner_pension_over_65, nat.earner_pension_over_under65)
    by_salary &= ~inc["is_family_employee"]
    return np.bitwise_or(by_salary, by_pension, out=by_salary)


def _over_by_age(np, amount, over65, limit_65: int, limit_under65: int):
    """amount > limit_65 where over65, else > limit_under65 (no np.where: slow here)."""
    out = amount > limit_65
    out &= over65
    return np.bitwise_or(out, (amount > limit_under65) & ~over65, out=out)

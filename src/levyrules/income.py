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
from .household import LAND_KINDS, SEPARATE_KINDS, STOCK_KINDS, Income, Person
from .money import ceil_yen
from .tariff.national import National, band_column, band_value, need_numpy, scale_column


@attrs.frozen(slots=True)
class PersonIncome:
    """One person's derived income figures for one fiscal year."""
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


def salary_income_from_revenue(nat: National, revenue: int) -> int:
    """給与収入 → 給与所得 (所得税法28条, 別表第五), before 所得金額調整控除."""
    return band_value(nat.salary_bands, revenue)


def salary_income_column(nat: National, revenue):
    """Column form of :func:`salary_income_from_revenue` (int64 revenues ≥ 0)."""
    return band_column(nat.salary_bands, revenue)


def pension_income_from_revenue(nat: National, revenue: int, over65: bool,
                                other_income: int = 0) -> int:
    """公的年金等収入 → 雑所得 (所得税法35条4項); the 控除 shrinks when other income is high."""
    extra = 0
    for over, add in nat.pension_other_income_adjustment:
        if other_income > over:
            extra = add
    return band_value(nat.pension_over65 if over65 else nat.pension_under65, revenue, extra)


def pension_income_column(nat: National, revenue, over65, other_income):
    """Column form of :func:`pension_income_from_revenue`: int64 revenues ≥ 0, bool
    65歳以上, int64 other 合計所得金額."""
    np = need_numpy()
    extra = np.zeros(len(revenue), dtype=np.int64)
    for over, add in nat.pension_other_income_adjustment:   # the later row wins, as above
        extra = np.where(other_income > over, add, extra)
    young = band_column(nat.pension_under65, revenue, extra)
    old = band_column(nat.pension_over65, revenue, extra)
    return np.where(over65, old, young)


def basic_deduction(nat: National, aggregate_income: int) -> int:
    """基礎控除 by 合計所得金額 (tapers above 2,400万)."""
    for up_to, value in nat.basic_deduction:
        if up_to is None or aggregate_income <= up_to:
            return value
    return 0


def basic_deduction_column(nat: National, aggregate_income):
    """Column form of :func:`basic_deduction` (the brackets ascend; only the last is open)."""
    np = need_numpy()
    ups = np.array([up for up, _ in nat.basic_deduction[:-1]], dtype=np.int64)
    values = np.array([v for _, v in nat.basic_deduction], dtype=np.int64)
    return values[np.searchsorted(ups, aggregate_income, side="left")]


def person_income(person: Person, nat: National, fiscal_year: int,
                  salary_share: Fraction | None = None,
                  share_before_adjustment: bool = False) -> PersonIncome:
    """Derive a person's income figures from the input (収入 or 所得 as given).

    `salary_share` (非自発的失業: 30/100) takes only that share of the 給与所得, after
    the 所得金額調整控除 (default) or before it (`share_before_adjustment`).
    """
    inc: Income = person.income
    over65 = is_65_at_income_year_end(fiscal_year, person.birth_date)

    # 給与所得
    adjustment = 0            # 所得金額調整控除 taken from the 給与所得
    if inc.salary_revenue is not None:
        salary = salary_income_from_revenue(nat, inc.salary_revenue)
        if inc.income_adjustment_eligible and inc.salary_revenue > nat.adjustment_floor:
            top = min(inc.salary_revenue, nat.adjustment_ceiling)
            adjustment = min(salary, ceil_yen((top - nat.adjustment_floor) * nat.adjustment_rate))
        salary_given = False
    else:
        salary = inc.salary_income or 0
        salary_given = True       # a given 給与所得 is taken as final (after 調整控除)
    unadjusted = salary
    salary -= adjustment

    halves = inc.comprehensive_capital_gains_long + inc.occasional_income
    other_comprehensive = (inc.business_income + inc.agriculture_income + inc.real_estate_income
                           + inc.interest_income + inc.dividend_income + inc.misc_income
                           + inc.comprehensive_capital_gains_short + halves // 2)
    land_after = land_before = stocks = futures = 0
    for s in inc.separate:
        if s.kind in LAND_KINDS:
            land_before += s.income
            land_after += max(0, s.income - s.special_deduction)
        elif s.kind in STOCK_KINDS:
            stocks += s.income
        else:
            futures += s.income
    stocks_net = max(0, stocks - inc.stock_loss_carryover)

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
    total = max(0, comprehensive + inc.forestry_income + land_after + stocks_net + futures
                - inc.net_loss_carryover)
    deduction = basic_deduction(nat, aggregate)
    base = total - deduction if total > deduction else 0

    # 軽減判定所得: 専従者給与 back to the 事業主, none for the 専従者, 分離譲渡 before
    # 特別控除, 65歳以上 年金所得 − 15万 (地方税法703条の5, 施行令56条の89)
    pension_ded = min(pension, nat.pension_deduction_65) if over65 else 0
    judged_salary = 0 if inc.is_family_employee else salary
    judgement = max(0, judged_salary + pension - pension_ded + other_comprehensive
                    + inc.family_employee_salary_paid + inc.forestry_income + land_before
                    + stocks_net + futures - inc.net_loss_carryover)

    return PersonIncome(salary, pension, total, aggregate, deduction, base, judgement,
                        pension_ded, _is_earner(inc, nat, over65), inc.declared)


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
    share_before_adjustment)`` field by field, in int64 without a per-person loop.
    Overflow: every amount is 0 ≤ x < 10^15 yen (the input limit, checked when read), a
    person has at most 20 amounts and 100 分離課税 items, so every sum or difference here
    is under 2 × 10^17 < 2^63; the only products are an amount × a rate numerator (the
    tables' rates, the 所得金額調整控除 rate, the 30/100 share), all taken by
    :func:`~levyrules.tariff.national.scale_column`, in int64 where it provably fits
    (numerators ≤ 19 for the shipped tables: under 2 × 10^16) and on Python ints else.
    """
    np = need_numpy()
    inc, birth, sep = pop.income, pop.birth, pop.separate
    if rows is not None:
        rows = np.asarray(rows, dtype=np.int64)
        inc = {k: v[rows] for k, v in inc.items()}
        birth = birth[rows]
        sep = _separate_of_rows(np, sep, rows, len(pop.birth))
    over65 = birth <= date(fiscal_year - 65, 1, 1).toordinal()
    has_srev, srev = _optional(np, inc["salary_revenue"])
    has_prev, prev = _optional(np, inc["pension_revenue"])
    unadjusted, adjustment = _salary_and_adjustment(np, nat, inc, has_srev, srev)
    salary = unadjusted - adjustment
    other_comprehensive = _other_comprehensive(inc)
    land_before, land_after, stocks, futures = _separate_sums(np, sep, len(birth))
    forestry, carryover = inc["forestry_income"], inc["net_loss_carryover"]
    stocks_net = np.maximum(stocks - inc["stock_loss_carryover"], 0)
    outside = forestry + land_before + stocks + futures      # 合計所得金額 besides 総合課税
    pension = np.where(has_prev, pension_income_column(
        nat, prev, over65, salary + other_comprehensive + outside),
        _optional(np, inc["pension_income"])[1])
    # 所得金額調整控除 (b): both 給与所得 (from 収入) and 年金所得
    lim = nat.adjustment_pension_limit
    both = has_srev & (salary > 0) & (pension > 0)
    b = np.where(both, np.maximum(np.minimum(salary, lim) + np.minimum(pension, lim) - lim, 0), 0)
    adjustment = adjustment + b
    salary = np.maximum(salary - b, 0)
    if salary_share is not None:     # 非自発的失業者: 給与所得 × 30/100 (1円未満切捨て)
        num, den = salary_share.numerator, salary_share.denominator
        if share_before_adjustment:
            salary = np.maximum(scale_column(unadjusted, num, den) - adjustment, 0)
        else:
            salary = scale_column(salary, num, den)
    comprehensive = salary + pension + other_comprehensive
    aggregate = comprehensive + outside
    total = np.maximum(comprehensive + forestry + land_after + stocks_net + futures
                       - carryover, 0)
    deduction = basic_deduction_column(nat, aggregate)
    pension_ded = np.where(over65, np.minimum(pension, nat.pension_deduction_65), 0)
    judged_salary = np.where(inc["is_family_employee"], 0, salary)
    judgement = np.maximum(judged_salary + pension - pension_ded + other_comprehensive
                           + inc["family_employee_salary_paid"] + forestry + land_before
                           + stocks_net + futures - carryover, 0)
    return IncomeColumns(
        salary, pension, total, aggregate, deduction,
        np.where(total > deduction, total - deduction, 0), judgement, pension_ded,
        _earner_columns(np, nat, inc, over65, has_srev, srev, has_prev, prev),
        inc["declared"].copy())


def _optional(np, column):
    """(given, the amount or 0) of an optional amount column (NONE = absent)."""
    from .batch.population import NONE
    given = column != NONE
    return given, np.where(given, column, 0)


def _salary_and_adjustment(np, nat: National, inc: dict, has_revenue, revenue):
    """給与所得 (from 収入, else as given) and its 所得金額調整控除 (a): (min(収入, 1,000万)
    − 850万) × 10%, 1円未満切上げ, at most the 給与所得 (租税特別措置法41条の3の11)."""
    salary = np.where(has_revenue, salary_income_column(nat, revenue),
                      _optional(np, inc["salary_income"])[1])
    floor, rate = nat.adjustment_floor, nat.adjustment_rate
    takes = has_revenue & inc["income_adjustment_eligible"] & (revenue > floor)
    span = np.maximum(np.minimum(revenue, nat.adjustment_ceiling) - floor, 0)
    ceiled = -scale_column(-span, rate.numerator, rate.denominator)    # ceil_yen
    return salary, np.where(takes, np.minimum(salary, ceiled), 0)


def _other_comprehensive(inc: dict):
    """総合課税 besides 給与 and 年金; 総合長期譲渡 and 一時所得 count by half."""
    halves = inc["comprehensive_capital_gains_long"] + inc["occasional_income"]
    return (inc["business_income"] + inc["agriculture_income"] + inc["real_estate_income"]
            + inc["interest_income"] + inc["dividend_income"] + inc["misc_income"]
            + inc["comprehensive_capital_gains_short"] + halves // 2)


def _separate_sums(np, sep: dict, n: int):
    """分離課税 per person: 土地建物等 before and after 特別控除, 株式等, 先物取引
    (np.add.at on int64: exact)."""
    out = np.zeros((4, n), dtype=np.int64)
    person = sep["person"]
    if len(person):
        group_of = np.array([0 if k in LAND_KINDS else 2 if k in STOCK_KINDS else 3
                             for k in SEPARATE_KINDS], dtype=np.int64)
        group, amount = group_of[sep["kind"]], sep["income"]
        np.add.at(out, (group, person), amount)
        land = group == 0
        np.add.at(out[1], person[land],
                  np.maximum(amount[land] - sep["special_deduction"][land], 0))
    return out


def _separate_of_rows(np, sep: dict, rows, n_persons: int) -> dict:
    """The 分離課税 rows of the persons `rows`, their person renumbered to the position."""
    position = np.full(n_persons, -1, dtype=np.int64)
    position[rows] = np.arange(len(rows), dtype=np.int64)
    at = position[sep["person"]]
    keep = at >= 0
    out = {k: v[keep] for k, v in sep.items()}
    out["person"] = at[keep]
    return out


def _earner_columns(np, nat: National, inc: dict, over65, has_srev, srev, has_prev, prev):
    """Column form of :func:`_is_earner`."""
    salary_income = _optional(np, inc["salary_income"])[1]
    pension_income = _optional(np, inc["pension_income"])[1]
    by_salary = ~inc["is_family_employee"] & np.where(
        has_srev, srev > nat.earner_salary_over, salary_income > nat.earner_salary_income_over)
    revenue_over = np.where(over65, nat.earner_pension_over_65, nat.earner_pension_over_under65)
    income_over = np.where(over65, nat.earner_pension_income_over_65,
                           nat.earner_pension_income_over_under65)
    by_pension = np.where(has_prev, prev > revenue_over,
                          (pension_income != 0) & (pension_income > income_over))
    return by_salary | by_pension

"""Income (所得): 収入→所得, the 所得割 base per person, and each person's share of
the household's 軽減判定所得 and 給与所得者等 status.

All of it is the previous calendar year's income (前年所得), judged with the
national tables of that income year (examples.md §C, rulebook §1.3, §3.2, §3.4).
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from .calendar import is_65_at_income_year_end
from .household import LAND_KINDS, STOCK_KINDS, Income, Person
from .money import ceil_yen
from .tariff.national import National, band_value


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


def pension_income_from_revenue(nat: National, revenue: int, over65: bool,
                                other_income: int = 0) -> int:
    """公的年金等収入 → 雑所得 (所得税法35条4項); the 控除 shrinks when other income is high."""
    extra = 0
    for over, add in nat.pension_other_income_adjustment:
        if other_income > over:
            extra = add
    return band_value(nat.pension_over65 if over65 else nat.pension_under65, revenue, extra)


def basic_deduction(nat: National, aggregate_income: int) -> int:
    """基礎控除 by 合計所得金額 (tapers above 2,400万)."""
    for up_to, value in nat.basic_deduction:
        if up_to is None or aggregate_income <= up_to:
            return value
    return 0


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

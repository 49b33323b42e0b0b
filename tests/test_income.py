"""収入→所得 and the 所得割 base (examples.md §C, rulebook §1.3)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from levyrules.engine.household import NO_INCOME, Income, Person
from levyrules.engine.income import (basic_deduction, pension_income_from_revenue, person_income,
                                     salary_income_from_revenue)
from levyrules.tariff import national
from datetime import date

N25 = national(2025)
N26 = national(2026)


@pytest.mark.parametrize("revenue, income", [
    (3000000, 2020000), (2000000, 1320000), (2500000, 1670000), (1200000, 650000),
    (1050000, 500000), (1030000, 480000), (1000000, 450000), (950000, 400000),
    (990000, 440000), (550999, 0), (551000, 1000), (5812500, 4209600),   # 朝倉市 worked check
    (1619000, 1069000), (1627999, 1074000), (1628000, 1076800), (8500000, 6550000),
])
def test_salary_income_income_year_2024(revenue, income):
    assert salary_income_from_revenue(N25, revenue) == income


@pytest.mark.parametrize("revenue, income", [
    (650999, 999 * 0), (651000, 1000), (1000000, 350000), (1899999, 1249999),
    (1900000, 1250000), (3000000, 2020000),
])
def test_salary_income_income_year_2025_minimum_650000(revenue, income):
    assert salary_income_from_revenue(N26, revenue) == income


@pytest.mark.parametrize("revenue, over65, income", [
    (1600000, True, 500000), (2000000, True, 900000), (3000000, True, 1900000),
    (1300000, False, 700000), (1200000, True, 100000), (2100000, True, 1000000),
    (600000, False, 0), (1100000, True, 0), (4100000, True, 2800000),
])
def test_pension_income(revenue, over65, income):
    assert pension_income_from_revenue(N25, revenue, over65) == income


def test_pension_deduction_shrinks_with_high_other_income():
    assert pension_income_from_revenue(N25, 1050000, True, other_income=10000001) == 50000
    assert pension_income_from_revenue(N25, 1050000, True, other_income=20000001) == 150000


@pytest.mark.parametrize("aggregate, deduction", [
    (24000000, 430000), (24000001, 290000), (24500000, 290000), (24500001, 150000),
    (25000000, 150000), (25000001, 0)])
def test_basic_deduction_taper(aggregate, deduction):
    assert basic_deduction(N25, aggregate) == deduction


def _p(birth="1980-01-01", **income):
    return Person("p1", date.fromisoformat(birth), (), Income(**income))


def test_income_adjustment_b_salary_and_pension():
    # 給与所得 300万 + 年金所得 8万 → 調整控除 8万 → 給与所得 292万 (春日井市 example)
    # 給与収入 4,300,000 → 1,075,000 × 3.2 − 440,000 = 3,000,000
    pi = person_income(_p(salary_income=3000000, pension_income=80000), N25, 2025)
    assert pi.salary_income == 3000000          # a given 給与所得 is taken as final
    pi = person_income(_p(salary_revenue=4300000, pension_revenue=680000), N25, 2025)
    assert pi.pension_income == 80000
    assert pi.salary_income == 3000000 - 80000


def test_income_adjustment_a_rounds_up():
    pi = person_income(_p(salary_revenue=9000005, income_adjustment_eligible=True), N25, 2025)
    # 9,000,005 − 1,950,000 = 7,050,005; (9,000,005 − 8,500,000) × 10% = 50,000.5 → 50,001
    assert pi.salary_income == 7050005 - 50001


def test_separate_gains_after_special_deduction_for_levy_before_for_judgement():
    from levyrules.engine.household import SeparateIncome
    sep = (SeparateIncome("land_long", 5000000, 3000000),)
    pi = person_income(_p(separate=sep), N25, 2025)
    assert pi.total_income == 2000000 and pi.levy_base == 1570000
    assert pi.judgement_income == 5000000


# 合計所得金額 counts 分離課税の土地建物等の譲渡所得 before its 特別控除 (国税庁 タックスアンサー
# No.1199 基礎控除 / No.1180 扶養控除, 「合計所得金額」の注: 「申告分離課税の所得がある場合には、
# それらの所得金額（長（短）期譲渡所得については特別控除前の金額）の合計額を加算した金額」;
# rulebook §1.3). The 所得割 base keeps the amount after the deduction.

def test_aggregate_income_counts_land_gains_before_the_special_deduction():
    from levyrules.engine.household import SeparateIncome
    # business 2,000,000 + land 23,000,000 with a 30,000,000 deduction: 合計所得 25,000,000
    sep = (SeparateIncome("land_long", 23000000, 30000000),)
    pi = person_income(_p(business_income=2000000, separate=sep), N25, 2025)
    assert pi.aggregate_income == 25000000
    assert pi.basic_deduction == 150000              # 2,450万超 2,500万以下
    assert pi.total_income == 2000000                # the gain is 0 after the deduction
    assert pi.levy_base == 2000000 - 150000          # (it was 1,570,000 with 43万)
    sep = (SeparateIncome("land_short", 23000001, 30000000),)
    pi = person_income(_p(business_income=2000000, separate=sep), N25, 2025)
    assert pi.basic_deduction == 0 and pi.levy_base == 2000000


def test_pension_deduction_adjustment_counts_land_gains_before_the_special_deduction():
    from levyrules.engine.household import SeparateIncome
    # 年金以外の合計所得金額 = land 10,000,001 before its 5,000,000 deduction: > 1,000万, so
    # the 公的年金等控除 is 10万 smaller (所得税法35条4項; 国税庁 No.1600)
    sep = (SeparateIncome("land_long", 10000001, 5000000),)
    pi = person_income(_p("1950-01-01", pension_revenue=1050000, separate=sep), N25, 2025)
    assert pi.pension_income == 50000
    sep = (SeparateIncome("land_long", 10000000, 5000000),)
    pi = person_income(_p("1950-01-01", pension_revenue=1050000, separate=sep), N25, 2025)
    assert pi.pension_income == 0


def test_carryovers_and_halves():
    from levyrules.engine.household import SeparateIncome
    sep = (SeparateIncome("stocks", 800000), SeparateIncome("listed_dividends", 100000))
    pi = person_income(_p(business_income=1000000, occasional_income=300001,
                          comprehensive_capital_gains_long=100000, separate=sep,
                          stock_loss_carryover=1000000, net_loss_carryover=200000), N25, 2025)
    # 1,000,000 + (300,001 + 100,000)//2 = 1,200,000; stocks 900,000 − 1,000,000 → 0; − 200,000
    assert pi.total_income == 1000000
    assert pi.aggregate_income == 1200000 + 900000


def test_family_employee_salary_moves_to_the_owner_for_judgement_only():
    owner = person_income(_p(business_income=1800000, family_employee_salary_paid=1000000), N25, 2025)
    worker = person_income(_p(salary_revenue=1000000, is_family_employee=True), N25, 2025)
    assert owner.levy_base == 1370000 and owner.judgement_income == 2800000
    assert worker.levy_base == 20000 and worker.judgement_income == 0
    assert not worker.is_earner      # 専従者給与 does not make a 給与所得者等 (倉敷市)


@pytest.mark.parametrize("income, birth, earner", [
    ({"salary_revenue": 550000}, "1980-01-01", False),
    ({"salary_revenue": 550001}, "1980-01-01", True),
    ({"pension_revenue": 600000}, "1970-01-01", False),
    ({"pension_revenue": 600001}, "1970-01-01", True),
    ({"pension_revenue": 1250000}, "1955-01-01", False),
    ({"pension_revenue": 1250001}, "1955-01-01", True),
    ({"pension_income": 150000}, "1955-01-01", False),   # 所得 given: 150,000 ⇔ 収入 1,250,000
    ({"pension_income": 150001}, "1955-01-01", True),
    ({"salary_income": 1}, "1980-01-01", True),
    ({"business_income": 5000000}, "1980-01-01", False),
])
def test_wage_earner(income, birth, earner):
    assert person_income(_p(birth, **income), N25, 2025).is_earner is earner


def test_65_special_deduction_only_in_judgement():
    pi = person_income(_p("1955-06-01", pension_revenue=1600000), N25, 2025)
    assert pi.levy_base == 70000
    assert pi.judgement_income == 350000 and pi.pension_deduction_65 == 150000
    young = person_income(_p("1965-06-01", pension_revenue=1600000), N25, 2025)
    assert young.pension_deduction_65 == 0


# ---------------------------------------------------------------- property


@settings(max_examples=200, deadline=None)
@given(gain=st.integers(0, 60_000_000), ded=st.integers(0, 50_000_000),
       biz=st.integers(0, 30_000_000), pension=st.integers(0, 5_000_000),
       kind=st.sampled_from(["land_long", "land_short"]))
def test_the_special_deduction_never_changes_the_aggregate_income(gain, ded, biz, pension, kind):
    """国税庁's 合計所得金額 counts the 分離譲渡 before its 特別控除, so the deduction changes
    neither the 合計所得金額, nor the 基礎控除 it decides, nor the 公的年金等控除 adjustment;
    it lowers only the 所得割 base, by at most its own amount."""
    from levyrules.engine.household import SeparateIncome
    def pi(d):
        return person_income(_p("1950-01-01", business_income=biz, pension_revenue=pension,
                                separate=(SeparateIncome(kind, gain, d),)), N25, 2025)
    with_ded, without = pi(ded), pi(0)
    assert with_ded.aggregate_income == without.aggregate_income
    assert with_ded.basic_deduction == without.basic_deduction
    assert with_ded.pension_income == without.pension_income
    assert with_ded.judgement_income == without.judgement_income
    assert 0 <= without.levy_base - with_ded.levy_base <= min(ded, gain)


@pytest.mark.parametrize("birth", [date(1950, 1, 1), date(1960, 1, 1), date(1960, 1, 2),
                                   date(1990, 5, 5)])
@pytest.mark.parametrize("fy", [2024, 2025, 2026])
def test_no_income_figures_shared_by_table_and_age(birth, fy):
    """A person with no income (household.NO_INCOME, derived once per national table and
    65歳以上 flag) has the figures of any empty Income: 基礎控除 of 0 income, no earner."""
    nat = national(fy)
    shared = person_income(Person("p", birth, income=NO_INCOME), nat, fy)
    fresh = person_income(Person("p", birth, income=Income(declared=True)), nat, fy)
    assert Income(declared=True) is not NO_INCOME
    assert shared == fresh
    assert shared.basic_deduction == basic_deduction(nat, 0) and not shared.is_earner
    assert person_income(Person("p", birth, income=NO_INCOME), nat, fy) is shared

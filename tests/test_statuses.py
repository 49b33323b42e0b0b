"""Special statuses (rulebook §5, §6, §8, §13.9), amounts worked out by hand.

Tariff koriyama/2025: 医療 7.3% / 23,100 / 18,400; 支援 2.9% / 8,000 / 6,400;
介護 2.2% / 10,500 / 5,300.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

from levyrules.engine.calendar import months_text
from levyrules.rules.former_dependent import half_mask

from conftest import household, person

T = "koriyama/2025"


def amounts(r):
    return {k: c.amount for k, c in r.components.items()}


# ---------------------------------------------------------------- 非自発的失業 (§6)

def test_worker_dismissed_in_august_existing_member(run):
    # p1 (45) insured all year, 給与収入 300万 → 給与所得 2,020,000 (base 1,590,000);
    # separated 2025-08-20, reason 11 → 特例 from August (day after: 08-21) to March 2027:
    # FY2025 months Aug–Mar (8). Reduced 給与所得 606,000 → base 176,000.
    unemployed = person("p1", "1980-05-05", income={"salary_revenue": 3000000},
                        statuses={"involuntary_unemployment":
                                  {"separation_date": "2025-08-20", "reason_code": "11"}})
    data = household(2025, [unemployed, person("p2", "1982-01-01")])
    r = run(data, T, trace=True)
    # 判定日 4/1 is before the 特例 period: judged on the normal income, not re-judged (§3.5)
    assert r.reduction.judgement_income == 2020000 and r.reduction.tier == 0
    med = r.components["medical"]
    assert med.income_levy == 116070                       # 1,590,000 × 7.3%, before the 特例
    # (1,590,000 − 176,000) × 7.3% × 8/12 = 103,222 × 8/12 = 68,814.67
    assert med.reductions == {"involuntary_unemployment": 68814}
    # 116,070 − 68,814.67 + 2 × 23,100 + 18,400 = 111,855.33 → 111,800
    assert med.levy == 111855 and med.amount == 111800
    care = r.components["care"]
    # 1,590,000 × 2.2% = 34,980 − 1,414,000 × 2.2% × 8/12 (20,738.67) + 21,000 + 5,300
    # = 40,541.33
    assert care.levy == 40541 and care.amount == 40500
    steps = [s for s in r.trace if s["rule"] == "involuntary_unemployment"]
    assert any("000011111111" in s["text"] for s in steps)


def test_dismissed_worker_joining_alone_is_judged_on_the_reduced_income(run):
    # joins 国保 the day after separation: 判定日 = 資格取得日, inside the 特例 period
    p = person("p1", "1980-05-05", insured=[("2025-08-21", None)],
               income={"salary_revenue": 3000000},
               statuses={"involuntary_unemployment":
                         {"separation_date": "2025-08-20", "reason_code": "11"}})
    r = run(household(2025, [p]), T)
    assert r.reduction.judged_on.isoformat() == "2025-08-21"
    # 606,000 ≤ 430,000 + 305,000 → 5割 (without the 特例 2,020,000: no 軽減)
    assert r.reduction.judgement_income == 606000 and r.reduction.tier == 50


def test_unemployment_not_applied_for_other_reasons_or_age(run):
    for reason, birth in (("40", "1980-05-05"), ("11", "1960-01-01")):
        p = person("p1", birth, income={"salary_revenue": 3000000},
                   statuses={"involuntary_unemployment":
                             {"separation_date": "2025-08-20", "reason_code": reason}})
        plain = person("p1", birth, income={"salary_revenue": 3000000})
        r = run(household(2025, [p]), T, trace=True)
        assert amounts(r) == amounts(run(household(2025, [plain]), T))
        assert any(s["rule"] == "involuntary_unemployment" and "対象外" in s["text"] for s in r.trace)


# ---------------------------------------------------------------- 産前産後 (§5)

def _mother(fy, expected, multiple=False, actual=None):
    return person("p2", "1995-03-03", income={"business_income": 1000000},
                  statuses={"childbirth": {"expected_date": expected, "actual_date": actual,
                                           "multiple": multiple}})


def _father():
    return person("p1", "1993-02-02", income={"salary_revenue": 4000000})   # 給与所得 2,760,000


def test_childbirth_single_december(run):
    r = run(household(2025, [_father(), _mother(2025, "2025-12-10")]), T)
    med = r.components["medical"]
    # mother: 所得割 570,000 × 7.3% = 41,610; 均等割 23,100; exempt Nov–Feb (4 months):
    # (41,610 + 23,100) × 4/12 = 21,570
    assert med.reductions == {"childbirth": 21570}
    # (2,330,000 + 570,000) × 7.3% = 211,700 + 46,200 + 18,400 − 21,570 = 254,730
    assert med.levy == 254730 and med.amount == 254700
    assert r.components["care"].reductions == {}          # both under 40


def test_childbirth_twins_born_next_fiscal_year(run):
    # twins expected 2026-05-10: M−3..M+2 = Feb 2026 .. Jul 2026
    r25 = run(household(2025, [_father(), _mother(2025, "2026-05-10", True)]), T)
    # FY2025: Feb, Mar → 64,710 × 2/12 = 10,785
    assert r25.components["medical"].reductions == {"childbirth": 10785}
    data26 = household(2026, [_father(), _mother(2026, "2026-05-10", True)])
    r26 = run(data26, "machida/2026")
    # FY2026, machida: mother base 1,000,000 − 430,000 = 570,000 (2025 income); Apr–Jul (4):
    # 医療 (570,000 × 6.77% = 38,589 + 40,200) × 4/12 = 26,263
    assert r26.components["medical"].reductions == {"childbirth": 26263}
    # 子ども分 (570,000 × 0.30% = 1,710 + 1,855 + 105) × 4/12 = 1,223.33
    assert r26.components["child"].reductions == {"childbirth": 1223}


def test_childbirth_before_2024_only_january_onwards(run):
    # birth 2023-11-20 (FY2023): single → Oct 2023 .. Jan 2024, but only months ≥ 2024-01
    from levyrules.rules.childbirth import exempt_mask
    from levyrules.engine.household import Childbirth
    from datetime import date
    from levyrules.engine.calendar import months_text
    assert months_text(exempt_mask(2023, Childbirth(date(2023, 11, 20)))) == "000000000100"
    assert exempt_mask(2023, Childbirth(date(2023, 10, 31))) == 0   # before 2023-11-01


def test_childbirth_uses_actual_birth_month(run):
    r = run(household(2025, [_father(), _mother(2025, "2025-12-10", actual="2026-01-05")]), T)
    # actual January → Dec–Mar (4 months) in FY2025
    assert r.components["medical"].reductions == {"childbirth": 21570}


# ---------------------------------------------------------------- 旧被扶養者 (§8)

def _fd(pension, since="2025-04-01"):
    return person("p1", "1955-03-01", income={"pension_revenue": pension},
                  statuses={"former_dependent": {"since": since}})


def test_former_dependent_single_7割(run):
    r = run(household(2025, [_fd(1600000)]), T)
    assert r.reduction.tier == 70
    med = r.components["medical"]
    # 所得割 70,000 × 7.3% = 5,110 exempt; 均等割 and 平等割: 7割 (6,930 / 5,520) beats 5割
    assert med.reductions["former_dependent"] == 5110
    assert med.levy == 5110 + 6930 + 5520 and med.amount == 12400   # 17,560 − 5,110 = 12,450


def test_former_dependent_single_2割(run):
    r = run(household(2025, [_fd(2000000)]), T)
    # 年金 200万 → 900,000; 判定 750,000 → 2割; base 470,000
    assert r.reduction.tier == 20
    med = r.components["medical"]
    # 所得割 34,310 exempt; 均等割 23,100: 2割 leaves 18,480, 5割 leaves 11,550 → 6,930 more;
    # 平等割 18,400: 2割 leaves 14,720, 5割 9,200 → 5,520 more
    assert med.reductions == {"statutory": 4620 + 3680, "former_dependent": 34310 + 6930 + 5520}
    assert med.amount == 20700                                # 11,550 + 9,200 = 20,750


def test_former_dependent_half_ends_after_two_years(run):
    """「資格取得日の属する月以後2年を経過する月まで」 = the month of joining and the 23
    after it (24 in all; 三鷹市 FAQ 061807 「資格取得日の属する月から最大2年間」). Dated:
    三島市 (http://www.city.mishima.shizuoka.jp/ipn039472.html) — joined 平成29年4月 or
    earlier → the 均等割・平等割 減額 ends with 平成30年度 (March 2019); joined 平成29年5月
    or later → ends as each 2 years pass (April 2019 for a May 2017 joiner)."""
    r = run(household(2025, [_fd(2000000, since="2023-06-01")]), T)
    med = r.components["medical"]
    # half 2023-06..2025-05: Apr–May of FY2025, 2 months: (6,930 + 5,520) × 2/12 = 2,075
    assert med.reductions["former_dependent"] == 34310 + 2075


@pytest.mark.parametrize("since, half_months", [
    ("2017-04-01", "000000000000"),    # 三島市: 平成29年4月 → ended with 平成30年度
    ("2017-05-01", "100000000000"),    # 平成29年5月 → its 24th month is 2019-04
    ("2017-04-30", "000000000000"),    # the day in the month does not matter
])
def test_former_dependent_half_period_mishima(since, half_months):
    assert months_text(half_mask(2019, date.fromisoformat(since))) == half_months


def test_former_dependent_joined_under_65_is_not_eligible(run):
    p = person("p1", "1962-03-01", income={"pension_revenue": 2000000},
               statuses={"former_dependent": {"since": "2025-04-01"}})
    r = run(household(2025, [p]), T)
    assert "former_dependent" not in r.components["medical"].reductions


# ---------------------------------------------------------------- 介護適用除外 (§13.9)

def test_care_member_entering_exempt_facility_in_july(run):
    p = person("p1", "1975-06-06", income={"business_income": 2430000},
               statuses={"care_exempt_facility": [{"from": "2025-07-10", "until": None}]})
    r = run(household(2025, [p]), T)
    care = r.components["care"]
    # 介護 months Apr–Jun: 2,000,000 × 2.2% × 3/12 = 11,000; 10,500 × 3/12 = 2,625;
    # 5,300 × 3/12 = 1,325 → 14,950
    assert care.months == 3 and care.levy == 14950 and care.amount == 14900
    assert r.components["medical"].months == 12           # 医療・支援 unchanged
    assert r.persons[0].care_months == 0b111


@settings(max_examples=300, deadline=None)
@given(since=st.dates(date(2015, 1, 1), date(2027, 12, 31)))
def test_former_dependent_half_is_24_months_from_the_month_of_joining(since):
    """Over the fiscal years, the 均等割・平等割 5割 months are exactly 24, the first one
    the month of joining (「資格取得日の属する月以後2年を経過する月まで」, 民法143条)."""
    masks = {fy: half_mask(fy, since) for fy in range(since.year - 1, since.year + 3)}
    months = [(fy, i) for fy, m in masks.items() for i in range(12) if m >> i & 1]
    assert len(months) == 24
    fy, i = months[0]
    first = (fy * 12 + 3 + i)
    assert first == since.year * 12 + since.month - 1
    assert months[-1][0] * 12 + 3 + months[-1][1] == first + 23

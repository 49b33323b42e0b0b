"""Collection and revision: 期割, 仮算定, 特別徴収, 更正, 過年度 and 期間制限.

いわき市's rates are not known for 令和5年度 (tariffs/iwaki/2023.yaml lists every
component under `missing`), so these tests use a test tariff that `extends: iwaki/2023`
— keeping the city's published 納期 — and adds FIXTURE rates, stated here:

    医療分  所得割 7%    均等割 20,000  平等割 20,000  限度 650,000
    支援分  所得割 2.5%  均等割  8,000  平等割  7,000  限度 220,000
    介護分  所得割 2%    均等割  9,000  平等割  6,000  限度 170,000

Every amount below is worked out by hand in the comments.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import levyrules
from levyrules import InputError, MissingTariffValue
from levyrules.collection import (AT_ONCE, SPECIAL_FINAL, SPECIAL_PROVISIONAL,
                                  PensionFacts, final_installments, ordinary_installments,
                                  provisional_installments, reschedule, special_eligibility,
                                  special_schedule)
from levyrules.collection.limitation import (LimitationExpired, past_year_slots, period_end,
                                             within_period)
from levyrules.collection.revision import revise
from levyrules.tariff.model import DuePeriod, InstallmentPlan

ROOT = Path(__file__).parents[1]

FIXTURE_RATES = """\
components:
  medical: {income_rate: "7%", per_capita: 20000, per_household: 20000, cap: 650000}
  support: {income_rate: "2.5%", per_capita: 8000, per_household: 7000, cap: 220000}
  care: {income_rate: "2%", per_capita: 9000, per_household: 6000, cap: 170000}
"""

TEST_TARIFF = """\
extends: iwaki/2023
status_note: test fixture rates, NOT いわき市's (its 令和5年度 rates were not found)
provenance:
  - {title: levyrules test fixture, url: "https://levyrules.invalid/fixture"}
missing: []
""" + FIXTURE_RATES


@pytest.fixture(scope="module")
def tariff_path(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("tariffs") / "iwaki-2023-fixture.yaml"
    p.write_text(TEST_TARIFF, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def tariff(tariff_path):
    return levyrules.load_tariff(tariff_path)


def person(pid, birth, start="2023-04-01", until=None, **income):
    return {"id": pid, "birth_date": birth, "insured": [{"from": start, "until": until}]
            if start else [], "income": income}


def household(*persons, fy=2023, head="p1", hid="H-IWAKI-1"):
    return levyrules.Household.from_json({"id": hid, "fiscal_year": fy, "head": head,
                                          "persons": list(persons)})


# p1: 営業所得 3,000,000 → 所得割 base 3,000,000 − 430,000 = 2,570,000; born 1980 (介護分)
# p2: no income, born 1990. 軽減判定所得 3,000,000 > 2割 430,000 + 535,000 × 2 → no 軽減.
P1 = person("p1", "1980-05-10", business_income=3_000_000)
P2 = person("p2", "1990-01-01")
#  医療 2,570,000 × 7% = 179,900 + 20,000 × 2 + 20,000        = 239,900
#  支援 2,570,000 × 2.5% = 64,250 + 8,000 × 2 + 7,000 = 87,250 → 87,200
#  介護 2,570,000 × 2% = 51,400 + 9,000 + 6,000                 =  66,400
#  年税額 393,500; ÷ 8 = 49,187.5 → 49,100 × 8 = 392,800, remainder 700 → 第1期 49,800
TOTAL = 393_500
INITIAL = [49_800] + [49_100] * 7
IWAKI_DUES = ["2023-07-31", "2023-08-31", "2023-10-02", "2023-10-31", "2023-11-30",
              "2023-12-25", "2024-01-31", "2024-02-29"]


@pytest.fixture(scope="module")
def initial(tariff):
    """The 当初賦課 as `levyrules assess` prints it."""
    return levyrules.assess(household(P1, P2), tariff).to_json()


# ---------------------------------------------------------------- tariffs and 期割

def test_iwaki_plans_are_shipped_with_their_dates():
    t23 = levyrules.load_tariff("iwaki/2023")
    plan = t23.installments
    assert [p.due.isoformat() for p in plan.periods] == IWAKI_DUES
    assert not any(p.derived for p in plan.periods)
    assert (plan.unit, plan.remainder) == (100, "first")
    assert [p.due.isoformat() for p in plan.special.provisional] == \
        ["2023-04-14", "2023-06-15", "2023-08-15"]
    assert [p.due.isoformat() for p in plan.special.final] == \
        ["2023-10-13", "2023-12-15", "2024-02-15"]
    for fy in (2024, 2025):
        plan = levyrules.load_tariff(f"iwaki/{fy}").installments
        assert len(plan.periods) == 8 and all(p.derived for p in plan.periods)
        assert plan.periods[0].due == date(fy, 7, 31)
        assert all(p.derived for p in plan.special.provisional + plan.special.final)
    # 2024-08-31 is a Saturday → Monday 2 September; 2026-01-31 a Saturday → 2 February
    assert levyrules.load_tariff("iwaki/2024").installments.periods[1].due == date(2024, 9, 2)
    assert levyrules.load_tariff("iwaki/2025").installments.periods[6].due == date(2026, 2, 2)


def test_iwaki_2023_alone_refuses_and_names_what_is_missing():
    with pytest.raises(MissingTariffValue, match="components.medical is not known"):
        levyrules.assess(household(P1, P2), levyrules.load_tariff("iwaki/2023"))
    part = levyrules.assess(household(P1, P2), levyrules.load_tariff("iwaki/2023"), partial=True)
    assert part.total is None and part.to_json()["installments"] == []


def test_eight_installments_add_up_to_the_annual_tax(initial):
    assert {k: c["amount"] for k, c in initial["components"].items()} == \
        {"medical": 239_900, "support": 87_200, "care": 66_400}
    assert initial["total"] == TOTAL
    assert initial["installments"] == [{"period": i + 1, "due": d, "amount": a}
                                       for i, (d, a) in enumerate(zip(IWAKI_DUES, INITIAL))]
    assert sum(i["amount"] for i in initial["installments"]) == TOTAL


def test_unit_and_remainder_rules():
    plan = InstallmentPlan(tuple(DuePeriod(i + 1, date(2025, 6 + i, 30)) for i in range(5)))
    # 新宮市's rule on 10 periods: 240,600 → 第1期 24,600, others 24,000 (rulebook §11.4)
    ten = InstallmentPlan(tuple(DuePeriod(i + 1, date(2025, 1, 1 + i)) for i in range(10)))
    assert [i.amount for i in ordinary_installments(240_600, ten)] == [24_600] + [24_000] * 9
    # unit 1,000 (the statute's default), remainder to the last period, to period 3
    assert [i.amount for i in ordinary_installments(
        123_456, InstallmentPlan(plan.periods, unit=1000))] == [27_456, 24_000, 24_000, 24_000, 24_000]
    assert [i.amount for i in ordinary_installments(
        123_456, InstallmentPlan(plan.periods, remainder="last"))] == [24_600] * 4 + [25_056]
    assert [i.amount for i in ordinary_installments(
        123_456, InstallmentPlan(plan.periods, remainder=3))] == [24_600, 24_600, 25_056, 24_600, 24_600]
    # less than one unit a period: everything in the remainder period, nothing negative
    assert [i.amount for i in ordinary_installments(300, plan)] == [300, 0, 0, 0, 0]


def test_a_household_liable_from_november_is_split_over_the_periods_left(tariff):
    """p1 alone from 2023-11-20 (5 months, Nov–Mar); liability starts after 第1〜4期.
    医療 74,958.33 + 8,333.33 + 8,333.33 = 91,624.99 → 91,600
    支援 26,770.83 + 3,333.33 + 2,916.67 = 33,020.83 → 33,000
    介護 21,416.67 + 3,750 + 2,500 = 27,666.67 → 27,600;  total 152,200
    over 第5〜8期: 38,050 → 38,000 × 4 + 200 → 第5期 38,200."""
    a = levyrules.assess(household(person("p1", "1980-05-10", "2023-11-20",
                                          business_income=3_000_000)), tariff).to_json()
    assert a["total"] == 152_200
    assert [(i["period"], i["amount"]) for i in a["installments"]] == \
        [(5, 38_200), (6, 38_000), (7, 38_000), (8, 38_000)]


# ---------------------------------------------------------------- 仮算定

def test_provisional_then_final_like_minami_ise():
    """12 periods April–March, the first 3 from last year's tax (南伊勢町, rulebook §11.4)."""
    months = [(2025, m) for m in range(4, 13)] + [(2026, m) for m in range(1, 4)]
    plan = InstallmentPlan(tuple(DuePeriod(i + 1, date(y, m, 28)) for i, (y, m) in
                                 enumerate(months)), provisional_periods=3)
    # last year 250,000: 250,000 / 12 = 20,833 → 20,800 each (62,400 ≤ ½ of 250,000)
    prov = provisional_installments(250_000, plan)
    assert [i.amount for i in prov] == [20_800] * 3
    # 本算定 300,100: rest 237,700 over 9 periods = 26,411 → 26,400 × 9 = 237,600;
    # the remainder 100 goes to the first 本算定 period (July)
    sched = final_installments(300_100, plan, prov)
    assert [i.amount for i in sched.installments] == [20_800] * 3 + [26_500] + [26_400] * 8
    assert sched.total == 300_100 and sched.overpaid == 0
    # a tax that fell below the 仮算定: the later periods are 0, the excess is refunded
    low = final_installments(50_000, plan, prov)
    assert low.total == 62_400 and low.overpaid == 12_400
    # ½ cap: 7 provisional periods of 120,000 / 12 = 10,000 stop at 60,000
    capped = provisional_installments(120_000, InstallmentPlan(plan.periods, provisional_periods=7))
    assert [i.amount for i in capped] == [10_000] * 6 + [0]
    assert [i.amount for i in provisional_installments(None, plan)] == [0, 0, 0]


# ---------------------------------------------------------------- 特別徴収

# Two pensioners, 67 and 66 on 1 April 2023, 公的年金 1,000,000 and 600,000: 年金所得 0
# (65歳以上 110万 控除), 軽減判定所得 0 ≤ 430,000 → 7割軽減:
#   医療 均等割 20,000 × 0.3 = 6,000 × 2 + 平等割 20,000 × 0.3 = 6,000 → 18,000
#   支援 均等割  8,000 × 0.3 = 2,400 × 2 + 平等割  7,000 × 0.3 = 2,100 →  6,900
#   年税額 24,900 (no 介護分: both over 64)
PENSIONERS = (person("p1", "1955-06-10", pension_revenue=1_000_000),
              person("p2", "1957-01-01", pension_revenue=600_000))
GOOD_PENSION = PensionFacts(annual_pension=1_000_000, care_withheld=True, care_premium=60_000)


def eligibility(tariff, persons, pension=GOOD_PENSION):
    h = household(*persons)
    a = levyrules.assess(h, tariff)
    return a, special_eligibility(h, a, pension)


def test_special_collection_eligible(tariff):
    a, e = eligibility(tariff, PENSIONERS)
    assert a.total == 24_900
    assert e.eligible and e.codes == ()


@pytest.mark.parametrize("persons, pension, code", [
    # 1. the 世帯主 is not insured (擬制世帯主: p1 on 社保, p2 in 国保)
    ((dict(PENSIONERS[0], insured=[]), PENSIONERS[1]), GOOD_PENSION, "head_not_insured"),
    # 2. a member aged 40
    (PENSIONERS + (person("p3", "1983-01-01"),), GOOD_PENSION, "member_outside_65_74"),
    # 2'. a member who turns 65 only on 2023-06-01 is 64 on 1 April: not this year
    ((PENSIONERS[0], person("p2", "1958-06-02")), GOOD_PENSION, "member_outside_65_74"),
    # 3. pension under 180,000 (and 2 × (24,900 + 60,000) = 169,800 ≤ 179,999)
    (PENSIONERS, PensionFacts(179_999, True, 60_000), "pension_under_180000"),
    # 3'. 介護保険料 not withheld from that pension
    (PENSIONERS, PensionFacts(1_000_000, False, 60_000), "care_not_withheld"),
    # 4. 24,900 + 80,000 = 104,900 > ½ of 200,000
    (PENSIONERS, PensionFacts(200_000, True, 80_000), "over_half_of_pension"),
    # 5. the 世帯主 turns 75 on 2023-10-10, inside FY2023 (74 on 1 April)
    ((person("p1", "1948-10-10", pension_revenue=1_000_000), PENSIONERS[1]), GOOD_PENSION,
     "head_turns_75"),
])
def test_special_collection_each_failing_condition(tariff, persons, pension, code):
    _, e = eligibility(tariff, persons, pension)
    assert not e.eligible
    assert e.codes == (code,), e.to_json()


def test_special_schedule_continuing_first_year_and_levelling(tariff):
    plan = levyrules.load_tariff("iwaki/2023").installments

    def amounts(s):
        return [(i.kind, i.due.isoformat(), i.amount) for i in s.installments]
    # previous February 30,000: 仮徴収 3 × 30,000 = 90,000; 本徴収 (240,100 − 90,000) / 3
    # = 50,033 → 50,000 × 3, the remainder 100 in October
    s = special_schedule(240_100, plan, PensionFacts(1_000_000, True, 60_000, 30_000))
    assert amounts(s) == [
        (SPECIAL_PROVISIONAL, "2023-04-14", 30_000), (SPECIAL_PROVISIONAL, "2023-06-15", 30_000),
        (SPECIAL_PROVISIONAL, "2023-08-15", 30_000), (SPECIAL_FINAL, "2023-10-13", 50_100),
        (SPECIAL_FINAL, "2023-12-15", 50_000), (SPECIAL_FINAL, "2024-02-15", 50_000)]
    # 平準化 (知立市's example): annual 180,000, previous February 40,000 → August
    # 90,000 − 80,000 = 10,000, 本徴収 3 × 30,000
    lv = special_schedule(180_000, plan, PensionFacts(1_000_000, True, 0, 40_000), level=True)
    assert [i.amount for i in lv.installments] == [40_000, 40_000, 10_000, 30_000, 30_000, 30_000]
    # 仮徴収 beyond the annual tax: 本徴収 0, the excess refunded
    over = special_schedule(60_000, plan, PensionFacts(1_000_000, True, 0, 30_000))
    assert [i.amount for i in over.installments][3:] == [0, 0, 0] and over.overpaid == 30_000
    # first year, the pensioners' 24,900: 特別徴収 part ½ = 12,450 → 12,400 over Oct/Dec/Feb
    # (4,133 → 4,100, remainder 100 in October); the other 12,500 by 普通徴収 over the
    # periods due before 2023-10-13 (第1〜3期): 4,166 → 4,100, remainder 200 to 第1期
    a, e = eligibility(tariff, PENSIONERS)
    first = special_schedule(a.total, plan, GOOD_PENSION)
    assert amounts(first) == [
        ("ordinary", "2023-07-31", 4_300), ("ordinary", "2023-08-31", 4_100),
        ("ordinary", "2023-10-02", 4_100), (SPECIAL_FINAL, "2023-10-13", 4_200),
        (SPECIAL_FINAL, "2023-12-15", 4_100), (SPECIAL_FINAL, "2024-02-15", 4_100)]
    assert first.total == a.total


def test_special_collection_after_a_change():
    """§12.2 default: a decrease stops withholding (the rest by 普通徴収), an increase keeps
    it and the difference goes to 普通徴収."""
    plan = levyrules.load_tariff("iwaki/2023").installments
    s = special_schedule(240_000, plan, PensionFacts(1_000_000, True, 0, 30_000)).installments
    # 30,000 × 3 仮徴収, 50,000 × 3 本徴収; as of 2023-11-15 Apr/Jun/Aug/Oct have been withheld
    # (140,000). Decrease to 200,000: Dec and Feb stop; 60,000 over 第5〜8期 = 15,000 each
    dec = reschedule(s, 240_000, 200_000, date(2023, 11, 15), plan)
    assert dec.special_stopped and dec.refund == 0
    assert [(i.kind, i.period, i.amount) for i in dec.installments if i.amount] == [
        (SPECIAL_PROVISIONAL, 1, 30_000), (SPECIAL_PROVISIONAL, 2, 30_000),
        (SPECIAL_PROVISIONAL, 3, 30_000), (SPECIAL_FINAL, 4, 50_000),
        ("ordinary", 5, 15_000), ("ordinary", 6, 15_000), ("ordinary", 7, 15_000),
        ("ordinary", 8, 15_000)]
    # increase to 260,000: Dec and Feb continue (50,000 each); 20,000 over 第5〜8期
    inc = reschedule(s, 240_000, 260_000, date(2023, 11, 15), plan)
    assert not inc.special_stopped
    assert [(i.kind, i.period, i.amount) for i in inc.installments if i.amount][4:] == [
        ("ordinary", 5, 5_000), (SPECIAL_FINAL, 5, 50_000), ("ordinary", 6, 5_000),
        ("ordinary", 7, 5_000), (SPECIAL_FINAL, 6, 50_000), ("ordinary", 8, 5_000)]
    # stop_any: the increase stops withholding too
    import attrs
    stop = attrs.evolve(plan, special=attrs.evolve(plan.special, on_change="stop_any"))
    st = reschedule(s, 240_000, 260_000, date(2023, 11, 15), stop)
    assert st.special_stopped and sum(i.amount for i in st.installments) == 260_000
    assert [i.amount for i in st.installments if i.kind == "ordinary" and i.amount] == [30_000] * 4


# ---------------------------------------------------------------- 更正

def test_member_joining_in_october(tariff, initial):
    """p3 (no income, 28) joins on 2023-10-15: 6 months (Oct–Mar), the household's tier
    (none) applies. 医療 +20,000 × 6/12 = +10,000; 支援 +8,000 × 6/12 = +4,000 → 407,500.
    As of 2023-11-15 第1〜4期 have fallen due (49,800 + 3 × 49,100 = 197,100); the rest
    210,400 over 第5〜8期 = 52,600 each."""
    p3 = person("p3", "1995-06-01", "2023-10-15")
    rev = revise(initial, household(P1, P2, p3), tariff, date(2023, 11, 15))
    out = rev.to_json()
    assert out["change"] == "increase"
    assert out["components"] == {
        "medical": {"before": 239_900, "after": 249_900, "difference": 10_000},
        "support": {"before": 87_200, "after": 91_200, "difference": 4_000},
        "care": {"before": 66_400, "after": 66_400, "difference": 0}}
    assert out["total"] == {"before": TOTAL, "after": 407_500, "difference": 14_000}
    assert [(p["before"], p["after"], p["fallen_due"]) for p in out["installments"]] == \
        [(a, a, True) for a in INITIAL[:4]] + [(49_100, 52_600, False)] * 4
    assert out["fallen_due"] == 197_100 and out["refund"] == 0 and out["due_at_once"] == 0
    assert [r["text"] for r in out["reasons"]] == ["p3: 資格取得 2023-10 (months 000000111111)"]
    assert sum(i["amount"] for i in out["assessment"]["installments"]) == 407_500
    assert out["limitation"]["ends"] == "2026-07-31" and out["limitation"]["within"]


def test_member_leaving_in_january(tariff, initial):
    """p2 leaves on 2024-01-10 (資格喪失日): insured Apr–Dec, 9 months. 医療 均等割
    20,000 × 9/12 = 15,000 (−5,000); 支援 8,000 × 9/12 = 6,000 (−2,000): 386,500.
    As of 2024-02-15 第1〜7期 have fallen due (49,800 + 6 × 49,100 = 344,400); 第8期 gets
    386,500 − 344,400 = 42,100."""
    p2 = dict(P2, insured=[{"from": "2023-04-01", "until": "2024-01-10"}])
    rev = revise(initial, household(P1, p2), tariff, date(2024, 2, 15))
    out = rev.to_json()
    assert out["change"] == "decrease"
    assert out["total"] == {"before": TOTAL, "after": 386_500, "difference": -7_000}
    assert out["components"]["medical"]["difference"] == -5_000
    assert out["components"]["support"]["difference"] == -2_000
    assert [p["after"] for p in out["installments"]] == INITIAL[:7] + [42_100]
    assert out["refund"] == 0
    assert [r["text"] for r in out["reasons"]] == ["p2: 資格喪失 2024-01 (months 111111111000)"]


def test_reasons_name_the_months_as_a_notice_does(tariff, initial):
    """A 更正通知書 names months (「2023年10月〜2024年3月」), never 12 flags."""
    p3 = person("p3", "1995-06-01", "2023-11-15")
    p2 = dict(P2, insured=[{"from": "2023-04-01", "until": "2023-06-01"},
                           {"from": "2023-09-01", "until": "2024-01-10"}])
    rev = revise(initial, household(P1, p2, p3), tariff, date(2023, 11, 15))
    ja = [r["ja"] for r in rev.to_json()["reasons"]]
    assert "p3: 2023年11月 資格取得（加入月 2023年11月〜2024年3月）" in ja
    assert "p2: 2024年1月 資格喪失（加入月 2023年4月〜5月・2023年9月〜12月）" in ja
    assert not any(re.search(r"[01]{12}", t) for t in ja)


@pytest.mark.parametrize("withdrawn", ["empty", "whole_period"])
def test_coverage_withdrawn_back_before_the_year_refunds_everything(tariff, initial, withdrawn):
    """社保加入による遡及喪失 / 資格の取消 back to before the year: no insured month, so no
    納税義務 — a tax of 0 with a note, not an error — and the 更正 is a 全額減額更正:
    every installment to 0, and what has fallen due (taken as paid) is refunded. As of
    2023-11-15 第1〜4期 have fallen due: 49,800 + 3 × 49,100 = 197,100."""
    if withdrawn == "empty":
        p1, p2 = dict(P1, insured=[]), dict(P2, insured=[])
    else:         # the period now ends before the fiscal year (資格喪失 2023-03-01)
        gone = [{"from": "2020-04-01", "until": "2023-03-01"}]
        p1, p2 = dict(P1, insured=gone), dict(P2, insured=gone)
    rev = revise(initial, household(p1, p2), tariff, date(2023, 11, 15))
    out = rev.to_json()
    assert out["change"] == "decrease"
    assert out["total"] == {"before": TOTAL, "after": 0, "difference": -TOTAL}
    assert all(c["after"] == 0 for c in out["components"].values())
    assert [p["after"] for p in out["installments"]] == [0] * 8
    assert out["fallen_due"] == 197_100 and out["refund"] == 197_100
    assert "no_insured_month" in [r["code"] for r in out["reasons"]]
    assert out["assessment"]["notes"] and out["assessment"]["installments"] == \
        [{"period": n, "due": d, "amount": 0} for n, d in enumerate(IWAKI_DUES, 1)]
    # the assessment on its own: 0, with the note, on the notice too
    a = levyrules.assess(household(p1, p2), tariff, trace=True)
    assert a.total == 0 and a.installments == () and a.notes
    from levyrules.render.explain import render
    assert "納税義務なし、税額0円" in render(a, tariff)


def test_decrease_after_every_period_fell_due_is_refunded(tariff, initial):
    """A 修正申告 lowers p1's 営業所得 to 2,000,000 (base 1,570,000), found on 2024-03-15:
    医療 109,900 + 40,000 + 20,000 = 169,900; 支援 39,250 + 16,000 + 7,000 = 62,250 → 62,200;
    介護 31,400 + 9,000 + 6,000 = 46,400; 年税額 278,500. All 8 periods (393,500) have
    fallen due and are taken as paid: refund 115,000. The fallen-due periods are reduced
    from the last: 第8期 and 第7期 to 0, 第6期 49,100 − 16,800 = 32,300."""
    p1 = dict(P1, income={"business_income": 2_000_000})
    rev = revise(initial, household(p1, P2), tariff, date(2024, 3, 15))
    out = rev.to_json()
    assert out["total"]["after"] == 278_500
    assert out["refund"] == 115_000 and out["paid"] == TOTAL
    assert [p["after"] for p in out["installments"]] == INITIAL[:5] + [32_300, 0, 0]
    texts = [r["text"] for r in out["reasons"]]
    assert texts == ["p1: income base 2570000 → 1570000"]
    # paid only 300,000 so far: refund 300,000 − 278,500 = 21,500
    assert revise(initial, household(p1, P2), tariff, date(2024, 3, 15),
                  paid=300_000).refund == 21_500


def test_fortieth_birthday_adds_care_by_revision(tariff):
    """p1 (alone, 営業所得 3,000,000) turns 40 on 2023-08-20: 介護分 from August (the day
    before the birthday, 8月19日, is in August), 8 months.

    The engine derives 介護 months from birth dates, so assessing the real household
    already includes them; いわき市 instead adds 介護分 by 更正 after the birthday (its page
    「課税のしかた」, rulebook §10.2). The earlier assessment must therefore be what the
    city's 当初賦課 printed: without 介護分. We produce exactly that by assessing the same
    household with a birth date that reaches 40 only after the fiscal year (1984-04-02);
    nothing else in the assessment depends on the age (no 未就学児/18歳未満/年金 rule
    applies), and the birth date does not appear in the assessment JSON.

    当初: 医療 179,900 + 20,000 + 20,000 = 219,900; 支援 64,250 + 8,000 + 7,000 = 79,250
    → 79,200; total 299,100 → 37,387 → 37,300 × 8 + 700: 第1期 38,000.
    介護 by 更正: 2,570,000 × 2% × 8/12 = 34,266.67 + 9,000 × 8/12 = 6,000 + 6,000 × 8/12
    = 4,000 → 44,266 → 44,200; total 343,300. As of 2023-09-15 第1・2期 (75,300) have
    fallen due; 268,000 over 第3〜8期: 44,666 → 44,600 × 6 + 400 → 第3期 45,000.
    """
    before_40 = household(person("p1", "1984-04-02", business_income=3_000_000))
    initial = levyrules.assess(before_40, tariff).to_json()
    assert initial["total"] == 299_100 and initial["components"]["care"]["amount"] == 0
    assert [i["amount"] for i in initial["installments"]] == [38_000] + [37_300] * 7
    real = household(person("p1", "1983-08-20", business_income=3_000_000))
    out = revise(initial, real, tariff, date(2023, 9, 15)).to_json()
    assert out["components"]["care"] == {"before": 0, "after": 44_200, "difference": 44_200}
    assert out["total"]["after"] == 343_300
    assert [p["after"] for p in out["installments"]] == [38_000, 37_300, 45_000] + [44_600] * 5
    assert [r["text"] for r in out["reasons"]] == ["p1: 介護分 from 2023-08"]


def test_revising_twice_changes_nothing(tariff, initial):
    p3 = person("p3", "1995-06-01", "2023-10-15")
    h = household(P1, P2, p3)
    first = revise(initial, h, tariff, date(2023, 11, 15))
    for as_of in (date(2023, 11, 15), date(2024, 1, 20)):
        again = revise(first.to_json(), h, tariff, as_of)
        assert again.change == "none" and again.difference == 0 and again.reasons == ()
        assert all(p.before == p.after for p in again.periods)
        assert again.refund == 0 and again.due_at_once == 0
        assert again.assessment_json()["installments"] == first.assessment_json()["installments"]


def test_revision_refuses_bad_earlier(tariff, initial):
    h = household(P1, P2)
    with pytest.raises(InputError, match="earlier.household"):
        revise(dict(initial, household="OTHER"), h, tariff, date(2023, 11, 1))
    with pytest.raises(InputError, match="earlier.fiscal_year"):
        revise(dict(initial, fiscal_year=2024), h, tariff, date(2023, 11, 1))
    with pytest.raises(InputError, match="earlier.total"):
        revise(dict(initial, total=None), h, tariff, date(2023, 11, 1))
    bad = dict(initial, installments=initial["installments"][:-1])
    with pytest.raises(InputError, match="earlier.installments: add up to"):
        revise(bad, h, tariff, date(2023, 11, 1))
    with pytest.raises(InputError, match="as_of"):
        revise(initial, h, tariff, date(2023, 3, 31))
    with pytest.raises(MissingTariffValue):
        revise(initial, h, levyrules.load_tariff("iwaki/2023"), date(2023, 11, 1))


# ---------------------------------------------------------------- 過年度 and 期間制限

def test_limitation_periods():
    # 法定納期限 2023-07-31 (第1期): increase until 2026-07-31, decrease 2028-07-31, fraud 2030
    d = date(2023, 7, 31)
    assert within_period(2023, "increase", date(2026, 7, 31), d)
    assert not within_period(2023, "increase", date(2026, 8, 1), d)
    assert within_period(2023, "decrease", date(2028, 7, 31), d)
    assert not within_period(2023, "decrease", date(2028, 8, 1), d)
    assert within_period(2023, "increase", date(2030, 7, 31), d, fraud=True)
    assert not within_period(2023, "increase", date(2030, 8, 1), d, fraud=True)
    # default 法定納期限: 31 July of the fiscal year
    assert period_end(2024, "increase") == date(2027, 7, 31)
    # 起算日 29 February 2024 (納期限 2024-02-28): no 29 February in 2027 → the 28th
    assert period_end(2023, "increase", date(2024, 2, 28)) == date(2027, 2, 28)
    assert period_end(2023, "increase", date(2024, 2, 29)) == date(2027, 2, 28)
    with pytest.raises(ValueError):
        within_period(2023, "more", date(2024, 1, 1))


def test_fy2023_revised_in_fy2026_within_and_outside_the_period(tariff, initial):
    """A late 届出: p3 had joined on 2023-10-15 (+14,000, see the October test). In May 2026
    every FY2023 period has fallen due: the increase is due at once. From 2026-08-01 the
    3-year period of an increase has run out; a decrease (p2 leaving in January, −7,000)
    may still be made then, and refunds what was paid beyond the new tax."""
    p3 = person("p3", "1995-06-01", "2023-10-15")
    rev = revise(initial, household(P1, P2, p3), tariff, date(2026, 5, 15))
    out = rev.to_json()
    assert out["due_at_once"] == 14_000 and out["limitation"]["within"]
    assert out["installments"][-1] == {"period": 9, "due": "2026-05-15", "kind": AT_ONCE,
                                       "before": 0, "after": 14_000, "difference": 14_000,
                                       "fallen_due": True}
    with pytest.raises(LimitationExpired, match="until 2026-07-31"):
        revise(initial, household(P1, P2, p3), tariff, date(2026, 8, 1))
    p2 = dict(P2, insured=[{"from": "2023-04-01", "until": "2024-01-10"}])
    dec = revise(initial, household(P1, p2), tariff, date(2026, 8, 1))
    assert dec.refund == 7_000 and dec.limitation["ends"] == "2028-07-31"
    with pytest.raises(LimitationExpired):
        revise(initial, household(P1, p2), tariff, date(2028, 8, 1))
    # いわき市's 随時課税分 slots for revisions made in FY2026
    slots = past_year_slots(2026, [rev, dec.to_json()])
    assert [(s["label"], s["fiscal_year"], s["amount"]) for s in slots] == [
        ("過年度1", 2025, 0), ("過年度2", 2024, 0), ("過年度3", 2023, 7_000), ("過年度4", 2022, 0)]
    with pytest.raises(InputError, match="過年度1〜過年度4"):
        past_year_slots(2028, [rev])


def test_past_years_use_that_years_national_parameters(tmp_path):
    """The same household in FY2022 and FY2023 under the same fixture rates, caps left to
    the law: p1 営業所得 12,000,000 → base 11,570,000.
    医療 809,900 + 40,000 → cap 650,000 (both years); 介護 231,400 + 15,000 → cap 170,000;
    支援 289,250 + 15,000 = 304,250 → cap 200,000 in FY2022, 220,000 in FY2023."""
    totals = {}
    for fy in (2022, 2023):
        rates = FIXTURE_RATES.replace(", cap: 650000", "").replace(", cap: 220000", "") \
            .replace(", cap: 170000", "")
        p = tmp_path / f"fixture-{fy}.yaml"
        p.write_text(f"""\
municipality: {{slug: fixture, name: テスト市}}
fiscal_year: {fy}
kind: tax
status: unverified
status_note: test fixture
provenance:
  - {{title: levyrules test fixture, url: "https://levyrules.invalid/fixture"}}
""" + rates, encoding="utf-8")
        t = levyrules.load_tariff(p)
        a = levyrules.assess(household(person("p1", "1980-05-10", f"{fy}-04-01",
                                              business_income=12_000_000), fy=fy), t)
        totals[fy] = {k: c.amount for k, c in a.components.items()}
    assert totals[2022] == {"medical": 650_000, "support": 200_000, "care": 170_000}
    assert totals[2023] == {"medical": 650_000, "support": 220_000, "care": 170_000}


# ---------------------------------------------------------------- command line

def cli(*args):
    return subprocess.run([sys.executable, "-m", "levyrules.cli", *args], capture_output=True,
                          text=True, cwd=ROOT)


def test_cli_revise_json_and_explain(tmp_path, tariff_path):
    hh = {"id": "H-IWAKI-1", "fiscal_year": 2023, "head": "p1", "persons": [P1, P2]}
    (tmp_path / "h0.json").write_text(json.dumps(hh), encoding="utf-8")
    hh1 = dict(hh, persons=[P1, P2, person("p3", "1995-06-01", "2023-10-15")])
    (tmp_path / "h1.json").write_text(json.dumps(hh1), encoding="utf-8")
    p = cli("assess", str(tmp_path / "h0.json"), "--tariff", str(tariff_path))
    assert p.returncode == 0, p.stderr
    (tmp_path / "earlier.json").write_text(p.stdout, encoding="utf-8")
    args = ("revise", str(tmp_path / "earlier.json"), str(tmp_path / "h1.json"),
            "--as-of", "2023-11-15", "--tariff", str(tariff_path))
    p = cli(*args)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["total"]["difference"] == 14_000
    assert [i["after"] for i in out["installments"]][4:] == [52_600] * 4
    (tmp_path / "rev.json").write_text(p.stdout, encoding="utf-8")
    p = cli(*args, "--explain")
    assert p.returncode == 0, p.stderr
    text = p.stdout
    for fragment in ("更正通知（増額更正）", "p3: 2023年10月 資格取得", "年税額　393,500円 → 407,500円（+14,000円）",
                     "第5期　2023-11-30: 49,100円 → 52,600円（+3,500円）", "還付額（過誤納金）　0円",
                     "地方税法17条の5"):
        assert fragment in text, text
    # the revision's own JSON is a valid EARLIER: nothing changes the second time
    p = cli("revise", str(tmp_path / "rev.json"), str(tmp_path / "h1.json"), "--as-of",
            "2023-12-01", "--tariff", str(tariff_path))
    assert p.returncode == 0, p.stderr
    again = json.loads(p.stdout)
    assert again["change"] == "none" and again["reasons"] == []


@pytest.mark.parametrize("tweak, fragment", [
    (lambda d: "{not json", "earlier: "),
    (lambda d: json.dumps(dict(json.loads(d), household="H-OTHER")), "earlier.household"),
    (lambda d: json.dumps(dict(json.loads(d), total=None)), "earlier.total"),
])
def test_cli_revise_bad_input_is_one_line_exit_2(tmp_path, tariff_path, initial, tweak, fragment):
    hh = {"id": "H-IWAKI-1", "fiscal_year": 2023, "head": "p1", "persons": [P1, P2]}
    (tmp_path / "h.json").write_text(json.dumps(hh), encoding="utf-8")
    (tmp_path / "e.json").write_text(tweak(json.dumps(initial)), encoding="utf-8")
    p = cli("revise", str(tmp_path / "e.json"), str(tmp_path / "h.json"), "--as-of",
            "2023-11-15", "--tariff", str(tariff_path))
    assert p.returncode == 2 and p.stdout == ""
    assert len(p.stderr.strip().splitlines()) == 1 and fragment in p.stderr, p.stderr


def test_cli_revise_bad_date_and_unknown_rates(tmp_path, initial):
    hh = {"id": "H-IWAKI-1", "fiscal_year": 2023, "head": "p1", "persons": [P1, P2]}
    (tmp_path / "h.json").write_text(json.dumps(hh), encoding="utf-8")
    (tmp_path / "e.json").write_text(json.dumps(initial), encoding="utf-8")
    p = cli("revise", str(tmp_path / "e.json"), str(tmp_path / "h.json"), "--as-of", "2023-02-30",
            "--tariff", "iwaki/2023")
    assert p.returncode == 2 and "--as-of" in p.stderr and len(p.stderr.splitlines()) == 1
    p = cli("revise", str(tmp_path / "e.json"), str(tmp_path / "h.json"), "--as-of", "2023-11-15",
            "--tariff", "iwaki/2023")
    assert p.returncode == 2 and "components.medical is not known" in p.stderr


def test_an_installment_plan_without_a_unit_is_refused_not_given_100():
    # finding (issue 14 follow-up): InstallmentPlan.from_data fell back to 100円, while the
    # law's unit is 1,000円 unless the 条例 sets another (地方税法20条の4の2第6項)
    periods = [{"period": 1, "due": "2025-07-31"}, {"period": 2, "due": "2025-08-31"}]
    with pytest.raises(levyrules.TariffError, match=r"^installments\.unit: required"):
        InstallmentPlan.from_data({"count": 2, "periods": periods})
    plan = InstallmentPlan.from_data({"unit": 1000, "count": 2, "periods": periods})
    assert [i.amount for i in ordinary_installments(12345, plan)] == [6345, 6000]

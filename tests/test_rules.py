"""Unit tests per rule, each amount worked out by hand in the comment beside it.

Tariff koriyama/2025 (verified): 医療 7.3% / 23,100 / 18,400 / 660,000;
支援 2.9% / 8,000 / 6,400 / 260,000; 介護 2.2% / 10,500 / 5,300 / 170,000.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

import levyrules
from conftest import household, person

T = "koriyama/2025"


def amounts(r):
    return {k: c.amount for k, c in r.components.items()}


# ---------------------------------------------------------------- 7/5/2割 (§3)

def test_single_pensioner_70_percent(run):
    # 年金 160万 (65+) → 所得 500,000, base 70,000; 判定 350,000 ≤ 430,000 → 7割
    r = run(household(2025, [person("p1", "1955-06-01", income={"pension_revenue": 1600000})]), T)
    assert r.reduction.tier == 70
    med = r.components["medical"]
    # 70,000 × 7.3% = 5,110; 23,100 → 6,930; 18,400 → 5,520 → 17,560 → 17,500
    assert med.levy == 5110 + 6930 + 5520 and med.amount == 17500
    assert med.reductions == {"statutory": (23100 - 6930) + (18400 - 5520)}
    assert r.components["care"].amount == 0


@pytest.mark.parametrize("income, tier", [
    (430000, 70), (430001, 50), (430000 + 305000 * 2, 50), (430001 + 305000 * 2, 20),
    (430000 + 560000 * 2, 20), (430001 + 560000 * 2, 0)])
def test_thresholds_are_inclusive(run, income, tier):
    # two members, no 給与所得者等 (business income only)
    data = household(2025, [person("p1", "1980-01-01", income={"business_income": income}),
                            person("p2", "1982-01-01")])
    assert run(data, T).reduction.tier == tier


def test_earner_addition_only_from_the_second_earner(run):
    # two salary earners: E = 100,000; 給与 1,100,000 each → 所得 550,000 each = 1,100,000
    data = household(2025, [person("p1", "1980-01-01", income={"salary_revenue": 1100000}),
                            person("p2", "1982-01-01", income={"salary_revenue": 1100000})])
    r = run(data, T)
    assert r.reduction.earners == 2
    assert r.reduction.thresholds == {70: 530000, 50: 530000 + 610000, 20: 530000 + 1120000}
    assert r.reduction.tier == 50


def test_undeclared_income_removes_all_reductions(run):
    data = household(2025, [person("p1", "1985-01-01", income={"declared": False}),
                            person("p2", "2021-01-01")])
    r = run(data, T)
    assert r.reduction.tier == 0 and not r.reduction.declared
    med = r.components["medical"]
    assert med.reductions == {}          # no 7割, and no 未就学児 either
    assert med.amount == 23100 * 2 + 18400
    assert r.provisional and r.to_json()["provisional"] is True


def test_income_known_is_not_provisional(run):
    r = run(household(2025, [person("p1", "1985-01-01")]), T)
    assert not r.provisional


# ---------------------------------------------------------------- 未就学児 (§4.1)

def test_preschool_half_after_the_statutory_reduction(run):
    # parent with no income + child born 2020 (preschool in FY2025): 7割
    data = household(2025, [person("p1", "1990-01-01"), person("p2", "2020-05-05")])
    r = run(data, T)
    assert r.reduction.tier == 70
    med = r.components["medical"]
    # 23,100 → 6,930 each; child's 6,930 → 3,465 payable
    assert med.reductions["preschool"] == 3465
    assert med.levy == 6930 + 3465 + 5520
    assert "preschool" not in r.components["care"].reductions


# ---------------------------------------------------------------- 擬制世帯主 (§9)

def test_fictitious_head_income_counts_only_for_judgement(run):
    data = household(2025, [person("p1", "1945-01-01", insured=[],
                                   income={"pension_revenue": 3000000}),
                            person("p2", "1980-01-01")])
    r = run(data, T)
    assert r.persons[0].role == "fictitious_head"
    # 3,000,000 (75+) → 1,900,000 − 150,000 = 1,750,000; N = 1 (the head is not counted)
    assert r.reduction.judgement_income == 1750000 and r.reduction.persons == 1
    assert r.reduction.tier == 0
    med = r.components["medical"]
    assert med.income_levy == 0                         # the head's income is not levied
    assert med.amount == 23100 + 18400                  # one 均等割 + the 平等割
    assert r.reduction.earners == 1


def test_fictitious_head_earner_option(run):
    data = household(2025, [person("p1", "1945-01-01", insured=[],
                                   income={"pension_revenue": 3000000}),
                            person("p2", "1980-01-01", income={"salary_revenue": 1000000})])
    data_opts = levyrules.load_tariff(T, [("options.fictitious_head_counts_as_earner", False)])
    r = levyrules.assess(levyrules.Household.from_json(data), data_opts)
    assert r.reduction.earners == 1
    assert run(data, T).reduction.earners == 2


# ---------------------------------------------------------------- 特定世帯 (§7)

# 「特定月以後5年を経過する月まで」 = the 特定月 and the 59 months after it; 特定継続世帯 the
# next 36 (福岡市 「5年間は2分の1減額し、その後の3年間は4分の1減額します（通算8年間）」
# https://www.city.fukuoka.lg.jp/hofuku/kokuho/hp/seido/06-06.html; 三島市 「特定世帯と
# なった月から最大5年間」 http://www.city.mishima.shizuoka.jp/ipn026413.html; 民法143条).
# Status is decided on 4月1日 (倉敷市 「年度途中に5年経過する場合は、その年度まで」). The
# first cohort (特定月 2008年4月) reached its 60th month in March 2013, and the 特定継続世帯
# began on 1 April 2013 (平成25年度 施行令改正, MEDIFAX via healthnet.jp).
@pytest.mark.parametrize("since, status, medical_household", [
    ("2021-06-15", "specified", 18400 // 2),          # 特定月 2021-06: month 47 in 2025-04
    ("2020-05-15", "specified", 18400 // 2),          # 2020-05..2025-04: 2025-04 is month 60
    ("2020-04-15", "continuing", 18400 * 3 // 4),     # 2020-04..2025-03 were the 60 months
    ("2020-03-15", "continuing", 18400 * 3 // 4),
    ("2017-05-15", "continuing", 18400 * 3 // 4),     # 2017-05 + 96 months ends 2025-04
    ("2017-04-15", None, 18400),                      # 2017-04..2025-03: the 8 years are over
])
def test_specified_household(run, since, status, medical_household):
    data = household(2025, [person("p1", "1965-01-01", income={"business_income": 3000000}),
                            person("p2", "1940-01-01", insured=[], late_elderly_since=since,
                                   income={"pension_revenue": 1000000})])
    r = run(data, T)
    assert r.specified_household == status
    assert r.reduction.persons == 2                      # the 特定同一世帯所属者 counts in N
    med = r.components["medical"]
    assert med.levy == 2570000 * 73 // 1000 + 23100 + medical_household
    assert r.components["care"].reductions == {}          # 介護分 平等割 is never reduced
    if status:
        assert med.reductions["specified_household"] == 18400 - medical_household


def test_specified_household_then_statutory(run):
    # 秦野市: 平等割 ½ first, then the 7割 on that
    data = household(2025, [person("p1", "1960-01-01"),
                            person("p2", "1940-01-01", insured=[], late_elderly_since="2024-08-01")])
    r = run(data, T)
    med = r.components["medical"]
    assert r.reduction.tier == 70
    # 18,400 → 9,200 (特定) → 2,760 payable; 23,100 → 6,930
    assert med.reductions == {"specified_household": 9200, "statutory": 6440 + 16170}
    assert med.levy == 2760 + 6930


def test_turning_75_in_the_year_leaves_a_specified_household_next_year(run):
    data = household(2025, [person("p1", "1950-10-10", income={"pension_revenue": 1500000}),
                            person("p2", "1962-01-01")])
    r = run(data, T)
    assert r.persons[0].months == 0b111111          # April–September (bit 0 = April)
    assert r.specified_household is None          # decided on 4月1日: two insured then


# ---------------------------------------------------------------- 月割 and the cap (§10, §2)

def test_member_leaving_midyear_is_prorated(run):
    # p2 leaves on 2025-10-01 (6 months); single 均等割 23,100 × 6/12 = 11,550
    data = household(2025, [person("p1", "1980-01-01", income={"business_income": 5000000}),
                            person("p2", "1982-01-01", insured=[("2025-04-01", "2025-10-01")])])
    r = run(data, T)
    med = r.components["medical"]
    assert med.per_capita == 23100 + 11550 and med.months == 12
    assert r.components["care"].per_capita == 10500 + 5250


def test_cap_binds_after_reductions_and_reports_the_excess(run):
    data = household(2025, [person("p1", "1980-01-01", income={"business_income": 20000000})])
    r = run(data, T)
    med = r.components["medical"]
    # (20,000,000 − 430,000) × 7.3% = 1,428,610 + 23,100 + 18,400 = 1,470,110 → cap 660,000
    assert med.levy == 1470110 and med.amount == 660000 and med.over_cap == 810110
    assert r.components["support"].amount == 260000
    assert r.components["care"].amount == 170000
    assert r.total == 1090000


def test_cap_is_prorated_when_liability_starts_midyear(run):
    data = household(2025, [person("p1", "1980-01-01", insured=[("2025-10-15", None)],
                                   income={"business_income": 20000000})])
    r = run(data, T)
    assert r.reduction.judged_on.isoformat() == "2025-10-15"
    med = r.components["medical"]
    assert med.cap == 330000 and med.amount == 330000    # 660,000 × 6/12 (policy A)


def test_cap_policy_b_month_by_month(run):
    # p1 high income all year, p2 joins in October with a large income too:
    # policy A caps the year's sum; policy B caps each month's annual-equivalent.
    data = household(2025, [
        person("p1", "1980-01-01", income={"business_income": 9000000}),
        person("p2", "1982-01-01", insured=[("2025-10-01", None)], income={"business_income": 9000000})])
    a = run(data, T).components["medical"]
    tb = levyrules.load_tariff(T, [("options.cap_policy", "B")])
    b = levyrules.assess(levyrules.Household.from_json(data), tb).components["medical"]
    # A: 667,151 + (625,610 + 23,100) × 6/12 = 991,506 > 660,000 → 660,000
    assert a.amount == 660000
    # B: every month is over the cap → 660,000 as well; the two agree here
    assert b.amount == 660000
    # a lower income: p1 under the cap alone, both together over it in Oct–Mar
    data["persons"][0]["income"] = {"business_income": 5000000}
    data["persons"][1]["income"] = {"business_income": 5000000}
    a = run(data, T).components["medical"]
    b = levyrules.assess(levyrules.Household.from_json(data), tb).components["medical"]
    # each person 333,610 + 23,100 = 356,710 a year
    # A: 356,710 + 18,400 + 356,710/2 = 553,465 → 553,400
    assert a.amount == 553400
    # B: Apr–Sep 375,110 × 6 + Oct–Mar min(660,000, 731,820) × 6, /12 = 517,555 → 517,500
    assert b.amount == 517500


# ---------------------------------------------------------------- rounding (§11)

def test_rounding_modes(run):
    data = household(2025, [person("p1", "1955-06-01", income={"pension_revenue": 1600000})])
    per_comp = run(data, T)
    # medical 17,560 / support: 2,030 + 2,400 + 1,920 = 6,350 / care 0
    assert amounts(per_comp) == {"medical": 17500, "support": 6300, "care": 0}
    total = levyrules.assess(levyrules.Household.from_json(data),
                             levyrules.load_tariff(T, [("rounding.hundred", "total")]))
    assert total.total == 23900 and total.total_rounding == 10
    none = levyrules.assess(levyrules.Household.from_json(data),
                            levyrules.load_tariff(T, [("rounding.hundred", "none")]))
    assert none.total == 17560 + 6350


def test_month_fractions_floor_once_per_component(run):
    # one member for 7 months: 23,100 × 7/12 = 13,475; 18,400 × 7/12 = 10,733.33
    data = household(2025, [person("p1", "1990-01-01", insured=[("2025-09-01", None)],
                                   income={"business_income": 1000001})])
    r = run(data, T)
    med = r.components["medical"]
    # 所得割 570,001 × 7.3% × 7/12 = 24,272.54…; exact sum 24,272.54 + 13,475 + 10,733.33 = 48,480.87
    assert med.levy == 48480 and med.amount == 48400
    per_el = levyrules.assess(levyrules.Household.from_json(data),
                              levyrules.load_tariff(T, [("rounding.yen", "per_element")]))
    assert per_el.components["medical"].levy == 24272 + 13475 + 10733


def test_income_base_floor_1000(run):
    data = household(2025, [person("p1", "1990-01-01", income={"business_income": 1000999})])
    t = levyrules.load_tariff(T, [("rounding.income_base", "floor_1000_per_person")])
    r = levyrules.assess(levyrules.Household.from_json(data), t)
    assert r.components["medical"].income_levy == 570000 * 73 // 1000


# ---------------------------------------------------------------- 子ども分 (§4.3, FY2026)

def test_child_component_exists_only_from_fy2026(run):
    data = household(2025, [person("p1", "1990-01-01")])
    assert "child" not in run(data, T).components


def test_child_component_reduced_separately_on_both_per_capitas(run):
    # machida/2026: 子ども 0.30% / 1,855 + 18歳以上 105; 7割 → 556 + 31 each
    data = household(2026, [person("p1", "1990-01-01"), person("p2", "2010-01-01")])
    r = run(data, "machida/2026")
    ch = r.components["child"]
    assert r.reduction.tier == 70
    assert ch.reductions == {"child_under18": 1855, "statutory": (1855 - 556) + (105 - 31)}
    assert ch.levy == 556 + 31


# ---------------------------------------------------------------- labels on the notice

@pytest.mark.parametrize("pension, tier, label", [
    (1000000, 70, "7割軽減"), (2000000, 20, "2割軽減"), (3000000, 0, "軽減なし")])
def test_tier_label_in_trace_and_explain(run, pension, tier, label):
    """The tier prints as 「7割軽減」/「2割軽減」 (never 「70割軽減」/「20割軽減」), one label
    definition for the trace, `--explain` and the 更正 reasons."""
    from levyrules.render.explain import render
    data = household(2025, [person("p1", "1950-06-01", income={"pension_revenue": pension})])
    r = run(data, T, trace=True)
    assert r.reduction.tier == tier
    step = next(s for s in r.trace if s["rule"] == "statutory_reduction" and "tier" in s)
    assert step["text"] == f"軽減区分: {label}"
    text = render(r, levyrules.load_tariff(T))
    assert f"→ {label}" in text and "0割軽減" not in text


def test_child_component_per_capita_line_is_labelled_for_what_it_holds(run):
    """The 子ども分 均等割 line holds every member's 均等割 (the under-18s' in full, then
    reduced 10割) and the 18歳以上被保険者均等割額 (rulebook §4.3): it is labelled as both,
    not as the 18歳以上 levy alone; the other components keep 「被保険者均等割額」."""
    from levyrules.render.explain import render
    data = household(2026, [person("p1", "1984-01-10", income={"salary_revenue": 3500000}),
                            person("p3", "2014-01-10")])
    r = run(data, "machida/2026", trace=True)
    text = render(r, levyrules.load_tariff("machida/2026"))
    child = text.split("■ 子ども・子育て支援納付金課税額")[1].split("■")[0]
    line = next(ln for ln in child.splitlines() if ln.startswith("　均等割額"))
    assert line.startswith("　均等割額（18歳以上被保険者均等割額を含む）")
    assert "［被保険者均等割額／" in line and "［18歳以上被保険者均等割額／" in line
    medical = text.split("■ 基礎課税額")[1].split("■")[0]
    assert "18歳以上" not in medical
    step = next(s for s in r.trace if s.get("component") == "child" and s["rule"] == "per_capita")
    assert "18歳以上被保険者均等割額" in step["text"]



@settings(max_examples=300, deadline=None)
@given(late=st.dates(date(2008, 4, 1), date(2026, 3, 31)), fy=st.integers(2008, 2036))
def test_specified_household_years_by_the_calendar(late, fy):
    """特定世帯 while the 賦課期日's month is before the same month 5 years after the
    特定月, 特定継続世帯 before the same month 8 years after (「以後5年を経過する月まで」,
    「その後3年」; 民法143条) — stated with calendar years, not month counts."""
    from levyrules.rules.specified_household import status
    on = date(fy, 4, 1)
    if on < late.replace(day=1):
        return
    ym = (on.year, on.month)
    want = ("specified" if ym < (late.year + 5, late.month) else
            "continuing" if ym < (late.year + 8, late.month) else None)
    assert status(on, 1, [late]) == want
    assert status(on, 2, [late]) is None

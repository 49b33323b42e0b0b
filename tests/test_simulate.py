"""税率シミュレーション: Programs A (split), B (recheck) and C (solve) on a population of four
households whose figures are worked out by hand below (FY2025, 医療分).

Everyone is aged 30–39 all year (no 介護分), insured all year, incomes are 営業所得 so
the 所得割 base is income − 基礎控除 430,000 and nobody is a 給与所得者等:

    H1 single, 所得 2,430,000   base  2,000,000  判定所得 2,430,000 > 430,000+560,000×1 → 軽減なし
    H2 single, 所得   430,000   base          0  判定所得   430,000 ≤ 430,000          → 7割軽減
    H3 couple, 所得 1,430,000   base  1,000,000  判定所得 1,430,000 ≤ 430,000+560,000×2 → 2割軽減
                 and 0                           (> 430,000+305,000×2 = 1,040,000: not 5割)
    H4 single, 所得 20,430,000  base 20,000,000  軽減なし

Bases (医療分): Σ base 23,000,000; 被保険者 5; 世帯 4 (all 12 months).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from levyrules import Household, assess, load_tariff
from levyrules.simulate import load_plan, measure_bases, recheck, solve, split
from levyrules.simulate.plan import PlanError, STANDARD_SHARES, build_tariff, parse_plan, \
    tariff_data, base_data
from levyrules.simulate.recheck import read_population
from levyrules.simulate.split import round_half_up

FY = 2025


def _person(pid: str, age: int, business: int) -> dict:
    return {"id": pid, "birth_date": f"{FY - age - 1}-10-01",
            "insured": [{"from": "2020-04-01", "until": None}],
            "income": {"business_income": business} if business else {}}


def _hh(hid: str, *persons) -> dict:
    return {"id": hid, "fiscal_year": FY, "head": "p1", "persons": list(persons)}


POPULATION = [
    _hh("H1", _person("p1", 35, 2_430_000)),
    _hh("H2", _person("p1", 35, 430_000)),
    _hh("H3", _person("p1", 35, 1_430_000), _person("p2", 33, 0)),
    _hh("H4", _person("p1", 36, 20_430_000)),
]


@pytest.fixture(scope="module")
def households():
    return [Household.from_json(h) for h in POPULATION]


def _plan(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "plan.yaml"
    p.write_text(text, encoding="utf-8")
    return p


# 医療分 target 1,150,000 with 3方式 50/35/15 (the 標準割合, rulebook §1.2):
#   所得割率 575,000 ÷ 23,000,000 = 2.5%
#   均等割   402,500 ÷ 5 = 80,500
#   平等割   172,500 ÷ 4 = 43,125 → 43,100 (100円単位, 四捨五入)
# 支援分 fixed: 2方式 所得割 1%, 均等割 10,000
PLAN = """\
plan: A案
base: iwaki/2025
basis: {basis}
tolerance: {tolerance}
components:
  medical:
    target: {target}
    method: 3
    cap: 500000
  support:
    rates: {{income_rate: 1%, per_capita: 10000, cap: 260000}}
"""


def test_measured_bases_are_the_hand_counts(households):
    b = measure_bases(households, load_tariff("iwaki/2025"))["medical"]
    assert (b.income, b.per_capita, b.per_household) == (23_000_000, 5, 4)
    assert b.asset == 0


def test_program_a_splits_by_the_standard_shares(tmp_path, households):
    """Program A: 賦課総額 × 割合 ÷ 基礎, rounded to the stated steps (hand figures above)."""
    plan = load_plan(_plan(tmp_path, PLAN.format(basis="assessed", tolerance=0,
                                                 target=1_150_000)))
    assert plan.components["medical"].shares == {
        "income": Fraction(1, 2), "per_capita": Fraction(7, 20), "per_household": Fraction(3, 20)}
    bases = measure_bases(households, load_tariff("iwaki/2025"))
    rates = split(plan, bases)["medical"]
    assert rates == {"income_rate": Fraction(25, 1000), "per_capita": 80_500,
                     "per_household": 43_100, "cap": 500_000}


def test_round_half_up_to_the_step():
    assert round_half_up(Fraction(43_125), 100) == 43_100
    assert round_half_up(Fraction(43_150), 100) == 43_200
    assert round_half_up(Fraction(384615, 10_000_000), Fraction(1, 10_000)) == Fraction(385, 10_000)


def test_program_b_totals_by_hand(tmp_path, households):
    """Program B under 2.5% / 80,500 / 43,100, cap 500,000 (医療分):
    H1 50,000 + 80,500 + 43,100 = 173,600
    H2 0 + 80,500 + 43,100 = 123,600; 7割軽減 56,350 + 30,170 = 86,520 → 37,080 → 37,000
    H3 25,000 + 161,000 + 43,100 = 229,100; 2割軽減 32,200 + 8,620 = 40,820 → 188,280 → 188,200
    H4 500,000 + 80,500 + 43,100 = 623,600 → 限度額 500,000 (超過 123,600)
    """
    plan = load_plan(_plan(tmp_path, PLAN.format(basis="assessed", tolerance=0,
                                                 target=1_150_000)))
    rates = {"medical": {"income_rate": Fraction(25, 1000), "per_capita": 80_500,
                         "per_household": 43_100, "cap": 500_000}}
    tariff = build_tariff(tariff_data(plan, base_data(plan), rates), "t")
    c = recheck(households, tariff).components["medical"]
    assert (c.income_levy, c.per_capita, c.per_household) == (575_000, 402_500, 172_400)
    assert c.reductions == {"statutory": 127_340}
    assert c.kiban == 127_340
    assert c.levy == 173_600 + 37_080 + 188_280 + 623_600
    assert (c.over_cap, c.over_cap_households) == (123_600, 1)
    assert c.rounding == 80 + 80
    assert c.amount == 173_600 + 37_000 + 188_200 + 500_000 == 898_800
    assert c.assessed == 898_800 + 127_340
    assert c.households == 4


def test_program_b_groups(households):
    r = recheck(households, load_tariff("iwaki/2025"))
    assert r.households == 4
    assert {k: g.households for k, g in r.by_tier.items()} == {0: 2, 70: 1, 20: 1}
    assert {k: g.households for k, g in r.by_type.items()} == {"single_under65": 3, "adults": 1}
    assert sum(g.amount for g in r.by_band.values()) == r.total == \
        sum(assess(h, load_tariff("iwaki/2025")).total for h in households)


def test_a_target_too_large_for_the_population_says_so(tmp_path, households):
    """A 納付金 sized for another city: 50,000,000 × 50% ÷ Σ base 23,000,000 = 108.70%.
    The refusal names the target, that it needs 100% or more of the population's base,
    and the population's size and base (totals, no household); at the plan's file."""
    plan = load_plan(_plan(tmp_path, PLAN.format(basis="assessed", tolerance=0,
                                                 target=50_000_000)))
    with pytest.raises(PlanError) as e:
        solve(plan, households)
    assert e.value.path == "components.medical.target"
    assert e.value.file == str(tmp_path / "plan.yaml")
    assert e.value.message == (
        "the target (from the 納付金) is too large for the population given: the target "
        "50,000,000円 would need an income_rate of 108.7%, 100% or more of the population's "
        "base (所得割の算定基礎 23,000,000円 a year; 4 households, 5 insured, counted by "
        "months insured): give the 納付金 of the population you simulate")


def test_a_target_the_caps_keep_out_of_reach_says_so(tmp_path, households):
    """44,000,000 needs 95.65% at first; with the cap of 500,000 a household (4 households:
    at most 2,000,000) the search raises the 賦課総額 past 100% of the base."""
    plan = load_plan(_plan(tmp_path, PLAN.format(basis="assessed", tolerance=0,
                                                 target=44_000_000)))
    with pytest.raises(PlanError) as e:
        solve(plan, households)
    assert "needed to levy the target 44,000,000円 (after the caps)" in e.value.message
    assert "23,000,000円 a year; 4 households" in e.value.message


def test_program_c_first_pass_meets_an_assessed_target(tmp_path, households):
    """賦課総額 basis, target 1,150,000 (cap 500,000): the first pass gives
    898,800 + 127,340 = 1,026,140 (the cap took 123,600, 端数 160), short by 123,860;
    C raises the 賦課総額 fed to A until the rounded plan comes within 20,000."""
    plan = load_plan(_plan(tmp_path, PLAN.format(basis="assessed", tolerance=20_000,
                                                 target=1_150_000)))
    sol = solve(plan, households)
    first = sol.iterations[0]
    assert first.gross["medical"] == 1_150_000
    assert first.measures["medical"] == 1_026_140
    final = sol.recheck.components["medical"].assessed
    assert abs(final - 1_150_000) <= 20_000
    assert sol.converged == {"medical": True}
    assert len(sol.iterations) >= 2
    # the solved rates are on the stated steps
    r = sol.rates["medical"]
    assert (r["income_rate"] / Fraction(1, 10_000)).denominator == 1
    assert r["per_capita"] % 100 == 0 and r["per_household"] % 100 == 0
    # the fixed component is kept as given
    assert sol.rates["support"] == {"income_rate": "1%", "per_capita": 10000, "cap": 260000}


def test_program_c_finds_the_best_rounded_plan(tmp_path, households):
    """調定額 basis, target 900,000, tolerance 0: no rounded plan hits it exactly; the
    result is at least as close as both neighbouring rounded plans on the line."""
    plan = load_plan(_plan(tmp_path, PLAN.format(basis="levied", tolerance=0, target=900_000)))
    sol = solve(plan, households)
    assert sol.converged == {"medical": False}
    best = sol.recheck.components["medical"].amount
    bases = measure_bases(households, load_tariff("iwaki/2025"))
    g = sol.iterations[-1].gross["medical"]
    key = split(plan, bases, {"medical": g})["medical"]

    def neighbour(direction: int):
        step = direction
        while True:
            r = split(plan, bases, {"medical": g + step})["medical"]
            if r != key:
                return r
            step *= 2

    for d in (1, -1):
        t = build_tariff(tariff_data(plan, base_data(plan), {"medical": neighbour(d)}), "n")
        other = recheck(households, t).components["medical"].amount
        assert abs(best - 900_000) <= abs(other - 900_000)


def test_beta_and_ratio_splits():
    """所得係数 β: 応能:応益 = β:1; within 応能/応益 the 標準割合's proportions."""
    p = parse_plan({"plan": "x", "base": "iwaki/2025", "components": {
        "medical": {"target": 1000, "method": 3, "beta": "1.5"},
        "support": {"target": 1000, "method": 4, "ratio": "55:45",
                    "benefit": {"per_capita": 7, "per_household": 3}},
        "care": {"target": 1000, "method": 2}}})
    assert p.components["medical"].shares == {
        "income": Fraction(3, 5), "per_capita": Fraction(2, 5) * Fraction(35, 50),
        "per_household": Fraction(2, 5) * Fraction(15, 50)}
    assert p.components["support"].shares == {
        "income": Fraction(55, 100) * Fraction(4, 5), "asset": Fraction(55, 100) * Fraction(1, 5),
        "per_capita": Fraction(45, 100) * Fraction(7, 10),
        "per_household": Fraction(45, 100) * Fraction(3, 10)}
    assert p.components["care"].shares == {"income": Fraction(1, 2), "per_capita": Fraction(1, 2)}
    assert set(STANDARD_SHARES[4]) == {"income", "asset", "per_capita", "per_household"}


def test_target_from_the_contribution():
    """賦課総額 = (納付金 + 保健事業費等 − 公費等) ÷ 予定収納率, 1円未満切上げ:
    (1,000,000 + 50,000 − 150,000) ÷ 0.93 = 967,741.93… → 967,742."""
    p = parse_plan({"plan": "x", "base": "iwaki/2025", "components": {"medical": {
        "target": {"contribution": 1_000_000, "other_costs": 50_000, "subsidies": 150_000,
                   "collection_rate": "93%"}}}})
    assert p.components["medical"].target == 967_742


@pytest.mark.parametrize("text, path", [
    ("plan: x\nbase: iwaki/2025\ncomponents: {medical: {target: 1, metod: 3}}\n",
     "components.medical"),
    ("plan: x\nbase: iwaki/2025\ncomponents: {medical: {target: 1, method: 5}}\n",
     "components.medical.method"),
    ("plan: x\nbase: iwaki/2025\ncomponents: {medical: {target: 1.5}}\n",
     "components.medical.target"),
    ("plan: x\nbase: iwaki/2025\ncomponents: {medical: {rates: {income_rate: abc}}}\n",
     "components.medical.rates.income_rate"),
    ("plan: x\nbase: iwaki/2025\ncomponents: {medical: {rates: {per_capita: 1.5}}}\n",
     "components.medical.rates.per_capita"),
    ("plan: x\nbase: iwaki/2025\ncomponents: {medical: {target: 0}}\n",
     "components.medical.target"),
    ("plan: x\nbase: iwaki/2025\ncomponents: {medical: {target: {contribution: 5, "
     "subsidies: 9}}}\n", "components.medical.target"),
    ("plan: x\nbase: iwaki/2025\ncomponents: {child: {target: 1}}\n", "components.child"),
    ("plan: x\nbase: nowhere/2025\ncomponents: {medical: {target: 1}}\n", "base"),
    ("plan: x\nbase: iwaki/2025\ncomponents: {medical: {target: 1, cap: 999999}}\n",
     "components.medical.cap"),
    ("plan: x\nbase: iwaki/2025\ncomponents: {medical: {target: 1, beta: 1, ratio: '1:1'}}\n",
     "components.medical.ratio"),
    ("plan: x\nbase: iwaki/2025\nrounding: {amount: 50}\ncomponents: {medical: {target: 1}}\n",
     "rounding.amount"),
    ("plan: x\nbase: iwaki/2025\ncomponents: {medical: {target: 1, method: 3, split: "
     "{income: 50, per_capita: 50}}}\n", "components.medical.split"),
])
def test_bad_plans_name_the_key_and_line(tmp_path, text, path):
    with pytest.raises(PlanError) as e:
        load_plan(_plan(tmp_path, text))
    assert e.value.path == path
    assert str(e.value).startswith(str(tmp_path / "plan.yaml") + ":")


def test_bad_population_line_names_the_line_not_the_value(tmp_path):
    from levyrules.errors import InputError
    p = tmp_path / "pop.jsonl"
    p.write_text('{"id": "A", "fiscal_year": 2025, "head": "p1", "persons": []}\n'
                 '{"id": "B", "fiscal_year": 2025, "head": "p1", "persons": [{"id": "p1", '
                 '"birth_date": "1990-01-01", "insured": [], "income": {"salary_revenue": '
                 '"123456"}}]}\n', encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_population(p)
    assert e.value.field.startswith("line ")
    assert "123456" not in str(e.value)


@settings(max_examples=25, deadline=None)
@given(st.integers(10_000, 5_000_000), st.integers(1, 2_000_000))
def test_levy_never_falls_when_the_assessed_total_rises(g, more):
    """Program C relies on it: the rounded rates of A only grow with the 賦課総額, and the
    levy after 軽減 and caps only grows with the rates (軽減 are fixed shares, the cap a
    minimum), so the measured amount is non-decreasing in the 賦課総額."""
    hh = [Household.from_json(h) for h in POPULATION]
    plan = parse_plan({"plan": "x", "base": "iwaki/2025", "components": {
        "medical": {"target": 1, "method": 3, "cap": 500_000}}})
    bases = _BASES.setdefault("b", measure_bases(hh, load_tariff("iwaki/2025")))
    amounts = []
    for gross in (g, g + more):
        rates = split(plan, bases, {"medical": gross})
        for k, v in rates["medical"].items():
            if k != "cap":
                assert v <= split(plan, bases, {"medical": g + more})["medical"][k]
        t = build_tariff(tariff_data(plan, base_data(plan), rates), "p")
        amounts.append(recheck(hh, t).components["medical"].amount)
    assert amounts[0] <= amounts[1]


_BASES: dict = {}


def test_plan_tariff_does_not_cite_the_base_for_the_plans_rates():
    """A source of the base tariff that covered only the replaced components is dropped;
    the plan is the source of its own rates."""
    plan = parse_plan({"plan": "x", "base": "iwaki/2025", "components": {
        "medical": {"target": 100}}})
    data = tariff_data(plan, base_data(plan), {"medical": {
        "income_rate": Fraction(7, 100), "per_capita": 100, "cap": 600_000}})
    first, *rest = data["provenance"]
    assert first["covers"] == ["components.medical"]
    for src in rest:
        assert not any(c.startswith("components.medical") for c in src.get("covers", ()))
    assert data["components"]["medical"] == {"income_rate": "7%", "per_capita": 100,
                                             "cap": 600_000}
    assert data["components"]["support"]["income_rate"] == "2.75%"


def test_program_c_result_is_the_recheck_of_its_own_tariff(tmp_path, households):
    """The reported Program B is that of the returned tariff (reused from the pass that
    measured the same rates, never from a neighbouring plan); with max_passes=1 it is the
    first pass."""
    plan = load_plan(_plan(tmp_path, PLAN.format(basis="levied", tolerance=0, target=900_000)))
    for max_passes in (1, 30):
        sol = solve(plan, households, max_passes=max_passes)
        fresh = recheck(households, sol.tariff)
        assert [r.total for r in fresh.rows] == [r.total for r in sol.recheck.rows]
        assert sol.passes == len(sol.iterations) <= max_passes
    one = solve(plan, households, max_passes=1)
    assert one.rates["medical"] == one.iterations[0].rates["medical"]


# Program C worked by hand on two more households (35, insured all year, 営業所得, no 軽減:
# 判定所得 > 430,000 + 560,000 = 990,000 for one person), 医療分 2方式 (所得割 50 : 均等割 50),
# 調定額 basis, target 300,150, tolerance 0, cap 500,000 (never reached):
#   G1 base 1,000,000 (所得 1,430,000), G2 base 3,000,000 (所得 3,430,000)
#   bases: 所得割 4,000,000, 被保険者 2
# pass 1, G = 300,150: 所得割率 150,075 ÷ 4,000,000 = 3.751875% → 3.75%
#                      均等割 150,075 ÷ 2 = 75,037.5 → 75,000
#     G1 37,500 + 75,000 = 112,500; G2 112,500 + 75,000 = 187,500; 調定額 300,000 (150 short)
# pass 2, G = ⌊300,150 × 300,150 ÷ 300,000⌋ = 300,300 (scaled by target ÷ measured):
#     所得割率 150,150 ÷ 4,000,000 = 3.75375% → 3.75%; 均等割 75,075 → 75,100
#     G1 112,600; G2 187,600; 調定額 300,200 (50 over)
# between them: the secant G 300,150 + ⌊150 × 150 ÷ 200⌋ = 300,262, the mid point 300,225
# and the first G whose rates differ from pass 1 (均等割 reaches 75,050 → 75,100 at
# G = 300,200) all give pass 2's rates: no rounded plan lies between the two, so C stops
# with the nearer one, pass 2 (50 from the target against 150): not within tolerance 0.
TWO = [_hh("G1", _person("p1", 35, 1_430_000)), _hh("G2", _person("p1", 35, 3_430_000))]


def test_program_c_by_hand(tmp_path):
    hh = [Household.from_json(h) for h in TWO]
    plan = load_plan(_plan(tmp_path, "plan: C\nbase: iwaki/2025\nbasis: levied\n"
                                     "tolerance: 0\ncomponents:\n  medical: {target: 300150, "
                                     "method: 2, cap: 500000}\n"))
    sol = solve(plan, hh)
    trace = [(it.number, it.gross["medical"], it.rates["medical"]["income_rate"],
              it.rates["medical"]["per_capita"], it.measures["medical"])
             for it in sol.iterations]
    assert trace == [(1, 300_150, Fraction(375, 10_000), 75_000, 300_000),
                     (2, 300_300, Fraction(375, 10_000), 75_100, 300_200)]
    assert sol.passes == 2 and sol.bases_pass
    assert sol.rates["medical"] == {"income_rate": Fraction(375, 10_000), "per_capita": 75_100,
                                    "cap": 500_000}
    assert sol.converged == {"medical": False}
    assert [assess(h, sol.tariff).components["medical"].amount for h in hh] == [112_600, 187_600]
    assert sol.recheck.components["medical"].amount == 300_200

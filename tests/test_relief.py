"""条例減免 declared as data (rulebook §13.4–13.6), on fixture tariffs that extend
koriyama/2025 and state their own percentages (these are test figures, not a city's)."""

from __future__ import annotations

import textwrap

import pytest

import levyrules
from conftest import household, person


def tariff(tmp_path, relief_yaml: str):
    p = tmp_path / "t.yaml"
    p.write_text("extends: koriyama/2025\nrelief:\n" + textwrap.indent(textwrap.dedent(relief_yaml), "  "),
                 encoding="utf-8")
    return levyrules.load_tariff(p)


def assess(data, t):
    return levyrules.assess(levyrules.Household.from_json(data), t, trace=True)


DISASTER = """\
- id: disaster
  title: 災害による減免（テスト）
  article: テスト条例 第1条
  kind: grade
  grades: {全壊: "100%", 半壊: "50%"}
  from_month: "2025-09"
  insured_on: "2025-09-30"
"""


def test_grade_relief_on_the_months_from_the_disaster(tmp_path):
    t = tariff(tmp_path, DISASTER)
    data = household(2025, [person("p1", "1975-06-06", income={"business_income": 2430000})])
    data["relief"] = {"disaster": {"grade": "半壊"}}
    r = assess(data, t)
    med = r.components["medical"]
    # 2,000,000 × 7.3% + 23,100 + 18,400 = 187,500 a year; Sep–Mar (7 months) × 50%
    # = 54,687.5 → the tax 132,812.5 → 132,800
    assert med.reductions == {"relief.disaster": 54687}
    assert med.amount == 132800
    assert any(s.get("reduction") == "relief.disaster" and s["title"] == "災害による減免（テスト）"
               for s in r.trace)


def test_grade_relief_after_the_cap_is_a_share_of_the_capped_tax(tmp_path):
    t = tariff(tmp_path, DISASTER.replace('  from_month: "2025-09"\n', ""))
    data = household(2025, [person("p1", "1975-06-06", income={"business_income": 30000000})])
    data["relief"] = {"disaster": {"grade": "半壊"}}
    med = assess(data, t).components["medical"]
    assert med.over_cap > 0
    assert med.reductions == {"relief.disaster": 330000} and med.amount == 330000


def test_relief_condition_not_met_gives_nothing(tmp_path):
    t = tariff(tmp_path, DISASTER)
    data = household(2025, [person("p1", "1975-06-06", insured=[("2025-10-01", None)],
                                   income={"business_income": 2430000})])
    data["relief"] = {"disaster": {"grade": "全壊"}}
    assert "relief.disaster" not in assess(data, t).components["medical"].reductions


def test_unknown_grade_and_unknown_rule_are_input_errors(tmp_path):
    t = tariff(tmp_path, DISASTER)
    data = household(2025, [person("p1", "1975-06-06")])
    data["relief"] = {"disaster": {"grade": "床下浸水"}}
    with pytest.raises(levyrules.InputError, match=r"^relief\.disaster\.grade: must be one of"):
        assess(data, t)
    data["relief"] = {"flood": {"grade": "全壊"}}
    with pytest.raises(levyrules.InputError, match=r"^relief\.flood: the tariff has no relief rule"):
        assess(data, t)


def test_disabled_rule_refuses_a_claim(tmp_path):
    t = tariff(tmp_path, DISASTER + "  enabled: false\n  note: 減免割合 not published\n")
    data = household(2025, [person("p1", "1975-06-06")])
    data["relief"] = {"disaster": {"grade": "全壊"}}
    with pytest.raises(levyrules.MissingTariffValue, match="relief.disaster.*減免割合 not published"):
        assess(data, t)


def test_income_drop_relief(tmp_path):
    t = tariff(tmp_path, """\
    - id: income-drop
      title: 所得減少による減免（テスト）
      kind: income_drop
      levies: [income]
      table:
        - {drop_at_least: "50%", previous_income_up_to: 3000000, rate: "100%"}
        - {drop_at_least: "30%", previous_income_up_to: 3000000, rate: "50%"}
    """)
    data = household(2025, [person("p1", "1975-06-06", income={"business_income": 2430000})])
    data["relief"] = {"income-drop": {"previous_income": 2430000, "current_income": 1500000}}
    med = assess(data, t).components["medical"]
    # drop 38% → 50% of the 所得割 146,000 = 73,000
    assert med.reductions == {"relief.income-drop": 73000}
    assert med.amount == 114500                           # 187,500 − 73,000


def test_detention_relief_months(tmp_path):
    t = tariff(tmp_path, """\
    - id: detention
      title: 刑事施設等に収容された者の減免（テスト）
      kind: detention
      levies: [income, per_capita]
      timing: before_cap
    """)
    data = household(2025, [person("p1", "1975-06-06", income={"business_income": 2430000}),
                            person("p2", "1985-01-01", income={"business_income": 1630000})])
    data["relief"] = {"detention": {"person": "p2",
                                    "periods": [{"from": "2025-07-15", "until": "2025-12-20"}]}}
    med = assess(data, t).components["medical"]
    # p2 in custody at the end of Jul–Nov (5 months): (1,200,000 × 7.3% + 23,100) × 5/12
    # = (87,600 + 23,100) × 5/12 = 46,125
    assert med.reductions == {"relief.detention": 46125}


KIYAMA = """\
- id: children
  title: "子どもの均等割減免（テスト: 18歳以下 全額）"
  kind: child_per_capita
  components: [medical, support]
  timing: before_cap
  child: {age_limit: 18, rates_by_order: ["100%"], with_preschool: max}
"""


def test_child_per_capita_full_exemption_not_stacked_on_preschool(tmp_path):
    t = tariff(tmp_path, KIYAMA)
    data = household(2025, [person("p1", "1985-01-01", income={"business_income": 5000000}),
                            person("p2", "2012-05-05"), person("p3", "2021-05-05")])
    med = assess(data, t).components["medical"]
    # p3 (未就学児): 23,100 → 11,550 by law, the rest by the 減免; p2: 23,100 in full
    assert med.reductions == {"preschool": 11550, "relief.children": 23100 + 11550}


def test_child_per_capita_by_birth_order_stacked(tmp_path):
    t = tariff(tmp_path, KIYAMA.replace('rates_by_order: ["100%"], with_preschool: max',
                                        'rates_by_order: ["20%", "50%"], with_preschool: stack'))
    data = household(2025, [person("p1", "1985-01-01", income={"business_income": 5000000}),
                            person("p2", "2012-05-05"), person("p3", "2021-05-05")])
    med = assess(data, t).components["medical"]
    # 1人目 (eldest, p2): 23,100 × 20% = 4,620; 2人目 (p3): 11,550 × 50% = 5,775
    assert med.reductions["relief.children"] == 4620 + 5775
    assert "relief.children" not in assess(data, t).components["care"].reductions


def test_iwaki_typhoon_2023_shipped_disabled_and_enabled_by_a_fixture(tmp_path):
    """The typhoon rule ships disabled (its percentages were not found); this fixture
    states its own rates and percentages — test figures, not いわき市's."""
    data = household(2023, [person("p1", "1975-06-06", income={"business_income": 2430000})])
    data["relief"] = {"typhoon13-2023": {"grade": "半壊"}}
    with pytest.raises(levyrules.MissingTariffValue, match="typhoon13-2023.*減免割合"):
        levyrules.assess(levyrules.Household.from_json(data), levyrules.load_tariff("iwaki/2023"))
    fixture = tmp_path / "iwaki-2023-fixture.yaml"
    fixture.write_text(textwrap.dedent("""\
        extends: iwaki/2023
        status: unverified
        status_note: test fixture rates and percentages, not the city's
        components:
          medical: {income_rate: "7%", per_capita: 20000, per_household: 20000, cap: 650000}
          support: {income_rate: "3%", per_capita: 10000, per_household: 5000, cap: 220000}
          care: {income_rate: "2%", per_capita: 10000, per_household: 5000, cap: 170000}
        missing: []
        relief:
          - id: typhoon13-2023
            title: 令和5年台風第13号による被災者に対する国民健康保険税の減免
            kind: grade
            insured_on: "2023-09-30"
            from_month: "2023-09"
            grades: {全壊: "100%", 大規模半壊: "100%", 中規模半壊: "50%", 半壊: "50%", 準半壊床上浸水: "25%"}
        """), encoding="utf-8")
    t = levyrules.load_tariff(fixture)
    r = levyrules.assess(levyrules.Household.from_json(data), t)
    med = r.components["medical"]
    # 2,000,000 × 7% + 20,000 + 20,000 = 180,000; Sep–Mar (7 months) × 50% = 52,500
    assert med.reductions == {"relief.typhoon13-2023": 52500}
    assert med.amount == 127500
    assert r.tariff_id.endswith("iwaki-2023-fixture.yaml")


def test_disabled_child_rule_refuses_the_households_it_would_cover(tmp_path):
    # finding (issue 8/14 follow-up): a child_per_capita rule shipped enabled: false was
    # skipped silently, so a household with children got the unreduced amount as if known
    t = tariff(tmp_path, KIYAMA + "  enabled: false\n  note: 減免割合 not published\n")
    kids = household(2025, [person("p1", "1985-01-01", income={"business_income": 5000000}),
                            person("p2", "2012-05-05")])
    with pytest.raises(levyrules.MissingTariffValue,
                       match=r"relief\.children\.child\.rates_by_order.*減免割合 not published") as e:
        assess(kids, t)
    assert "p2" not in str(e.value) and "2012" not in str(e.value)
    # no child of the age: the rule would not apply, so the household is assessed as before
    adults = household(2025, [person("p1", "1985-01-01", income={"business_income": 5000000}),
                              person("p2", "1990-05-05")])
    plain = levyrules.load_tariff("koriyama/2025")
    assert assess(adults, t).total == assess(adults, plain).total

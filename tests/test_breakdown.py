"""Every printed breakdown adds up to its component's tax (issue 8 §2.5).

The levy of a component is floor(elements − the reductions inside the levy) with one
floor (rulebook §11.2); a reduction subtracted from that computed levy — 産前産後, 旧被扶養者,
条例減免 — is floored to the yen on its own before it is subtracted (rulebook, "Defaults
for the open points", §5: reduction = floor(levy × months/12)). The JSON elements and
the `--explain` lines show each figure floored; `fraction` is what their sub-yen parts
add up to under the one floor, so that

    income_levy + asset_levy + per_capita + per_household − Σ reductions before the cap
        + fraction = levy
    levy − over_cap − Σ reductions after the cap − rounding = amount
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import levyrules
from levyrules.render.explain import render
from conftest import household, person
from strategies import TARIFF_IDS, households

TARIFFS = {tid: levyrules.load_tariff(tid) for tid in TARIFF_IDS}
SETTINGS = settings(max_examples=int(os.environ.get("LEVYRULES_PROPERTY_EXAMPLES", "150")),
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# fixture rules on koriyama/2025 (test percentages, not a city's): every kind, before and
# after the cap
RELIEF = """\
extends: koriyama/2025
status: unverified
status_note: test fixture relief rules, not a city's
relief:
  - {id: disaster, title: 災害減免（テスト・限度額適用後）, kind: grade, timing: after_cap,
     grades: {全壊: "100%", 半壊: "50%", 一部損壊: "10%"}, from_month: "2025-09"}
  - {id: flood, title: 水害減免（テスト・限度額適用前）, kind: grade, timing: before_cap,
     grades: {全壊: "100%", 半壊: "30%"}}
  - id: drop
    title: 所得減少減免（テスト）
    kind: income_drop
    levies: [income]
    table:
      - {drop_at_least: "50%", previous_income_up_to: 10000000, rate: "70%"}
      - {drop_at_least: "30%", previous_income_up_to: 10000000, rate: "30%"}
  - {id: detention, title: 拘禁者減免（テスト）, kind: detention, levies: [income, per_capita],
     timing: before_cap}
  - id: children
    title: 子どもの均等割減免（テスト）
    kind: child_per_capita
    components: [medical, support]
    timing: after_cap
    child: {age_limit: 18, rates_by_order: ["10%", "30%"], with_preschool: stack}
"""
_DIR = Path(tempfile.mkdtemp(prefix="levyrules-breakdown-"))
(_DIR / "relief.yaml").write_text(RELIEF, encoding="utf-8")
RELIEF_TARIFF = levyrules.load_tariff(_DIR / "relief.yaml")
FD_BEFORE = levyrules.load_tariff("koriyama/2025",
                                  [("options.former_dependent_timing", "before_cap")])
POLICY_B = levyrules.load_tariff("koriyama/2025", [("options.cap_policy", "B")])
PER_PERSON = levyrules.load_tariff("koriyama/2025", [("rounding.hundred", "per_person")])
PER_ELEMENT = levyrules.load_tariff("koriyama/2025", [("rounding.yen", "per_element")])
TOTAL_CUT = levyrules.load_tariff("koriyama/2025", [("rounding.hundred", "total")])
VARIANTS = {"fd_before": FD_BEFORE, "policy_b": POLICY_B, "per_person": PER_PERSON,
            "per_element": PER_ELEMENT, "total": TOTAL_CUT}


# ---------------------------------------------------------------- the two sums

def assert_json_adds_up(components: dict) -> None:
    for name, c in components.items():
        if c.get("amount") is None:
            continue
        before = sum(v for k, v in c["reductions"].items() if k not in c["after_cap"])
        after = sum(v for k, v in c["reductions"].items() if k in c["after_cap"])
        assert (c["income_levy"] + c["asset_levy"] + c["per_capita"] + c["per_household"]
                - before + c["fraction"]) == c["levy"], name
        assert c["levy"] - c["over_cap"] - after - c["rounding"] == c["amount"], name
        assert min(c["over_cap"], c["rounding"], c["amount"], *c["reductions"].values(), 0) == 0
        # each printed line is floored once; their fractions are less than a yen each
        assert -len(c["reductions"]) <= c["fraction"] <= 3, name


def _yen(text: str) -> int:
    return int(text.replace(",", ""))


def assert_explain_adds_up(text: str) -> None:
    """Parse the `--explain` lines of each component and add them up."""
    sections = re.split(r"\n■ ", text)
    totals = []
    for sec in sections:
        lines = sec.splitlines()
        if not any("税額　" in ln for ln in lines) or "限度額" not in sec:
            continue
        running, checked, capped = 0, False, False
        for ln in lines[1:]:
            if re.match(r"　(所得割額|資産割額|均等割額|平等割額)", ln):
                running += _yen(re.search(r"([\d,]+)円", ln).group(1))
            elif ln.startswith("　1円未満の端数の合計"):
                sign, v = re.search(r"([+−])([\d,]+)円", ln).groups()
                running += _yen(v) if sign == "+" else -_yen(v)
            elif ln.startswith("　軽減後の額"):
                assert running == _yen(re.search(r"([\d,]+)円", ln).group(1)), sec
                checked = True
            elif ln.startswith("　課税限度額"):
                m = re.search(r"限度額を超える額 −([\d,]+)円", ln)
                running -= _yen(m.group(1)) if m else 0
                capped = True
            elif ln.startswith("　100円未満切捨て"):
                running -= _yen(re.search(r"−([\d,]+)円", ln).group(1))
            elif " 税額　" in ln:
                assert checked and capped
                assert running == _yen(re.search(r"税額　([\d,]+)円", ln).group(1)), sec
                totals.append(running)
            elif re.search(r"　−([\d,]+)円 ［", ln):           # a reduction line
                running -= _yen(re.search(r"　−([\d,]+)円 ［", ln).group(1))
    m = re.search(r"■ 年税額（合計）　([\d,]+)円", text)
    if m:
        cut = re.search(r"合計の100円未満切捨て　−([\d,]+)円", text)
        assert sum(totals) - (_yen(cut.group(1)) if cut else 0) == _yen(m.group(1))


def assert_adds_up(result, tariff) -> None:
    out = result.to_json()
    assert_json_adds_up(out["components"])
    for part in out.get("parts", []):
        assert_json_adds_up(part["components"])
    if result.total is not None:
        assert_explain_adds_up(render(result, tariff))


# ---------------------------------------------------------------- the reproducer

def test_childbirth_reduction_is_floored_on_its_own():
    """産前産後 (rulebook §5, defaults §5): 事業所得 1,143,000 → base 713,000; 医療 所得割
    713,000 × 7.3% = 52,049, 均等割 23,100, 平等割 18,400 = 93,549. Birth in June 2025:
    May–Aug exempt, reduction = floor((52,049 + 23,100) × 4/12) = floor(25,049.67) = 25,049;
    levy = 93,549 − 25,049 = 68,500 → 68,500. The engine used to take floor(93,549 −
    25,049.67) = 68,499 → 68,400: 100円 less than its own printed lines."""
    data = household(2025, [person("p1", "1995-05-05", income={"business_income": 1143000},
                                   statuses={"childbirth": {"expected_date": "2025-06-20",
                                                            "actual_date": "2025-06-15"}})])
    t = TARIFFS["koriyama/2025"]
    r = levyrules.assess(levyrules.Household.from_json(data), t, trace=True)
    med = r.components["medical"]
    assert (med.income_levy, med.per_capita, med.per_household) == (52049, 23100, 18400)
    assert med.reductions == {"childbirth": 25049}
    assert (med.levy, med.amount, med.fraction) == (68500, 68500, 0)
    assert_adds_up(r, t)


def test_relief_after_the_cap_adds_up_to_the_tax():
    """A 減免 over the cap (the finding: the printed lines hid a fractional yen): 事業所得
    30,000,000, 全壊 from September → 7/12 of the capped 660,000 = 385,000 in 医療分."""
    data = household(2025, [person("p1", "1975-06-06", income={"business_income": 30000000}),
                            person("p2", "2015-06-06")])
    data["relief"] = {"disaster": {"grade": "半壊"}}
    r = levyrules.assess(levyrules.Household.from_json(data), RELIEF_TARIFF, trace=True)
    med = r.components["medical"]
    assert med.over_cap > 0 and set(med.after_cap) == {"relief.disaster", "relief.children"}
    assert_adds_up(r, RELIEF_TARIFF)


def test_fraction_of_two_fractional_elements_is_shown():
    """所得割 and 資産割 each with a sub-yen part: the levy is floored once (rulebook
    §11.2), and the breakdown shows the yen their fractions add up to."""
    t = levyrules.load_tariff("koriyama/2025", [("components.medical.asset_rate", "10.5%")])
    data = household(2025, [person("p1", "1975-06-06", income={"business_income": 430007},
                                   fixed_asset_tax=9)])
    r = levyrules.assess(levyrules.Household.from_json(data), t, trace=True)
    med = r.components["medical"]
    # 所得割 7 × 7.3% = 0.511, 資産割 9 × 10.5% = 0.945 → each shown 0, together 1.456 → 1
    assert (med.income_levy, med.asset_levy, med.fraction) == (0, 0, 1)
    assert med.levy == 1 + 23100 + 18400 - med.reductions.get("statutory", 0)
    assert_adds_up(r, t)


# ---------------------------------------------------------------- the property

@st.composite
def with_relief(draw):
    _, hj = draw(households(tariff_ids=("koriyama/2025",), statuses=True))
    hj = copy.deepcopy(hj)
    facts = {}
    if draw(st.booleans()):
        facts["disaster"] = {"grade": draw(st.sampled_from(["全壊", "半壊", "一部損壊"]))}
    if draw(st.booleans()):
        facts["flood"] = {"grade": draw(st.sampled_from(["全壊", "半壊"]))}
    if draw(st.booleans()):
        prev = draw(st.integers(1, 12_000_000))
        facts["drop"] = {"previous_income": prev, "current_income": draw(st.integers(0, prev))}
    if draw(st.booleans()):
        who = draw(st.sampled_from([p["id"] for p in hj["persons"]]))
        facts["detention"] = {"person": who, "periods": [
            {"from": draw(st.sampled_from(["2025-04-10", "2025-07-15", "2025-12-31"])),
             "until": draw(st.sampled_from([None, "2026-02-01"]))}]}
    hj["relief"] = facts
    return hj


@SETTINGS
@given(case=households(statuses=True))
def test_every_breakdown_adds_up(case):
    """Households of every shipped tariff, with 非自発的失業, 産前産後, 旧被扶養者 (after the
    cap), 介護適用除外, mid-year changes, 擬制世帯主 and 特定同一世帯所属者."""
    tid, hj = case
    r = levyrules.assess(levyrules.Household.from_json(hj), TARIFFS[tid], partial=True)
    assert_adds_up(r, TARIFFS[tid])


@SETTINGS
@given(hj=with_relief(), variant=st.sampled_from(["relief", "relief", *VARIANTS]))
def test_every_breakdown_adds_up_with_relief(hj, variant):
    """The same with 条例減免 of every kind (before and after the cap), 旧被扶養者 before
    the cap, the month-by-month cap (policy B), and the other rounding options."""
    if variant == "relief":
        t = RELIEF_TARIFF
    else:
        hj = {k: v for k, v in hj.items() if k != "relief"}
        t = VARIANTS[variant]
    r = levyrules.assess(levyrules.Household.from_json(hj), t)
    assert_adds_up(r, t)
    if variant == "per_element":
        assert all(c.fraction == 0 for c in r.components.values())


def test_per_person_hundred_cut_is_the_rounding_line():
    """西東京市 (保険料): each person's 所得割 + 均等割, and the 平等割, cut to 100円 before
    summing (rulebook §11.2 alternatives). p1 事業所得 1,000,000 (base 570,000), p2 none:
    判定 1,000,000 ≤ 430,000 + 305,000 × 2 → 5割. 医療: p1 41,610 + 11,550 = 53,160 →
    53,100; p2 11,550 → 11,500; 平等割 9,200 → 73,800. The levy (one floor) is 41,610 +
    23,100 × 2 + 18,400 − 11,550 × 2 − 9,200 = 73,910; the cut shows as 110円."""
    data = household(2025, [person("p1", "1975-06-06", income={"business_income": 1000000}),
                            person("p2", "1977-06-06")])
    r = levyrules.assess(levyrules.Household.from_json(data), PER_PERSON)
    med = r.components["medical"]
    assert r.reduction.tier == 50
    assert (med.levy, med.rounding, med.amount) == (73910, 110, 73800)
    assert_adds_up(r, PER_PERSON)

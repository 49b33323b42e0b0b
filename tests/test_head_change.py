"""世帯主変更 within the year (rulebook §10.6, §3.5, §7): the year splits at the month of
the change; the new 世帯主's part is re-judged from the change date; 特定世帯 ends."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

import levyrules
from conftest import household, person

T = "koriyama/2025"


def test_head_change_splits_the_year_and_rejudges_the_reduction(run):
    data = household(2025, [
        person("p1", "1975-06-06", insured=[("2025-04-01", "2025-10-01")],
               income={"business_income": 3000000}),          # base 2,570,000
        person("p2", "1977-06-06")])
    data["head_changes"] = [{"date": "2025-10-01", "head": "p2"}]
    r = run(data, T, trace=True)
    old, new = r.parts
    assert (old.head, new.head) == ("p1", "p2")
    # p1 (Apr–Sep), judged 4/1: no 軽減. 医療 (187,610 + 46,200 + 18,400) × 6/12 = 126,105
    assert old.reduction.tier == 0
    assert {k: c.amount for k, c in old.components.items()} == \
        {"medical": 126100, "support": 48400, "care": 41400}
    # p2 (Oct–Mar), judged 2025-10-01 with p2 alone (income 0): 7割
    assert new.reduction.tier == 70 and new.reduction.judged_on.isoformat() == "2025-10-01"
    # 医療 (6,930 + 5,520) × 6/12 = 6,225; 支援 (2,400 + 1,920)/2 = 2,160; 介護 (3,150 + 1,590)/2
    assert {k: c.amount for k, c in new.components.items()} == \
        {"medical": 6200, "support": 2100, "care": 2300}
    assert r.total == 215900 + 10600
    assert r.components["medical"].amount == 126100 + 6200
    out = r.to_json()
    assert [p["months"] for p in out["parts"]] == ["111111000000", "000000111111"]
    assert any(s["rule"] == "head_change" for s in out["trace"])


def test_specified_household_ends_with_a_head_change(run):
    data = household(2025, [
        person("p1", "1960-01-01"),
        person("p2", "1940-01-01", insured=[], late_elderly_since="2024-08-01"),
        person("p3", "1962-01-01", insured=[])])     # 世帯主 p2 on 4/1, p3 from 2025-12-10
    data["head"] = "p2"
    data["head_changes"] = [{"date": "2025-12-10", "head": "p3"}]
    r = run(data, T)
    first, second = r.parts
    med1, med2 = first.components["medical"], second.components["medical"]
    assert r.specified_household == "specified"
    assert "specified_household" in med1.reductions
    assert "specified_household" not in med2.reductions      # from December: ended
    # the 特定同一世帯所属者 no longer counts in N after the change
    assert first.reduction.persons == 2 and second.reduction.persons == 1


@pytest.mark.parametrize("change, message", [
    ({"date": "2025-04-01", "head": "p2"}, r"^head_changes\[0\]\.date: must fall inside"),
    ({"date": "2026-04-01", "head": "p2"}, r"^head_changes\[0\]\.date: must fall inside"),
    ({"date": "2025-06-01", "head": "p1"}, r"^head_changes\[0\]\.head: is already the 世帯主"),
])
def test_bad_head_change(run, change, message):
    data = household(2025, [person("p1", "1975-06-06"), person("p2", "1977-06-06")])
    data["head_changes"] = [change]
    with pytest.raises(levyrules.InputError, match=message):
        run(data, T)


def test_a_new_head_in_late_elderly_care_is_a_fictitious_head_not_a_member_of_n(run):
    """After a 世帯主変更 nobody is a 特定同一世帯所属者 any more (佐倉市: 「世帯主の異動が
    あった場合は「特定同一世帯所属者」ではなくなります」; rulebook §7, §10.6), the new 世帯主
    included: in 後期高齢者医療 they are a 擬制世帯主 — income in the 軽減判定, not in N."""
    data = household(2025, [
        person("p1", "1960-01-01"),                                   # no income
        person("p2", "1949-05-01", insured=[], late_elderly_since="2024-05-01",
               income={"pension_revenue": 2000000})])                 # 判定 900,000 − 150,000
    data["head_changes"] = [{"date": "2025-10-01", "head": "p2"}]
    r = run(data, T)
    first, second = r.parts
    # 4/1: p2 is a 特定同一世帯所属者: N = 2, 750,000 ≤ 430,000 + 305,000 × 2 → 5割
    assert (first.reduction.persons, first.reduction.tier) == (2, 50)
    # 10/1: p2 heads the household from 後期高齢者医療: N = 1 (p1), income still counted;
    # 750,000 > 430,000 + 305,000 but ≤ 430,000 + 560,000 → 2割
    assert second.reduction.judgement_income == 750000
    assert (second.reduction.persons, second.reduction.tier) == (1, 20)
    assert "specified_household" not in second.components["medical"].reductions



@settings(max_examples=60, deadline=None)
@given(n_late=st.integers(1, 2), n_insured=st.integers(1, 3), new_head=st.integers(0, 4),
       month=st.integers(5, 15), pension=st.integers(0, 4_000_000))
def test_nobody_is_a_late_elderly_member_after_a_head_change(n_late, n_insured, new_head,
                                                             month, pension):
    """After any 世帯主変更, N (被保険者数 + 特定同一世帯所属者数) is the number insured on
    the change date: whoever heads the household, no 特定同一世帯所属者 remains."""
    persons = [person(f"p{i + 1}", f"{1960 + i}-01-01") for i in range(n_insured)]
    persons += [person(f"p{n_insured + i + 1}", "1944-01-01", insured=[],
                       late_elderly_since="2023-06-01", income={"pension_revenue": pension})
                for i in range(n_late)]
    data = household(2025, persons)
    heads = [p["id"] for p in persons if p["id"] != "p1"]
    y, m = (2025, month) if month <= 12 else (2026, month - 12)
    data["head_changes"] = [{"date": f"{y}-{m:02d}-01", "head": heads[new_head % len(heads)]}]
    r = levyrules.assess(levyrules.Household.from_json(data), levyrules.load_tariff(T))
    first, second = r.parts
    assert first.reduction.persons == n_insured + n_late
    assert second.reduction.persons == n_insured
    assert second.components["medical"].reductions.get("specified_household") is None

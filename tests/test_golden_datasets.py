"""FY2026 worked examples from a public dataset (GitHub sato12307/fukushi-navi
data/kokuho.json, which cites 東京都保健医療局's 令和8年度 lists and the
municipal pages). Status C2: the dataset's own examples, not a municipal page
read here; they exercise the 子ども・子育て支援納付金分 end to end."""

from __future__ import annotations

from conftest import household, person


def test_machida_2026_family_salary(run):
    # 42歳 給与収入350万円 + 38歳 + 12歳 → 403,700 (251,900 / 86,300 / 55,800 / 9,700)
    data = household(2026, [person("p1", "1984-01-10", income={"salary_revenue": 3500000}),
                            person("p2", "1988-01-10"),
                            person("p3", "2014-01-10")])
    r = run(data, "machida/2026")
    assert r.reduction.tier == 0
    assert {k: c.amount for k, c in r.components.items()} == \
        {"medical": 251900, "support": 86300, "care": 55800, "child": 9700}
    assert r.total == 403700
    child = r.components["child"]
    assert child.reductions == {"child_under18": 1855}     # the 12-year-old's 均等割, in full
    assert child.per_capita == 2 * (1855 + 105) + 1855


def test_machida_2026_pensioner_couple_20_percent(run):
    # 71歳 年金250万円 + 69歳 年金72万円, 2割軽減 → 180,400
    data = household(2026, [person("p1", "1955-01-10", income={"pension_revenue": 2500000}),
                            person("p2", "1957-01-10", income={"pension_revenue": 720000})])
    r = run(data, "machida/2026")
    assert r.reduction.tier == 20
    assert r.reduction.judgement_income == 1400000 - 150000
    assert r.total == 180400
    assert r.components["child"].amount == 6000   # 2,910 + (1,484 + 84) × 2 = 6,046


def test_tokyo_23ku_2026_single_salary_unrounded_premium(run):
    # 練馬区 計算例1: 35歳単身 給与収入300万円 → 235,295 (保険料: no 100円 step)
    data = household(2026, [person("p1", "1991-01-10", income={"salary_revenue": 3000000})])
    r = run(data, "tokyo-23ku/2026")
    assert {k: c.amount for k, c in r.components.items()} == \
        {"medical": 167009, "support": 62120, "care": 0, "child": 6166}
    assert r.total == 235295

"""Golden tests: every contract household reproduces its published amounts to the yen
(shared/spec/contract/expected.yaml, copied into tests/contract/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import levyrules

HERE = Path(__file__).parent / "contract"
CASES = yaml.safe_load((HERE / "expected.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_contract_example(case):
    data = json.loads((HERE / case["file"]).read_text(encoding="utf-8"))
    household = levyrules.Household.from_json(data)
    tariff = levyrules.load_tariff(case["tariff"])
    result = levyrules.assess(household, tariff, partial=True)
    assert result.reduction.tier == case["reduction_tier"]
    for name, amount in case["components"].items():
        assert result.components[name].amount == amount, name
    if "total" in case:
        assert result.total == case["total"]


def test_contract_households_match_the_schema():
    import jsonschema
    schema = json.loads((Path(__file__).parents[1] / "schemas" / "household.schema.json")
                        .read_text(encoding="utf-8"))
    for case in CASES:
        jsonschema.validate(json.loads((HERE / case["file"]).read_text(encoding="utf-8")), schema)


def test_incomplete_tariff_is_refused_by_default_and_named():
    data = json.loads((HERE / "narita-2025-family-salary.json").read_text(encoding="utf-8"))
    with pytest.raises(levyrules.MissingTariffValue, match="components.support"):
        levyrules.assess(levyrules.Household.from_json(data), levyrules.load_tariff("narita/2025"))


def test_partial_result_has_no_total():
    data = json.loads((HERE / "narita-2025-family-salary.json").read_text(encoding="utf-8"))
    r = levyrules.assess(levyrules.Household.from_json(data), levyrules.load_tariff("narita/2025"),
                         partial=True)
    out = r.to_json()
    assert out["total"] is None and out["complete"] is False
    assert out["components"]["support"]["amount"] is None
    assert "読んだページにありません" in out["components"]["support"]["missing"]


def test_published_intermediate_figures_isesaki():
    """B1 prints the 所得割 base and each element: check them, not only the totals."""
    data = json.loads((HERE / "isesaki-2023-family.json").read_text(encoding="utf-8"))
    r = levyrules.assess(levyrules.Household.from_json(data), levyrules.load_tariff("isesaki/2023"))
    assert [p.levy_base for p in r.persons] == [1590000, 70000, 0]
    med = r.components["medical"]
    assert (med.income_levy, med.per_capita, med.per_household) == (114540, 78000, 20500)
    care = r.components["care"]
    assert (care.income_levy, care.per_capita, care.per_household) == (34860, 22000, 6100)


def test_published_intermediate_figures_kashima():
    """B2: base 1,860,000 (介護 1,390,000); 専従者給与 added back for 軽減判定."""
    data = json.loads((HERE / "saga-kashima-2023-family-business.json").read_text(encoding="utf-8"))
    r = levyrules.assess(levyrules.Household.from_json(data),
                         levyrules.load_tariff("saga-kashima/2023"))
    assert r.components["medical"].income_levy == 206460
    assert r.components["care"].income_levy == 32665
    # 1,800,000 + 1,000,000 (専従者給与) + 0 (専従者) + 900,000 − 150,000 (65歳以上)
    assert r.reduction.judgement_income == 3550000


def test_published_intermediate_figures_setouchi_and_narita():
    data = json.loads((HERE / "setouchi-2025-single-pensioner.json").read_text(encoding="utf-8"))
    r = levyrules.assess(levyrules.Household.from_json(data), levyrules.load_tariff("setouchi/2025"))
    assert r.reduction.judgement_income == 350000
    assert r.persons[0].levy_base == 70000
    med = r.components["medical"]
    assert med.reductions == {"statutory": (26663 - 7998) + (22825 - 6847)}
    assert med.levy == 6727 + 7998 + 6847
    for fy, thresholds in ((2025, {70: 430000, 50: 1345000, 20: 2110000}),
                           (2024, {70: 430000, 50: 1315000, 20: 2065000})):
        data = json.loads((HERE / f"narita-{fy}-family-salary.json").read_text(encoding="utf-8"))
        r = levyrules.assess(levyrules.Household.from_json(data),
                             levyrules.load_tariff(f"narita/{fy}"), partial=True)
        assert r.reduction.thresholds == thresholds
    assert r.components["medical"].levy == 58651 + 50400 + 14480

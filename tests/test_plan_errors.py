"""A `simulate` plan's errors name the place, never the text written there: an unknown key
is whatever its writer typed (a name, a telephone number pasted into the wrong file), so
it is named by its position in its mapping, with the keys the mapping takes (the second
hostile attack left `unknown key '…'`, docs/research/hostile-2026-11-30.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from levyrules import cli
from levyrules.simulate.plan import PlanError, load_plan

ROOT = Path(__file__).parents[1]
SECRET = "山田太郎 090-1234-5678"


# the plan after "plan: x" and "base: iwaki/2025"; K is the unknown key
CM = "components:\n  medical:\n"


@pytest.mark.parametrize("text, path, line, position, accepted", [
    ("K: 1\ncomponents: {medical: {target: 1}}\n", "", 3, "the 3rd key of this plan",
     "plan, description, base, basis, tolerance,"),
    (CM + "    target: 1\n    K: 3\n", "components.medical", 6, "the 2nd key of this mapping",
     "target, method, split,"),
    (CM + "    rates:\n      income_rate: 1%\n      K: 5\n", "components.medical.rates", 7,
     "the 2nd key", "income_rate, asset_rate, per_capita,"),
    (CM + "    target:\n      contribution: 10\n      K: 5\n", "components.medical.target", 7,
     "the 2nd key", "contribution, other_costs, subsidies,"),
    ("rounding:\n  K: 1\ncomponents: {medical: {target: 1}}\n", "rounding", 4, "the 1st key",
     "income_rate, asset_rate, amount"),
    ("components:\n  medical: {target: 1}\n  K: {}\n", "components", 5, "the 2nd key",
     "medical, support, care, child"),
    (CM + "    target: 1\n    method: 4\n    ability: {income: 1,\n      K: 1}\n",
     "components.medical.ability", 8, "the 2nd key", "income, asset"),
])
def test_an_unknown_key_is_named_by_its_place_and_the_keys_taken(tmp_path, text, path, line,
                                                                   position, accepted):
    plan = tmp_path / "plan.yaml"
    plan.write_text("plan: x\nbase: iwaki/2025\n" + text.replace("K", f"'{SECRET}'"),
                    encoding="utf-8")
    with pytest.raises(PlanError) as e:
        load_plan(plan)
    assert SECRET.split()[0] not in str(e.value) and "090" not in str(e.value)
    assert e.value.path == path and e.value.line == line
    assert e.value.message.startswith(f"unknown key ({position}")
    assert "write one of " + accepted in e.value.message


def test_a_rate_that_is_not_one_is_named_not_quoted(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"plan: x\nbase: iwaki/2025\ncomponents:\n  medical:\n    rates:\n"
                    f"      income_rate: '{SECRET}'\n", encoding="utf-8")
    with pytest.raises(PlanError) as e:
        load_plan(plan)
    assert e.value.path == "components.medical.rates.income_rate"
    assert SECRET.split()[0] not in str(e.value)
    assert e.value.message == 'must be a rate such as "6.68%", "0.0668" or "1/2"'


def test_simulate_says_where_on_one_line_without_the_key(tmp_path, capsys):
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"plan: x\nbase: iwaki/2025\ncomponents:\n  medical:\n    target: 1\n"
                    f"    '{SECRET}': 3\n", encoding="utf-8")
    pop = tmp_path / "pop.jsonl"
    household = json.loads((ROOT / "docs/examples/iwaki-2025-household.json").read_text("utf-8"))
    pop.write_text(json.dumps(household, ensure_ascii=False) + "\n", encoding="utf-8")
    code = cli.main(["simulate", str(pop), "--plan", str(plan), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1
    assert "plan.yaml:6:" in err and ": components.medical: unknown key (the 2nd key" in err
    assert "山田" not in err and "090" not in err


@pytest.mark.parametrize("base", [SECRET, "nowhere/2025", "x.yaml"])
def test_a_base_that_names_no_tariff_is_not_quoted(tmp_path, base):
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"plan: x\nbase: '{base}'\ncomponents: {{medical: {{target: 1}}}}\n",
                    encoding="utf-8")
    with pytest.raises(PlanError) as e:
        load_plan(plan)
    assert e.value.path == "base" and e.value.line == 2 and base not in str(e.value)
    assert e.value.message.startswith("names no tariff: give a tariff id (slug/FY;")

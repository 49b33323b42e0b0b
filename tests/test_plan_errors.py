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


def _simulate(tmp_path, capsys, plan_text: str) -> tuple[int, str, str]:
    """`levyrules simulate` of a one-household population with the plan: (exit, out, err)."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(plan_text, encoding="utf-8")
    pop = tmp_path / "pop.jsonl"
    household = json.loads((ROOT / "docs/examples/iwaki-2025-household.json").read_text("utf-8"))
    pop.write_text(json.dumps(household, ensure_ascii=False) + "\n", encoding="utf-8")
    code = cli.main(["simulate", str(pop), "--plan", str(plan), "--out", str(tmp_path / "o")])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_simulate_says_where_on_one_line_without_the_key(tmp_path, capsys):
    code, _, err = _simulate(tmp_path, capsys, "plan: x\nbase: iwaki/2025\ncomponents:\n"
                             f"  medical:\n    target: 1\n    '{SECRET}': 3\n")
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


@pytest.mark.parametrize("text, path, line, message", [
    (CM + "    target: 1\n    ability: {income: 1, asset: 1}\n", "components.medical.ability",
     6, "is read only with method 4 (this component's method is 3)"),
    (CM + "    target: 1\n    method: 2\n    benefit: {per_capita: 1}\n",
     "components.medical.benefit", 7, "is read only with method 3 or 4 (this component's "
     "method is 2)"),
    (CM + "    target: 1\n    per_capita_adult: 100\n", "components.medical.per_capita_adult", 6,
     "only the child component (子ども・子育て支援納付金分) has an 18歳以上均等割"),
    (CM + "    rates: {income_rate: 1%,\n      per_capita_adult: 100}\n",
     "components.medical.rates.per_capita_adult", 6, "only the child component"),
    (CM + "    rates:\n      cap: 700000\n", "components.medical.rates.cap", 6,
     "exceeds the statutory maximum 660000"),
])
def test_a_plan_key_that_would_be_ignored_or_refused_later_is_refused_where_written(
        tmp_path, text, path, line, message):
    """`ability` under 3方式 and `benefit` under 2方式 were ignored without a word; an 18歳以上
    均等割 outside the 子ども分 and a fixed cap above the statutory maximum were refused only
    when the plan's tariff was built, at `plan x:1:1` instead of the plan file."""
    plan = tmp_path / "plan.yaml"
    plan.write_text("plan: x\nbase: iwaki/2025\n" + text, encoding="utf-8")
    with pytest.raises(PlanError) as e:
        load_plan(plan)
    assert (e.value.path, e.value.line) == (path, line)
    assert e.value.message.startswith(message)


def test_what_only_the_plans_tariff_refuses_is_told_at_the_plan(tmp_path, capsys):
    code, _, err = _simulate(tmp_path, capsys, "plan: x\nbase: iwaki/2025\n" + CM +
                             "    rates:\n      income_rate: 2%\n      per_capita: 2000000000\n")
    assert code == 2 and err.startswith(f"levyrules: error: {tmp_path / 'plan.yaml'}:7:")
    assert "components.medical.rates.per_capita: the plan's tariff: per_capita is above" in err


def test_a_plan_of_fixed_rates_alone_prints_no_empty_status(tmp_path, capsys):
    code, out, _ = _simulate(tmp_path, capsys, "plan: x\nbase: iwaki/2025\n" + CM +
                             "    rates: {income_rate: 2%, per_capita: 20000}\n")
    assert code == 0 and out.splitlines()[0].startswith("x: 1 households, total ")
    assert "(;" not in out and out.splitlines()[0].endswith(" yen")

"""The guides document what an author needs (new-user-and-author.md "Authoring"): the
条例減免 with a worked 災害 example that the engine reproduces, the 資産割 input, the 子ども分
18歳以上均等割, and the reference gives the meaning of every `relief[]` key."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

import levyrules
from levyrules.authoring import docs_reference
from levyrules.authoring.check import check_file

ROOT = Path(__file__).parents[1]


def _block(text: str, marker: str) -> str:
    return re.search(rf"<!-- {marker} -->\n```\w+\n(.*?)```", text, re.S).group(1)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_worked_disaster_example_gives_the_figures_the_guide_states(tmp_path, lang):
    text = (ROOT / "docs" / f"guide.{lang}.md").read_text(encoding="utf-8")
    tariff = tmp_path / "sakura-2026.yaml"
    tariff.write_text(_block(text, "relief-example-tariff"), encoding="utf-8")
    assert check_file(tariff) == []
    data = json.loads(_block(text, "relief-example-household"))
    t = levyrules.load_tariff(tariff)
    r = levyrules.assess(levyrules.Household.from_json(data), t)
    assert r.total == 302_700 and "302,700円" in text
    amounts = {k: c.amount for k, c in r.components.items()}
    assert amounts == {"medical": 185_500, "support": 63_200, "care": 47_700, "child": 6_300}
    for k, v in amounts.items():
        assert f"{v:,}円" in text
    assert r.components["medical"].asset_levy == 12_000          # 60,000 × 20%
    assert "relief.typhoon-2026" in r.components["medical"].reductions
    for grade, total in ((None, 427_400), ("全壊", 177_900)):
        d = dict(data)
        if grade:
            d["relief"] = {"typhoon-2026": {"grade": grade}}
        else:
            d.pop("relief")
        assert levyrules.assess(levyrules.Household.from_json(d), t).total == total
        assert f"{total:,}円" in text


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_guides_say_which_key_a_single_adult_per_capita_is(lang):
    text = (ROOT / "docs" / f"guide.{lang}.md").read_text(encoding="utf-8")
    assert "1,200円" in text and "`per_capita: 1200`" in text and "fixed_asset_tax" in text
    assert "relief.<id>.grade" in text


def test_a_single_adult_per_capita_is_paid_by_adults_only(tmp_path):
    """「均等割 1,200円 (18歳以上のみ)」 written as per_capita: 1200: a child pays nothing."""
    text = (ROOT / "docs" / "guide.en.md").read_text(encoding="utf-8")
    tariff = tmp_path / "t.yaml"
    tariff.write_text(_block(text, "relief-example-tariff"), encoding="utf-8")
    data = json.loads(_block(text, "relief-example-household"))
    data.pop("relief")
    child = levyrules.assess(levyrules.Household.from_json(data),
                             levyrules.load_tariff(tariff)).components["child"]
    assert child.per_capita == 2_400 and child.reductions["child_under18"] == 1_200


def test_reference_gives_every_relief_key_a_meaning():
    ref = docs_reference.generate()
    rows = [line for line in ref.splitlines() if line.startswith("| `relief")]
    assert len(rows) >= 20
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert cells[-1], row                   # the meaning column is filled
    assert "| `persons[].fixed_asset_tax` |" in ref and "| `relief.<id>.grade` |" in ref
    assert "a rate such as `7.3%`" in ref


def test_tariff_format_and_reference_agree_on_the_installment_unit():
    fmt = (ROOT / "docs" / "tariff-format.md").read_text(encoding="utf-8")
    ref = (ROOT / "docs" / "tariff-reference.md").read_text(encoding="utf-8")
    assert "default 100" not in fmt and "`unit` is required" in fmt
    row = next(line for line in ref.splitlines() if line.startswith("| `installments.unit`"))
    assert "| yes |" in row and "1,000円 unless the 条例" in row
    schema = yaml.safe_load((ROOT / "schemas" / "tariff.schema.json").read_text(encoding="utf-8"))
    assert "unit" in schema["properties"]["installments"]["required"]

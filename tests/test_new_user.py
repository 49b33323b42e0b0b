"""Reproducers for what a new user, a vendor and a tariff author hit on the way
(docs/research/new-user-2026-11-30.md): each test fails on the code before its fix."""

from __future__ import annotations

import json
import sys

from levyrules.cli import main


def test_serve_with_httptools_missing_says_how_to_install_it(monkeypatch, capsys):
    """docs/service.md's `levyrules serve --http httptools`: the serve extra does not bring
    httptools, and without it the command ended in an internal error (exit 70)."""
    monkeypatch.setitem(sys.modules, "httptools", None)      # import httptools -> ImportError
    assert main(["serve", "--http", "httptools", "--port", "8999"]) == 2
    err = capsys.readouterr().err
    assert "pip install httptools" in err and "internal error" not in err


def test_the_evaluator_is_importable_under_the_name_the_docs_give():
    """README, docs/population.md, docs/simulation.md and the sidecar's "evaluator" name
    `levyrules.batch.assess_columns`; it was only levyrules.batch.evaluate.assess_columns."""
    import levyrules.batch
    from levyrules.batch.evaluate import assess_columns
    assert levyrules.batch.assess_columns is assess_columns
    from levyrules.batch import assess_columns as again
    assert again is assess_columns


def test_service_doc_problem_example_is_what_the_api_answers():
    """docs/service.md's RFC 9457 example gave a detail the library never writes."""
    import json
    import re
    from pathlib import Path

    pytest = __import__("pytest")
    pytest.importorskip("starlette")
    from test_serve_support import call

    from levyrules.serve import create_app
    root = Path(__file__).parents[1]
    text = (root / "docs" / "service.md").read_text(encoding="utf-8")
    shown = json.loads(re.search(r"### Errors.*?```json\n(.*?)```", text, re.S).group(1))
    data = json.loads((root / "docs/examples/koriyama-2025-household.json").read_text())
    data["persons"][1]["birth_date"] = "1990-13-01"
    answer = call(create_app(), "POST", "/v1/assess", json=data).json()
    assert {k: answer[k] for k in shown} == shown


def test_check_lang_ja_translates_a_test_files_relief_claims(tmp_path):
    """A test file claiming a relief rule the tariff lacks, or with another kind's facts:
    `check --lang ja` printed the engine's English message."""
    from pathlib import Path

    from levyrules.authoring import check
    good = (Path(__file__).parents[1] / "docs" / "guide.ja.md").read_text(encoding="utf-8")
    import re
    tariff = re.search(r"<!-- relief-example-tariff -->\n```yaml\n(.*?)```", good, re.S).group(1)
    (tmp_path / "sakura").mkdir()
    (tmp_path / "sakura" / "2026.yaml").write_text(tariff, encoding="utf-8")
    tests = tmp_path / "sakura" / "tests"
    tests.mkdir()
    body = ("title: x\ntariff: ../2026.yaml\nhousehold:\n  id: T-1\n  fiscal_year: 2026\n"
            "  head: p1\n  persons:\n    - {id: p1, birth_date: 1980-10-01, insured: "
            "[{from: 2026-04-01, until: null}], income: {}}\n  relief: {RELIEF}\n"
            "expected: {reduction_tier: 0, components: {medical: 1}, total: 1}\n")
    for name, claim in (("a", "{typhoon: {grade: 半壊}}"),
                        ("b", "{typhoon-2026: {previous_income: 1}}")):
        (tests / f"{name}.yaml").write_text(body.replace("{RELIEF}", claim), encoding="utf-8")
    lines, failed = check.run([str(tmp_path / "sakura")], "ja")
    text = "\n".join(lines)
    assert failed
    assert "relief.typhoon: 税率表にこの id の条例減免がありません" in text
    assert "relief.typhoon-2026: kind grade の減免に書ける事実は grade だけです" in text
    assert "rule takes only" not in text and "no relief rule" not in text


def _guide_block(marker: str) -> str:
    import re
    from pathlib import Path
    text = (Path(__file__).parents[1] / "docs" / "guide.ja.md").read_text(encoding="utf-8")
    return re.search(rf"<!-- {marker} -->\n```\w+\n(.*?)```", text, re.S).group(1)


def test_an_income_drop_claim_without_this_years_income_says_it_is_required(tmp_path):
    """relief.<id> with previous_income only: the message said 'must be a whole number of
    yen, not negative' about a value that was not written at all."""
    import pytest

    import levyrules
    text = _guide_block("relief-example-tariff").replace(
        "kind: grade", "kind: income_drop").replace(
        "grades: {全壊: 100%, 大規模半壊: 75%, 半壊: 50%}",
        "table: [{drop_at_least: 30%, rate: 50%}]")
    (tmp_path / "2026.yaml").write_text(text, encoding="utf-8")
    tariff = levyrules.load_tariff(tmp_path / "2026.yaml")
    data = json.loads(_guide_block("relief-example-household"))
    data["relief"] = {"typhoon-2026": {"previous_income": 3000000}}
    with pytest.raises(levyrules.InputError,
                       match=r"^relief\.typhoon-2026\.current_income: is required$"):
        levyrules.assess(levyrules.Household.from_json(data), tariff)


def test_diff_gives_the_size_of_an_income_drop_share_change(tmp_path):
    """An income_drop row's 減免割合 50% → 60% was one text cell with no size."""
    from levyrules.authoring import diff
    text = _guide_block("relief-example-tariff").replace(
        "kind: grade", "kind: income_drop").replace(
        "grades: {全壊: 100%, 大規模半壊: 75%, 半壊: 50%}",
        "table: [{drop_at_least: 30%, rate: 50%}]")
    for name, share in (("old", "50%"), ("new", "60%")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "2026.yaml").write_text(text.replace("rate: 50%", f"rate: {share}"),
                                                   encoding="utf-8")
    out = diff.render(str(tmp_path / "old" / "2026.yaml"), str(tmp_path / "new" / "2026.yaml"),
                      "ja")
    row = next(line for line in out.splitlines() if "table[1].rate" in line)
    assert "| 50% | 60% | +10ポイント |" in row and "減免割合" in row

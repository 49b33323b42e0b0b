"""The command line, as an acceptance test drives it: subprocess, stdout, stderr, exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).parents[1]
CONTRACT = Path(__file__).parent / "contract"


def cli(*args, input=None):
    return subprocess.run([sys.executable, "-m", "levyrules.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, input=input)


def test_assess_prints_the_contract_output():
    p = cli("assess", str(CONTRACT / "isesaki-2023-family.json"), "--tariff", "isesaki/2023")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    schema = json.loads((ROOT / "schemas" / "assessment.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(out, schema)
    assert out["total"] == 356500
    assert out["tariff"]["id"] == "isesaki/2023" and len(out["tariff"]["sha256"]) == 64
    assert out["engine"] == "levyrules 0.1.0"
    assert out["reduction"] == {**out["reduction"], "tier": 0, "judged_on": "2023-04-01"}
    assert all({"rule", "article", "text"} <= set(step) for step in out["trace"])
    assert any(step["rule"] == "cap" and "703条の4" in step["article"] for step in out["trace"])


def test_assess_uses_the_households_municipality():
    p = cli("assess", "docs/examples/iwaki-2025-household.json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["tariff"]["status"] == "unverified"


def test_explain_is_japanese_and_cites_the_law():
    p = cli("assess", "docs/examples/iwaki-2025-household.json", "--explain")
    assert p.returncode == 0, p.stderr
    assert "年税額（合計）" in p.stdout and "地方税法703条の5" in p.stdout
    assert "未検証" in p.stdout


def test_set_what_if():
    base = json.loads(cli("assess", str(CONTRACT / "yuzawa-2024-single-business.json"),
                          "--tariff", "yuzawa/2024").stdout)
    p = cli("assess", str(CONTRACT / "yuzawa-2024-single-business.json"), "--tariff", "yuzawa/2024",
            "--set", "components.medical.income_rate=8.3%")
    out = json.loads(p.stdout)
    # (2,500,000 − 430,000) × 1% more = 20,700 more
    assert out["components"]["medical"]["income_levy"] == base["components"]["medical"]["income_levy"] + 20700
    assert out["tariff"]["sha256"] != base["tariff"]["sha256"]


def test_incomplete_tariff_reports_unknown_components():
    p = cli("assess", str(CONTRACT / "narita-2025-family-salary.json"), "--tariff", "narita/2025")
    assert p.returncode == 0
    out = json.loads(p.stdout)
    assert out["components"]["medical"]["amount"] == 103300 and out["total"] is None
    assert "incomplete" in p.stderr
    strict = cli("assess", str(CONTRACT / "narita-2025-family-salary.json"), "--tariff",
                 "narita/2025", "--strict")
    assert strict.returncode == 2 and "components.support" in strict.stderr


@pytest.mark.parametrize("args, stdin, fragment", [
    (["assess", "nope.json"], None, "nope.json: no such file"),
    (["assess", "-"], "{not json", "not valid JSON at line 1 column 2"),
    (["assess", "-", "--tariff", "koriyama/2025"],
     '{"id": "X", "fiscal_year": 2025, "head": "p1", "persons": [{"id": "p1", '
     '"birth_date": "1980-02-30", "insured": []}]}', "persons[0].birth_date: not a valid date (YYYY-MM-DD)"),
    (["assess", "-", "--tariff", "nowhere/2025"],
     '{"id": "X", "fiscal_year": 2025, "head": "p1", "persons": [{"id": "p1", '
     '"birth_date": "1980-02-03", "insured": []}]}', "unknown tariff 'nowhere/2025'"),
    (["assess", "-", "--tariff", "koriyama/2025"],
     '{"id": "X", "fiscal_year": 2025, "head": "p1", "persons": [{"id": "p1", '
     '"birth_date": "1980-02-03", "insured": [], "income": {"salary_revenue": -5}}]}',
     "persons[0].income.salary_revenue: must not be negative"),
    (["assess", "-", "--tariff", "koriyama/2025", "--set", "components.medical.rate=1%"],
     json.dumps({"id": "X", "fiscal_year": 2025, "head": "p1", "persons": [
         {"id": "p1", "birth_date": "1980-02-03", "insured": [{"from": "2025-04-01"}]}]}),
     "unknown key 'rate'"),
    (["assess"], None, "the following arguments are required"),
])
def test_bad_input_one_line_no_traceback(args, stdin, fragment):
    p = cli(*args, input=stdin)
    assert p.returncode == 2
    assert p.stdout == ""
    assert fragment in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr


def test_check_shipped_and_broken(tmp_path):
    p = cli("check", "tariffs")
    assert p.returncode == 0, p.stdout
    assert "note: status: unverified" in p.stdout
    broken = tmp_path / "x.yaml"
    broken.write_text((ROOT / "tariffs/koriyama/2025.yaml").read_text(encoding="utf-8")
                      .replace("cap: 660000", "cap: 680000"), encoding="utf-8")
    p = cli("check", str(broken))
    assert p.returncode == 1
    line = next(i for i, l in enumerate(broken.read_text(encoding="utf-8").splitlines(), 1)
                if "680000" in l)
    assert f"x.yaml:{line}:" in p.stdout and "error:" in p.stdout
    ja = cli("check", str(broken), "--lang", "ja")
    assert "エラー" in ja.stdout and "法定上限" in ja.stdout

"""Embedding levyrules in a host system (../shared/findings/new-user-and-author.md,
"Installing and embedding"; issue 8 §1 API edges and §3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import MappingProxyType

import pytest

import levyrules
from levyrules.tariff import paths

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "docs/examples/iwaki-2025-household.json"
H = {"id": "H", "fiscal_year": 2025, "head": "p1", "persons": [
    {"id": "p1", "birth_date": "1980-01-01", "insured": [{"from": "2025-04-01"}],
     "income": {"business_income": 3000000}}]}


def cli(*args, input=None, cwd=ROOT):
    env = dict(os.environ)
    env.pop(paths.ENV, None)
    return subprocess.run([sys.executable, "-m", "levyrules", *args], capture_output=True,
                          text=True, cwd=cwd, input=input, env=env)


@pytest.mark.parametrize("form", [dict, json.dumps, lambda d: json.dumps(d).encode("utf-8"),
                                  lambda d: MappingProxyType(d)])
def test_from_json_takes_a_dict_text_or_bytes(form):
    h = levyrules.Household.from_json(form(H))
    assert h.id == "H" and h.persons[0].id == "p1"


def test_from_json_bad_text_is_an_input_error():
    with pytest.raises(levyrules.InputError, match="not valid JSON at line 1 column 2"):
        levyrules.Household.from_json("{nope")
    with pytest.raises(levyrules.InputError, match="not UTF-8"):
        levyrules.Household.from_json(b"\xff{}")
    with pytest.raises(levyrules.InputError, match="must be an object"):
        levyrules.Household.from_json("[]")


def test_from_json_of_another_type_is_a_type_error():
    with pytest.raises(TypeError, match="takes a dict, or JSON text as str or bytes"):
        levyrules.Household.from_json(EXAMPLE)


def test_assess_wrong_arguments_are_type_errors_with_a_sentence():
    t = levyrules.load_tariff("koriyama/2025")
    h = levyrules.Household.from_json(H)
    with pytest.raises(TypeError, match=r"Household\.from_json\(data\)"):
        levyrules.assess(H, t)
    with pytest.raises(TypeError, match=r"load_tariff\('iwaki/2025'\)"):
        levyrules.assess(h, "iwaki/2025")
    with pytest.raises(TypeError, match="tariff id"):
        levyrules.load_tariff(2025)


def test_to_json_is_a_plain_dict():
    r = levyrules.assess(levyrules.Household.from_json(H), levyrules.load_tariff("koriyama/2025"))
    out = r.to_json()
    assert type(out) is dict and json.loads(json.dumps(out)) == out
    assert "overrides" not in out["tariff"]


# ---------------------------------------------------------------- another municipality

def test_household_of_another_town_is_refused_unless_allowed():
    h = levyrules.Household.from_json(EXAMPLE.read_text(encoding="utf-8"))
    koriyama = levyrules.load_tariff("koriyama/2025")
    with pytest.raises(levyrules.InputError, match="'iwaki', but tariff koriyama/2025 is for 郡山市") as e:
        levyrules.assess(h, koriyama)
    assert e.value.field == "municipality"
    r = levyrules.assess(h, koriyama, allow_other_municipality=True)
    assert r.tariff_id == "koriyama/2025" and r.total > 0
    assert levyrules.assess(h, levyrules.load_tariff("iwaki/2025")).total > 0


def test_household_by_municipality_code():
    data = dict(H, municipality="072036")
    assert levyrules.assess(levyrules.Household.from_json(data),
                            levyrules.load_tariff("koriyama/2025")).total > 0
    data["municipality"] = "072044"
    with pytest.raises(levyrules.InputError, match="団体コード 072044"):
        levyrules.assess(levyrules.Household.from_json(data), levyrules.load_tariff("koriyama/2025"))


def test_cli_other_town_warns_and_strict_refuses():
    p = cli("assess", str(EXAMPLE), "--tariff", "koriyama/2025")
    assert p.returncode == 0 and json.loads(p.stdout)["tariff"]["id"] == "koriyama/2025"
    assert p.stderr.startswith("levyrules: warning: the household is for municipality 'iwaki'")
    p = cli("assess", str(EXAMPLE), "--tariff", "koriyama/2025", "--strict")
    assert p.returncode == 2 and p.stdout == "" and "municipality:" in p.stderr
    p = cli("assess", str(EXAMPLE))
    assert p.returncode == 0 and p.stderr == ""


# ---------------------------------------------------------------- exit codes, usage

def test_nothing_computed_exits_3_partial_exits_0():
    data = dict(H, fiscal_year=2023, persons=[dict(H["persons"][0],
                                                   insured=[{"from": "2023-04-01"}])])
    p = cli("assess", "-", "--tariff", "iwaki/2023", input=json.dumps(data))
    assert p.returncode == 3 and "no component could be computed" in p.stderr
    assert json.loads(p.stdout)["total"] is None
    p = cli("assess", "-", "--tariff", "setouchi/2025", input=json.dumps(H))
    assert p.returncode == 0 and "incomplete" in p.stderr


def test_help_documents_the_exit_codes():
    for args in (["--help"], ["assess", "--help"]):
        out = cli(*args).stdout
        assert "exit status:" in out and "\n  3 " in out and "LEVYRULES_TARIFFS" in out


def test_bare_command_prints_usage_and_exits_2(tmp_path):
    p = cli(cwd=tmp_path)
    assert p.returncode == 2 and p.stderr.startswith("usage: levyrules")
    assert "levyrules --help" in p.stderr


def test_python_dash_m_and_version():
    assert cli("--version").stdout.strip() == f"levyrules {levyrules.__version__}"


# ---------------------------------------------------------------- the list of tariffs

def test_docs_tariffs_md_is_current():
    """docs/tariffs.md is `levyrules list --format md`; regenerate it after a tariff changes."""
    p = cli("list", "--format", "md")
    assert p.returncode == 0
    assert (ROOT / "docs/tariffs.md").read_text(encoding="utf-8") == p.stdout, \
        "run: levyrules list --format md > docs/tariffs.md"


def test_list_shows_every_shipped_id_with_status():
    p = cli("list")
    rows = {line.split()[0]: line for line in p.stdout.splitlines()[1:]}
    shipped = {f"{f.parent.name}/{f.stem}" for f in (ROOT / "tariffs").glob("*/*.yaml")
               if f.parent.name != "national"}
    assert set(rows) == shipped
    assert " verified " in rows["koriyama/2025"] and "郡山市" in rows["koriyama/2025"]
    assert "unverified (not known: 医療, 支援, 介護)" in rows["iwaki/2023"]

"""`revise` with another municipality's tariff, given on purpose, behaves as `assess` does:
a warning on stderr, --strict refuses; the API takes allow_other_municipality= (finding:
revise refused with the municipality sentence and had no way to accept it)."""

from __future__ import annotations

import json
from datetime import date

import pytest

import levyrules
from levyrules.collection.revision import revise

from test_collection import P1, P2, cli, tariff, tariff_path  # noqa: F401 (fixtures)

HH = {"id": "H-IWAKI-1", "fiscal_year": 2023, "head": "p1", "municipality": "koriyama",
      "persons": [P1, P2]}


@pytest.fixture()
def files(tmp_path, tariff_path):
    (tmp_path / "h.json").write_text(json.dumps(HH), encoding="utf-8")
    p = cli("assess", str(tmp_path / "h.json"), "--tariff", str(tariff_path))
    assert p.returncode == 0 and "warning" in p.stderr, p.stderr
    (tmp_path / "earlier.json").write_text(p.stdout, encoding="utf-8")
    return tmp_path


def test_revise_warns_and_strict_refuses(files, tariff_path):
    args = ("revise", str(files / "earlier.json"), str(files / "h.json"), "--as-of",
            "2023-11-15", "--tariff", str(tariff_path))
    p = cli(*args)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["change"] == "none"
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("levyrules: warning: ") and "koriyama" in lines[0]
    p = cli(*args, "--strict")
    assert p.returncode == 2 and p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "municipality" in lines[0] and "--strict" in lines[0], p.stderr


def test_revise_api_takes_allow_other_municipality(files, tariff):
    earlier = json.loads((files / "earlier.json").read_text(encoding="utf-8"))
    household = levyrules.Household.from_json(HH)
    with pytest.raises(levyrules.InputError, match=r"^municipality: .*allow_other_municipality=True"):
        revise(earlier, household, tariff, date(2023, 11, 15))
    rev = revise(earlier, household, tariff, date(2023, 11, 15), allow_other_municipality=True)
    assert rev.to_json()["change"] == "none"

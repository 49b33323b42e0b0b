"""Tariff loading and checks: every broken tariff is reported at FILE:LINE:COLUMN."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import levyrules
from levyrules.authoring.check import check_file, run as check_run
from levyrules.tariff.loader import tariffs_root

GOOD = textwrap.dedent("""\
    municipality: {slug: testville, name: テスト市}
    fiscal_year: 2025
    kind: tax
    status: verified
    provenance:
      - {title: テスト市 税率, url: "https://example.invalid/rates"}
    components:
      medical: {income_rate: "7.3%", per_capita: 23100, per_household: 18400, cap: 660000}
      support: {income_rate: "2.9%", per_capita: 8000, per_household: 6400, cap: 260000}
      care: {income_rate: "2.2%", per_capita: 10500, per_household: 5300, cap: 170000}
    """)


def write(tmp_path: Path, text: str, name: str = "t.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def errors(path: Path):
    return [f for f in check_file(path) if f.severity == "error"]


def test_shipped_tariffs_have_no_errors():
    lines, failed = check_run([str(tariffs_root())])
    assert not failed, "\n".join(lines)


def test_good_tariff_loads_exactly(tmp_path):
    t = levyrules.load_tariff(write(tmp_path, GOOD))
    from fractions import Fraction
    assert t.components["medical"].income_rate == Fraction(73, 1000)
    assert len(t.sha256) == 64


@pytest.mark.parametrize("change, line, fragment", [
    (("per_capita: 23100", "per_capita: 23100, per_head: 1"), 8, "unknown key 'per_head'"),
    (("cap: 660000}", "cap: 670000}"), 8, "exceeds the statutory maximum 660000"),
    (("income_rate: \"7.3%\"", "income_rate: \"7,3%\""), 8, "write the rate as 7.3% or 0.073"),
    (("per_capita: 23100", "per_capita: 23100.5"), 8, "is not a whole number"),
    (("kind: tax", "kind: levy"), 3, "write one of tax, premium"),
    (("status: verified", "status: unverified"), 4, "status_note"),
    (("fiscal_year: 2025", "fiscal_year: 2019"), 2, "the smallest allowed is 2022"),
    (("  care: {income_rate: \"2.2%\", per_capita: 10500, per_household: 5300, cap: 170000}\n", ""),
     7, "component care is levied in fiscal year 2025"),
    (("income_rate: \"2.9%\"", "income_rate: \"129%\""), 9, "100% or more"),
])
def test_broken_tariff_reported_with_line(tmp_path, change, line, fragment):
    p = write(tmp_path, GOOD.replace(*change))
    errs = errors(p)
    assert errs, "expected an error"
    assert any(fragment in f.message and f.line == line for f in errs), [str(f) for f in errs]
    with pytest.raises(levyrules.TariffError) as e:
        levyrules.load_tariff(p)
    assert "t.yaml:" in str(e.value)


def test_yaml_syntax_error_has_position(tmp_path):
    p = write(tmp_path, GOOD.replace("kind: tax", "kind: [tax"))
    errs = errors(p)
    assert errs and errs[0].line >= 3 and "not valid YAML" in errs[0].message


def test_duplicate_key(tmp_path):
    p = write(tmp_path, GOOD + "kind: premium\n")
    errs = errors(p)
    assert errs[0].line == 11 and "duplicate key 'kind'" in errs[0].message


def test_yaml_float_rate_is_exact(tmp_path):
    p = write(tmp_path, GOOD.replace('income_rate: "7.3%"', "income_rate: 0.073"))
    from fractions import Fraction
    assert levyrules.load_tariff(p).components["medical"].income_rate == Fraction(73, 1000)


def test_extends_and_override(tmp_path):
    write(tmp_path, GOOD, "base.yaml")
    child = write(tmp_path, "extends: base.yaml\ncomponents:\n  medical: {income_rate: \"8%\"}\n",
                  "child.yaml")
    t = levyrules.load_tariff(child)
    med = t.components["medical"]
    from fractions import Fraction
    assert med.income_rate == Fraction(8, 100) and med.per_capita == 23100


def test_extends_cycle(tmp_path):
    write(tmp_path, "extends: b.yaml\n" + GOOD, "a.yaml")
    b = write(tmp_path, "extends: a.yaml\n" + GOOD, "b.yaml")
    errs = errors(b)
    assert errs and "cycle" in errs[0].message and errs[0].line == 1


def test_extends_shipped_id_and_error_in_child_points_to_child(tmp_path):
    child = write(tmp_path, "extends: koriyama/2025\ncomponents:\n  care: {cap: 180000}\n")
    errs = errors(child)
    assert errs[0].file.endswith("t.yaml") and errs[0].line == 3


def test_set_override_changes_hash_and_value():
    base = levyrules.load_tariff("koriyama/2025")
    t = levyrules.load_tariff("koriyama/2025", [("components.medical.income_rate", "7.25%")])
    assert t.sha256 != base.sha256
    from fractions import Fraction
    assert t.components["medical"].income_rate == Fraction(725, 10000)
    with pytest.raises(levyrules.TariffError, match="unknown key 'incme_rate'"):
        levyrules.load_tariff("koriyama/2025", [("components.medical.incme_rate", "7%")])


def test_unknown_tariff():
    with pytest.raises(levyrules.TariffError, match="unknown tariff 'nowhere/2025'"):
        levyrules.load_tariff("nowhere/2025")


def test_national_bracket_gap_is_an_error(tmp_path):
    nat = (tariffs_root() / "national" / "2025.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "national"
    folder.mkdir()
    broken = nat.replace("{from: 551000, to: 1618999", "{from: 552000, to: 1618999")
    p = folder / "2025.yaml"
    p.write_text(broken, encoding="utf-8")
    errs = errors(p)
    assert errs and "gap or overlap" in errs[0].message
    line = next(i for i, l in enumerate(broken.splitlines(), 1) if "from: 552000" in l)
    assert errs[0].line == line


def test_unverified_tariff_is_a_note_and_reported_in_results():
    notes = [f for f in check_file(tariffs_root() / "iwaki" / "2025.yaml")]
    assert any(f.severity == "note" and "unverified" in f.message for f in notes)
    from conftest import household, person
    data = household(2025, [person("p1", "1980-01-01")])
    r = levyrules.assess(levyrules.Household.from_json(data), levyrules.load_tariff("iwaki/2025"))
    assert r.to_json()["tariff"]["status"] == "unverified"


def test_national_parameters_per_year():
    from levyrules.tariff import national
    caps = {fy: national(fy).caps for fy in range(2022, 2027)}
    assert caps[2022] == {"medical": 650000, "support": 200000, "care": 170000}
    assert caps[2023]["support"] == 220000 and caps[2024]["support"] == 240000
    assert caps[2025] == {"medical": 660000, "support": 260000, "care": 170000}
    assert caps[2026] == {"medical": 670000, "support": 260000, "care": 170000, "child": 30000}
    assert [national(fy).reduction_per_person_50 for fy in range(2022, 2027)] == \
        [285000, 290000, 295000, 305000, 310000]
    assert [national(fy).reduction_per_person_20 for fy in range(2022, 2027)] == \
        [520000, 535000, 545000, 560000, 570000]
    assert national(2026).cite("caps.child").status == "C"

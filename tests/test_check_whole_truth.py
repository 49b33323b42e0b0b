"""`levyrules check` tells the whole truth in one run (issue 9 §2; findings
new-user-and-author.md "Authoring", hostile-input.md #18 and #25)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import levyrules
from levyrules.authoring import check
from levyrules.authoring.check import check_file, format_finding
from levyrules.tariff.holidays import closed_reason, holidays, next_business_day
from levyrules.tariff.loader import tariffs_root

from test_author_tools import GOOD, broken, line_of, write

ROOT = Path(__file__).parents[1]
ENGLISH = re.compile(r"[A-Za-z]{2,}[,;:]?(?:\s+[A-Za-z]{2,}[,;:.]?)+")


def _english_prose(line: str) -> list[str]:
    """English word runs in a printed line, after its FILE:LINE:COL and key path."""
    m = re.match(r"^.+?:\d+:\d+: \S+: (?:[\w.\[\]-]+: )?(.*)$", line)
    return ENGLISH.findall(m.group(1) if m else line)


# ---------------------------------------------------------------- one run, every problem

FOUR_MISTAKES = [
    ("per_capita: 10500", "per_capta: 10500"),                        # misspelt key (schema)
    ('income_rate: "2.9%"', 'income_rate: "0,072"'),                  # comma in a rate (schema)
    ('income_rate: "7.3%"', 'income_rate: "0.072%"'),                 # 7.2% meant (semantic)
    ("cap: 30000", "cap: 0"),                                         # cap 0 (semantic)
    ("    - {period: 2, due: 2026-08-31}\n", ""),                     # 第2期 dropped
    ("due: 2026-07-31", "due: 2026-07-25"),                           # a Saturday
]


def test_a_file_with_many_mistakes_lists_them_all_in_one_run(tmp_path):
    text = broken(FOUR_MISTAKES)
    found = check_file(write(tmp_path, text))
    want = [
        ("error", "unknown key 'per_capta': did you mean 'per_capita'?", "per_capta"),
        ("error", "'0,072' is not a rate: write the rate as 7.3% or 0.073", "0,072"),
        ("warning", "income_rate 0.072% of medical is below the plausible minimum 0.5%: "
                    "did you mean 7.2%?", "0.072%"),
        ("error", "cap 0 would make the whole component zero", "cap: 0"),
        ("error", "period 2 is missing: the periods run 1 to 3 (count: 3)", "period: 3"),
        ("warning", "due date 2026-07-25 of period 1 is a Saturday", "2026-07-25"),
    ]
    for severity, fragment, marker in want:
        assert any(f.severity == severity and fragment in f.message and
                   f.line == line_of(text, marker) for f in found), (fragment, [str(f) for f in found])
    # no cascade: one finding per mistake, nothing about the renumbering of 第3期
    assert len(found) == len(want), [str(f) for f in found]
    lines, failed = check.run([str(tmp_path / "t.yaml")], "ja")
    assert failed and len(lines) == len(want)
    for line in lines:
        assert not _english_prose(line), line


def test_schema_errors_do_not_hide_the_semantic_checks_of_other_parts(tmp_path):
    """A broken value is reported once; the rest of the file is still checked."""
    text = broken([("kind: tax", "kind: levy"), ("cap: 670000", "cap: 680000"),
                   ("per_capita: 23100", "per_capita: 23100.5")])
    found = check_file(write(tmp_path, text))
    messages = [f.message for f in found]
    assert any("write one of tax, premium" in m for m in messages)
    assert any("cap 680000 exceeds the statutory maximum 670000" in m for m in messages)
    assert sum("23100.5" in m for m in messages) == 1


@pytest.mark.parametrize("change", [
    ("components:\n", "components: []\nx:\n"),
    ("  medical: {", "  medical: 5\n  zzz: {"),
    ("periods:\n", "periods: 5\n  zz:\n"),
    ("fiscal_year: 2026", "fiscal_year: soon"),
    ("relief:\n", "relief: {}\nzz:\n"),
    ("provenance:\n", "provenance: x\nzz:\n"),
    ("  - id: disaster", "  - 5\n  - id: disaster"),
    ("    - {period: 2, due: 2026-08-31}", "    - {period: two, due: 2026-08-31}"),
])
def test_malformed_shapes_are_findings_never_a_crash(tmp_path, change):
    found = check_file(write(tmp_path, broken([change])))
    assert any(f.severity == "error" for f in found)
    with pytest.raises(levyrules.TariffError):
        levyrules.load_tariff(tmp_path / "t.yaml")


# ---------------------------------------------------------------- the reproducers

def test_cap_zero_is_an_error_with_a_sentence(tmp_path):
    """hostile-input.md #18: `cap: 0` passed `check` and made the component 0."""
    p = write(tmp_path, broken([("cap: 670000", "cap: 0")]))
    (f,) = [f for f in check_file(p) if f.severity == "error"]
    assert f.path == "components.medical.cap" and "leave cap out" in f.message
    with pytest.raises(levyrules.TariffError, match="cap 0 would make"):
        levyrules.load_tariff(p)


def test_a_percent_sign_on_a_fraction_is_caught(tmp_path):
    """hostile-input.md #25: `0.072%` (meant 7.2%) passed silently."""
    p = write(tmp_path, broken([('income_rate: "7.3%"', 'income_rate: "0.072%"')]))
    (f,) = check_file(p)
    assert f.severity == "warning" and "did you mean 7.2%?" in f.message
    assert "7.2% の誤りではありませんか" in format_finding(f, "ja")


def test_a_child_rate_of_its_usual_size_is_not_flagged(tmp_path):
    assert check_file(write(tmp_path, broken([('income_rate: "0.3%"', 'income_rate: "0.27%"')]))) == []


def test_relief_over_100_percent_is_an_error(tmp_path):
    """new-user-and-author.md: `check` accepted `half_loss: 500%`."""
    p = write(tmp_path, broken([("半壊: 50%", "half_loss: 500%")]))
    found = check_file(p)
    assert [(f.severity, f.path) for f in found] == [("error", "relief.0.grades.half_loss")]


def test_dropping_the_last_period_is_caught(tmp_path):
    """new-user-and-author.md: dropping the last 納期 passed `check`."""
    text = broken([("    - {period: 3, due: 2026-09-30}\n", "")])
    (f,) = check_file(write(tmp_path, text))
    assert f.message == "period 3 is missing: the periods run 1 to 3 (count: 3)"
    assert "第3期 がありません（第1期〜第3期、count 3）" in format_finding(f, "ja")


def test_dropping_a_middle_period_names_it_once(tmp_path):
    """new-user-and-author.md: dropping 第5期 gave a cascade of renumbering errors."""
    dues = ("2026-07-31", "2026-08-31", "2026-09-30", "2026-10-30", "2026-11-30", "2026-12-24",
            "2027-01-29", "2027-02-26")
    periods = "".join(f"    - {{period: {n}, due: {d}}}\n" for n, d in enumerate(dues, 1) if n != 5)
    text = GOOD.replace("count: 3", "count: 8").replace(
        "    - {period: 1, due: 2026-07-31}\n    - {period: 2, due: 2026-08-31}\n"
        "    - {period: 3, due: 2026-09-30}\n", periods)
    found = check_file(write(tmp_path, text))
    assert [f.message for f in found] == ["period 5 is missing: the periods run 1 to 8 (count: 8)"]
    assert found[0].line == line_of(text, "period: 6")


def test_installment_unit_is_required(tmp_path):
    """new-user-and-author.md: the guides disagreed on the default unit (100 vs 1,000)."""
    p = write(tmp_path, broken([("  unit: 100\n", "")]))
    (f,) = check_file(p)
    assert f.message == "missing required key 'unit'" and f.path == "installments"


def test_covers_can_name_a_relief_rule(tmp_path):
    text = broken([("covers: [components]", "covers: [components, relief.disaster]")])
    assert check_file(write(tmp_path, text)) == []
    text = broken([("covers: [components]", "covers: [components, relief.typhoon]")])
    (f,) = check_file(write(tmp_path, text))
    assert "covers 'relief.typhoon' names no value" in f.message


# ---------------------------------------------------------------- folders

def test_check_on_a_folder_reads_its_test_files(tmp_path):
    town = tmp_path / "town"
    (town / "tests").mkdir(parents=True)
    write(town, GOOD, "2026.yaml")
    bad = (ROOT / "tariffs" / "machida" / "tests").glob("*.yaml").__next__().read_text(encoding="utf-8")
    write(town / "tests", bad.replace("title:", "titel:", 1), "x.yaml")
    lines, failed = check.run([str(town)])
    assert failed and all("tests/x.yaml:" in line for line in lines)
    assert any("unknown key 'titel'" in line for line in lines)
    lines, failed = check.run([str(town / "tests")])
    assert failed and "titel" in lines[0]


def test_check_on_an_empty_folder_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    p = subprocess.run([sys.executable, "-m", "levyrules.cli", "check", str(tmp_path / "empty")],
                       capture_output=True, text=True)
    assert p.returncode == 1 and "no tariff or test files (*.yaml) in this folder" in p.stdout


# ---------------------------------------------------------------- Japanese

def test_check_lang_ja_of_every_shipped_tariff_has_no_english_prose():
    lines, _ = check.run([str(tariffs_root())], "ja")
    for line in lines:
        assert not _english_prose(line), line


def test_shipped_notes_are_japanese_and_cite_public_sources():
    for path in sorted(tariffs_root().rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert "examples.md" not in text, path
        assert not [f for f in check_file(path) if "is written in English" in f.message], path


def test_an_english_note_goes_beside_the_japanese_one(tmp_path):
    text = broken([("status: verified", "status: unverified\nstatus_note: 限度額は未確認\n"
                                        "status_note_en: the caps were not checked")])
    (f,) = check_file(write(tmp_path, text))
    assert f.message == "unverified tariff: the caps were not checked"
    assert format_finding(f, "ja").endswith("未検証の税率表です: 限度額は未確認")


# ---------------------------------------------------------------- 休日 (地方税法20条の5第2項)

def test_holidays_of_2026_are_those_of_the_cabinet_office_list():
    """内閣府「国民の祝日について」令和8年: 16 祝日, 振替休日 5/6, 国民の休日 9/22."""
    got = sorted(d.isoformat() for d in holidays(2026))
    assert got == ["2026-01-01", "2026-01-12", "2026-02-11", "2026-02-23", "2026-03-20",
                   "2026-04-29", "2026-05-03", "2026-05-04", "2026-05-05", "2026-05-06",
                   "2026-07-20", "2026-08-11", "2026-09-21", "2026-09-22", "2026-09-23",
                   "2026-10-12", "2026-11-03", "2026-11-23"]


@pytest.mark.parametrize("day, reason, moved", [
    ("2025-11-24", "a national holiday", "2025-11-25"),     # 振替休日 (勤労感謝の日 on a Sunday)
    ("2024-09-23", "a national holiday", "2024-09-24"),     # 振替休日 (秋分の日 9/22 on a Sunday)
    ("2027-03-22", "a national holiday", "2027-03-23"),     # 振替休日 (春分の日 3/21 on a Sunday)
    ("2026-12-31", "in the year-end holidays (12/29–1/3)", "2027-01-04"),
    ("2027-01-02", "a Saturday", "2027-01-04"),
    ("2026-08-31", None, "2026-08-31"),
])
def test_closed_days_and_the_next_business_day(day, reason, moved):
    d = date.fromisoformat(day)
    assert closed_reason(d) == reason and next_business_day(d).isoformat() == moved


def test_japanese_explain_of_an_unverified_tariff_has_no_english_prose():
    """new-user-and-author.md: `--explain` opened with a ~900-character English status note."""
    import json
    from levyrules.render.explain import render
    data = json.loads((ROOT / "tests" / "contract" / "narita-2025-family-salary.json")
                      .read_text(encoding="utf-8"))
    t = levyrules.load_tariff("narita/2025")
    text = render(levyrules.assess(levyrules.Household.from_json(data), t, trace=True,
                                   partial=True), t)
    assert "未検証です: 基礎課税分（医療分）の税率は" in text
    assert "計算できません（税率表に値がありません: 介護納付金分" in text
    assert not [line for line in text.splitlines() if ENGLISH.search(line)]


# ---------------------------------------------------------------- any shape: findings, never a crash

def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**9),
                     st.sampled_from(["", "7.3%", "0,072", "2026-13-01", "2026-07-25", "2026-13", "2026-02-30", "x", "100%",
                                      "-1", "1/0", "全壊", "components.medical"]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(
        ["period", "due", "id", "kind", "grades", "cap", "income_rate", "zz"]), inner, max_size=3)),
    max_leaves=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_value_anywhere_gives_findings_never_an_exception(tmp_path, data):
    """Replace any value of a good tariff by any YAML value: `check` lists findings and
    loading raises TariffError (or succeeds); nothing else comes out."""
    import yaml
    tree = yaml.safe_load(GOOD)
    paths = [p for p in _paths(tree) if p]
    path = data.draw(st.sampled_from(paths))
    value = data.draw(_VALUES)
    node = tree
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    p = write(tmp_path, yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), "fuzz.yaml")
    found = check_file(p)
    assert all(isinstance(f.message, str) and f.line >= 1 for f in found)
    from levyrules.tariff.loader import build, read_source     # uncached: the file changes
    errors = [f for f in found if f.severity == "error"]
    try:
        build(read_source(p))
    except levyrules.TariffError as e:
        assert errors and e.message == errors[0].message
    else:
        assert not errors, [str(f) for f in errors]


def test_equinox_days_are_those_announced():
    """国立天文台 暦要項 (官報): 春分日・秋分日 2022–2027."""
    announced = {2022: (21, 23), 2023: (21, 23), 2024: (20, 22), 2025: (20, 23), 2026: (20, 23),
                 2027: (21, 23)}
    for year, (spring, autumn) in announced.items():
        days = holidays(year)
        assert date(year, 3, spring) in days and date(year, 9, autumn) in days, year
        march = sorted(d.day for d in days if d.month == 3)     # + its 振替休日 on a Sunday
        assert march == ([spring, spring + 1] if date(year, 3, spring).weekday() == 6 else [spring])


def test_check_lang_ja_of_a_test_file_household_error_is_japanese(tmp_path):
    d = tmp_path / "town" / "tests"
    d.mkdir(parents=True)
    src = next((tariffs_root() / "machida" / "tests").glob("*.yaml")).read_text(encoding="utf-8")
    (d / "x.yaml").write_text(src.replace("birth_date: 1984-01-10", "birth_date: 1984-02-30", 1),
                              encoding="utf-8")
    lines, failed = check.run([str(tmp_path / "town")], "ja")
    assert failed and len(lines) == 1 and "実在する日付ではありません" in lines[0], lines
    assert not _english_prose(lines[0])

"""Tools for tariff authors: every `levyrules check` message triggered by a broken tariff,
`show`, `diff`, the example tests beside the tariff, the guide and the generated reference."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import levyrules
from levyrules.authoring import check, diff, docs_reference, tariff_tests
from levyrules.render import show
from levyrules.authoring.check import check_file, translate
from levyrules.rules.reductions import reduced
from levyrules.tariff.loader import tariffs_root

from test_check_ja_limits import make_limit_files

ROOT = Path(__file__).parents[1]

# A complete FY2026 tariff (all four components, 納期, sources): every check passes.
GOOD = textwrap.dedent("""\
    municipality: {slug: testville, name: テスト市}
    fiscal_year: 2026
    kind: tax
    status: verified
    provenance:
      - title: テスト市国民健康保険税条例
        url: "https://example.invalid/jorei"
        article: 第3条
        date: 2026-04-01
        covers: [components]
    components:
      medical: {income_rate: "7.3%", per_capita: 23100, per_household: 18400, cap: 670000}
      support: {income_rate: "2.9%", per_capita: 8000, per_household: 6400, cap: 260000}
      care: {income_rate: "2.2%", per_capita: 10500, per_household: 5300, cap: 170000}
      child: {income_rate: "0.3%", per_capita: 1800, per_capita_adult: 100, cap: 30000}
    installments:
      unit: 100
      count: 3
      periods:
        - {period: 1, due: 2026-07-31}
        - {period: 2, due: 2026-08-31}
        - {period: 3, due: 2026-09-30}
      special:
        provisional:
          - {period: 1, due: 2026-04-15}
          - {period: 2, due: 2026-06-15}
        final:
          - {period: 1, due: 2026-10-15}
          - {period: 2, due: 2026-12-15}
    relief:
      - id: disaster
        title: 災害減免
        kind: grade
        from_month: 2026-09
        until_month: 2027-03
        grades: {全壊: 100%, 半壊: 50%}
    """)

COVERS_ALL = "covers: [components]"
CHILD = '  child: {income_rate: "0.3%", per_capita: 1800, per_capita_adult: 100, cap: 30000}\n'

# (id, (old, new) replacements, message fragment, severity, text on the reported line or None
# for line 1). Every message of the checks appears here at least once (see
# test_every_message_has_a_broken_tariff).
CASES = [
    # schema
    ("unknown-key", [("per_capita: 23100", "per_capita: 23100, bonus: 1")],
     "unknown key 'bonus'", "error", "bonus"),
    ("missing-key", [("kind: tax\n", "")], "missing required key 'kind'", "error", None),
    ("unknown-key-suggest", [("per_capita: 23100", "per_capta: 23100")],
     "unknown key 'per_capta': did you mean 'per_capita'?", "error", "per_capta"),
    ("type", [("per_capita: 23100", "per_capita: 23100.5")],
     "'23100.5' is not a whole number (yen without commas, decimals or 円)", "error", "23100.5"),
    ("type-text", [("article: 第3条", "article: 3")], "3 is not text", "error", "article: 3"),
    ("enum", [("kind: tax", "kind: levy")],
     "'levy' is not allowed here: write one of tax, premium", "error", "kind: levy"),
    ("minimum", [("fiscal_year: 2026", "fiscal_year: 2019")],
     "2019 is too small: the smallest allowed is 2022", "error", "fiscal_year"),
    ("maximum", [("count: 3", "count: 30")], "30 is too large: the largest allowed is 24",
     "error", "count: 30"),
    ("pattern", [('income_rate: "7.3%"', 'income_rate: "0,072"')],
     "'0,072' is not a rate: write the rate as 7.3% or 0.073 (a point, not a comma; no other "
     "text)", "error", "0,072"),
    ("pattern-date", [("date: 2026-04-01", "date: 2026-4-1")],
     "'2026-4-1' has the wrong form: write the date as YYYY-MM-DD, e.g. 2026-07-31", "error",
     "2026-4-1"),
    ("pattern-other", [("name: テスト市}", "name: テスト市, code: '12345'}")],
     "'12345' has the wrong form: write the 団体コード as 6 digits in quotes", "error", "12345"),
    ("empty", [("kind: grade", "kind: grade\n    components: []")], "must not be empty", "error",
     "components: []"),
    ("status-note", [("status: verified", "status: unverified")],
     "missing required key 'status_note'", "error", "status:"),
    ("yaml", [("kind: tax", "kind: [tax")], "not valid YAML", "error", "status: verified"),
    ("duplicate", [("kind: tax\n", "kind: tax\nkind: premium\n")], "duplicate key 'kind'", "error",
     "kind: premium"),
    # year and components
    ("cap", [("cap: 670000", "cap: 680000")],
     "cap 680000 exceeds the statutory maximum 670000 of fiscal year 2026", "error", "680000"),
    ("no-cap", [(", cap: 260000}", "}")],
     "no cap given: the statutory maximum 260000 of fiscal year 2026 applies", "warning",
     "support:"),
    ("child-missing", [(CHILD, "")],
     "component child is levied in fiscal year 2026 but the tariff neither gives it",
     "error", "components:"),
    ("no-national", [("fiscal_year: 2026", "fiscal_year: 2030")],
     "no national parameters for fiscal year 2030", "error", "fiscal_year"),
    ("unknown-extends", [("kind: tax", "extends: nowhere/2026\nkind: tax")],
     "unknown tariff 'nowhere/2026'", "error", "extends"),
    ("unknown-extends-file", [("kind: tax", "extends: ../nope.yaml\nkind: tax")],
     "unknown tariff '../nope.yaml': not a shipped id (slug/FY) nor a file", "error", "extends"),
    ("unverified", [("status: verified", "status: unverified\nstatus_note: 税率表の一部を広報で確認")],
     "unverified tariff: 税率表の一部を広報で確認", "note", "status:"),
    ("not-known", [("per_capita: 10500, per_household: 5300,", "per_capita: 10500,"),
                   ("installments:", "missing:\n  - {path: components.care.per_household, "
                                     "note: not published}\ninstallments:")],
     "components.care.per_household is not known: not published", "note", "- {path"),
    # plausible values
    ("rate-negative", [('income_rate: "2.2%"', "income_rate: -1")], "a rate cannot be negative",
     "error", "income_rate: -1"),
    ("rate-zero-denominator", [("半壊: 50%", "半壊: 1/0")], "'1/0' is not a rate", "error", "1/0"),
    ("rate-100", [('income_rate: "2.9%"', 'income_rate: "129%"')],
     "a rate of 100% or more is not plausible", "error", "129%"),
    ("cap-zero", [("cap: 260000", "cap: 0")],
     "cap 0 would make the whole component zero: write the 条例's 課税限度額, or leave cap out "
     "to use the statutory maximum", "error", "cap: 0"),
    ("rate-misplaced-percent", [('income_rate: "7.3%"', 'income_rate: "0.072%"')],
     "income_rate 0.072% of medical is below the plausible minimum 0.5%: did you mean 7.2%?",
     "warning", "0.072%"),
    ("rate-below", [('income_rate: "0.3%"', 'income_rate: "0.0001%"')],
     "income_rate 0.0001% of child is below the plausible minimum 0.05%", "warning", "0.0001%"),
    ("income-rate", [('income_rate: "7.3%"', 'income_rate: "25%"')],
     "income_rate 25% is above the plausible maximum 20%", "warning", "25%"),
    ("asset-rate", [('income_rate: "7.3%",', 'income_rate: "7.3%", asset_rate: "65%",')],
     "asset_rate 65% is above the plausible maximum 60%", "warning", "65%"),
    ("per-capita", [("per_capita: 23100", "per_capita: 123000")],
     "per_capita 123000 is above the plausible maximum 100000", "warning", "123000"),
    # 特定世帯 / 特定継続世帯
    ("specified", [("per_household: 18400,", "per_household: 18400, per_household_specified: 9000,")],
     "per_household_specified 9000 is not ½ of per_household 18400 (9200)", "warning", "9000"),
    ("continuing", [("per_household: 6400,",
                     "per_household: 6400, per_household_specified_continuing: 4000,")],
     "per_household_specified_continuing 4000 is not ¾ of per_household 6400 (4800)", "warning",
     "4000"),
    ("specified-2houshiki", [("per_capita_adult: 100,", "per_capita_adult: 100, per_household_specified: 500,")],
     "per_household_specified is given but the component levies no per_household", "warning",
     "per_household_specified: 500"),
    # 納期
    ("due-not-a-date", [("due: 2026-08-31", "due: 2026-09-31")], "2026-09-31 is not a date", "error",
     "2026-09-31"),
    ("due-outside", [("due: 2026-07-31", "due: 2026-03-31")],
     "due date 2026-03-31 is outside fiscal year 2026 (2026-04-01 to 2027-05-31)", "error",
     "2026-03-31"),
    ("due-order", [("due: 2026-09-30", "due: 2026-08-15")],
     "due date 2026-08-15 of period 3 is not after 2026-08-31 of period 2", "error", "2026-08-15"),
    ("period-missing", [("    - {period: 2, due: 2026-08-31}\n", "")],
     "period 2 is missing: the periods run 1 to 3 (count: 3)", "error", "period: 3"),
    ("last-period-dropped", [("    - {period: 3, due: 2026-09-30}\n", "")],
     "period 3 is missing: the periods run 1 to 3 (count: 3)", "error", "  periods:"),
    ("period-beyond-count", [("period: 3, due: 2026-09-30", "period: 4, due: 2026-09-30")],
     "period 4 is beyond count 3: correct count or remove the period", "error", "period: 4"),
    ("period-twice", [("period: 3, due: 2026-09-30", "period: 2, due: 2026-09-30")],
     "period 2 is written twice", "error", "period: 2, due: 2026-09-30"),
    ("period-order", [("period: 1, due: 2026-07-31", "period: 2, due: 2026-07-31"),
                      ("period: 2, due: 2026-08-31", "period: 1, due: 2026-08-31")],
     "period 1 is written after period 2: list the periods in order", "error", "period: 1"),
    ("provisional-numbering", [("{period: 2, due: 2026-06-15}", "{period: 3, due: 2026-06-15}")],
     "provisional period 2 is missing: the periods run 1 to 3", "error",
     "period: 3, due: 2026-06-15"),
    ("saturday", [("due: 2026-07-31", "due: 2026-07-25")],
     "due date 2026-07-25 of period 1 is a Saturday: 地方税法20条の5第2項 moves it to "
     "2026-07-27; write that date", "warning", "2026-07-25"),
    ("sunday", [("due: 2026-08-31", "due: 2026-08-30")],
     "due date 2026-08-30 of period 2 is a Sunday: 地方税法20条の5第2項 moves it to 2026-08-31",
     "warning", "2026-08-30"),
    ("national-holiday", [("due: 2026-09-30", "due: 2026-09-22")],    # 国民の休日 (第3条第3項)
     "due date 2026-09-22 of period 3 is a national holiday: 地方税法20条の5第2項 moves it to "
     "2026-09-24", "warning", "2026-09-22"),
    ("year-end", [("due: 2026-09-30", "due: 2026-12-29")],
     "due date 2026-12-29 of period 3 is in the year-end holidays (12/29–1/3): 地方税法20条の5第2項 "
     "moves it to 2027-01-04", "warning", "2026-12-29"),
    ("pension-day", [("due: 2026-06-15", "due: 2026-06-13")],
     "payment date 2026-06-13 of provisional period 2 is a Saturday: the pension is paid on the "
     "business day before, 2026-06-12", "warning", "2026-06-13"),
    ("final-before-provisional", [("due: 2026-10-15", "due: 2026-06-01")],
     "due date 2026-06-01 of final period 1 is not after 2026-06-15 of provisional period 2",
     "error", "2026-06-01"),
    ("provisional-periods", [("  unit: 100\n", "  unit: 100\n  provisional_periods: 5\n")],
     "provisional_periods 5 exceeds the number of periods 3", "error", "provisional_periods"),
    ("remainder", [("  unit: 100\n", "  unit: 100\n  remainder: 7\n")],
     "remainder period 7 does not exist (periods 1 to 3)", "error", "remainder"),
    # sources
    ("no-url", [('    url: "https://example.invalid/jorei"\n', "")],
     "no provenance entry has a URL: cite where the figures can be checked", "warning",
     "provenance:"),
    ("component-uncovered", [(COVERS_ALL, "covers: [components.medical, components.support, "
                                          "components.care]")],
     "components.child has no source: no provenance entry covers it", "warning", "child:"),
    ("value-uncovered", [(COVERS_ALL, "covers: [components.medical, components.support, "
                                      "components.care, components.child.income_rate, "
                                      "components.child.per_capita, "
                                      "components.child.per_capita_adult]")],
     "components.child.cap has no source: no provenance entry covers it", "warning", "child:"),
    ("covers-typo", [(COVERS_ALL, "covers: [components, components.medcal]")],
     "covers 'components.medcal' names no value of this tariff", "warning", "covers:"),
    ("source-date", [("date: 2026-04-01", "date: 2026-04-31")], "2026-04-31 is not a date",
     "error", "2026-04-31"),
    # missing
    # 条例減免
    ("relief-over-100", [("半壊: 50%", "半壊: 500%")],
     "減免割合 500% is more than 100%: a 減免 cannot exceed the tax", "error", "500%"),
    ("relief-zero", [("半壊: 50%", "半壊: 0%")],
     "減免割合 0% reduces nothing: remove it or write the 条例's share", "warning", "0%"),
    ("relief-month-13", [("from_month: 2026-09", "from_month: 2026-13")], "2026-13 is not a month",
     "error", "2026-13"),
    ("relief-months", [("until_month: 2027-03", "until_month: 2026-08")],
     "until_month 2026-08 is before from_month 2026-09", "error", "until_month"),
    # new-user-2026-11-30: mistakes an author made on purpose that check let through
    ("relief-drop-over-100", [("    grades: {全壊: 100%, 半壊: 50%}\n",
                               "    grades: {全壊: 100%, 半壊: 50%}\n  - {id: drop, title: x, "
                               "kind: income_drop, table: [{drop_at_least: 150%, rate: 50%}]}\n")],
     "drop 150% is more than 100%: income cannot fall by more", "error", "150%"),
    ("relief-month-outside-year", [("from_month: 2026-09", "from_month: 2025-09")],
     "from_month 2025-09 is outside fiscal year 2026 (2026-04 to 2027-03)", "error", "from_month"),
    ("relief-key-of-another-kind", [("    grades: {全壊: 100%, 半壊: 50%}\n",
                                     "    grades: {全壊: 100%, 半壊: 50%}\n    rate: 50%\n")],
     "rate is read only by a rule of kind detention, not grade: it is ignored", "warning",
     "    rate: 50%"),
    ("relief-row-never-applies", [("    grades: {全壊: 100%, 半壊: 50%}\n",
                                   "    grades: {全壊: 100%, 半壊: 50%}\n  - id: drop\n    title: x\n"
                                   "    kind: income_drop\n    table:\n"
                                   "      - {drop_at_least: 30%, rate: 30%}\n"
                                   "      - {drop_at_least: 50%, previous_income_up_to: 5000000, "
                                   "rate: 50%}\n")],
     "table row 2 never applies: row 1 comes first and fits every household it fits (list the "
     "larger drops first)", "warning", "drop_at_least: 50%"),
    ("relief-id-twice", [("    grades: {全壊: 100%, 半壊: 50%}\n",
                          "    grades: {全壊: 100%, 半壊: 50%}\n  - {id: disaster, title: x, "
                          "kind: child_per_capita}\n")],
     "relief id 'disaster' is used twice", "error", "- {id: disaster"),
    # notes
    ("english-note", [("status: verified", "status: unverified\nstatus_note: rates not checked yet")],
     "status_note is written in English: write it in Japanese (the English may go in "
     "status_note_en)", "warning", "status_note"),
    ("missing-typo", [("installments:", "missing:\n  - {path: components.medical.rate, note: x}\n"
                                        "installments:")],
     "missing path 'components.medical.rate' names no tariff value", "warning", "- {path"),
    ("missing-but-given", [("installments:", "missing:\n  - {path: components.care, note: x}\n"
                                             "installments:")],
     "components.care is given but also listed under `missing`: remove one of them", "warning",
     "- {path"),
]


def write(tmp_path: Path, text: str, name: str = "t.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def broken(changes) -> str:
    text = GOOD
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def line_of(text: str, marker: str | None) -> int:
    if marker is None:
        return 1
    return next(i for i, line in enumerate(text.splitlines(), 1) if marker in line)


def test_good_tariff_has_no_findings(tmp_path):
    assert check_file(write(tmp_path, GOOD)) == []
    t = levyrules.load_tariff(write(tmp_path, GOOD))
    assert set(t.components) == {"medical", "support", "care", "child"}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_broken_tariff_is_reported(tmp_path, case):
    _, changes, fragment, severity, marker = case
    text = broken(changes)
    p = write(tmp_path, text)
    found = check_file(p)
    hits = [f for f in found if fragment in f.message]
    assert hits, [str(f) for f in found]
    f = hits[0]
    assert f.severity == severity and f.line == line_of(text, marker), str(f)
    assert translate(f.message, "ja") != f.message, f"untranslated: {f.message}"
    if severity == "error":      # an error stops the tariff from loading, with its position
        with pytest.raises(levyrules.TariffError, match=re.escape(f"t.yaml:{f.line}:")):
            levyrules.load_tariff(p)
    else:
        levyrules.load_tariff(p)


def test_component_that_does_not_exist_in_the_year(tmp_path):
    text = broken([("fiscal_year: 2026", "fiscal_year: 2025"), ("cap: 670000", "cap: 660000")])
    text = text.replace("2026-", "2025-").replace("2027-", "2026-")
    found = [f for f in check_file(write(tmp_path, text)) if f.severity == "error"]
    assert [(f.severity, f.message, f.line) for f in found] == \
        [("error", "component child does not exist in fiscal year 2025", line_of(text, "child:"))]


def test_extends_cycle(tmp_path):
    write(tmp_path, "extends: b.yaml\n" + GOOD, "a.yaml")
    b = write(tmp_path, "extends: a.yaml\n" + GOOD, "b.yaml")
    found = check_file(b)
    assert found[0].message.startswith("`extends` cycle: ") and found[0].line == 1
    assert translate(found[0].message, "ja").startswith("extends が循環しています")


def test_no_such_file(tmp_path):
    found = check_file(tmp_path / "nope.yaml")
    assert found[0].message == "no such file" and translate("no such file", "ja") == "ファイルがありません"


def _all_messages(tmp_path) -> list[str]:
    out = []
    for i, (_, changes, *_rest) in enumerate(CASES):
        out += [f.message for f in check_file(write(tmp_path, broken(changes), f"c{i}.yaml"))]
    text = broken([("fiscal_year: 2026", "fiscal_year: 2025"), ("cap: 670000", "cap: 660000")])
    out += [f.message for f in check_file(write(tmp_path, text.replace("2026-", "2025-")
                                                .replace("2027-", "2026-"), "y.yaml"))]
    write(tmp_path, "extends: cb.yaml\n" + GOOD, "ca.yaml")
    out += [f.message for f in check_file(write(tmp_path, "extends: ca.yaml\n" + GOOD, "cb.yaml"))]
    out += [f.message for f in check_file(tmp_path / "nope.yaml")]
    for i, text in enumerate(("- a\n- b\n", "extends: [a]\n" + GOOD, "? [a]\n: 1\n" + GOOD)):
        out += [f.message for f in check_file(write(tmp_path, text, f"shape{i}.yaml"))]
    out += [f.message for f in check_file(write(make_tests_dir(tmp_path), "- a\n", "list.yaml"))]
    out += [f.message for f in check_file(write(make_tests_dir(tmp_path), GOOD, "tariff.yaml"))]
    out += [f.message for f in check_file(write(make_tests_dir(tmp_path), TEST_FILE.replace(
        "birth_date: 1991-01-10", "birth_date: 1991-02-30"), "household.yaml"))]
    out += [f.message for f in check_file(write(make_tests_dir(tmp_path), UNKNOWN_RELIEF,
                                                "relief.yaml"))]
    (tmp_path / "empty").mkdir()
    out += [f.message for f in check.tariff_files([str(tmp_path / "empty")])[1]]
    limits = make_limit_files(tmp_path / "limits")        # size, UTF-8, aliases, extends, …
    out += [f.message for p in sorted(limits.glob("*.yaml")) for f in check_file(p)]
    return out


def test_every_message_has_a_broken_tariff(tmp_path):
    """Each entry of the translation table is a check message; each is triggered above."""
    messages = _all_messages(tmp_path)
    untriggered = [p for p, _ in check._JA if not any(re.match(p, m) for m in messages)]
    assert not untriggered


def _guide_checks(name: str) -> list[str]:
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    section = text.split("<!-- checks -->")[1].split("<!-- /checks -->")[0]
    return [m[1] for m in re.findall(r"^### (`+) ?(.+?) ?\1$", section, flags=re.M)]


def test_guide_explains_every_check_in_both_languages():
    en = _guide_checks("guide.en.md")
    ja = _guide_checks("guide.ja.md")
    missing = [p for p, _ in check._JA if not any(re.match(p, m) for m in en)]
    assert not missing, f"no entry in docs/guide.en.md for {missing}"
    assert [translate(m, "ja") for m in en] == ja


def test_check_lang_ja_translates_new_messages(tmp_path):
    p = write(tmp_path, broken([("due: 2026-10-15", "due: 2026-06-01")]))
    lines, failed = check.run([str(p)], "ja")
    assert failed and "本徴収 第1回 の納期限 2026-06-01 が 仮徴収 第2回 の納期限 2026-06-15" in lines[0]
    assert ": エラー: " in lines[0]


# ---------------------------------------------------------------- example tests beside the tariff

TEST_FILE = textwrap.dedent("""\
    title: 単身 給与収入300万円
    tariff: tokyo-23ku/2026
    household:
      id: T-1
      fiscal_year: 2026
      head: p1
      persons:
        - id: p1
          birth_date: 1991-01-10
          insured: [{from: 2026-04-01, until: null}]
          income: {salary_revenue: 3000000}
    expected:
      reduction_tier: 0
      components: {medical: 167009, support: 62120, care: 0, child: 6166}
      total: 235295
    """)


def make_tests_dir(tmp_path: Path) -> Path:
    d = tmp_path / "town" / "tests"
    d.mkdir(parents=True, exist_ok=True)
    return d


def test_example_test_passes_and_failure_shows_expected_and_actual(tmp_path):
    d = make_tests_dir(tmp_path)
    ok = write(d, TEST_FILE, "ok.yaml")
    assert tariff_tests.run_file(ok).ok
    bad = write(d, TEST_FILE.replace("medical: 167009", "medical: 167100")
                .replace("total: 235295", "total: 235386"), "bad.yaml")
    o = tariff_tests.run_file(bad)
    assert not o.ok
    report = o.report()
    assert report.startswith("FAIL")
    row = next(line for line in report.splitlines() if line.strip().startswith("medical"))
    assert "167100" in row and "167009" in row and "✗" in row
    assert "✗" not in next(line for line in report.splitlines() if "support" in line)
    lines, passed = tariff_tests.run([str(tmp_path)])
    assert not passed and lines[-1] == "1 passed, 1 failed"


def test_example_test_compares_figures_and_relative_tariff_path(tmp_path):
    d = make_tests_dir(tmp_path)
    (tmp_path / "town" / "2026.yaml").write_text(GOOD, encoding="utf-8")
    text = TEST_FILE.replace("tariff: tokyo-23ku/2026", "tariff: ../2026.yaml").replace(
        "components: {medical: 167009, support: 62120, care: 0, child: 6166}\n  total: 235295",
        "components:\n    medical: {income_levy: 116070, per_capita: 23100, per_household: 18400,"
        " reductions: {}}\n    child: {reductions: {}, amount: 6600}")
    o = tariff_tests.run_file(write(d, text, "figures.yaml"))
    assert o.tariff.endswith("2026.yaml")
    assert o.ok, o.report()


@pytest.mark.parametrize("change, fragment, marker", [
    (("  total: 235295\n", "  total: 235295\n  totl: 1\n"), "unknown key 'totl'", "totl"),
    (("reduction_tier: 0", "reduction_tier: 30"), "30 is not allowed here: write one of 0, 20, 50, 70",
     "reduction_tier"),
    (("title: 単身 給与収入300万円\n", ""), "missing required key 'title'", None),
    (("birth_date: 1991-01-10", "birth_date: 1991-01-10\n      age: 35"), "unknown key 'age'", "age: 35"),
])
def test_broken_example_test_file_is_reported_with_line(tmp_path, change, fragment, marker):
    text = TEST_FILE.replace(*change)
    p = write(make_tests_dir(tmp_path), text, "x.yaml")
    for found in (check_file(p), tariff_tests.run_file(p).findings):
        assert any(fragment in f.message and f.line == line_of(text, marker) for f in found), \
            [str(f) for f in found]


def test_example_test_household_error_and_unknown_tariff_point_at_the_line(tmp_path):
    d = make_tests_dir(tmp_path)
    text = TEST_FILE.replace("birth_date: 1991-01-10", "birth_date: 1991-02-30")
    o = tariff_tests.run_file(write(d, text, "date.yaml"))
    assert o.findings[0].line == line_of(text, "birth_date") and \
        "persons[0].birth_date: not a valid date (YYYY-MM-DD)" in o.findings[0].message
    text = TEST_FILE.replace("tokyo-23ku/2026", "nowhere/2026")
    o = tariff_tests.run_file(write(d, text, "unknown.yaml"))
    assert o.findings[0].line == 2 and "unknown tariff 'nowhere/2026'" in o.findings[0].message


# an expected reduction naming a relief rule the tariff does not have (tokyo-23ku has none)
UNKNOWN_RELIEF = TEST_FILE.replace(
    "components: {medical: 167009,",
    "components: {medical: {reductions: {relief.typhoon: 1000}, amount: 167009},")


def test_check_reports_an_expected_relief_the_tariff_lacks_where_it_is_written(tmp_path):
    """`check` compared a test file's expected `relief.<id>` with nothing: only
    `levyrules test` failed it, as a row. Now both report it at the key, in English and
    in Japanese, before the household is assessed."""
    p = write(make_tests_dir(tmp_path), UNKNOWN_RELIEF, "relief.yaml")
    line = line_of(UNKNOWN_RELIEF, "relief.typhoon")
    column = UNKNOWN_RELIEF.splitlines()[line - 1].index("1000") + 1      # its value
    where = f"{p}:{line}:{column}: "
    lines, failed = check.run([str(p)])
    assert failed and lines == [
        where + "error: expected.components.medical.reductions.relief.typhoon: relief.typhoon "
        "names no relief rule of the tariff tokyo-23ku/2026 (its relief ids: none)"]
    lines, _ = check.run([str(p)], "ja")
    assert lines == [
        where + "エラー: expected.components.medical.reductions.relief.typhoon: relief.typhoon "
        "は税率表 tokyo-23ku/2026 の条例減免を指していません（この税率表の減免の id: なし）"]
    assert not tariff_tests.run_file(p).ok
    fixed = write(make_tests_dir(tmp_path), UNKNOWN_RELIEF.replace(
        "reductions: {relief.typhoon: 1000}, ", ""), "fixed.yaml")
    assert check_file(fixed) == [] and tariff_tests.run_file(fixed).ok


def test_shipped_example_files_match_their_schema_and_check_reads_tests_folders():
    files = tariff_tests.discover()
    assert {f.parent.parent.name for f in files} >= {"isesaki", "saga-kashima", "yuzawa",
                                                     "setouchi", "narita", "machida", "tokyo-23ku"}
    for f in files:
        assert check_file(f) == [], f
    files, empty = check.tariff_files([str(tariffs_root())])
    assert set(files) >= set(tariff_tests.discover()) and not empty


def test_contract_examples_are_converted():
    import yaml
    cases = yaml.safe_load((ROOT / "tests" / "contract" / "expected.yaml").read_text(encoding="utf-8"))
    by_tariff = {}
    for f in tariff_tests.discover():
        data = tariff_tests.load(f)[0]
        by_tariff.setdefault(data["tariff"], []).append(data)
    for case in cases:
        (data,) = by_tariff[case["tariff"]]
        exp = data["expected"]
        assert exp["reduction_tier"] == case["reduction_tier"]
        for name, amount in case["components"].items():
            got = exp["components"][name]
            assert (got["amount"] if isinstance(got, dict) else got) == amount
        assert exp.get("total") == case.get("total")


# ---------------------------------------------------------------- show

def test_show_iwaki_markdown_is_the_rate_table():
    md = show.render("iwaki/2025")
    t = levyrules.load_tariff("iwaki/2025")
    assert md.startswith("# いわき市 令和7年度 国民健康保険税 税率表")
    row = next(line for line in md.splitlines() if line.startswith("| 均等割額（被保険者1人）"))
    assert row == "| 均等割額（被保険者1人） | 28,988円 | 11,841円 | 11,505円 |"
    assert "| 所得割率 | 6.68% | 2.75% | 2.27% |" in md
    assert "| 課税限度額 | 660,000円 | 260,000円 | 170,000円 |" in md
    assert "| 特定世帯の平等割額 | 9,622円（法定 ½） | 3,930円（法定 ½） | — |" in md
    for tier in (70, 50, 20):      # the reductions come from the engine's own rule
        pay = reduced(t.components["medical"].per_capita, tier)
        assert f"{pay:,}円（−{28988 - pay:,}円）" in md
    assert "未検証" in md and "civic-rule-lab" in md


def test_show_html_is_a_standalone_japanese_page():
    page = show.render("machida/2026", "html")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="ja">' in page
    assert '<meta charset="utf-8">' in page and "<style>" in page and "<link" not in page
    assert "<script" not in page
    assert "子ども・子育て支援納付金分" in page and "18歳以上均等割額" in page and "105円" in page
    assert page.count("<table>") >= 4


def test_show_installments_missing_and_specified(tmp_path):
    text = broken([("per_household: 18400,", "per_household: 18400, per_household_specified: 9200,")])
    md = show.render(str(write(tmp_path, text)))
    assert "| 第2期 | 2026年8月31日（月） |  |" in md
    assert "| 本徴収 第2回 | 2026年12月15日（火） |  |" in md
    assert "| 特定世帯の平等割額 | 9,200円 | 3,200円（法定 ½） |" in md
    md = show.render("narita/2024")
    assert "| 均等割額（被保険者1人） | 21,000円 | 不明 |" in md
    assert "| 介護分（全体） |" in md and "7. 不明な値" in md and "components.care" not in md
    assert "components.care" in show.render("narita/2024", internal=True)


# ---------------------------------------------------------------- diff

def test_diff_lists_every_changed_value_of_two_shipped_years():
    out = diff.render("narita/2024", "narita/2025")
    for path, old, new in [
        ("components.medical.income_rate", "6.59%", "6.81%"),
        ("components.medical.per_capita", "21,000", "22,100"),
        ("components.medical.per_household", "18,100", "19,100"),
        ("components.medical.cap", "650,000 (statutory)", "660,000 (statutory)"),
        ("components.support.income_rate", "1.95%", "2.13%"),
        ("components.support.per_capita", "不明 (missing)", "8,700"),
        ("caps.medical", "650,000", "660,000"),
        ("caps.support", "240,000", "260,000"),
        ("reduction.per_person_50", "295,000", "305,000"),
        ("reduction.per_person_20", "545,000", "560,000"),
    ]:
        assert re.search(rf"\| changed \| {re.escape(path)} \|(?:.*\|)? {re.escape(old)} \| "
                         rf"{re.escape(new)} \|", out), path
    assert "| removed | missing[components.support.per_capita] |" in out
    assert "## Sources (provenance)" in out


def test_diff_finds_every_value_changed_in_a_tariff(tmp_path):
    old = write(tmp_path, GOOD, "old.yaml")
    new_text = (GOOD.replace("7.3%", "7.4%").replace("23100", "23200").replace("18400", "18600")
                .replace("cap: 670000", "cap: 650000").replace("0.3%", "0.27%")
                .replace("per_capita_adult: 100", "per_capita_adult: 73")
                .replace("2026-08-31", "2026-09-01") + "rounding: {hundred: total}\n")
    new = write(tmp_path, new_text, "new.yaml")
    rows = diff.compare(diff.tariff_values(levyrules.load_tariff(old), {"installments": {}}),
                        diff.tariff_values(levyrules.load_tariff(new), {"installments": {}}))
    changed = {p for _, p, _, _ in rows}
    assert changed == {"components.medical.income_rate", "components.medical.per_capita",
                       "components.medical.per_household", "components.medical.cap",
                       "components.medical.per_household_specified",
                       "components.medical.per_household_specified_continuing",
                       "components.child.income_rate", "components.child.per_capita_adult",
                       "rounding.hundred"}
    out = diff.render(str(old), str(new))
    assert "| changed | installments.periods[2] | 第2期 納期限 | 2026-08-31 | 2026-09-01 |" in out
    assert "Same fiscal year: no difference." in out


def test_diff_reference_households_are_redated_to_each_year():
    out = diff.render("koriyama/2025", "machida/2026")
    assert "## National parameters (法定値): 2025 → 2026" in out
    assert re.search(r"\| added \| caps\.child \|\s+\| 30,000 \|", out)
    from levyrules.engine.household import Household
    for hid, _, build in diff.REFERENCE_HOUSEHOLDS:
        totals = []
        for tid in ("koriyama/2025", "machida/2026"):
            t = levyrules.load_tariff(tid)
            totals.append(levyrules.assess(Household.from_json(build(t.fiscal_year)), t).total)
        a, b = totals
        assert re.search(rf"\| {hid} \| .* \| {a:,}.* \| {b:,}.* \| {re.escape(f'{b - a:+,}')} \|",
                         out), hid


# ---------------------------------------------------------------- command line and docs

def cli(*args):
    return subprocess.run([sys.executable, "-m", "levyrules.cli", *args], capture_output=True,
                          text=True, cwd=ROOT)


def test_cli_show_diff_test_and_bad_input():
    p = cli("show", "iwaki/2025", "--format", "html")
    assert p.returncode == 0 and '<html lang="ja">' in p.stdout
    p = cli("test")
    assert p.returncode == 0 and p.stdout.strip().splitlines()[-1].endswith("0 failed")
    for args in (["show", "nowhere/2025"], ["diff", "narita/2024", "nope.yaml"],
                 ["test", "no/such/dir"], ["show", "iwaki/2025", "--format", "pdf"]):
        p = cli(*args)
        assert p.returncode == 2 and p.stdout == "", args
        assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr, args


def test_committed_reference_equals_the_generated_one():
    committed = (ROOT / "docs" / "tariff-reference.md").read_text(encoding="utf-8")
    assert committed == docs_reference.generate(), \
        "run: python -m levyrules.authoring.docs_reference > docs/tariff-reference.md"


def test_reference_lists_every_schema_key():
    ref = docs_reference.generate()
    for key in ("`components.child.per_capita_adult`", "`installments.periods[].due`",
                "`provenance[].covers`", "`expected.components.medical.reductions`",
                "`household`"):
        assert key in ref

"""`show` and `diff` tell the whole truth (issue 9 §2; new-user-and-author.md "Authoring":
show left out the 条例減免, printed 7.20% as 7.2% and engine internals; diff ignored
`relief`, had only English headings, developer notes and no size of a change)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from levyrules.authoring import diff
from levyrules.render import show

from test_author_tools import broken, write

ROOT = Path(__file__).parents[1]
INTERNALS = ("税率表 ID", "sha256", "rules.reductions", "年度途中の加入・脱退と限度額",
             "擬制世帯主を給与所得者等の数に含める", "対象: components", "ファイル: ")


def test_show_lists_the_relief_rules(tmp_path):
    md = show.render(str(write(tmp_path, broken([]))))
    assert "## 6. 条例減免" in md
    row = next(line for line in md.splitlines() if line.startswith("| 災害減免 |"))
    assert "被害の程度に応じた減免" in row and "全壊 100%、半壊 50%" in row
    assert "2026年9月〜2027年3月" in row and "全区分の全額" in row
    md = show.render("iwaki/2023")          # a rule shipped disabled says why
    assert "割合等が不明のため適用できません" in md and "準半壊" in md
    assert "税率表に条例減免の記載はありません。" in show.render("koriyama/2025")


def test_show_keeps_rates_as_written(tmp_path):
    text = broken([('income_rate: "7.3%"', 'income_rate: "7.20%"'),
                   ('income_rate: "2.9%"', 'income_rate: "0.0290"')])
    md = show.render(str(write(tmp_path, text)))
    assert "| 所得割率 | 7.20% | 2.90% | 2.2% | 0.3% |" in md


def test_show_is_public_by_default_and_internal_on_request(tmp_path):
    p = str(write(tmp_path, broken([])))
    public, internal = show.render(p), show.render(p, internal=True)
    for marker in INTERNALS:
        assert marker not in public, marker
        assert marker in internal, marker
    assert "relief" not in public and "（disaster）" in internal     # the rule id
    for args, has in ((["--public"], False), (["--internal"], True), ([], False)):
        out = subprocess.run([sys.executable, "-m", "levyrules.cli", "show", p, *args],
                             capture_output=True, text=True, cwd=ROOT)
        assert out.returncode == 0 and ("sha256" in out.stdout) == has, args


def test_diff_compares_relief_with_the_size_of_each_change(tmp_path):
    """new-user-and-author.md: 50% → 60% was not reported."""
    old = write(tmp_path, broken([]), "old.yaml")
    new = write(tmp_path, broken([("半壊: 50%", "半壊: 60%"),
                                  ("until_month: 2027-03", "until_month: 2027-02")]), "new.yaml")
    out = diff.render(str(old), str(new))
    assert "| changed | relief[disaster].grades.半壊 | 条例減免 減免割合（半壊） | 50% | 60% | +10 pt |" in out
    assert "| changed | relief[disaster].until_month | 条例減免 終了月 | 2027-03 | 2027-02 |  |" in out


def test_diff_sizes_points_yen_and_households():
    out = diff.render("narita/2024", "narita/2025")
    assert re.search(r"\| components\.medical\.income_rate \|.*\| 6\.59% \| 6\.81% \| \+0\.22 pt \|", out)
    assert re.search(r"\| components\.medical\.per_capita \|.*\| 21,000 \| 22,100 \| \+1,100 yen \|", out)
    assert re.search(r"\| caps\.support \| 240,000 \| 260,000 \| \+20,000 yen \|", out)
    assert diff.size("7.3%", "7.25%") == "-0.05 pt" and diff.size("x", "y") == ""


def test_diff_in_japanese_has_japanese_headings_and_no_developer_notes():
    ja = diff.render("koriyama/2025", "machida/2026", "ja")
    en = diff.render("koriyama/2025", "machida/2026")
    for heading in ("# 税率表の比較", "## 税率表の値", "## 法定値: 2025年度 → 2026年度", "## 参考世帯"):
        assert heading in ja
    assert "+0.0" not in ja and "ポイント |" in ja and "円 |" in ja
    for text in (ja, en):
        assert "levyrules/authoring/diff.py" not in text and "levyrules.assess" not in text
        assert "partial=True" not in text
    headings = [line for line in ja.splitlines() if line.startswith("#")]
    assert not [h for h in headings if re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", h)], headings
    p = subprocess.run([sys.executable, "-m", "levyrules.cli", "diff", "narita/2024",
                        "narita/2025", "--lang", "ja"], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0 and "## 税率表の値" in p.stdout and "（法定）" in p.stdout


def test_the_tier_label_is_defined_once():
    # finding (issue 9 follow-up): show, diff's reference households and simulate built
    # 「N割軽減」 themselves; levyrules.rules.reductions.tier_label is the one definition
    from levyrules.rules.reductions import tier_label
    built = re.compile(r"\}割軽減|[\"']\d割軽減[\"']|[\"']軽減なし[\"']")
    src = ROOT / "src" / "levyrules"
    own = [str(p.relative_to(src)) for p in sorted(src.rglob("*.py"))
           if p.name != "reductions.py" and built.search(p.read_text(encoding="utf-8"))]
    assert own == []
    out = show.render("koriyama/2025")
    for tier in (70, 50, 20, 0):
        assert f"| {tier_label(tier)} |" in out

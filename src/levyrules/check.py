"""`levyrules check`: every problem of tariff files, as FILE:LINE:COLUMN: severity: message."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import TariffError
from .tariff import paths as _paths
from .tariff.loader import Finding, findings, read_source, tariffs_root
from .tariff.national import load_national
from .tariff_tests import check_file as check_test_file, is_test_file

_PERIOD_JA = {"period": "第{}期", "provisional period": "仮徴収 第{}回", "final period": "本徴収 第{}回"}


def _period_ja(label: str) -> str:
    """'provisional period 2' → '仮徴収 第2回'."""
    kind, _, n = label.rpartition(" ")
    return _PERIOD_JA.get(kind, kind + " {}").format(n)


def _order_ja(m: re.Match) -> str:
    return (f"{_period_ja(m.group(2))} の納期限 {m.group(1)} が "
            f"{_period_ja(m.group(4))} の納期限 {m.group(3)} より後になっていません")


def _numbering_ja(m: re.Match) -> str:
    kind = {"period": "期", "provisional period": "仮徴収の回", "final period": "本徴収の回"}[m.group(1)]
    return (f"{kind}は {m.group(2)} から {m.group(3)} まで欠番なしの連番にしてください: "
            f"{m.group(4)} のはずが {m.group(5)} です")


# English message → Japanese: one entry per message the checks emit (every entry has a
# broken tariff that triggers it in tests/test_author_tools.py, and a paragraph in
# docs/guide.*.md "What each check means")
_JA = [
    (r"^(\w+) (\S+) is above the plausible maximum (\S+): check the figure$",
     r"\1 \2 は通常ありえない大きさです（目安の上限 \3）: 値を確認してください"),
    (r"^(per_household_specified(?:_continuing)?) (\d+) is not (½|¾) of per_household (\d+) \((\d+)\): confirm it with the 条例$",
     r"\1 \2円 が平等割 \4円 の\3（\5円）ではありません: 条例で確認してください"),
    (r"^(\w+) is given but the component levies no per_household: it has no effect$",
     r"\1 が書かれていますが、この区分に平等割がないため効果がありません"),
    (r"^(\S+) is not a date$", r"\1 は実在する日付ではありません"),
    (r"^due date (\S+) is outside fiscal year (\d+) \((\S+) to (\S+)\)$",
     r"納期限 \1 が \2年度の範囲（\3〜\4）の外です"),
    (r"^due date (\S+) of (.+) is not after (\S+) of (.+)$", _order_ja),
    (r"^(period|provisional period|final period)s must be numbered (\d+) to (\d+) without gaps: expected (\d+), found (\d+)$",
     _numbering_ja),
    (r"^provisional_periods (\d+) exceeds the number of periods (\d+)$",
     r"仮算定の期数 provisional_periods \1 が期の数 \2 を超えています"),
    (r"^remainder period (\d+) does not exist \(periods 1 to (\d+)\)$",
     r"端数を充てる期 \1 がありません（第1期〜第\2期）"),
    (r"^no provenance entry has a URL: cite where the figures can be checked$",
     r"出典（provenance）に URL が一つもありません: 数値を確認できる所を示してください"),
    (r"^covers '(.+)' names no value of this tariff$",
     r"covers の '\1' はこの税率表のどの値も指していません"),
    (r"^(\S+) has no source: no provenance entry covers it$",
     r"\1 に出典がありません: どの出典（provenance）の covers にも含まれていません"),
    (r"^missing path '(.+)' names no tariff value$",
     r"missing の path '\1' は税率表の値を指していません"),
    (r"^(\S+) is given but also listed under `missing`: remove one of them$",
     r"\1 は値が書かれているのに missing にも挙がっています: どちらかを削除してください"),
    (r"^no such file$", r"ファイルがありません"),
    (r"^unknown tariff '(.+)': no file (.+)$", r"税率表 '\1' がありません（ファイル \2 がありません）"),
    (r"^unknown tariff '(.+)': not a shipped id \(slug/FY\) nor a file$",
     r"税率表 '\1' がありません（同梱の税率表 ID でもファイルでもありません）"),
    (r"^no national parameters for fiscal year (\d+) \((.+)\)$",
     r"\1年度の全国共通の法定値がありません（\2）"),
    (r"^unknown key '(.+)'$", r"未知のキー '\1' です"),
    (r"^missing required key '(.+)'$", r"必須のキー '\1' がありません"),
    (r"^(.+) is not of type (.+)$", r"\1 は型 \2 ではありません"),
    (r"^(.+) is not one of (.+)$", r"\1 は次のいずれでもありません: \2"),
    (r"^(.+) is less than the minimum of (.+)$", r"\1 は最小値 \2 より小さい値です"),
    (r"^(.+) does not match '(.+)'$", r"\1 は書式 \2 に合いません"),
    (r"^no cap given: the statutory maximum (\d+) of fiscal year (\d+) applies$",
     r"限度額の指定がありません: \2年度の法定上限 \1円 を適用します"),
    (r"^cap (\d+) exceeds the statutory maximum (\d+) of fiscal year (\d+)$",
     r"限度額 \1円 が \3年度の法定上限 \2円 を超えています"),
    (r"^component (\w+) does not exist in fiscal year (\d+)$", r"区分 \1 は \2年度には存在しません"),
    (r"^component (\w+) is levied in fiscal year (\d+) but the tariff neither gives it nor lists it under `missing`$",
     r"区分 \1 は \2年度に課税されますが、税率表にも missing にもありません"),
    (r"^unverified tariff: (.*)$", r"未検証の税率表です: \1"),
    (r"^(.+) is not known: (.*)$", r"\1 は不明です: \2"),
    (r"^a rate of 100% or more is not plausible$", r"100%以上の税率はありえません"),
    (r"^`extends` cycle: (.*)$", r"extends が循環しています: \1"),
    (r"^not valid YAML: (.*)$", r"YAMLとして読めません: \1"),
    (r"^duplicate key '(.+)'$", r"キー '\1' が重複しています"),
]
_SEVERITY_JA = {"error": "エラー", "warning": "警告"}


def translate(message: str, lang: str) -> str:
    if lang != "ja":
        return message
    for pattern, repl in _JA:
        if re.match(pattern, message):
            return re.sub(pattern, repl, message)
    return message


def format_finding(f: Finding, lang: str = "en") -> str:
    sev = _SEVERITY_JA[f.severity] if lang == "ja" else f.severity
    where = f"{f.path}: " if f.path else ""
    return f"{f.file}:{f.line}:{f.column}: {sev}: {where}{translate(f.message, lang)}"


def tariff_files(paths: list[str]) -> list[Path]:
    """The YAML files named, or found below the folders named (tests/ folders skipped)."""
    out: list[Path] = []
    for p in paths or [str(tariffs_root())]:
        path = Path(p)
        if _paths.is_dir(path):
            out.extend(sorted(q for q in path.rglob("*.yaml") if "tests" not in q.parts))
        else:
            out.append(path)
    return out


def check_file(path: Path) -> list[Finding]:
    if not _paths.is_file(path):
        return [Finding(str(path)[:200], 1, 1, "error", "no such file")]
    if is_test_file(path):       # an example test beside the tariff: its own schema
        return check_test_file(path)
    try:
        if path.parent.name == "national":
            load_national(path)
            return []
        return findings(read_source(path))
    except TariffError as e:
        return [Finding(e.file or str(path), e.line or 1, e.column or 1, "error", e.message,
                        e.path or "")]


def run(paths: list[str], lang: str = "en") -> tuple[list[str], bool]:
    """(lines to print, whether any error was found)."""
    lines: list[str] = []
    failed = False
    for path in tariff_files(paths):
        for f in check_file(path):
            failed |= f.severity == "error"
            lines.append(format_finding(f, lang))
    return lines, failed

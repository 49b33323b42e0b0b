"""`levyrules check`: every problem of tariff files, as FILE:LINE:COLUMN: severity: message."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import TariffError
from ..tariff import paths as _paths
from ..tariff.loader import Finding, findings, read_source, tariffs_root
from ..tariff.national import load_national
from .check_summary import summary
from .tariff_tests import check_file as check_test_file, is_test_file, run_file as run_test_file

_PERIOD_JA = {"period": "第{}期", "provisional period": "仮徴収 第{}回", "final period": "本徴収 第{}回"}


def _period_ja(label: str) -> str:
    """'provisional period 2' → '仮徴収 第2回'."""
    kind, _, n = label.rpartition(" ")
    return _PERIOD_JA.get(kind, kind + " {}").format(n)


def _order_ja(m: re.Match) -> str:
    return (f"{_period_ja(m.group(2))} の納期限 {m.group(1)} が "
            f"{_period_ja(m.group(4))} の納期限 {m.group(3)} より後になっていません")


def _gap_ja(m: re.Match) -> str:
    first, last = _period_ja(f"{m.group(1)} {m.group(3)}"), _period_ja(f"{m.group(1)} {m.group(4)}")
    count = f"、count {m.group(5)}" if m.group(5) else ""
    return f"{_period_ja(m.group(1) + ' ' + m.group(2))} がありません（{first}〜{last}{count}）"


def _twice_ja(m: re.Match) -> str:
    return f"{_period_ja(m.group(1) + ' ' + m.group(2))} が2回書かれています"


def _disorder_ja(m: re.Match) -> str:
    return (f"{_period_ja(m.group(1) + ' ' + m.group(2))} が {_period_ja(m.group(1) + ' ' + m.group(3))}"
            " の後に書かれています: 期の順に並べてください")


_CLOSED_JA = {"a Saturday": "土曜日", "a Sunday": "日曜日", "a national holiday": "国民の祝日・休日",
              "in the year-end holidays (12/29–1/3)": "年末年始（12月29日〜1月3日）"}


def _closed_ja(m: re.Match) -> str:
    return (f"{_period_ja(m.group(2))} の納期限 {m.group(1)} は{_CLOSED_JA[m.group(3)]}です: "
            f"地方税法20条の5第2項により {m.group(4)} に延びます。その日付を書いてください")


def _paid_ja(m: re.Match) -> str:
    return (f"{_period_ja(m.group(2))} の支払日 {m.group(1)} は{_CLOSED_JA[m.group(3)]}です: "
            f"年金はその前の営業日 {m.group(4)} に支払われます")


_TYPE_JA = {"text": "文字列", "true or false": "true か false", "a mapping of keys": "キーと値の組",
            "a list": "リスト"}
_FORM_JA = {
    "write the month as YYYY-MM, e.g. 2026-10": "月は 2026-10 のように YYYY-MM で書いてください",
    "write the 団体コード as 6 digits in quotes, e.g. \"072028\"":
        "団体コードは \"072028\" のように6桁の数字を引用符で囲んで書いてください",
    "use lower-case letters, digits and hyphens only, e.g. saga-kashima":
        "英小文字・数字・ハイフンだけで書いてください（例: saga-kashima）",
    "use lower-case letters, digits, _ and - only, e.g. disaster-2026":
        "英小文字・数字・_・- だけで書いてください（例: disaster-2026）",
    "write a web address starting with https:// or http://":
        "https:// または http:// で始まるURLを書いてください",
    "write first, last or a period number": "first、last または期の番号を書いてください",
    "it does not have the required form": "決められた書式ではありません",
}


def _type_ja(m: re.Match) -> str:
    return f"{m.group(1)} は{_TYPE_JA[m.group(2)]}ではありません"


def _form_ja(m: re.Match) -> str:
    return f"{m.group(1)} の書き方が違います: {_FORM_JA.get(m.group(2), m.group(2))}"


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
    (r"^(\S+) is not a month$", r"\1 は実在する月ではありません"),
    (r"^due date (\S+) is outside fiscal year (\d+) \((\S+) to (\S+)\)$",
     r"納期限 \1 が \2年度の範囲（\3〜\4）の外です"),
    (r"^due date (\S+) of (.+) is not after (\S+) of (.+)$", _order_ja),
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
    (r"^unknown tariff '(.+)': no file (.+) on the tariff search path \(`levyrules list` shows every id\)$",
     r"税率表 '\1' がありません（検索パスにファイル \2 がありません。`levyrules list` で全 ID を表示できます）"),
    (r"^unknown tariff '(.+)': no file (.+)$", r"税率表 '\1' がありません（ファイル \2 がありません）"),
    (r"^unknown tariff '(.+)': not a shipped id \(slug/FY\) nor a file$",
     r"税率表 '\1' がありません（同梱の税率表 ID でもファイルでもありません）"),
    (r"^no national parameters for fiscal year (\d+) \((.+)\)$",
     r"\1年度の全国共通の法定値がありません（\2）"),
    (r"^unknown key '(.+)': did you mean '(.+)'\?$", r"未知のキー '\1' です: '\2' の誤りではありませんか"),
    (r"^unknown key '(.+)'$", r"未知のキー '\1' です"),
    (r"^missing required key '(.+)'$", r"必須のキー '\1' がありません"),
    (r"^(.+) is not a rate: write the rate as 7\.3% or 0\.073 \(a point, not a comma; no other text\)$",
     r"\1 は税率として読めません: 7.3% または 0.073 のように書いてください（小数点はピリオド、他の文字は不可）"),
    (r"^(.+) has the wrong form: write the date as YYYY-MM-DD, e\.g\. 2026-07-31$",
     r"\1 の書き方が違います: 日付は 2026-07-31 のように YYYY-MM-DD で書いてください"),
    (r"^(.+) has the wrong form: (.+)$", _form_ja),
    (r"^(.+) is not a whole number \(yen without commas, decimals or 円\)$",
     r"\1 は整数ではありません（円の額はカンマ・小数点・「円」を付けずに書いてください）"),
    (r"^(.+) is not (text|true or false|a mapping of keys|a list)$", _type_ja),
    (r"^(.+) is not allowed here: write one of (.+)$", r"\1 はここに書けません: 次のいずれかを書いてください: \2"),
    (r"^(.+) is too small: the smallest allowed is (.+)$", r"\1 は小さすぎます（最小値 \2）"),
    (r"^(.+) is too large: the largest allowed is (.+)$", r"\1 は大きすぎます（最大値 \2）"),
    (r"^must not be empty$", r"空にはできません"),
    (r"^cap 0 would make the whole component zero: write the 条例's 課税限度額, or leave cap out to use the statutory maximum$",
     r"限度額 0 ではこの区分の税額がすべて0円になります: 条例の課税限度額を書くか、cap を省いて法定の上限額を使ってください"),
    (r"^(\w+) (\S+) of (\w+) is below the plausible minimum (\S+): did you mean (\S+)\?$",
     r"\3 の \1 \2 は通常ありえない小ささです（目安の下限 \4）: \5 の誤りではありませんか"),
    (r"^(\w+) (\S+) of (\w+) is below the plausible minimum (\S+)$",
     r"\3 の \1 \2 は通常ありえない小ささです（目安の下限 \4）: 値を確認してください"),
    (r"^(period|provisional period|final period) (\d+) is missing: the periods run (\d+) to (\d+)(?: \(count: (\d+)\))?$",
     _gap_ja),
    (r"^(period|provisional period|final period) (\d+) is written twice$", _twice_ja),
    (r"^(period|provisional period|final period) (\d+) is written after (?:period|provisional period|final period) (\d+): list the periods in order$",
     _disorder_ja),
    (r"^period (\d+) is beyond count (\d+): correct count or remove the period$",
     r"第\1期 は count \2（条例の納期の数）を超えています: count を直すか、この期を削除してください"),
    (r"^due date (\S+) of (.+) is (a Saturday|a Sunday|a national holiday|in the year-end holidays \(12/29–1/3\)): 地方税法20条の5第2項 moves it to (\S+); write that date$",
     _closed_ja),
    (r"^payment date (\S+) of (.+) is (.+): the pension is paid on the business day before, (\S+)$",
     _paid_ja),
    (r"^減免割合 (\S+) is more than 100%: a 減免 cannot exceed the tax$",
     r"減免割合 \1 が100%を超えています: 減免は税額を超えられません"),
    (r"^drop (\S+) is more than 100%: income cannot fall by more$",
     r"所得の減少割合 \1 が100%を超えています: 所得は100%より多くは減りません"),
    (r"^(from_month|until_month) (\S+) is outside fiscal year (\d+) \((\S+) to (\S+)\)$",
     r"\1 \2 が \3年度（\4〜\5）の外です"),
    (r"^(\w+) is read only by a rule of kind (\w+), not (\w+): it is ignored$",
     r"\1 は kind \2 の減免だけが読むキーです（この減免は \3）: 無視されます"),
    (r"^table row (\d+) never applies: row (\d+) comes first and fits every household it fits \(list the larger drops first\)$",
     r"table の \1 行目は使われません: 先にある \2 行目が同じ世帯にすべて当てはまります（減少割合の大きい行を先に書いてください）"),
    (r"^(減免割合|drop) 0% reduces nothing: remove it or write the 条例's share$",
     r"\1 0% では何も減免されません: 削除するか、条例の割合を書いてください"),
    (r"^until_month (\S+) is before from_month (\S+)$", r"until_month \1 が from_month \2 より前です"),
    (r"^relief id '(.+)' is used twice$", r"減免の id '\1' が重複しています"),
    (r"^(relief\.\S+) names no relief rule of the tariff (.+?) \(its relief ids: (.*)\)$",
     lambda m: f"{m.group(1)} は税率表 {m.group(2)} の条例減免を指していません"
               f"（この税率表の減免の id: {'なし' if m.group(3) == 'none' else m.group(3)}）"),
    (r"^(\w+) is written in English: write it in Japanese \(the English may go in (\w+)\)$",
     r"\1 が英語で書かれています: 日本語で書いてください（英語は \2 に書けます）"),
    (r"^no tariff or test files \(\*\.yaml\) in this folder$",
     r"このフォルダには税率表もテストファイル（*.yaml）もありません"),
    (r"^no cap given: the statutory maximum (\d+) of fiscal year (\d+) applies$",
     r"限度額の指定がありません: \2年度の法定上限 \1円 を適用します"),
    (r"^cap (\d+) exceeds the statutory maximum (\d+) of fiscal year (\d+)$",
     r"限度額 \1円 が \3年度の法定上限 \2円 を超えています"),
    (r"^component (\w+) does not exist in fiscal year (\d+)$", r"区分 \1 は \2年度には存在しません"),
    (r"^component (\w+) is levied in fiscal year (\d+) but the tariff neither gives it nor lists it under `missing`$",
     r"区分 \1 は \2年度に課税されますが、税率表にも missing にもありません"),
    (r"^unverified tariff: (.*)$", r"未検証の税率表です: \1"),
    (r"^(.+) is not known: (.*)$", r"\1 は不明です: \2"),
    (r"^a rate cannot be negative$", r"税率・割合は負にできません"),
    (r"^'(.+)' is not a rate \(write e\.g\. \"6\.68%\" or \"0\.0668\"\)$",
     r"'\1' は税率として読めません（6.68% または 0.0668 のように書いてください）"),
    (r"^a rate of 100% or more is not plausible$", r"100%以上の税率はありえません"),
    (r"^`extends` cycle: (.*)$", r"extends が循環しています: \1"),
    (r"^a tariff must be a mapping of keys$", r"税率表はキーと値の組（key: value）で書きます"),
    (r"^a test file must be a mapping of keys$", r"試験ファイルはキーと値の組（key: value）で書きます"),
    (r"^this is a tariff, not an example test: name the tariff's tests folder or a file in it \(levyrules test tariffs/SLUG\)$",
     r"これは税率表で、試験ファイルではありません: 税率表の tests フォルダかその中のファイルを指定してください（levyrules test tariffs/スラッグ）"),
    (r"^`extends` must be a tariff id or a path$", r"extends には税率表 ID（スラッグ/年度）かファイルのパスを書きます"),
    (r"^keys must be plain names$", r"キーは普通の名前で書きます（リストやマッピングはキーにできません）"),
    (r"^not valid YAML: (.*)$",
     r"YAMLとして読めません: 示した行とその前の行の括弧・引用符・字下げ、引用符が必要な文字列中の「:」を確かめてください"),
    (r"^duplicate key '(.+)'$", r"キー '\1' が重複しています"),
    # the limits on a tariff or test file (tariff/yamlmarks.py, paths.py, extends.py, loader.py)
    (r"^the file is larger than the limit of ([\d,]+) bytes$", r"ファイルが上限の \1 バイトを超えています"),
    (r"^the file is not UTF-8 text: save it as UTF-8$",
     r"ファイルが UTF-8 のテキストではありません: UTF-8 で保存してください"),
    (r"^YAML aliases \(\*name, <<: \*name\) are not allowed: write the value out$",
     r"YAML のエイリアス（*name、<<: *name）は使えません: 値をそのまま書いてください"),
    (r"^nested more than (\d+) levels deep$", r"入れ子が \1 段を超えています"),
    (r"^the tariff name is too long \(at most (\d+) characters per folder or file name, (\d+) in all\)$",
     r"税率表の名前が長すぎます（フォルダ名・ファイル名は \1 文字まで、全体で \2 文字まで）"),
    (r"^the tariff name contains a NUL character$", r"税率表の名前に NUL 文字が含まれています"),
    (r"^`(extends|tariff)` must name a tariff id or a \.yaml file, not (.+)$",
     r"\1 には税率表 ID か .yaml ファイルを書きます（\2 は書けません）"),
    (r"^`(extends|tariff)` may name a tariff id or a file in (this file's folder|the folder above `tests`) \(or below it, or on the tariff search path\), not a file elsewhere$",
     lambda m: f"{m.group(1)} に書けるのは税率表 ID か、"
               f"{'このファイルのフォルダ' if m.group(2).startswith('this') else 'tests の一つ上のフォルダ'}"
               "（その下、税率表の検索パス）のファイルだけです"),
    (r"^`extends` chain longer than (\d+) files$", r"extends の連鎖が \1 ファイルを超えています"),
    (r"^the file is named for fiscal year (\d+) but declares (\d+): rename the file or correct the year$",
     r"ファイル名は \1年度ですが fiscal_year は \2 です: ファイル名か年度を直してください"),
    # last: a household message of an example test ("persons[0].birth_date: …")
    (r"^([A-Za-z_][\w.\[\]-]*): (.+)$", lambda m: _field_ja(m)),
]
_SEVERITY_JA = {"error": "エラー", "warning": "警告", "note": "注記"}

# the household messages an example test most often meets (engine/household.py), after their field
_JA_HOUSEHOLD = [
    (r"^names no person of the household$", "世帯のどの人も指していません"),
    (r"^must be a list$", "リストで書きます"),
    (r"^must be an object$", "キーと値の組で書きます"),
    (r"^must be a whole, non-negative number of yen$", "0以上の整数の円で書きます"),
    (r"^must be a whole number of yen.*$", "整数の円で書きます"),
    (r"^is before the birth date$", "生年月日より前です"),
    (r"^unknown field \((\d+) unknown keys?: the (.+) of the object\)$",
     lambda m: f"未知の項目です（{m.group(1)}個: "
               f"{re.sub(r'(st|nd|rd|th)', '', m.group(2))} 番目のキー）"),
    (r"^must not be negative$", "負にできません"),
    (r"^must be one of (.+)$", r"次のいずれかを書きます: \1"),
    (r"^not a valid date \(YYYY-MM-DD\)$", "実在する日付ではありません（YYYY-MM-DD で書きます）"),
    (r"^must be a date between (\d+) and (\d+)$", r"\1年から\2年までの日付で書きます"),
    (r"^has more than (\d+) .+ \(the limit\)$", r"上限（\1）を超えています"),
    (r"^is larger than the limit \((.+) yen\)$", r"上限（\1円）を超えています"),
    (r"^another 世帯主変更 falls on the same date$", "同じ日に別の世帯主変更があります"),
    (r"^is required$", "必須です"),
    (r"^must be true or false.*$", "true か false で書きます"),
    (r"^periods overlap$", "期間が重なっています"),
    (r"^the tariff has no relief rule with this id$", "税率表にこの id の条例減免がありません"),
    (r"^a (\w+) rule takes only (.+)$", r"kind \1 の減免に書ける事実は \2 だけです"),
]


def _field_ja(m: re.Match) -> str:
    inner = m.group(2)
    for pattern, repl in _JA[:-1] + _JA_HOUSEHOLD:
        if re.match(pattern, inner):
            return f"{m.group(1)}: " + re.sub(pattern, repl, inner)
    return m.group(0)


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
    text = (getattr(f, "ja", "") or translate(f.message, lang)) if lang == "ja" else f.message
    return f"{f.file}:{f.line}:{f.column}: {sev}: {where}{text}"


def tariff_files(paths: list[str]) -> tuple[list[Path], list[Finding]]:
    """The YAML files named, or found below the folders named (tariffs and the example
    tests in their `tests` folders); a folder with nothing to check is a finding."""
    out: list[Path] = []
    empty: list[Finding] = []
    for p in paths or [str(tariffs_root())]:
        path = Path(p)
        if _paths.is_dir(path):
            found = sorted(path.rglob("*.yaml"))
            if not found:
                empty.append(Finding(str(path)[:200], 1, 1, "error",
                                     "no tariff or test files (*.yaml) in this folder"))
            out.extend(found)
        else:
            out.append(path)
    return out, empty


def check_file(path: Path) -> list[Finding]:
    if not _paths.is_file(path):
        return [Finding(str(path)[:200], 1, 1, "error", "no such file")]
    if is_test_file(path):       # an example test beside the tariff: its schema, its tariff
        return check_test_file(path) or run_test_file(path).findings   # and its household
    try:
        if path.parent.name == "national":
            load_national(path)
            return []
        return findings(read_source(path))
    except TariffError as e:
        return [Finding(e.file or str(path), e.line or 1, e.column or 1, "error", e.message,
                        e.path or "")]


def run(paths: list[str], lang: str = "en", verbose: bool = False) -> tuple[list[str], bool]:
    """(lines to print, whether any error was found). Without `paths`, every shipped tariff
    in one line each (check_summary) unless `verbose` asks for every finding."""
    files, found = tariff_files(paths)
    checked = [(path, check_file(path)) for path in files]
    found.extend(f for _, fs in checked for f in fs)
    failed = any(f.severity == "error" for f in found)
    if not paths and not verbose:
        return summary(checked, tariffs_root(), lang, format_finding), failed
    return [format_finding(f, lang) for f in found], failed

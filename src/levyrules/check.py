"""`levyrules check`: every problem of tariff files, as FILE:LINE:COLUMN: severity: message."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import TariffError
from .tariff.loader import Finding, findings, read_source, tariffs_root
from .tariff.national import load_national

_JA = [
    (r"^unknown key '(.+)'$", r"未知のキー '\1' です"),
    (r"^missing required key '(.+)'$", r"必須のキー '\1' がありません"),
    (r"^(.+) is not of type '(.+)'$", r"\1 は型 \2 ではありません"),
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
        if path.is_dir():
            out.extend(sorted(q for q in path.rglob("*.yaml") if "tests" not in q.parts))
        else:
            out.append(path)
    return out


def check_file(path: Path) -> list[Finding]:
    if not path.is_file():
        return [Finding(str(path), 1, 1, "error", "no such file")]
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

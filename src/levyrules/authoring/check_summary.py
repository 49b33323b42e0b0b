"""`levyrules check` without a file: every shipped tariff in one line each.

A first run (or a check of the whole search root) should answer in a screen: one line per
tariff (ok / warning / error, with counts and what the tariff declares of itself: its
unverified status, the values under `missing`), then every error and warning in full (of
the tariffs, their example tests and the national parameters), then one total line.
The notes themselves (status_note, each `missing` note) are printed by `check FILE` or
`check --verbose`.
"""

from __future__ import annotations

from pathlib import Path

from ..tariff.loader import Finding

_WORDS = {
    "en": {"ok": "ok", "error": "error", "warning": "warning",
           "errors": "{} error{}", "warnings": "{} warning{}", "unverified": "unverified",
           "missing": "{} value{} not known",
           "total": "checked {} tariffs, {} example tests and {} national parameter files: "
                    "{}, {}",
           "hint": "; notes: {}, {} (`levyrules check --verbose` or `levyrules check FILE` "
                   "prints each)",
           "unverified_n": "{} unverified tariff{}", "sep": ", "},
    "ja": {"ok": "ok", "error": "エラー", "warning": "警告",
           "errors": "エラー{}件", "warnings": "警告{}件", "unverified": "未検証",
           "missing": "不明な値{}件",
           "total": "税率表{}件・テスト{}件・全国共通の法定値{}件を確認しました: {}、{}",
           "hint": "。注記: {}、{}（各注記は `levyrules check --verbose` か "
                   "`levyrules check FILE` で表示されます）",
           "unverified_n": "未検証の税率表{}件", "sep": "、"},
}


def _count(words: dict, key: str, n: int) -> str:
    return words[key].format(n, "" if n == 1 else "s")


def kind(path: Path, root: Path) -> tuple[str, str]:
    """('tariff', 'iwaki/2025'), ('test', …) or ('national', …) of a file below the root."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return "other", str(path)
    if parts[0] == "national":
        return "national", "/".join(parts)
    if len(parts) == 2:
        return "tariff", f"{parts[0]}/{Path(parts[1]).stem}"
    return "test" if len(parts) == 3 and parts[1] == "tests" else "other", "/".join(parts)


def _line(tariff_id: str, found: list[Finding], words: dict) -> str:
    errors = sum(f.severity == "error" for f in found)
    warnings = sum(f.severity == "warning" for f in found)
    verdict = "error" if errors else "warning" if warnings else "ok"
    detail = [_count(words, "errors", errors)] if errors else []
    detail += [_count(words, "warnings", warnings)] if warnings else []
    if any(f.severity == "note" and f.path == "status" for f in found):
        detail.append(words["unverified"])
    missing = sum(f.severity == "note" and f.path.startswith("missing.") for f in found)
    if missing:
        detail.append(_count(words, "missing", missing))
    return f"{words[verdict]:<8} {tariff_id:<22} {words['sep'].join(detail)}".rstrip()


def summary(checked: list[tuple[Path, list[Finding]]], root: Path, lang: str,
            format_finding) -> list[str]:
    """The lines of `check` without a file: one a tariff, every error and warning, a total."""
    words = _WORDS["ja" if lang == "ja" else "en"]
    lines, full, kinds = [], [], {"tariff": 0, "test": 0, "national": 0, "other": 0}
    for path, found in checked:
        what, name = kind(path, root)
        kinds[what] += 1
        if what == "tariff":
            lines.append(_line(name, found, words))
        full += [format_finding(f, lang) for f in found if f.severity != "note"]
    every = [f for _, found in checked for f in found]
    errors = sum(f.severity == "error" for f in every)
    warnings = sum(f.severity == "warning" for f in every)
    total = words["total"].format(kinds["tariff"], kinds["test"], kinds["national"],
                                  _count(words, "errors", errors),
                                  _count(words, "warnings", warnings))
    unverified = sum(f.severity == "note" and f.path == "status" for f in every)
    missing = sum(f.severity == "note" and f.path.startswith("missing.") for f in every)
    if unverified or missing:
        total += words["hint"].format(_count(words, "unverified_n", unverified),
                                      _count(words, "missing", missing))
    return lines + full + [total]

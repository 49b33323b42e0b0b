"""`levyrules diff OLD NEW [--lang ja]`: what changed between two tariffs, value by value.

Every value the engine uses is compared as it takes effect (a cap left out is the
year's statutory maximum, a 特定世帯 amount left out is ½ or ¾ of the 平等割), the
条例減免 rules too, with the size of each change (points for a rate, yen for an
amount), the national parameters of the two years, and the effect on a few synthetic
reference households assessed under both tariffs.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from ..render import relief_text
from ..render.labels import COMPONENT_SHORT, INSTALLMENT_LABELS
from .reference_households import (  # noqa: F401 (re-exported: simulate uses the builders)
    REFERENCE_HOUSEHOLDS, _household, _person, reference_totals)
from ..engine.money import format_rate
from ..tariff import yamlmarks
from ..tariff.loader import load_tariff, read_source, resolve_path
from ..tariff.model import Tariff

LEVY_LABELS = {
    "income_rate": "所得割率", "asset_rate": "資産割率", "per_capita": "均等割額",
    "per_capita_adult": "18歳以上均等割額", "per_household": "平等割額",
    "per_household_specified": "特定世帯の平等割額",
    "per_household_specified_continuing": "特定継続世帯の平等割額", "cap": "課税限度額",
}
COMPONENT_LABELS = COMPONENT_SHORT
TOP_LABELS = {"fiscal_year": "年度", "kind": "税/料", "status": "検証状態",
              "municipality.name": "名称", "municipality.slug": "スラッグ",
              "municipality.prefecture": "都道府県", "municipality.code": "団体コード"}


# ---------------------------------------------------------------- values

def _yen(v: int) -> str:
    return f"{v:,}"


def tariff_values(t: Tariff, data: dict) -> dict[str, str]:
    """Every value of a tariff as it takes effect: dotted path → display text."""
    out: dict[str, str] = {}
    for key in ("municipality.name", "municipality.slug", "municipality.prefecture",
                "municipality.code"):
        v = t.municipality.get(key.split(".")[1])
        if v is not None:
            out[key] = str(v)
    out["fiscal_year"] = str(t.fiscal_year)
    out["kind"] = t.kind
    out["status"] = t.status
    for name in ("medical", "support", "care", "child"):
        rates = t.components.get(name)
        if rates is None:
            if name in t.national.caps and t.missing_note(name) is not None:
                out[f"components.{name}"] = "不明 (missing)"
            continue
        for key in LEVY_LABELS:
            if (name == "care" and key.startswith("per_household_specified")) or \
                    (name != "child" and key == "per_capita_adult"):
                continue
            out[f"components.{name}.{key}"] = _levy_value(t, name, rates, key)
    for block, obj in (("rounding", t.rounding), ("options", t.options)):
        for k in type(obj).__attrs_attrs__:
            out[f"{block}.{k.name}"] = str(getattr(obj, k.name)).lower() \
                if isinstance(getattr(obj, k.name), bool) else str(getattr(obj, k.name))
    for path, note in t.missing.items():
        out[f"missing[{path}]"] = note
    out.update(relief_text.values(data.get("relief") or []))
    out.update(_installment_values(data.get("installments")))
    return out


def _levy_value(t: Tariff, name: str, rates, key: str) -> str:
    """The display text of one levy of a component (a rate, an amount, the cap, the
    特定世帯 平等割 with the statutory ½ / ¾ when the tariff names none, or 不明)."""
    if f"components.{name}.{key}" in t.missing and key not in (
            "cap", "per_household_specified", "per_household_specified_continuing"):
        return "不明 (missing)"
    v = getattr(rates, key)
    if key == "cap":
        return _yen(v) + (" (statutory)" if rates.cap_is_statutory_default else "")
    if key.startswith("per_household_specified"):
        hh = rates.per_household
        if v is not None:
            return _yen(v)
        if hh is not None and (name != "child" or t.options.specified_household_child):
            half = key == "per_household_specified"
            return _yen(hh // 2 if half else hh * 3 // 4) + \
                (" (½, statutory)" if half else " (¾, statutory)")
        return "—"
    if v is None:
        return "—"
    return format_rate(v) if key.endswith("_rate") else _yen(v)


def _installment_values(inst: dict | None) -> dict[str, str]:
    """The 納期 of a tariff's `installments` block: dotted path → display text."""
    out: dict[str, str] = {}
    for k, v in (inst or {}).items():
        if k == "periods":
            for p in v:
                out[f"installments.periods[{p['period']}]"] = _due(p)
        elif k == "special":
            for kind in ("provisional", "final"):
                for p in v.get(kind, []):
                    out[f"installments.special.{kind}[{p['period']}]"] = _due(p)
            if "on_change" in v:
                out["installments.special.on_change"] = str(v["on_change"])
        else:
            out[f"installments.{k}"] = str(v)
    return out


def _due(p: dict) -> str:
    return p["due"] + (" (derived)" if p.get("derived") else "")


def national_values(t: Tariff) -> dict[str, str]:
    """The year's national parameters, flattened (citations left out)."""
    from pathlib import Path
    path = Path(t.national.file)
    data, _ = yamlmarks.load(path.read_text(encoding="utf-8"), str(path))
    out: dict[str, str] = {}

    def walk(v: Any, prefix: str) -> None:
        if isinstance(v, dict):
            if "value" in v and set(v) <= {"value", "status", "cite"}:
                walk(v["value"], prefix)
                return
            for k, x in v.items():
                if k in ("status", "cite", "sources"):
                    continue
                walk(x, f"{prefix}.{k}" if prefix else k)
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, f"{prefix}[{i}]")
        else:
            money = isinstance(v, int) and not isinstance(v, bool) and not prefix.endswith("year")
            out[prefix] = "—" if v is None else (_yen(v) if money else str(v))
    walk(data, "")
    return out


def _order(keys: list[str]) -> list[str]:
    """Tariff paths in reading order: components by statutory order and levy, then the rest
    (keys of one side only are placed among the others, not at the end)."""
    comps = list(COMPONENT_LABELS)
    levies = list(LEVY_LABELS)

    def key(item: tuple[int, str]) -> tuple:
        i, k = item
        parts = k.split(".")
        if parts[0] == "components" and len(parts) >= 2 and parts[1] in comps:
            rank = levies.index(parts[2]) + 1 if len(parts) > 2 and parts[2] in levies else 0
            return (1, comps.index(parts[1]), rank, i)
        if parts[0] in ("municipality", "fiscal_year", "kind", "status"):
            return (0, 0, 0, i)
        return (2, 0, 0, i)
    return [k for _, k in sorted(enumerate(keys), key=key)]


def compare(old: dict[str, str], new: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(change, path, old text, new text) for every value that differs, in reading order."""
    keys = list(old) + [k for k in new if k not in old]
    if any(k.startswith("components.") for k in keys):
        keys = _order(keys)
    rows = []
    for k in keys:
        a, b = old.get(k), new.get(k)
        if a == b:
            continue
        change = "added" if a is None else "removed" if b is None else "changed"
        rows.append((change, k, "" if a is None else a, "" if b is None else b))
    return rows


def _label(path: str) -> str:
    if path in TOP_LABELS:
        return TOP_LABELS[path]
    if path in INSTALLMENT_LABELS:
        return INSTALLMENT_LABELS[path]
    parts = path.split(".")
    if parts[0] == "components" and len(parts) >= 2:
        comp = COMPONENT_LABELS.get(parts[1], parts[1])
        return comp + (" " + LEVY_LABELS.get(parts[2], parts[2]) if len(parts) > 2 else "")
    if path.startswith("installments.periods["):
        return "第" + path.split("[")[1].rstrip("]") + "期 納期限"
    for kind, label in (("provisional", "特別徴収 仮徴収"), ("final", "特別徴収 本徴収")):
        if path.startswith(f"installments.special.{kind}["):
            return f"{label} 第" + path.split("[")[1].rstrip("]") + "回"
    if path.startswith("missing["):
        return "不明な値の理由"
    if path.startswith("relief["):
        rest = path.split("].", 1)[1] if "]." in path else ""
        key, _, sub = rest.partition(".")
        what = {"grades": f"減免割合（{sub}）", "rate": "減免割合", "title": "名称", "article": "根拠",
                "kind": "種類", "enabled": "適用", "timing": "限度額との順序",
                "from_month": "開始月", "until_month": "終了月", "components": "対象区分",
                "levies": "対象の賦課", "insured_on": "加入の条件日", "child": f"子ども（{sub}）"}
        if key.startswith("table"):
            row = key[len("table["):-1]
            return f"条例減免 所得減少の区分 {row}" + ("の減免割合" if sub == "rate" else "")
        return "条例減免 " + (what.get(key) or key)
    return ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


_TEXT = {   # (en, ja)
    "title": ("levyrules diff: {a} → {b}", "税率表の比較: {a} → {b}"),
    "values": ("Tariff values (税率表の値)", "税率表の値"),
    "head": ("| change | value | | {a} | {b} | size |", "| 変更 | 値 | 項目 | {a} | {b} | 差 |"),
    "same": ("No value differs.", "違いはありません。"),
    "counts": ("{c} changed, {a} added, {r} removed.", "変更 {c}件、追加 {a}件、削除 {r}件。"),
    "note": ("Status note (status_note)", "検証状態の注記"),
    "old": ("old", "旧"), "new": ("new", "新"), "none": ("(none)", "（なし）"),
    "sources": ("Sources (provenance)", "出典"),
    "national": ("National parameters (法定値): {a} → {b}", "法定値: {a}年度 → {b}年度"),
    "same_year": ("Same fiscal year: no difference.", "同じ年度のため違いはありません。"),
    "nhead": ("| change | value | old | new | size |", "| 変更 | 値 | 旧 | 新 | 差 |"),
    "households": ("Reference households (参考世帯)", "参考世帯"),
    "households_p": (
        "Synthetic households (no real person), dated to each tariff's fiscal year; a total "
        "is unknown when the tariff lacks a component the household needs.",
        "架空の世帯（実在の人ではありません）の税額を、それぞれの税率表の年度に合わせて計算しています。"
        "世帯に必要な区分が税率表にないときは不明です。"),
    "hhead": ("| household | | {a} | {b} | change |", "| 世帯 | 内容 | {a} | {b} | 増減 |"),
    "unknown": ("unknown", "不明"),
    "changed": ("changed", "変更"), "added": ("added", "追加"), "removed": ("removed", "削除"),
}
_VALUE_JA = ((" (½, statutory)", "（法定 ½）"), (" (¾, statutory)", "（法定 ¾）"),
             (" (statutory)", "（法定）"), ("不明 (missing)", "不明"), (" (derived)", "（推定）"))
_YEN = re.compile(r"^(\d{1,3}(?:,\d{3})*)(?: \(.*\))?$")
_PCT = re.compile(r"^(\d+(?:\.\d+)?)%")


def size(old: str, new: str, lang: str = "en") -> str:
    """The size of a change: points for a rate ('+0.22 pt'), yen for an amount ('+1,100 yen')."""
    a, b = _PCT.match(old or ""), _PCT.match(new or "")
    if a and b:
        d = Fraction(b.group(1)) - Fraction(a.group(1))
        text = ("+" if d >= 0 else "-") + format_rate(abs(d) / 100)[:-1]
        return text + ("ポイント" if lang == "ja" else " pt")
    a, b = _YEN.match(old or ""), _YEN.match(new or "")
    if a and b:
        d = int(b.group(1).replace(",", "")) - int(a.group(1).replace(",", ""))
        return f"{d:+,}" + ("円" if lang == "ja" else " yen")
    return ""


class _Words:
    """The report's words in one language: headings (T) and values (V)."""

    def __init__(self, lang: str):
        self.lang = lang

    def T(self, key: str, **kw) -> str:
        return _TEXT[key][self.lang == "ja"].format(**kw)

    def V(self, text: str, path: str = "") -> str:
        if self.lang == "ja" and path == "status":
            text = {"verified": "検証済み", "unverified": "未検証"}.get(text, text)
        if self.lang == "ja":
            for a, b in _VALUE_JA:
                text = text.replace(a, b)
        return _cell(text)


def _values_section(w: _Words, old_t: Tariff, new_t: Tariff, old_d: dict, new_d: dict) -> list[str]:
    T, V, lang = w.T, w.V, w.lang
    rows = compare(tariff_values(old_t, old_d), tariff_values(new_t, new_d))
    out = [f"## {T('values')}", ""]
    if rows:
        out += [T("head", a=_cell(old_t.id), b=_cell(new_t.id)), "|---|---|---|---:|---:|---:|"]
        out += [f"| {T(c)} | {p} | {_label(p)} | {V(a, p)} | {V(b, p)} | {size(a, b, lang)} |"
                for c, p, a, b in rows]
    else:
        out.append(T("same"))
    out.append("")
    counts = {k: sum(1 for r in rows if r[0] == k) for k in ("changed", "added", "removed")}
    return out + [T("counts", c=counts["changed"], a=counts["added"], r=counts["removed"]), ""]


def _notes_and_sources(w: _Words, old_t: Tariff, new_t: Tariff, old_d: dict, new_d: dict) -> list[str]:
    T, out = w.T, []
    key = "status_note" if w.lang == "ja" else "status_note_en"
    a = " ".join((old_d.get(key) or old_d.get("status_note") or "").split())
    b = " ".join((new_d.get(key) or new_d.get("status_note") or "").split())
    if a != b:
        out += [f"## {T('note')}", "", f"- {T('old')}: {a or T('none')}",
                f"- {T('new')}: {b or T('none')}", ""]

    def src(p: dict) -> str:
        covers = ("対象: " if w.lang == "ja" else "covers: ") + ", ".join(p.get("covers") or ())
        return " ".join(x for x in (p.get("title", ""), p.get("article", ""), p.get("url", ""),
                                    p.get("date", ""), covers if p.get("covers") else "") if x)
    old_s = [src(p) for p in old_t.provenance]
    new_s = [src(p) for p in new_t.provenance]
    gone = [x for x in old_s if x not in new_s]
    came = [x for x in new_s if x not in old_s]
    if gone or came:
        out += [f"## {T('sources')}", ""]
        out += [f"- {T('removed')}: {x}" for x in gone] + [f"- {T('added')}: {x}" for x in came] + [""]
    return out


def _national_section(w: _Words, old_t: Tariff, new_t: Tariff) -> list[str]:
    T, V = w.T, w.V
    out = [f"## {T('national', a=old_t.fiscal_year, b=new_t.fiscal_year)}", ""]
    if old_t.national.file == new_t.national.file:
        return out + [T("same_year"), ""]
    nrows = [r for r in compare(national_values(old_t), national_values(new_t))
             if r[1] != "fiscal_year"]
    if nrows:
        out += [T("nhead"), "|---|---|---:|---:|---:|"]
        out += [f"| {T(c)} | {p} | {V(a)} | {V(b)} | {size(a, b, w.lang)} |" for c, p, a, b in nrows]
    else:
        out.append(T("same"))
    return out + [""]


def _households_section(w: _Words, old_t: Tariff, new_t: Tariff) -> list[str]:
    T = w.T
    out = [f"## {T('households')}", "", T("households_p"), "",
           T("hhead", a=_cell(old_t.id), b=_cell(new_t.id)), "|---|---|---:|---:|---:|"]
    yen = "円" if w.lang == "ja" else ""
    for (hid, desc, a, na), (_, _, b, nb) in zip(reference_totals(old_t), reference_totals(new_t)):
        delta = f"{b - a:+,}{yen}" if a is not None and b is not None else ""
        fa = _yen(a) + yen + (f" ({na})" if na else "") if a is not None else (na or T("unknown"))
        fb = _yen(b) + yen + (f" ({nb})" if nb else "") if b is not None else (nb or T("unknown"))
        out.append(f"| {hid} | {desc} | {_cell(fa)} | {_cell(fb)} | {delta} |")
    return out + [""]


def render(old_ref: str, new_ref: str, lang: str = "en") -> str:
    """The difference between two tariffs as a Markdown report (headings in English or
    Japanese)."""
    w = _Words(lang)
    old_t, new_t = load_tariff(old_ref), load_tariff(new_ref)
    old_d = read_source(resolve_path(str(old_ref))).data
    new_d = read_source(resolve_path(str(new_ref))).data
    out = [f"# {w.T('title', a=old_t.id, b=new_t.id)}", ""]
    out += _values_section(w, old_t, new_t, old_d, new_d)
    out += _notes_and_sources(w, old_t, new_t, old_d, new_d)
    out += _national_section(w, old_t, new_t)
    out += _households_section(w, old_t, new_t)
    return "\n".join(out)


__all__ = ["REFERENCE_HOUSEHOLDS", "compare", "national_values", "reference_totals", "render",
           "size", "tariff_values"]


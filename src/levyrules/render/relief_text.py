"""条例減免 (relief, 地方税法717条) in words: the rows `show` prints and the values `diff`
compares, from the tariff's `relief:` entries as written."""

from __future__ import annotations

from typing import Any

from .labels import COMPONENT_SHORT as COMPONENT_JA, LEVY_SHORT as LEVY_JA
from .written import rate_as_written

KIND_JA = {"grade": "被害の程度に応じた減免", "income_drop": "所得の減少に応じた減免",
           "detention": "刑事施設等に収容された月の減免", "child_per_capita": "子どもの均等割の減免"}
TIMING_JA = {"after_cap": "限度額を適用した後の税額から", "before_cap": "限度額を適用する前の額から"}


def _rate(v: Any) -> str:
    try:
        return rate_as_written(v)
    except ValueError:
        return str(v)


def _month(text: str | None) -> str:
    if not text:
        return ""
    y, m = str(text).split("-")
    return f"{y}年{int(m)}月"


def scope(rule: dict) -> str:
    """'医療分・支援分の所得割・資産割' (all when not named)."""
    comps = "・".join(COMPONENT_JA[c] for c in rule.get("components") or ()) or "全区分"
    levies = "・".join(LEVY_JA[x] for x in rule.get("levies") or ()) or "全額"
    return f"{comps}の{levies}"


def period(rule: dict) -> str:
    a, b = _month(rule.get("from_month")), _month(rule.get("until_month"))
    if not a and not b:
        return "年度全体"
    return f"{a or '年度初め'}〜{b or '年度末'}"


def _condition(row: dict) -> str:
    """An income_drop row's condition: how far 合計所得 fell, and up to what last year."""
    cond = f"所得が前年から{_rate(row.get('drop_at_least'))}以上減少"
    if row.get("previous_income_up_to") is not None:
        cond += f"（前年の合計所得 {row['previous_income_up_to']:,}円以下）"
    return cond


def shares(rule: dict) -> str:
    """The 減免割合 as the 条例 states them."""
    kind = rule.get("kind")
    if kind == "grade":
        return "、".join(f"{g} {_rate(v)}" for g, v in (rule.get("grades") or {}).items()) or "—"
    if kind == "income_drop":
        rows = []
        for row in rule.get("table") or ():
            rows.append(f"{_condition(row)}: {_rate(row.get('rate'))}")
        return "、".join(rows) or "—"
    if kind == "detention":
        return f"収容された月の税額の {_rate(rule.get('rate', '100%'))}"
    child = rule.get("child") or {}
    order = child.get("rates_by_order") or ["100%"]
    text = "、".join(f"第{i}子 {_rate(v)}" for i, v in enumerate(order, 1)) + "（以降は最後の割合）"
    return f"{child.get('age_limit', 18)}歳到達年度末までの子の均等割の " + text


def rows(relief: list[dict], with_ids: bool = False) -> list[tuple]:
    """(名称, 根拠, 減免の種類, 対象, 期間, 減免割合, 備考) per rule."""
    out = []
    for r in relief or ():
        note = "" if r.get("enabled", True) else \
            "割合等が不明のため適用できません（申請の世帯は計算を拒否します）: " + " ".join(
                str(r.get("note", "")).split())
        if r.get("timing") == "before_cap":
            note = (TIMING_JA["before_cap"] + "減免します。 " + note).strip()
        title = r.get("title", "") + (f"（{r['id']}）" if with_ids else "")
        out.append((title, r.get("article", "") or "—", KIND_JA.get(r.get("kind"), ""), scope(r),
                    period(r), shares(r), note))
    return out


def values(relief: list[dict]) -> dict[str, str]:
    """Every value of every rule, flattened for `diff`: relief[<id>].<key> → text."""
    out: dict[str, str] = {}
    for r in relief or ():
        base = f"relief[{r.get('id')}]"
        for key in ("title", "article", "kind", "enabled", "timing", "from_month", "until_month",
                    "insured_on"):
            if key in r:
                out[f"{base}.{key}"] = str(r[key]).lower() if isinstance(r[key], bool) else str(r[key])
        for key in ("components", "levies"):
            if key in r:
                out[f"{base}.{key}"] = ", ".join(r[key])
        for g, v in (r.get("grades") or {}).items():
            out[f"{base}.grades.{g}"] = _rate(v)
        for i, row in enumerate(r.get("table") or ()):      # the row's condition, its share
            out[f"{base}.table[{i + 1}]"] = _condition(row)
            out[f"{base}.table[{i + 1}].rate"] = _rate(row.get("rate"))
        if "rate" in r:
            out[f"{base}.rate"] = _rate(r["rate"])
        for key, v in (r.get("child") or {}).items():
            out[f"{base}.child.{key}"] = ", ".join(_rate(x) for x in v) if isinstance(v, list) else str(v)
    return out

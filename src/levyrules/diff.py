"""`levyrules diff OLD NEW`: what changed between two tariffs, value by value.

Every value the engine uses is compared as it takes effect (a cap left out is the
year's statutory maximum, a 特定世帯 amount left out is ½ or ¾ of the 平等割), with
the national parameters of the two years, and the effect on a few synthetic
reference households assessed under both tariffs.
"""

from __future__ import annotations

from typing import Any, Callable

from .errors import LevyError
from .money import format_rate
from .tariff import yamlmarks
from .tariff.loader import load_tariff, read_source, resolve_path
from .tariff.model import Tariff

LEVY_LABELS = {
    "income_rate": "所得割率", "asset_rate": "資産割率", "per_capita": "均等割額",
    "per_capita_adult": "18歳以上均等割額", "per_household": "平等割額",
    "per_household_specified": "特定世帯の平等割額",
    "per_household_specified_continuing": "特定継続世帯の平等割額", "cap": "課税限度額",
}
COMPONENT_LABELS = {"medical": "医療分", "support": "支援分", "care": "介護分", "child": "子ども分"}
TOP_LABELS = {"fiscal_year": "年度", "kind": "税/料", "status": "検証状態",
              "municipality.name": "名称", "municipality.slug": "スラッグ",
              "municipality.prefecture": "都道府県", "municipality.code": "団体コード"}


# ---------------------------------------------------------------- reference households

def _person(pid: str, fy: int, age: int, income: dict, **extra) -> dict:
    """A person aged `age` on 1 April of `fy`, insured all year (birthday in October)."""
    return {"id": pid, "birth_date": f"{fy - age - 1}-10-01",
            "insured": [{"from": f"{fy}-04-01", "until": None}], "income": income, **extra}


def _household(hid: str, fy: int, persons: list[dict]) -> dict:
    return {"id": hid, "fiscal_year": fy, "head": "p1", "persons": persons}


# (id, description, builder for a fiscal year): synthetic, no personal data. Ages avoid
# 40, 65 and 75 within the year, so every household is the same in any year.
REFERENCE_HOUSEHOLDS: tuple[tuple[str, str, Callable[[int], dict]], ...] = (
    ("REF-single-pensioner", "単身 70歳 年金収入180万円",
     lambda fy: _household("REF-single-pensioner", fy, [
         _person("p1", fy, 70, {"pension_revenue": 1_800_000})])),
    ("REF-pensioner-couple", "夫婦 72歳 年金収入250万円・68歳 年金収入80万円",
     lambda fy: _household("REF-pensioner-couple", fy, [
         _person("p1", fy, 72, {"pension_revenue": 2_500_000}),
         _person("p2", fy, 68, {"pension_revenue": 800_000})])),
    ("REF-salary-family", "42歳 給与収入450万円・40歳 給与収入100万円・子10歳",
     lambda fy: _household("REF-salary-family", fy, [
         _person("p1", fy, 42, {"salary_revenue": 4_500_000}),
         _person("p2", fy, 40, {"salary_revenue": 1_000_000}),
         _person("p3", fy, 10, {})])),
    ("REF-self-employed-40s", "単身 45歳 営業所得350万円・固定資産税額5万円",
     lambda fy: _household("REF-self-employed-40s", fy, [
         _person("p1", fy, 45, {"business_income": 3_500_000}, fixed_asset_tax=50_000)])),
)


def reference_totals(t: Tariff) -> list[tuple[str, str, int | None, str]]:
    """(id, description, total or None, note) of each reference household under `t`,
    dated to the tariff's fiscal year."""
    from .assess import assess
    from .household import Household
    out = []
    for hid, desc, build in REFERENCE_HOUSEHOLDS:
        try:
            r = assess(Household.from_json(build(t.fiscal_year)), t, partial=True)
        except LevyError as e:      # e.g. a rule this engine version refuses
            out.append((hid, desc, None, str(e)))
            continue
        if r.total is None:
            known = "; ".join(f"{COMPONENT_LABELS[k]} {_yen(c.amount)}"
                              for k, c in r.components.items() if not c.missing)
            unknown = ", ".join(COMPONENT_LABELS[k] for k, c in r.components.items() if c.missing)
            note = (f"{known}; " if known else "") + f"不明: {unknown}"
        else:
            note = f"{r.reduction.tier // 10}割軽減" if r.reduction.tier else ""
        out.append((hid, desc, r.total, note))
    return out


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
        blocked = t.missing_note(name)
        if rates is None:
            if name in t.national.caps and blocked is not None:
                out[f"components.{name}"] = "不明 (missing)"
            continue
        for key in LEVY_LABELS:
            path = f"components.{name}.{key}"
            if name == "care" and key.startswith("per_household_specified"):
                continue
            if name != "child" and key == "per_capita_adult":
                continue
            if path in t.missing and key not in ("cap", "per_household_specified",
                                                 "per_household_specified_continuing"):
                out[path] = "不明 (missing)"
                continue
            v = getattr(rates, key)
            if key == "cap":
                out[path] = _yen(v) + (" (statutory)" if rates.cap_is_statutory_default else "")
            elif key.startswith("per_household_specified"):
                hh = rates.per_household
                if v is not None:
                    out[path] = _yen(v)
                elif hh is not None and (name != "child" or t.options.specified_household_child):
                    half = key == "per_household_specified"
                    out[path] = _yen(hh // 2 if half else hh * 3 // 4) + \
                        (" (½, statutory)" if half else " (¾, statutory)")
                else:
                    out[path] = "—"
            elif v is None:
                out[path] = "—"
            elif key.endswith("_rate"):
                out[path] = format_rate(v)
            else:
                out[path] = _yen(v)
    for block, obj in (("rounding", t.rounding), ("options", t.options)):
        for k in type(obj).__attrs_attrs__:
            out[f"{block}.{k.name}"] = str(getattr(obj, k.name)).lower() \
                if isinstance(getattr(obj, k.name), bool) else str(getattr(obj, k.name))
    for path, note in t.missing.items():
        out[f"missing[{path}]"] = note
    inst = data.get("installments")
    if inst:
        for k, v in inst.items():
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
    return ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(old_ref: str, new_ref: str) -> str:
    """The difference between two tariffs as a Markdown report."""
    old_t, new_t = load_tariff(old_ref), load_tariff(new_ref)
    old_d = read_source(resolve_path(str(old_ref))).data
    new_d = read_source(resolve_path(str(new_ref))).data
    out = [f"# levyrules diff: {old_t.id} → {new_t.id}", ""]

    rows = compare(tariff_values(old_t, old_d), tariff_values(new_t, new_d))
    out += ["## Tariff values (税率表の値)", ""]
    if rows:
        out += [f"| change | value | | {_cell(old_t.id)} | {_cell(new_t.id)} |",
                "|---|---|---|---:|---:|"]
        out += [f"| {c} | {p} | {_label(p)} | {_cell(a)} | {_cell(b)} |" for c, p, a, b in rows]
    else:
        out.append("No value differs.")
    out.append("")
    counts = {k: sum(1 for r in rows if r[0] == k) for k in ("changed", "added", "removed")}
    out += [f"{counts['changed']} changed, {counts['added']} added, {counts['removed']} removed.", ""]

    for key, label in (("status_note", "Status note (status_note)"),):
        a, b = " ".join(old_d.get(key, "").split()), " ".join(new_d.get(key, "").split())
        if a != b:
            out += [f"## {label}", "", f"- old: {a or '(none)'}", f"- new: {b or '(none)'}", ""]

    def src(p: dict) -> str:
        return " ".join(x for x in (p.get("title", ""), p.get("article", ""),
                                    p.get("url", ""), p.get("date", ""),
                                    "covers: " + ", ".join(p["covers"]) if p.get("covers") else "")
                        if x)
    old_s = [src(p) for p in old_t.provenance]
    new_s = [src(p) for p in new_t.provenance]
    gone = [s for s in old_s if s not in new_s]
    came = [s for s in new_s if s not in old_s]
    if gone or came:
        out += ["## Sources (provenance)", ""]
        out += [f"- removed: {s}" for s in gone] + [f"- added: {s}" for s in came] + [""]

    out += [f"## National parameters (法定値): {old_t.fiscal_year} → {new_t.fiscal_year}", ""]
    if old_t.national.file == new_t.national.file:
        out += ["Same fiscal year: no difference.", ""]
    else:
        nrows = compare(national_values(old_t), national_values(new_t))
        nrows = [r for r in nrows if r[1] not in ("fiscal_year",)]
        if nrows:
            out += ["| change | value | old | new |", "|---|---|---:|---:|"]
            out += [f"| {c} | {p} | {_cell(a)} | {_cell(b)} |" for c, p, a, b in nrows]
        else:
            out.append("No value differs.")
        out.append("")

    out += ["## Reference households (参考世帯)", "",
            "Synthetic households defined in levyrules/diff.py, dated to each tariff's fiscal "
            "year, assessed with `levyrules.assess(..., partial=True)`: a total is unknown "
            "when a component it needs is missing from the tariff.", "",
            f"| household | | {_cell(old_t.id)} | {_cell(new_t.id)} | change |",
            "|---|---|---:|---:|---:|"]
    for (hid, desc, a, na), (_, _, b, nb) in zip(reference_totals(old_t), reference_totals(new_t)):
        delta = f"{b - a:+,}" if a is not None and b is not None else ""
        fa = _yen(a) + (f" ({na})" if na else "") if a is not None else (na or "unknown")
        fb = _yen(b) + (f" ({nb})" if nb else "") if b is not None else (nb or "unknown")
        out.append(f"| {hid} | {desc} | {_cell(fa)} | {_cell(fb)} | {delta} |")
    out.append("")
    return "\n".join(out)


__all__ = ["REFERENCE_HOUSEHOLDS", "compare", "national_values", "reference_totals", "render",
           "tariff_values"]


"""Semantic checks of a tariff beyond its schema, for `levyrules check` and loading.

Each check calls ``add(path, severity, message)``; the loader turns the path into
FILE:LINE:COLUMN. Errors stop the tariff from loading; warnings are for the author
to confirm against the 条例. Every message has a Japanese form in check.py `_JA`
and an entry in docs/guide.*.md ("What each check means").
"""

from __future__ import annotations

import re
from datetime import date
from typing import Callable

from ..engine.money import format_rate, parse_rate

Add = Callable[..., None]

LEVY_KEYS = ("income_rate", "asset_rate", "per_capita", "per_capita_adult", "per_household",
             "per_household_specified", "per_household_specified_continuing", "cap")
COMPONENTS = ("medical", "support", "care", "child")

# Outside these a rate is almost certainly a typo (a misplaced decimal point, "0.072%" for
# 7.2%, a cap in a rate's place); the law sets no such limits, so these are warnings. The
# 子ども分 所得割 is small by design (令和8年度: about 0.1%–0.5%); a 資産割 is a share of the
# 固定資産税額 (usually 10%–45%).
PLAUSIBLE = {
    "income_rate": {"medical": ("0.5%", "20%"), "support": ("0.5%", "20%"),
                    "care": ("0.5%", "20%"), "child": ("0.05%", "5%")},
    "asset_rate": {c: ("1%", "60%") for c in COMPONENTS},
}
PLAUSIBLE_YEN = 100_000
# A 均等割・平等割 amount the engine takes at all: × 100 persons × 12 months stays near
# 10^12, far inside int64 whatever fractions (軽減 割合, 月割) multiply it in the columns
# (10^15 − 1 yen per person wrapped to a negative total there).
MAX_TARIFF_YEN = 10 ** 9
_YEN_KEYS = ("per_capita", "per_capita_adult", "per_household", "per_household_specified",
             "per_household_specified_continuing")

# 特定世帯 ½ and 特定継続世帯 ¾ of the 平等割 (地方税法703条の4; the engine's default)
_SPECIFIED = (("per_household_specified", 1, 2, "½"),
              ("per_household_specified_continuing", 3, 4, "¾"))


def _comps(data: dict) -> dict:
    comps = data.get("components")
    if not isinstance(comps, dict):
        return {}
    return {k: v for k, v in comps.items() if isinstance(v, dict)}


def run_all(data: dict, add: Add, nat=None, fy: int | None = None) -> None:
    """Every semantic check, on the well-formed parts of a tariff (nat: the year's
    national parameters, None when the fiscal year is unusable)."""
    from .due_checks import installments
    from .relief_checks import relief
    if nat is not None:
        year_components(data, nat, fy, add)
    rates(data, add)
    plausible_values(data, add)
    specified_amounts(data, add)
    if fy is not None:
        installments(data, fy, add)
    relief(data, add)
    provenance(data, add)
    missing_entries(data, add)
    notes_language(data, add)


def year_components(data: dict, nat, fy: int, add: Add) -> None:
    """Components of the year and their caps against the statutory maximum (政令)."""
    comps = _comps(data)
    missing_paths = {m.get("path") for m in data.get("missing") or [] if isinstance(m, dict)}
    for name, comp in comps.items():
        statutory = nat.caps.get(name)
        if statutory is None:
            add(("components", name), "error",
                f"component {name} does not exist in fiscal year {fy}")
            continue
        cap = comp.get("cap")
        if isinstance(cap, int) and not isinstance(cap, bool):
            if cap == 0:
                add(("components", name, "cap"), "error",
                    "cap 0 would make the whole component zero: write the 条例's 課税限度額, or "
                    "leave cap out to use the statutory maximum")
            elif cap > statutory:
                add(("components", name, "cap"), "error",
                    f"cap {cap} exceeds the statutory maximum {statutory} of fiscal year {fy}")
        elif "cap" not in comp and f"components.{name}.cap" not in missing_paths:
            add(("components", name), "warning",
                f"no cap given: the statutory maximum {statutory} of fiscal year {fy} applies")
    if not isinstance(data.get("components"), dict):
        return
    for name in nat.caps:
        if name not in data["components"] and f"components.{name}" not in missing_paths \
                and "components" not in missing_paths:
            add(("components",), "error",
                f"component {name} is levied in fiscal year {fy} but the tariff neither gives it "
                f"nor lists it under `missing`")


def rates(data: dict, add: Add) -> None:
    """Every rate can be read and is below 100%."""
    for name, comp in _comps(data).items():
        for key in ("income_rate", "asset_rate"):
            if comp.get(key) is None:
                continue
            try:
                r = parse_rate(comp[key])
            except ValueError as e:
                add(("components", name, key), "error", str(e))
                continue
            if r >= 1:
                add(("components", name, key), "error", "a rate of 100% or more is not plausible")


def plausible_values(data: dict, add: Add) -> None:
    for name, comp in _comps(data).items():
        for key, ranges in PLAUSIBLE.items():
            if comp.get(key) is None or name not in ranges:
                continue
            try:
                r = parse_rate(comp[key])
            except ValueError:
                continue              # reported by rates()
            lo_text, hi_text = ranges[name]
            lo, hi = parse_rate(lo_text), parse_rate(hi_text)
            if hi < r < 1:            # ≥ 100% is an error of its own
                add(("components", name, key), "warning",
                    f"{key} {format_rate(r)} is above the plausible maximum {hi_text}: "
                    "check the figure")
            elif r < lo:
                hint = f": did you mean {format_rate(r * 100)}?" if lo <= r * 100 <= hi else ""
                add(("components", name, key), "warning",
                    f"{key} {format_rate(r)} of {name} is below the plausible minimum "
                    f"{lo_text}{hint}")
        for key in _YEN_KEYS:
            v = comp.get(key)
            if isinstance(v, int) and v > MAX_TARIFF_YEN:
                add(("components", name, key), "error",
                    f"{key} is above {MAX_TARIFF_YEN:,} yen: levyrules refuses it (a yen "
                    "amount of a tariff must stay exact in 64-bit columns)")
            elif isinstance(v, int) and v > PLAUSIBLE_YEN:
                add(("components", name, key), "warning",
                    f"{key} {v} is above the plausible maximum {PLAUSIBLE_YEN}: check the figure")


def specified_amounts(data: dict, add: Add) -> None:
    """特定世帯 / 特定継続世帯 amounts: ½ and ¾ of the 平等割 (a 条例 may round: a warning)."""
    for name, comp in _comps(data).items():
        hh = comp.get("per_household")
        for key, num, den, label in _SPECIFIED:
            v = comp.get(key)
            if not isinstance(v, int) or isinstance(v, bool):
                continue
            if hh is None:
                add(("components", name, key), "warning",
                    f"{key} is given but the component levies no per_household: it has no effect")
                continue
            if not isinstance(hh, int) or isinstance(hh, bool):
                continue
            exact_floor = hh * num // den
            exact_ceil = -(-hh * num // den)
            if v not in (exact_floor, exact_ceil):
                add(("components", name, key), "warning",
                    f"{key} {v} is not {label} of per_household {hh} ({exact_floor}): "
                    "confirm it with the 条例")


def _date(text) -> date | None:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _covered(path: str, covers: list[str]) -> bool:
    return any(path == c or path.startswith(c + ".") for c in covers)


def _given_paths(data: dict) -> set[str]:
    """Every dotted path a `covers` or `missing` entry may name in this tariff."""
    out = {"components", "rounding", "options", "installments", "municipality", "kind"}
    for name, comp in _comps(data).items():
        out.add(f"components.{name}")
        out.update(f"components.{name}.{k}" for k in comp)
    for block in ("rounding", "options", "installments"):
        if isinstance(data.get(block), dict):
            out.update(f"{block}.{k}" for k in data[block])
    if data.get("relief"):
        out.add("relief")
    for r in data.get("relief") or []:
        if isinstance(r, dict) and isinstance(r.get("id"), str):
            out.add(f"relief.{r['id']}")
    return out


def provenance(data: dict, add: Add) -> None:
    """Every value has a source: a URL somewhere, and `covers` (when used) covering each value."""
    prov = [p if isinstance(p, dict) else {} for p in data.get("provenance") or []]
    if not prov:
        return
    for i, p in enumerate(prov):
        if isinstance(p.get("date"), str) and _date(p["date"]) is None:
            add(("provenance", i, "date"), "error", f"{p['date']} is not a date")
    if not any(p.get("url") for p in prov):
        add(("provenance",), "warning",
            "no provenance entry has a URL: cite where the figures can be checked")
    covers = [c for p in prov for c in p.get("covers") or [] if isinstance(c, str)]
    if not covers:
        return
    known = _given_paths(data)
    for i, p in enumerate(prov):
        for j, c in enumerate(p.get("covers") or []):
            if isinstance(c, str) and c not in known:
                add(("provenance", i, "covers", j), "warning",
                    f"covers {c!r} names no value of this tariff")
    for name, comp in _comps(data).items():
        cpath = f"components.{name}"
        if _covered(cpath, covers):
            continue
        partly = [c for c in covers if c.startswith(cpath + ".")]
        if not partly:
            add(("components", name), "warning",
                f"{cpath} has no source: no provenance entry covers it")
            continue
        for key, value in comp.items():
            if value is not None and not _covered(f"{cpath}.{key}", covers):
                add(("components", name, key), "warning",
                    f"{cpath}.{key} has no source: no provenance entry covers it")


def missing_entries(data: dict, add: Add) -> None:
    """A `missing` entry names a real path, and nothing given is also listed as missing."""
    comps = _comps(data)
    for i, m in enumerate(data.get("missing") or []):
        path = m.get("path") if isinstance(m, dict) else None
        if not isinstance(path, str):
            continue
        parts = path.split(".")
        if parts[0] != "components":
            continue
        valid = (len(parts) == 1 or (parts[1] in COMPONENTS and
                                     (len(parts) == 2 or parts[2] in LEVY_KEYS)))
        if not valid:
            add(("missing", i, "path"), "warning", f"missing path {path!r} names no tariff value")
            continue
        if len(parts) == 1:
            given = bool(comps)
        elif len(parts) == 2:
            given = any(v is not None for v in (comps.get(parts[1]) or {}).values())
        else:
            given = (comps.get(parts[1]) or {}).get(parts[2]) is not None
        if given:
            add(("missing", i, "path"), "warning",
                f"{path} is given but also listed under `missing`: remove one of them")



# two or more English words in a row: prose, not a key, a URL or a 条例 name
_PROSE = re.compile(r"[A-Za-z]{2,}[,;:]?(?:\s+[A-Za-z]{2,}[,;:.]?)+")


def _english(text) -> bool:
    return isinstance(text, str) and bool(_PROSE.search(text))


def notes_language(data: dict, add: Add) -> None:
    """Notes that `--explain` and `check --lang ja` print are written in Japanese; an English
    text goes in the `_en` key beside them."""
    places = [(("status_note",), data.get("status_note"), "status_note_en")]
    places += [(("missing", i, "note"), m.get("note"), "note_en")
               for i, m in enumerate(data.get("missing") or []) if isinstance(m, dict)]
    places += [(("relief", i, "note"), r.get("note"), "note_en")
               for i, r in enumerate(data.get("relief") or []) if isinstance(r, dict)]
    for path, text, en_key in places:
        if _english(text):
            add(path, "warning",
                f"{path[-1]} is written in English: write it in Japanese (the English may go "
                f"in {en_key})")

"""Semantic checks of a tariff beyond its schema, for `levyrules check` and loading.

Each check calls ``add(path, severity, message)``; the loader turns the path into
FILE:LINE:COLUMN. Errors stop the tariff from loading; warnings are for the author
to confirm against the 条例. Every message has a Japanese form in check.py `_JA`
and an entry in docs/guide.*.md ("What each check means").
"""

from __future__ import annotations

from datetime import date
from typing import Callable

from ..money import format_rate, parse_rate

Add = Callable[[tuple, str, str], None]

LEVY_KEYS = ("income_rate", "asset_rate", "per_capita", "per_capita_adult", "per_household",
             "per_household_specified", "per_household_specified_continuing", "cap")
COMPONENTS = ("medical", "support", "care", "child")

# above these a figure is almost certainly a typo (a misplaced decimal point, a cap in a
# rate's place); the law sets no such limit, so these are warnings
PLAUSIBLE = {"income_rate": ("20%", 20), "asset_rate": ("60%", 60)}
PLAUSIBLE_YEN = 100_000
_YEN_KEYS = ("per_capita", "per_capita_adult", "per_household", "per_household_specified",
             "per_household_specified_continuing")

# 特定世帯 ½ and 特定継続世帯 ¾ of the 平等割 (地方税法703条の4; the engine's default)
_SPECIFIED = (("per_household_specified", 1, 2, "½"),
              ("per_household_specified_continuing", 3, 4, "¾"))


def run_all(data: dict, add: Add) -> None:
    """Every semantic check below, on a tariff that passed its schema."""
    plausible_values(data, add)
    specified_amounts(data, add)
    installments(data, add)
    provenance(data, add)
    missing_entries(data, add)


def plausible_values(data: dict, add: Add) -> None:
    for name, comp in data["components"].items():
        for key, (label, pct) in PLAUSIBLE.items():
            if comp.get(key) is None:
                continue
            try:
                r = parse_rate(comp[key])
            except ValueError:
                continue              # reported by the loader
            if pct / 100 < r < 1:     # ≥ 100% is an error of its own
                add(("components", name, key), "warning",
                    f"{key} {format_rate(r)} is above the plausible maximum {label}: "
                    "check the figure")
        for key in _YEN_KEYS:
            v = comp.get(key)
            if isinstance(v, int) and v > PLAUSIBLE_YEN:
                add(("components", name, key), "warning",
                    f"{key} {v} is above the plausible maximum {PLAUSIBLE_YEN}: check the figure")


def specified_amounts(data: dict, add: Add) -> None:
    """特定世帯 / 特定継続世帯 amounts: ½ and ¾ of the 平等割 (a 条例 may round: a warning)."""
    for name, comp in data["components"].items():
        hh = comp.get("per_household")
        for key, num, den, label in _SPECIFIED:
            v = comp.get(key)
            if v is None:
                continue
            if hh is None:
                add(("components", name, key), "warning",
                    f"{key} is given but the component levies no per_household: it has no effect")
                continue
            exact_floor = hh * num // den
            exact_ceil = -(-hh * num // den)
            if v not in (exact_floor, exact_ceil):
                add(("components", name, key), "warning",
                    f"{key} {v} is not {label} of per_household {hh} ({exact_floor}): "
                    "confirm it with the 条例")


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def installments(data: dict, add: Add) -> None:
    """納期: real dates within [1 April FY, 31 May FY+1], periods 1..n, dates ascending."""
    inst = data.get("installments")
    if not inst:
        return
    fy = data["fiscal_year"]
    lo, hi = date(fy, 4, 1), date(fy + 1, 5, 31)
    base = ("installments",)

    def dated(entries: list, path: tuple, label: str, first: int | tuple = 1) -> list:
        """Check one list; return [(date, label, path)] of its valid dates."""
        out = []
        starts = first if isinstance(first, tuple) else (first,)
        expect = None
        for i, e in enumerate(entries):
            p = path + (i,)
            n = e["period"]
            if expect is None:
                expect = n if n in starts else starts[0]
            if n != expect:
                add(p + ("period",), "error",
                    f"{label}s must be numbered {starts[0]} to {starts[0] + len(entries) - 1} "
                    f"without gaps: expected {expect}, found {n}")
            expect += 1
            d = _date(e["due"])
            if d is None:
                add(p + ("due",), "error", f"{e['due']} is not a date")
                continue
            if not lo <= d <= hi:
                add(p + ("due",), "error",
                    f"due date {d} is outside fiscal year {fy} ({lo} to {hi})")
                continue
            out.append((d, f"{label} {n}", p + ("due",)))
        return out

    seq = dated(inst["periods"], base + ("periods",), "period")
    _ascending(seq, add)
    k = len(inst["periods"])
    prov = inst.get("provisional_periods")
    if prov is not None and prov > k:
        add(base + ("provisional_periods",), "error",
            f"provisional_periods {prov} exceeds the number of periods {k}")
    rem = inst.get("remainder")
    if isinstance(rem, int) and not isinstance(rem, bool) and not 1 <= rem <= k:
        add(base + ("remainder",), "error", f"remainder period {rem} does not exist (periods 1 to {k})")
    special = inst.get("special")
    if special:
        sp = base + ("special",)
        prov_list = special["provisional"]
        a = dated(prov_list, sp + ("provisional",), "provisional period")
        # 本徴収 is numbered either on its own (1..) or after the 仮徴収 (4, 5, 6)
        b = dated(special["final"], sp + ("final",), "final period", (1, len(prov_list) + 1))
        _ascending(a + b, add)


def _ascending(seq: list, add: Add) -> None:
    for (d0, l0, _), (d1, l1, p1) in zip(seq, seq[1:]):
        if d1 <= d0:
            add(p1, "error", f"due date {d1} of {l1} is not after {d0} of {l0}")


def _covered(path: str, covers: list[str]) -> bool:
    return any(path == c or path.startswith(c + ".") for c in covers)


def _given_paths(data: dict) -> set[str]:
    """Every dotted path a `covers` or `missing` entry may name in this tariff."""
    out = {"components", "rounding", "options", "installments", "municipality", "kind"}
    for name, comp in data["components"].items():
        out.add(f"components.{name}")
        out.update(f"components.{name}.{k}" for k in comp)
    for block in ("rounding", "options", "installments"):
        out.update(f"{block}.{k}" for k in data.get(block) or {})
    return out


def provenance(data: dict, add: Add) -> None:
    """Every value has a source: a URL somewhere, and `covers` (when used) covering each value."""
    prov = data["provenance"]
    for i, p in enumerate(prov):
        if "date" in p and _date(p["date"]) is None:
            add(("provenance", i, "date"), "error", f"{p['date']} is not a date")
    if not any(p.get("url") for p in prov):
        add(("provenance",), "warning",
            "no provenance entry has a URL: cite where the figures can be checked")
    covers = [c for p in prov for c in p.get("covers") or []]
    if not covers:
        return
    known = _given_paths(data)
    for i, p in enumerate(prov):
        for j, c in enumerate(p.get("covers") or []):
            if c not in known:
                add(("provenance", i, "covers", j), "warning",
                    f"covers {c!r} names no value of this tariff")
    for name, comp in data["components"].items():
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
    comps = data["components"]
    for i, m in enumerate(data.get("missing", [])):
        path = m["path"]
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


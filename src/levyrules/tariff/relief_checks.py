"""Checks of the 条例減免 rules (relief, 地方税法717条) of a tariff.

A 減免割合 (a grade's share, a table row's `rate`, `rate`, a child's rate) is more than 0%
and at most 100% (a 減免 cannot exceed the tax; 0% reduces nothing); a drop
(`drop_at_least`) lies in (0%, 100%]; rule ids are unique; `from_month` is not after
`until_month`, and both lie in the fiscal year; a key that only another kind reads is
named (it would be ignored); an `income_drop` row that an earlier row always takes first
is named (the first row that fits applies).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Callable

from ..engine.money import format_rate, parse_rate

Add = Callable[..., None]


def _share(value, path: tuple, what: str, add: Add) -> None:
    try:
        r = parse_rate(value)
    except ValueError as e:            # a negative number, 1/0 (a text the schema refused
        add(path, "error", str(e))     # is not repeated)
        return
    if r > 1 and what == "drop":
        add(path, "error", f"drop {format_rate(r)} is more than 100%: income cannot fall by more")
    elif r > 1:
        add(path, "error", f"{what} {format_rate(r)} is more than 100%: a 減免 cannot exceed the tax")
    elif r == 0:
        add(path, "warning", f"{what} 0% reduces nothing: remove it or write the 条例's share")


# the key each kind reads its figures from (the others would be ignored)
_KIND_KEY = {"grade": "grades", "income_drop": "table", "detention": "rate",
             "child_per_capita": "child"}


def _kind_keys(base: tuple, r: dict, add: Add) -> None:
    kind = r.get("kind")
    if kind not in _KIND_KEY:
        return
    for other, key in _KIND_KEY.items():
        if other != kind and key in r:
            add(base + (key,), "warning",
                f"{key} is read only by a rule of kind {other}, not {kind}: it is ignored")


def _shadowed_rows(base: tuple, table, add: Add) -> None:
    rows = []
    for j, row in enumerate(table if isinstance(table, list) else []):
        try:
            rows.append((j, parse_rate(row["drop_at_least"]), row.get("previous_income_up_to")))
        except (TypeError, KeyError, ValueError):
            return
    for j, drop, up in rows:
        for k, d2, up2 in rows:
            if k < j and d2 <= drop and (up2 is None or (up is not None and up2 >= up)):
                add(base + ("table", j), "warning", f"table row {j + 1} never applies: row "
                    f"{k + 1} comes first and fits every household it fits (list the larger "
                    "drops first)")
                break


def _in_year(base: tuple, r: dict, fy, add: Add) -> None:
    if not isinstance(fy, int):
        return
    first, last = f"{fy}-04", f"{fy + 1}-03"
    for key in ("from_month", "until_month"):
        v = r.get(key)
        if isinstance(v, str) and re.match(r"^\d{4}-(0[1-9]|1[0-2])$", v) \
                and not first <= v <= last:
            add(base + (key,), "error",
                f"{key} {v} is outside fiscal year {fy} ({first} to {last})")


def _rule(i: int, r: dict, add: Add, fy=None) -> None:
    base = ("relief", i)
    _kind_keys(base, r, add)
    _shadowed_rows(base, r.get("table"), add)
    _in_year(base, r, fy, add)
    grades = r.get("grades")
    if isinstance(grades, dict):
        for g, v in grades.items():
            _share(v, base + ("grades", g), "減免割合", add)
    for j, row in enumerate(r.get("table") or []):
        if isinstance(row, dict):
            if "rate" in row:
                _share(row["rate"], base + ("table", j, "rate"), "減免割合", add)
            if "drop_at_least" in row:
                _share(row["drop_at_least"], base + ("table", j, "drop_at_least"), "drop", add)
    if "rate" in r:
        _share(r["rate"], base + ("rate",), "減免割合", add)
    child = r.get("child")
    if isinstance(child, dict):
        for j, v in enumerate(child.get("rates_by_order") or []):
            _share(v, base + ("child", "rates_by_order", j), "減免割合", add)
    for key in ("from_month", "until_month"):
        v = r.get(key)
        if isinstance(v, str) and re.match(r"^\d{4}-\d{2}$", v) and not 1 <= int(v[5:]) <= 12:
            add(base + (key,), "error", f"{v} is not a month")
    on = r.get("insured_on")
    if isinstance(on, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", on):
        try:
            date.fromisoformat(on)
        except ValueError:
            add(base + ("insured_on",), "error", f"{on} is not a date")
    lo, hi = r.get("from_month"), r.get("until_month")
    if isinstance(lo, str) and isinstance(hi, str) and lo > hi:
        add(base + ("until_month",), "error", f"until_month {hi} is before from_month {lo}")


def relief(data: dict, add: Add) -> None:
    seen: set = set()
    for i, r in enumerate(data.get("relief") or []):
        if not isinstance(r, dict):
            continue
        rid = r.get("id")
        if isinstance(rid, str):
            if rid in seen:
                add(("relief", i, "id"), "error", f"relief id {rid!r} is used twice")
            seen.add(rid)
        _rule(i, r, add, data.get("fiscal_year"))

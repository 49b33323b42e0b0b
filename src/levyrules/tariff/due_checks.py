"""Checks of the 納期 (installments) of a tariff: numbering, count, dates, 休日.

- Every 普通徴収 期 of the 条例 is listed: `count` (the number of 納期 the 条例 sets, e.g.
  第1期〜第8期 → 8) is compared with `periods`, so a dropped 期 is named ("period 5 is
  missing"), the last one included; 仮徴収 and 本徴収 are numbered without gaps.
- Each 納期限 is a real date within [1 April FY, 31 May FY+1], in order.
- A 納期限 on a Saturday, Sunday, 国民の祝日 or 12/29–1/3 is moved by 地方税法20条の5第2項 to
  the next business day: a warning names that day (holidays.py). A 特別徴収 date is the
  年金支給日, paid the business day before when the 15th is closed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Callable

from .holidays import closed_reason, next_business_day

Add = Callable[..., None]


def _date(text) -> date | None:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def numbering(entries: list, path: tuple, label: str, add: Add, count: int | None = None,
              starts: tuple = (1,)) -> None:
    """Periods numbered from a start without gaps, duplicates or disorder; with `count`,
    exactly 1..count."""
    nums = [(i, e["period"]) for i, e in enumerate(entries)
            if isinstance(e, dict) and _int(e.get("period"))]
    if not nums:
        return
    first = min(n for _, n in nums)
    start = first if first in starts else starts[0]
    last = start + count - 1 if count else max(n for _, n in nums)
    seen: set[int] = set()
    prev = None
    for i, n in nums:
        p = path + (i, "period")
        if n in seen:
            add(p, "error", f"{label} {n} is written twice")
        elif prev is not None and n < prev:
            add(p, "error", f"{label} {n} is written after {label} {prev}: list the periods in order")
        elif count and n > last:
            add(p, "error", f"{label} {n} is beyond count {count}: correct count or remove the period")
        seen.add(n)
        prev = n if prev is None else max(prev, n)
    for n in range(start, last + 1):
        if n in seen:
            continue
        after = next((i for i, m in nums if m > n), None)
        at = path + (after, "period") if after is not None else path
        rng = f"{start} to {last}" + (f" (count: {count})" if count else "")
        add(at, "error", f"{label} {n} is missing: the periods run {rng}")


def _dates(entries: list, path: tuple, label: str, fy: int, add: Add, special: bool) -> list:
    """Check each date; return [(date, label, path)] of the valid ones."""
    lo, hi = date(fy, 4, 1), date(fy + 1, 5, 31)
    out = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or not isinstance(e.get("due"), str):
            continue
        p = path + (i, "due")
        d = _date(e["due"])
        if d is None:
            add(p, "error", f"{e['due']} is not a date")
            continue
        if not lo <= d <= hi:
            add(p, "error", f"due date {d} is outside fiscal year {fy} ({lo} to {hi})")
            continue
        n = e.get("period")
        why = closed_reason(d)
        if why and special:
            before = d - timedelta(days=1)
            while closed_reason(before):
                before -= timedelta(days=1)
            add(p, "warning", f"payment date {d} of {label} {n} is {why}: the pension is paid "
                              f"on the business day before, {before}")
        elif why:
            add(p, "warning", f"due date {d} of {label} {n} is {why}: 地方税法20条の5第2項 "
                              f"moves it to {next_business_day(d)}; write that date")
        out.append((d, f"{label} {n}", p))
    return out


def _ascending(seq: list, add: Add) -> None:
    for (d0, l0, _), (d1, l1, p1) in zip(seq, seq[1:]):
        if d1 <= d0:
            add(p1, "error", f"due date {d1} of {l1} is not after {d0} of {l0}")


def _list(block: dict, key: str) -> list:
    v = block.get(key)
    return v if isinstance(v, list) else []


def installments(data: dict, fy: int, add: Add) -> None:
    """納期 of the year: every 期 present, dates in the year, in order and on business days."""
    inst = data.get("installments")
    if not isinstance(inst, dict):
        return
    base = ("installments",)
    periods = _list(inst, "periods")
    count = inst.get("count") if _int(inst.get("count")) else None
    numbering(periods, base + ("periods",), "period", add, count)
    _ascending(_dates(periods, base + ("periods",), "period", fy, add, False), add)
    k = count or len(periods)
    prov = inst.get("provisional_periods")
    if _int(prov) and prov > k:
        add(base + ("provisional_periods",), "error",
            f"provisional_periods {prov} exceeds the number of periods {k}")
    rem = inst.get("remainder")
    if _int(rem) and not 1 <= rem <= k:
        add(base + ("remainder",), "error", f"remainder period {rem} does not exist (periods 1 to {k})")
    special = inst.get("special")
    if isinstance(special, dict):
        sp = base + ("special",)
        prov_list, final = _list(special, "provisional"), _list(special, "final")
        numbering(prov_list, sp + ("provisional",), "provisional period", add)
        # 本徴収 is numbered either on its own (1..) or after the 仮徴収 (4, 5, 6)
        numbering(final, sp + ("final",), "final period", add, None, (1, len(prov_list) + 1))
        a = _dates(prov_list, sp + ("provisional",), "provisional period", fy, add, True)
        b = _dates(final, sp + ("final",), "final period", fy, add, True)
        _ascending(a + b, add)

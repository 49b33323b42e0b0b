"""世帯主変更 (rulebook §10.6): the year split into parts, one per 納税義務者, and the
household's year put back together from them.

The new 世帯主 is the 納税義務者 from the month of the change; the months before it stay
with the old one. Each part is assessed on its own (engine/assess.py: judged on the
change date, rounded on its own notice); the household's components and total are the
parts' sums."""

from __future__ import annotations

from .calendar import fy_end, fy_first_key, fy_start, key_range_mask, month_key
from .household import Household
from .result import ComponentLevy
from ..errors import InputError


def household_parts(household: Household, fy: int) -> list[tuple]:
    """The year split by 世帯主変更 (rulebook §10.6): [(head id, first day, months mask)].

    The new 世帯主 is the 納税義務者 from the month of the change; the months before it
    stay with the old one."""
    return head_parts(household.head, [(c.date, c.head) for c in household.head_changes], fy)


def head_parts(head, changes, fy: int) -> list[tuple]:
    """`household_parts` on plain values: `head` and each change's new head are the same kind
    of key (a person id, or a person row in batch/head_change.py); `changes`: (date, head)
    in date order."""
    start_key = fy_first_key(fy)
    parts = []
    since, key = None, start_key
    for i, (day, new) in enumerate(changes):
        if not fy_start(fy) < day <= fy_end(fy):
            raise InputError(f"head_changes[{i}].date", f"must fall inside fiscal year {fy} "
                                                        "(after 1 April)")
        if new == head:
            raise InputError(f"head_changes[{i}].head", "is already the 世帯主")
        k = month_key(day)
        if k > key:
            parts.append((head, since, key_range_mask(fy, key, k)))
        head, since, key = new, day, k
    parts.append((head, since, key_range_mask(fy, key, None)))
    return parts



def combine(results: list[tuple]) -> tuple:
    """The household's year from its parts: the first part's 判定 and persons, the
    components and totals summed (each part was rounded on its own notice)."""
    first = results[0]
    components: dict[str, ComponentLevy] = {}
    for name in first[2]:
        cs = [r[2][name] for r in results]
        if any(c.missing is not None for c in cs):
            components[name] = next(c for c in cs if c.missing is not None)
            continue
        reds: dict[str, int] = {}
        for c in cs:
            for k, v in c.reductions.items():
                reds[k] = reds.get(k, 0) + v
        components[name] = ComponentLevy(
            name, *(sum(getattr(c, f) for c in cs) for f in
                    ("income_levy", "asset_levy", "per_capita", "per_household")),
            reds, *(sum(getattr(c, f) for c in cs) for f in
                    ("levy", "cap", "over_cap", "rounding", "amount", "months")),
            fraction=sum(c.fraction for c in cs),
            after_cap=tuple(dict.fromkeys(k for c in cs for k in c.after_cap)))
    totals = [r[3] for r in results]
    total = None if None in totals else sum(totals)
    return first[0], first[1], components, total, sum(r[4] for r in results), first[5]


def sum_installments(lists: list) -> tuple:
    """Per 期: what the household owes over all its 納税義務者's notices."""
    by_period: dict = {}
    for items in lists:
        for it in items:
            key = (it["period"], it["due"])
            by_period[key] = by_period.get(key, 0) + it["amount"]
    return tuple({"period": p, "due": d, "amount": a} for (p, d), a in sorted(by_period.items()))



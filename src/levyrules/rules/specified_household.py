"""特定世帯・特定継続世帯 (平等割の減額), rulebook §7."""

from __future__ import annotations

from datetime import date

from ..engine.calendar import month_key
from . import rule

SPECIFIED = rule("specified_household", "特定世帯（平等割額の2分の1）・特定継続世帯（4分の3）",
                 "地方税法703条の4第4項・各市町村国民健康保険税条例")

# 「特定月以後5年を経過する月までの間」: the 特定月 and the 59 months after it (60 in all);
# 特定継続世帯 the next 36 (「その後の3年間」, 8 years in all). A period of N years
# counted in months from the 特定月 ends with the month before the same month N years
# later (民法143条). Example: 特定月 2020年4月 → 特定世帯 to 2025年3月.
SPECIFIED_MONTHS = 60
CONTINUING_MONTHS = 96


def status(judged_on: date, insured_count: int, late_elderly_dates: list[date]) -> str | None:
    """'specified', 'continuing' or None, decided on the 賦課期日 for the whole year.

    The household has one 被保険者 and at least one 特定同一世帯所属者; the months
    elapsed since the 特定月 (the month they left 国保) decide which.
    """
    if insured_count != 1 or not late_elderly_dates:
        return None
    elapsed = month_key(judged_on) - month_key(max(late_elderly_dates))  # 0 in the 特定月
    if elapsed < SPECIFIED_MONTHS:
        return "specified"
    if elapsed < CONTINUING_MONTHS:
        return "continuing"
    return None


def amount(per_household: int, kind: str, specified: int | None, continuing: int | None) -> int:
    """The 平等割 of a 特定世帯 (½) or 特定継続世帯 (¾), from the tariff or floored."""
    if kind == "specified":
        return specified if specified is not None else per_household // 2
    return continuing if continuing is not None else per_household * 3 // 4

"""休日 for 納期限: 土曜日・日曜日, 国民の祝日 and 年末年始 (12月29日〜1月3日).

地方税法20条の5第2項: a 納期限 that falls on a Sunday, a 国民の祝日に関する法律 holiday,
a Saturday or a day the 条例 names as a holiday (every 市町村 names 12月29日〜1月3日)
moves to the next day that is none of these. `levyrules check` warns when a tariff's
納期限 falls on such a day, and names the business day it moves to.

The holidays are those of 国民の祝日に関する法律 (昭和23年法律第178号) as in force from
2020 (天皇誕生日 2月23日; スポーツの日): fixed days, the ハッピーマンデー days (第2条),
振替休日 (第3条第2項) and 国民の休日 (第3条第3項). 春分日 and 秋分日 are fixed each year by
the 国立天文台's 暦要項 in the 官報 (February of the year before); the usual formula below
(valid 1980–2099) gives the days announced so far (tests: 2022–2027) and is used for the
years not yet announced, where a later announcement could differ by a day. The one-off
days of 2019–2021 are before the first tariff year (2022).
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

_FIXED = ((1, 1), (2, 11), (2, 23), (4, 29), (5, 3), (5, 4), (5, 5), (8, 11), (11, 3), (11, 23))
_MONDAYS = ((1, 2), (7, 3), (9, 3), (10, 2))          # (month, nth Monday)


def _nth_monday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7 + 7 * (n - 1))


def _equinox(year: int, base: str) -> int:
    """Day of the 春分日 (base 20.8431) or 秋分日 (23.2488), exact arithmetic."""
    y = year - 1980
    return int(Fraction(base) + Fraction("0.242194") * y - y // 4)


def _named(year: int) -> set[date]:
    days = {date(year, m, d) for m, d in _FIXED}
    days |= {_nth_monday(year, m, n) for m, n in _MONDAYS}
    days.add(date(year, 3, _equinox(year, "20.8431")))
    days.add(date(year, 9, _equinox(year, "23.2488")))
    return days


def holidays(year: int) -> set[date]:
    """Every 国民の祝日 and 休日 of a calendar year."""
    named = _named(year)
    out = set(named)
    for d in sorted(named):                   # 振替休日: a holiday on a Sunday
        if d.weekday() == 6:
            sub = d + timedelta(days=1)
            while sub in out:
                sub += timedelta(days=1)
            out.add(sub)
    for d in sorted(named):                   # 国民の休日: a day between two holidays
        between = d + timedelta(days=1)
        if between not in out and between + timedelta(days=1) in named and between.weekday() != 6:
            out.add(between)
    return out


def closed_reason(d: date) -> str | None:
    """Why a 納期限 on `d` moves ('a Saturday', 'a national holiday', …), or None."""
    if d.weekday() == 5:
        return "a Saturday"
    if d.weekday() == 6:
        return "a Sunday"
    if (d.month, d.day) >= (12, 29) or (d.month, d.day) <= (1, 3):
        return "in the year-end holidays (12/29–1/3)"
    if d in holidays(d.year):
        return "a national holiday"
    return None


def next_business_day(d: date) -> date:
    while closed_reason(d):
        d += timedelta(days=1)
    return d

"""Months and ages (rulebook §10): 月割, 40/65 介護 months, 75 exit, cut-off dates."""

from __future__ import annotations

from datetime import date

import pytest

from levyrules.engine.calendar import (age_on, attains_age_on, care_age_mask, is_65_at_income_year_end,
                                       is_preschool, is_under18, months_text, period_mask)
from conftest import household, person


def mask(s: str) -> int:
    return sum(1 << i for i, c in enumerate(s) if c == "1")


@pytest.mark.parametrize("birth, expected", [
    ("1985-05-01", "111111111111"),   # 長久手市: 5月1日生 → 4月30日に40歳 → 4月から12か月
    ("1985-05-02", "011111111111"),   # 5月2日生 → 5月から11か月
    ("1986-02-01", "000000000111"),   # 栄町: 2月1日生 → 1月から3か月
    ("1986-04-01", "000000000001"),   # 4月1日生 → attains 40 on 3月31日: March only
    ("1986-04-02", "000000000000"),   # 40 in the next fiscal year
    ("1960-08-15", "111100000000"),   # 熊谷市: 65 in August → 介護 to July (誕生月の前月)
    ("1960-08-01", "111000000000"),   # born on the 1st → to June (前々月)
    ("1960-04-01", "000000000000"),   # attains 65 on 3月31日 (previous FY): no 介護 months
    ("1960-04-02", "000000000000"),   # attains 65 on 4月1日 → not 40–64 in April
    ("1960-04-03", "000000000000"),   # attains 65 on 4月2日 → 65 at the end of April: no 介護
    ("1960-05-02", "100000000000"),   # attains 65 on 5月1日 → April only
])
def test_care_months(birth, expected):
    assert months_text(care_age_mask(2025, date.fromisoformat(birth))) == expected


@pytest.mark.parametrize("start, until, expected", [
    ("2025-04-01", None, "111111111111"),
    ("2025-10-31", None, "000000111111"),           # joins on the last day of October: October counts
    ("2025-10-01", None, "000000111111"),
    ("2025-04-01", "2026-01-01", "111111111000"),   # 喪失日 1 January → through December
    ("2025-04-01", "2026-01-31", "111111111000"),   # 喪失日 31 January → January not insured at month end
    ("2025-04-01", "2026-02-01", "111111111100"),   # 社保 from 31 January → 喪失 1 February → January counts
    ("2025-10-05", "2025-10-20", "000000000000"),   # 同月得喪: not levied by default
    ("2024-06-01", "2025-06-15", "110000000000"),
])
def test_period_months(start, until, expected):
    s = date.fromisoformat(start)
    u = date.fromisoformat(until) if until else None
    assert months_text(period_mask(2025, s, u)) == expected


@pytest.mark.parametrize("birth, months", [
    ("1950-11-15", "111111100000"),   # 75 on 11月15日 → 国保 through October
    ("1950-11-01", "111111100000"),   # 足利市: no 1日 exception at 75 → through October
    ("1951-03-31", "111111111110"),   # 75 on 2026-03-31 → through February
])
def test_exit_at_75(run, birth, months):
    data = household(2025, [person("p1", birth, income={"pension_revenue": 1000000})])
    r = run(data, "koriyama/2025")
    assert months_text(r.persons[0].months) == months
    med = r.components["medical"]
    assert med.months == months.count("1")


def test_age_attained_the_day_before_the_birthday():
    b = date(1985, 5, 2)
    assert attains_age_on(b, 40) == date(2025, 5, 1)
    assert age_on(b, date(2025, 5, 1)) == 40
    assert age_on(b, date(2025, 4, 30)) == 39
    leap = date(2004, 2, 29)
    assert attains_age_on(leap, 21) == date(2025, 2, 28)


def test_fiscal_year_cut_off_dates():
    assert is_preschool(2025, date(2019, 4, 2)) and not is_preschool(2025, date(2019, 4, 1))
    assert is_under18(2026, date(2008, 4, 2)) and not is_under18(2026, date(2008, 4, 1))
    # 65 at 31 December of the income year: FY2025 → born on or before 1960-01-01 (福島市)
    assert is_65_at_income_year_end(2025, date(1960, 1, 1))
    assert not is_65_at_income_year_end(2025, date(1960, 1, 2))


def test_mask_helper():
    assert mask("100000000001") == 1 | 1 << 11


def test_75_on_april_1st_is_never_insured_in_the_year(run):
    # 国保 ends on the 75th birthday: no insured month, no 納税義務, tax 0 (with a note)
    data = household(2025, [person("p1", "1950-04-01", income={"pension_revenue": 1000000})])
    r = run(data, "koriyama/2025")
    assert r.total == 0 and r.persons[0].months == 0
    assert r.to_json()["notes"] and all(c.amount == 0 for c in r.components.values())


@pytest.mark.parametrize("flags, text", [
    ("111110000000", "2025年4月〜8月"),
    ("100000000000", "2025年4月"),
    ("110011000000", "2025年4月〜5月・2025年8月〜9月"),
    ("000000000111", "2026年1月〜3月"),
    ("000000001110", "2025年12月〜2026年2月"),
    ("000000000000", "なし"),
])
def test_months_as_a_notice_writes_them(flags, text):
    from levyrules.engine.calendar import months_ja
    assert months_ja(2025, mask(flags)) == text

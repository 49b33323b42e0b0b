"""members.py keeps the facts of a birth date per (birth, fiscal year): the cached facts
are the calendar's own rules (engine/calendar.py), also for a 29 February and a 1st-of-month
birth, whose anniversaries and 介護 months are the edge cases (rulebook §4, 介護保険法9条)."""

from __future__ import annotations

from datetime import date

from levyrules.engine import members
from levyrules.engine.calendar import (anniversary, care_age_mask, is_65_at_income_year_end,
                                       is_preschool, is_under18)


def test_birth_facts_are_the_calendar_rules():
    for birth in (date(1960, 2, 29), date(1985, 4, 1), date(1950, 7, 15), date(2020, 4, 2),
                  date(2007, 4, 1), date(1960, 1, 1), date(1959, 12, 31)):
        for fy in (2024, 2025, 2026):
            want = (anniversary(birth, 75), care_age_mask(fy, birth), is_preschool(fy, birth),
                    is_under18(fy, birth), is_65_at_income_year_end(fy, birth))
            assert members._birth_facts(birth, fy) == want
            assert members._birth_facts(birth, fy) == want      # from the cache


def test_birth_facts_cache_is_bounded():
    members._BIRTH_FACTS.clear()
    for i in range(70_000):
        members._birth_facts(date.fromordinal(700_000 + i), 2025)
    assert len(members._BIRTH_FACTS) <= 65_536

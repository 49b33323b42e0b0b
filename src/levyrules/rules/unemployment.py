"""非自発的失業者 (特例対象被保険者等) の所得割・軽減判定の特例, rulebook §6."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from ..engine.calendar import (age_at_least_columns, age_on, key_range_mask,
                               key_range_mask_columns, month_key, month_key_columns)
from ..engine.household import Unemployment
from . import rule

UNEMPLOYMENT = rule("involuntary_unemployment",
                    "非自発的失業者の給与所得を100分の30とみなす特例",
                    "地方税法703条の5の2・地方税法施行令56条の89の3")

# 特定受給資格者 (11, 12, 21, 22, 31, 32) and 特定理由離職者 (23, 33, 34)
REASON_CODES = frozenset(("11", "12", "21", "22", "31", "32", "23", "33", "34"))
SALARY_SHARE = Fraction(30, 100)


def ineligible_reason(status: Unemployment, birth: date) -> str | None:
    """Why the 特例 does not apply, or None when it does."""
    if status.reason_code not in REASON_CODES:
        return f"離職理由コード {status.reason_code} は対象外"
    if age_on(birth, status.separation_date) >= 65:
        return "離職日に65歳以上"
    return None


def period_mask(fy: int, status: Unemployment) -> int:
    """Months of FY `fy` inside the 特例 period: from the month of the day after the
    separation to the end (March) of the following fiscal year."""
    first = status.separation_date + timedelta(days=1)
    sep_fy = first.year if first.month >= 4 else first.year - 1
    return key_range_mask(fy, month_key(first), (sep_fy + 2) * 12 + 3)


def ineligible_columns(reason_codes, separation, birth):
    """Column form of `ineligible_reason(...) is not None` (persons with the status):
    reason_codes a sequence of str, separation and birth int64 ordinals."""
    import numpy as np
    listed = np.isin(np.asarray(reason_codes, dtype=str), np.array(sorted(REASON_CODES)))
    return ~listed | age_at_least_columns(birth, 65, separation)


def period_mask_columns(fy: int, separation):
    """Column form of period_mask (separation: int64 ordinals)."""
    first = month_key_columns(separation + 1)
    return key_range_mask_columns(fy, first, ((first - 3) // 12 + 2) * 12 + 3)

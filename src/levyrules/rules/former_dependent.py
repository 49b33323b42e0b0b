"""旧被扶養者に係る減免, rulebook §8 (地方税法717条, implemented by each 条例)."""

from __future__ import annotations

from datetime import date

from ..engine.calendar import (age_at_least_columns, age_on, key_range_mask,
                               key_range_mask_columns, month_key, month_key_columns)
from . import rule

FORMER_DEPENDENT = rule("former_dependent",
                        "旧被扶養者の所得割・資産割の免除、均等割・平等割の5割減免（2年間）",
                        "地方税法717条・各市町村国民健康保険税条例（旧被扶養者に係る減免）")

# 「資格取得日の属する月以後2年を経過する月まで」: the month of joining and the 23 months
# after it, 24 in all (民法143条; 三鷹市 FAQ 061807 「資格取得日の属する月から最大2年間」)
HALF_MONTHS = 24


def eligible(birth: date, since: date) -> bool:
    """65 or over on the day they became a 被保険者 as a former dependant."""
    return age_on(birth, since) >= 65


def exempt_mask(fy: int, since: date) -> int:
    """所得割・資産割: every month from the month of joining (当分の間)."""
    return key_range_mask(fy, month_key(since), None)


def half_mask(fy: int, since: date) -> int:
    """均等割 (and 平等割) 5割: the month of joining and the 23 months after it."""
    k = month_key(since)
    return key_range_mask(fy, k, k + HALF_MONTHS)


def eligible_columns(birth, since, kd: tuple | None = None):
    """Column form of eligible (int64 ordinals; kd: key_day_columns(birth), if known)."""
    return age_at_least_columns(birth, 65, since, kd)


def exempt_mask_columns(fy: int, since):
    """Column form of exempt_mask (since: int64 ordinals)."""
    return key_range_mask_columns(fy, month_key_columns(since), None)


def half_mask_columns(fy: int, since):
    """Column form of half_mask (since: int64 ordinals)."""
    k = month_key_columns(since)
    return key_range_mask_columns(fy, k, k + HALF_MONTHS)

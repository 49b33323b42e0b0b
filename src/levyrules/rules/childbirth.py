"""産前産後期間の所得割・均等割の免除, rulebook §5."""

from __future__ import annotations

from datetime import date

from ..engine.calendar import key_range_mask, key_range_mask_columns, month_key, month_key_columns
from ..engine.household import Childbirth
from . import rule

CHILDBIRTH = rule("childbirth", "出産被保険者の産前産後期間の所得割額・均等割額の免除",
                  "地方税法703条の5の3・地方税法施行令56条の89の4")

FIRST_MONTH = month_key(date(2024, 1, 1))        # only months from 令和6年1月
FIRST_EVENT = date(2023, 11, 1)                  # 出産(予定)日 on or after 2023-11-01


def exempt_mask(fy: int, status: Childbirth) -> int:
    """Months of FY `fy` exempted: single birth M−1..M+2, multiple M−3..M+2, where M is
    the month of the actual birth when known, else the expected one."""
    event = status.actual_date or status.expected_date
    if event < FIRST_EVENT:
        return 0
    m = month_key(event)
    start = m - (3 if status.multiple else 1)
    return key_range_mask(fy, max(start, FIRST_MONTH), m + 3)


def exempt_mask_columns(fy: int, expected, actual, multiple):
    """Column form of exempt_mask (persons with the status): expected and actual int64
    ordinals (NONE when absent; one of them present), multiple bool."""
    import numpy as np
    from ..batch.population import NONE
    event = np.where(actual != NONE, actual, expected)
    m = month_key_columns(event)
    start = m - np.where(multiple, 3, 1)
    mask = key_range_mask_columns(fy, np.maximum(start, FIRST_MONTH), m + 3)
    return np.where(event < FIRST_EVENT.toordinal(), 0, mask)

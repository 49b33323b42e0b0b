"""介護保険適用除外施設の入所者: no 介護納付金課税額 for their months, rulebook §13.9."""

from __future__ import annotations

from ..engine.calendar import mask_union_columns, period_mask, period_mask_columns
from . import rule

CARE_EXEMPT = rule("care_exempt_facility", "介護保険適用除外施設入所者は介護納付金課税被保険者でない",
                   "介護保険法施行法11条・介護保険法施行規則170条・地方税法703条の4第2項")


def facility_mask(fy: int, periods) -> int:
    """Months in the facility at month end (入所月から, 退所月の前月まで: as for 資格)."""
    mask = 0
    for p in periods:
        mask |= period_mask(fy, p.start, p.until)
    return mask


def facility_mask_columns(fy: int, n: int, person, start, until):
    """Column form of facility_mask over a table of periods (person row, start, until
    NONE when open): the months of each of the n persons, several periods OR-ed."""
    return mask_union_columns(n, person, period_mask_columns(fy, start, until))
